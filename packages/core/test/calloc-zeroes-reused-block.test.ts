import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

it("calloc zeroes a block that held data before", () => {
  const heap = heapOf();
  const dirty = heap.malloc(64);
  heap.memory.fill(0xff, dirty, dirty + heap.usableSize(dirty));
  heap.free(dirty);
  const p = heap.calloc(8, 8);
  expect(p).toBe(dirty); // first fit reuses the dirty block
  const usable = heap.usableSize(p);
  expect(usable).toBe(64);
  expect([...heap.memory.subarray(p, p + usable)].every((byte) => byte === 0)).toBe(true);
  expect(heap.stats().liveBytes).toBe(64);
  heap.check();
});

it("calloc zeroes the slack of a block taken whole", () => {
  const heap = heapOf({ size: 104 }); // exactly four 24-byte blocks
  const ptrs = [heap.malloc(16), heap.malloc(16), heap.malloc(16), heap.malloc(16)];
  for (const q of ptrs) heap.memory.fill(0xaa, q, q + 16);
  heap.free(ptrs[2]!);
  const p = heap.calloc(3, 3); // 9 bytes in a 16-byte payload
  expect(p).toBe(ptrs[2]);
  expect([...heap.memory.subarray(p, p + 16)]).toEqual(new Array(16).fill(0));
  heap.check();
});
