import { expect, it } from "vitest";
import { heapOf, snapshot } from "./helpers.js";

it("calloc returns NULL when count * size overflows, and changes nothing else", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 30 });
  heap.malloc(16);
  const before = snapshot(heap);
  expect(heap.calloc(1 << 20, 1 << 20)).toBe(0); // 2^40 bytes
  expect(heap.calloc(2 ** 32, 2 ** 32)).toBe(0); // 2^64: wraps to 0 in 64-bit C
  expect(heap.calloc(Number.MAX_SAFE_INTEGER, 2)).toBe(0);
  expect(heap.dump()).toBe(before.dump);
  expect(heap.stats()).toEqual({ ...before.stats, failedAllocations: 3 });
  heap.check();
});

it("calloc with a zero count or size is a valid empty allocation", () => {
  const heap = heapOf();
  const p = heap.calloc(0, 1 << 20);
  expect(p).not.toBe(0);
  expect(heap.stats().liveBytes).toBe(0);
  heap.free(p);
  heap.check();
});
