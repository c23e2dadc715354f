/**
 * tlsf's largest() (stats().largestFreeBlock) scans its highest non-empty list with every link checked; the answer
 * is kept until an insert or a remove that can change it, so asking again (the fixed-arena replay asks after every
 * failed malloc) follows no list. A kept answer is given only while its block is still a free block of that size:
 * a scribble over that block's header is reported as the scan reports it.
 */
import { createHeap, type Heap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { expect, it, vi } from "vitest";

const PAIRS = 50;

/**
 * A full fixed arena of PAIRS (free block, live 24-byte guard) pairs: every free block in tlsf's list 1008–1023,
 * the first freed a 1016-byte block (the largest) and the rest 1008-byte ones, pushed in front of it.
 */
function longHighestList(): { heap: Heap; largest: number; live: number[] } {
  const heap = createHeap({ size: 8 + 1032 + (PAIRS - 1) * 1032 + 8, strategy: tlsf() });
  const frees: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    frees.push(heap.malloc(i === 0 ? 1008 : 1000));
    live.push(heap.malloc(16));
  }
  expect(heap.malloc(8)).toBe(0); // full
  for (const p of frees) heap.free(p);
  return { heap, largest: frees[0]! - 8, live };
}

it("a second stats() follows no list; an insert of a larger block is seen", () => {
  const { heap, live } = longHighestList();
  const follows = vi.spyOn(heap as unknown as { isFreeBlock(offset: number): boolean }, "isFreeBlock");
  expect(heap.stats().largestFreeBlock).toBe(1016 - 8);
  expect(follows.mock.calls.length, "the first scan checks every link of the list").toBeGreaterThanOrEqual(PAIRS - 1);
  follows.mockClear();
  expect(heap.stats().largestFreeBlock).toBe(1016 - 8);
  expect(follows.mock.calls.length, "the kept answer checks its one block").toBeLessThanOrEqual(1);
  // A guard freed between two free blocks merges them: a 1008 + 24 + 1008 (or 1016) block, the largest now.
  heap.free(live[PAIRS - 1]!);
  heap.free(live[0]!);
  expect(heap.stats().largestFreeBlock).toBe(1016 + 24 + 1008 - 8);
  heap.check();
});

it("a scribble over the kept largest block's header is CORRUPTION, as the scan finds it", () => {
  const { heap, largest } = longHighestList();
  expect(heap.stats().largestFreeBlock).toBe(1016 - 8);
  // The USED bit set on the largest block, deep in its list: the link to it names no free block.
  const words = new Int32Array(heap.memory.buffer, heap.memory.byteOffset, heap.memory.length >> 2);
  words[largest >> 2]! |= 1;
  expect(() => heap.stats()).toThrow(expect.objectContaining({ code: "CORRUPTION" }));
});

it("a free that only inserts a block larger than the kept answer is seen", () => {
  // No coalescing: freeing the 4008-byte block is one insert, with no remove to drop the kept answer.
  const heap = createHeap({ size: 8 + 4008 + 1008, strategy: tlsf(), coalescing: "none" });
  const big = heap.malloc(4000);
  const small = heap.malloc(1000);
  expect(heap.malloc(8)).toBe(0); // full
  heap.free(small);
  expect(heap.stats().largestFreeBlock).toBe(1000);
  heap.free(big);
  expect(heap.stats().largestFreeBlock).toBe(4000);
  heap.check();
});
