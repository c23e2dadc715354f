/**
 * Small property test: every registered strategy, random malloc/free/realloc with sizes from a short list
 * (so many free blocks share a size: ties, equal-size chains, node replacement in tree bins), and the
 * heap's three-phase check() — physical chain, the strategy's own index, both agree — after every operation,
 * and the strategy's largest() (through stats().largestFreeBlock) against a scan of walk(). Alignment 8 and 32.
 */
import { type Coalescing, createHeap } from "@dmm/core";
import { strategies } from "@dmm/strategies";
import fc from "fast-check";
import { describe, it } from "vitest";

type Op = { kind: "malloc"; size: number } | { kind: "free"; pick: number } | { kind: "realloc"; pick: number; size: number };

const size = fc.constantFrom(8, 16, 40, 100, 248, 300, 504, 512, 600, 1000, 2040, 5000);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("malloc" as const), size }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("realloc" as const), pick: fc.nat(), size }) },
);

describe.each(strategies.map((s) => [s.name, s] as const))("%s", (_name, entry) => {
  const cases = (["immediate", "deferred", "none"] as Coalescing[]).flatMap((c) => [[c, 8], [c, 32]] as const);
  it.each(cases)("passes check() after every operation, coalescing %s, alignment %i", (coalescing, alignment) => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 150 }), (ops) => {
        const heap = createHeap({ size: 32 * 1024, strategy: entry.create(), coalescing, alignment });
        const live: number[] = [];
        for (const o of ops) {
          if (o.kind === "malloc") {
            const p = heap.malloc(o.size);
            if (p !== 0) live.push(p);
          } else if (live.length > 0) {
            const k = o.pick % live.length;
            if (o.kind === "free") {
              heap.free(live[k]!);
              live.splice(k, 1);
            } else {
              const q = heap.realloc(live[k]!, o.size);
              if (q !== 0) live[k] = q;
            }
          }
          heap.check();
          let largest = 0;
          for (const b of heap.walk()) if (b.free && b.size > largest) largest = b.size;
          if (heap.stats().largestFreeBlock !== largest) {
            throw new Error(`stats().largestFreeBlock is ${heap.stats().largestFreeBlock}, walk() says ${largest}`);
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
