import { describe, expect, it } from "vitest";
import { expectHeapError, heapOf } from "./helpers.js";

// a = 16 ([8, 32)), b = 40 ([32, 56), freed: footer word at 52), c = 64 ([56, 80)).
function withSmashedFooter() {
  const heap = heapOf();
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  const c = heap.malloc(16);
  heap.free(b);
  new DataView(heap.memory.buffer).setInt32(52, 0x7fff0000, true); // a write through the stale pointer b
  return { heap, a, b, c };
}

describe("a smashed boundary tag (free block footer)", () => {
  it("check() names the footer", () => {
    const { heap } = withSmashedFooter();
    expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toMatch(/block at 32: free block's footer disagrees/);
  });

  it("free of the block above, which would merge through the footer, reports CORRUPTION", () => {
    const { heap, c } = withSmashedFooter();
    expectHeapError(() => heap.free(c), "CORRUPTION");
  });

  it("free of the block below, which would merge with the free block, reports CORRUPTION", () => {
    const { heap, a } = withSmashedFooter();
    expectHeapError(() => heap.free(a), "CORRUPTION");
    expectHeapError(() => heap.realloc(a, 32), "CORRUPTION");
  });

  it("a footer pointing at another block start is still caught", () => {
    const { heap, c } = withSmashedFooter();
    new DataView(heap.memory.buffer).setInt32(52, 48, true); // 56 - 48 = 8: a's header, but a is used
    expectHeapError(() => heap.free(c), "CORRUPTION");
  });
});
