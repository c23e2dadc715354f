/**
 * Best fit and first fit keep small free blocks in exact-size bins; each binned block stores its position in
 * its bin (link word 0, the first payload word), and removing the block follows that word. A buffer overflow
 * that overwrites it must be reported as CORRUPTION — never followed into another block's slot, never a
 * RangeError — and the rejected free changes nothing that check() would not already report.
 */
import { createHeap, HeapError, type Strategy } from "@dmm/core";
import { bestFit, firstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";

describe.each([
  ["best-fit", bestFit],
  ["first-fit", firstFit],
] as Array<[string, () => Strategy]>)("%s", (_name, create) => {
  it.each([1, -1, 1 << 20, 0x7fffffff])("rejects a free that would follow a smashed bin position (%i)", (smashed) => {
    const heap = createHeap({ size: 64 * 1024, strategy: create() });
    // Four 48-byte blocks, each below a used guard; the first three freed share one bin, at positions 0..2
    // (address order). The victim is the third: the free of the guard above it merges it and nothing else.
    const blocks: number[] = [];
    const guards: number[] = [];
    for (let i = 0; i < 4; i++) {
      blocks.push(heap.malloc(40));
      guards.push(heap.malloc(40));
    }
    for (const p of blocks.slice(0, 3)) heap.free(p);
    heap.check();
    const victim = blocks[2]!;
    const words = new Int32Array(heap.memory.buffer);
    const before = words[victim >> 2]!;
    words[victim >> 2] = smashed; // the position word: the first payload word of the free block
    expect(() => heap.check()).toThrow(HeapError);
    // Freeing the guard above the victim merges it: the strategy must remove it through the smashed word.
    let error: unknown;
    try {
      heap.free(guards[2]!);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HeapError);
    expect((error as HeapError).code).toBe("CORRUPTION");
    words[victim >> 2] = before;
    heap.check();
  });
});
