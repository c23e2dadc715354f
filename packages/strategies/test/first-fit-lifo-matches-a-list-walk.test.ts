/**
 * first-fit-lifo finds its block with a tree over the list's insertion order instead of walking the list: the
 * differential test. The same random operations run on two heaps, one with first-fit-lifo and one with the policy
 * as a plain list walked from its head (the README's example strategy, support/readme-example.ts); every malloc and realloc must return the same
 * pointer and count the same blocks examined (the heap's lastSearchCost: the list position of the choice, or the
 * whole list on a miss), and largest() must be the list's largest block. Sequences run long enough to pack the
 * list's slots (64 at first) many times over.
 */
import { type Coalescing, createHeap, type Heap } from "@dmm/core";
import { firstFitLifo } from "@dmm/strategies";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lifoFirstFit } from "./support/readme-example.js";
import { CALLOC, FREE, MALLOC, randomTrace } from "./support/random-trace.js";

type Op = { kind: "malloc"; size: number } | { kind: "free"; pick: number } | { kind: "realloc"; pick: number; size: number };

const size = fc.oneof(fc.constantFrom(8, 16, 24, 40, 100), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 5000 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("malloc" as const), size }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("realloc" as const), pick: fc.nat(), size }) },
);

function twins(coalescing: Coalescing): [Heap, Heap] {
  const options = { size: 16 * 1024, maxSize: 256 * 1024, coalescing };
  return [createHeap({ ...options, strategy: firstFitLifo() }), createHeap({ ...options, strategy: lifoFirstFit() })];
}

/** Applies one call to both heaps, fails at the first difference, and returns the pointer both returned. */
function step(fast: Heap, slow: Heap, what: string, call: (h: Heap) => number): number {
  const p = call(fast);
  const q = call(slow);
  if (p !== q || fast.lastSearchCost !== slow.lastSearchCost) {
    throw new Error(`${what}: first-fit-lifo returned ${p} having examined ${fast.lastSearchCost}, the list walk ${q} having examined ${slow.lastSearchCost}`);
  }
  const largest = fast.stats().largestFreeBlock;
  if (largest !== slow.stats().largestFreeBlock) throw new Error(`${what}: largest free block ${largest}, the list's ${slow.stats().largestFreeBlock}`);
  return p;
}

function run(coalescing: Coalescing, ops: Op[]): void {
  const [fast, slow] = twins(coalescing);
  const live: number[] = [];
  ops.forEach((o, i) => {
    if (o.kind === "malloc") {
      const p = step(fast, slow, `op ${i}: malloc(${o.size})`, (h) => h.malloc(o.size));
      if (p !== 0) live.push(p);
    } else if (live.length > 0) {
      const k = o.pick % live.length;
      const p = live[k]!;
      live.splice(k, 1);
      if (o.kind === "free") {
        fast.free(p);
        slow.free(p);
      } else {
        const q = step(fast, slow, `op ${i}: realloc(${p}, ${o.size})`, (h) => h.realloc(p, o.size));
        live.push(q !== 0 ? q : p); // NULL: p stays valid (a size of 0 never comes: sizes start at 1)
      }
    }
  });
  fast.check();
  expect([...fast.walk()]).toEqual([...slow.walk()]);
}

describe("first-fit-lifo makes the list walk's choice and counts its steps", () => {
  it.each(["immediate", "deferred", "none"] as const)("random operations, coalescing %s", (coalescing) => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 600 }), (ops) => run(coalescing, ops)), { numRuns: 60 });
  });

  it("a long mixed trace with thousands of list entries", () => {
    const [fast, slow] = twins("immediate");
    const ptr = new Map<number, number>();
    for (const [i, o] of randomTrace(7, { ops: 20000, live: 400, maxSize: 3000 }).entries()) {
      if (o.kind === MALLOC || o.kind === CALLOC) {
        const p = step(fast, slow, `op ${i}: malloc(${o.size})`, (h) => h.malloc(o.size));
        if (p !== 0) ptr.set(o.id, p);
        continue;
      }
      const p = ptr.get(o.id);
      if (p === undefined) continue;
      if (o.kind === FREE) {
        fast.free(p);
        slow.free(p);
        ptr.delete(o.id);
      } else {
        const q = step(fast, slow, `op ${i}: realloc(${p}, ${o.size})`, (h) => h.realloc(p, o.size));
        if (q !== 0) ptr.set(o.id, q);
      }
    }
    fast.check();
    expect(fast.stats()).toEqual(slow.stats());
  });
});
