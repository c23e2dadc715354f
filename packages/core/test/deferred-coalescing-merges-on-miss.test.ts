import { expect, it } from "vitest";
import { heapOf, layout } from "./helpers.js";

it("deferred coalescing leaves free neighbours apart until a request finds no fit, then merges and retries", () => {
  const heap = heapOf({ size: 104, coalescing: "deferred" }); // exactly four 24-byte blocks
  const [a, b, c] = [heap.malloc(16), heap.malloc(16), heap.malloc(16), heap.malloc(16)];
  heap.free(a!);
  heap.free(b!);
  heap.free(c!);
  expect(layout(heap)).toEqual([
    [8, 16, true],
    [32, 16, true],
    [56, 16, true],
    [80, 16, false],
  ]);
  heap.check();

  // A request that fits takes a block and merges nothing.
  expect(heap.malloc(16)).toBe(16);
  expect(layout(heap)).toEqual([
    [8, 16, false],
    [32, 16, true],
    [56, 16, true],
    [80, 16, false],
  ]);
  heap.free(16);

  // A request that fits no block: the three merge into [8, 80) (72 bytes), which serves 48 and keeps 24 free.
  expect(heap.malloc(40)).toBe(16);
  expect(layout(heap)).toEqual([
    [8, 40, false],
    [56, 16, true],
    [80, 16, false],
  ]);
  expect(heap.stats().failedAllocations).toBe(0);
  heap.check();
});

it("a growable heap merges before it grows", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20, coalescing: "deferred" });
  const ptrs = [heap.malloc(16), heap.malloc(16), heap.malloc(16), heap.malloc(16)];
  expect(heap.stats().heapBytes).toBe(8 + 4 * 24);
  heap.free(ptrs[0]!);
  heap.free(ptrs[1]!);
  heap.free(ptrs[2]!);
  expect(heap.malloc(64)).toBe(16); // 72 bytes: exactly the three merged blocks
  expect(heap.stats().heapBytes).toBe(8 + 4 * 24);
  heap.check();
});
