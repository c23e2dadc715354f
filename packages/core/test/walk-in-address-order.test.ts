import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

it("walk() visits every block in address order and the blocks tile the heap", () => {
  const heap = heapOf({ size: 4096, alignment: 16, coalescing: "none" });
  const ptrs: number[] = [];
  for (let i = 0; i < 20; i++) ptrs.push(heap.malloc((i * 29) % 120));
  for (let i = 0; i < 20; i += 3) heap.free(ptrs[i]!);
  const blocks = [...heap.walk()];
  expect(blocks[0]!.offset).toBe(8);
  for (let i = 1; i < blocks.length; i++) {
    const prev = blocks[i - 1]!;
    expect(blocks[i]!.offset).toBe(prev.offset + 8 + prev.size); // the next block starts where this one ends
  }
  for (const b of blocks) {
    expect(b.payload).toBe(b.offset + 8);
    if (!b.free) expect(heap.usableSize(b.payload)).toBe(b.size);
  }
  expect(blocks.filter((b) => !b.free).map((b) => b.payload)).toEqual(ptrs.filter((_, i) => i % 3 !== 0));
  const last = blocks[blocks.length - 1]!;
  expect(last.offset + 8 + last.size).toBe(4088); // 4096 - 8 rounded down to a multiple of 16, from 8
});

it("a free block's size is exactly the largest malloc it can serve", () => {
  for (const alignment of [8, 16, 64]) {
    const heap = heapOf({ size: 2048, alignment });
    const a = heap.malloc(200);
    heap.malloc(8);
    heap.free(a);
    const hole = [...heap.walk()][0]!;
    expect(hole.free).toBe(true);
    expect(heap.malloc(hole.size)).toBe(hole.payload);
    heap.free(hole.payload);
    expect(heap.malloc(hole.size + 1)).not.toBe(hole.payload);
  }
});
