/**
 * A search remembers where its answer sits in the tree (the slot, or the whole path) so that the remove the
 * core issues right after it skips a descent. The memory must never outlive a change to the tree. Here a bare
 * find() picks a free block X and leaves it in the index; then another block is freed (inserts and removes
 * that may reshape the tree around X), and then X's used neighbours are freed, so the core removes X itself to
 * merge it. Mixed with plain mallocs and frees, check() after every operation: a removal through a stale slot
 * or path would leave a dangling child, a lost subtree or a wrong subtree maximum, and check() names it.
 */
import { type Allocator, type Coalescing, createHeap } from "@dmm/core";
import { strategies } from "@dmm/strategies";
import fc from "fast-check";
import { describe, it } from "vitest";

type Op =
  | { kind: "malloc"; size: number }
  | { kind: "free"; pick: number }
  | { kind: "find-then-free-around"; size: number; pick: number };

const size = fc.constantFrom(8, 16, 40, 100, 248, 300, 504, 600, 1000, 2040, 5000);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("malloc" as const), size }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("find-then-free-around" as const), size, pick: fc.nat() }) },
);

function freeAt(heap: Allocator, live: number[], k: number): void {
  heap.free(live[k]!);
  live.splice(k, 1);
}

describe.each(strategies.map((s) => [s.name, s] as const))("%s", (_name, entry) => {
  it.each(["immediate", "deferred"] as Coalescing[])("stays consistent when a find is not followed by its remove, coalescing %s", (coalescing) => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 150 }), (ops) => {
        const heap = createHeap({ size: 8 * 1024, maxSize: 256 * 1024, strategy: entry.create(), coalescing });
        const live: number[] = [];
        for (const o of ops) {
          if (o.kind === "malloc") {
            const p = heap.malloc(o.size);
            if (p !== 0) live.push(p);
          } else if (o.kind === "free") {
            if (live.length > 0) freeAt(heap, live, o.pick % live.length);
          } else {
            const x = heap.strategy.find(o.size + 8);
            if (live.length > 0) freeAt(heap, live, o.pick % live.length);
            // X's used neighbours, found by address in the physical chain.
            const blocks = [...heap.walk()];
            const i = blocks.findIndex((b) => b.offset === x);
            for (const b of [blocks[i - 1], blocks[i + 1]]) {
              if (x === 0 || i < 0 || b === undefined || b.free) continue;
              const k = live.indexOf(b.payload);
              if (k >= 0) freeAt(heap, live, k);
            }
          }
          heap.check();
        }
      }),
      { numRuns: 60 },
    );
  });
});
