import { expect, it } from "vitest";
import { fill, heapOf, holds } from "./helpers.js";

it("when a growable heap outgrows its buffer, memory is a new view holding every live byte", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 22 });
  const first = heap.memory;
  const ptrs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const p = heap.malloc(4000);
    fill(heap, p, 4000, i);
    ptrs.push(p);
  }
  expect(heap.memory).not.toBe(first); // 40 * 4008 bytes do not fit the first 64 KiB buffer
  expect(heap.memory.length).toBeGreaterThanOrEqual(heap.stats().heapBytes);
  ptrs.forEach((p, i) => expect(holds(heap, p, 4000, i)).toBe(true));
  for (let i = 0; i < 40; i += 2) heap.free(ptrs[i]!);
  heap.check();
  expect(heap.stats()).toMatchObject({ heapBytes: 8 + 40 * 4008, usedBlocks: 20, freeBlocks: 20 });
});

it("the buffer never exceeds maxSize, even when maxSize is not a multiple of 8", () => {
  const heap = heapOf({ size: 0, maxSize: 100_001 });
  let n = 0;
  while (heap.malloc(992) !== 0) n++; // 1000-byte blocks
  expect(n).toBe(99); // 8 + 99 * 1000 = 99_008; one more would end at 100_008 > 100_001
  expect(heap.memory.length).toBeLessThanOrEqual(100_001);
  expect(heap.malloc(984)).toBe(8 + 99 * 1000 + 8); // 992 bytes still fit: 100_000 <= 100_001
  expect(heap.stats()).toMatchObject({ heapBytes: 100_000, failedAllocations: 1 });
  heap.check();
});

it("alignment 4096: page-aligned pointers with 4096-byte blocks", () => {
  const heap = heapOf({ size: 0, maxSize: 1 << 20, alignment: 4096 });
  const a = heap.malloc(1);
  const b = heap.malloc(4088);
  const c = heap.malloc(4089);
  expect([a, b, c]).toEqual([4096, 8192, 12288]);
  expect(heap.usableSize(c)).toBe(8192 - 8);
  expect(heap.stats().heapBytes).toBe(4088 + 4096 * 4);
  heap.check();
});
