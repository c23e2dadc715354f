import { describe, expect, it } from "vitest";
import { expectHeapError, heapOf } from "./helpers.js";
import { lifo } from "./lifo-strategy.js";

// a = 16 ([8, 32)), b = 40 ([32, 56), freed), c = 64 ([56, 80)), d = 88 ([80, 104)).
// An overflow from a rewrites b's header to 48: a plausible size that ends at a block start (80) and would
// make b swallow the live c if anyone believed it.
function forged() {
  const heap = heapOf({ strategy: lifo() }); // LIFO offers b, the most recently freed block, first
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  const c = heap.malloc(16);
  heap.malloc(16);
  heap.free(b);
  new DataView(heap.memory.buffer).setInt32(a + 16, 48, true);
  return { heap, a, b, c };
}

describe("an overflow into a free neighbour's header", () => {
  it("malloc does not hand out the forged block over live data", () => {
    const { heap } = forged();
    expectHeapError(() => heap.malloc(40), "CORRUPTION");
  });

  it("check, free and realloc of the block below report CORRUPTION", () => {
    const { heap, a } = forged();
    expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("block at 32");
    expectHeapError(() => heap.free(a), "CORRUPTION");
    expectHeapError(() => heap.realloc(a, 30), "CORRUPTION");
  });
});
