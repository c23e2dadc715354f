import fc from "fast-check";
import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";
import { lifo } from "./lifo-strategy.js";
import { opArbitrary, runOps } from "./random-ops.js";

// lifo-strategy.ts imports only @dmm/core's public entry point: the exported types and accessors suffice.

it("a LIFO list strategy built on getLink/setLink/blockSize serves a heap", () => {
  const heap = heapOf({ strategy: lifo() });
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  heap.malloc(16);
  const c = heap.malloc(16);
  heap.malloc(16);
  heap.free(a);
  heap.free(c);
  expect(heap.malloc(16)).toBe(c); // the most recently freed block first
  heap.free(b); // merges with a: the merged block is the newest
  expect(heap.malloc(40)).toBe(a);
  heap.check();
});

it("the LIFO strategy keeps the heap consistent under random operations", () => {
  fc.assert(
    fc.property(
      fc.array(opArbitrary, { maxLength: 120, size: "max" }),
      fc.constantFrom("immediate" as const, "deferred" as const, "none" as const),
      fc.constantFrom(8, 16, 64),
      fc.boolean(),
      (ops, coalescing, alignment, growable) => {
        runOps(ops, { strategy: lifo, coalescing, alignment, growable });
      },
    ),
    { numRuns: 100 },
  );
});
