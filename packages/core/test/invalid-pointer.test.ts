import { describe, expect, it } from "vitest";
import { expectRejectedWithoutChange, heapOf } from "./helpers.js";

// Heap: a = 16 ([8, 32)), b = 40 ([32, 144)), free rest [144, 1024).
function setUp(alignment = 8) {
  const heap = heapOf({ alignment });
  const a = heap.malloc(16);
  const b = heap.malloc(100);
  return { heap, a, b };
}

const calls = {
  free: (h: ReturnType<typeof heapOf>, p: unknown) => h.free(p as number),
  realloc: (h: ReturnType<typeof heapOf>, p: unknown) => h.realloc(p as number, 8),
  usableSize: (h: ReturnType<typeof heapOf>, p: unknown) => h.usableSize(p as number),
};

describe.each(Object.entries(calls))("INVALID_POINTER from %s", (name, call) => {
  it("an interior pointer of a live block", () => {
    const { heap, b } = setUp();
    for (const p of [b + 8, b + 1, b + 96]) {
      const error = expectRejectedWithoutChange(heap, () => call(heap, p), "INVALID_POINTER");
      expect(error.message).toContain(name);
    }
  });

  it("a pointer out of the heap's range", () => {
    const { heap } = setUp();
    for (const p of [-8, 8, 1024, 1032, 1 << 20, 2 ** 40, -(2 ** 40)]) {
      expectRejectedWithoutChange(heap, () => call(heap, p), "INVALID_POINTER");
    }
  });

  it("a misaligned pointer", () => {
    const { heap, a } = setUp(16);
    for (const p of [a + 8, a + 4, a - 8]) expectRejectedWithoutChange(heap, () => call(heap, p), "INVALID_POINTER");
  });

  it("a pointer that was never allocated (in free memory, or a free block's payload)", () => {
    const { heap } = setUp();
    for (const p of [152, 160, 512, 1016]) expectRejectedWithoutChange(heap, () => call(heap, p), "INVALID_POINTER");
    const fresh = heapOf();
    expectRejectedWithoutChange(fresh, () => call(fresh, 16), "INVALID_POINTER");
  });

  it("a value that is not a pointer", () => {
    const { heap, a } = setUp();
    for (const p of [a + 0.5, Number.NaN, Number.POSITIVE_INFINITY, "16", null, undefined, {}, 16n]) {
      expectRejectedWithoutChange(heap, () => call(heap, p), "INVALID_POINTER");
    }
  });
});
