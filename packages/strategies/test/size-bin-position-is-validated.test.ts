/**
 * Best fit keeps small free blocks in exact-size bins. A bin of more than SORTED_MAX blocks is a
 * min-heap, and each of its blocks stores its position in it (link word 0, the first payload word); removing the
 * block follows that word. A buffer overflow that overwrites it must be reported as CORRUPTION — never followed
 * into another block's slot, never a RangeError — and the rejected free changes nothing that check() would not
 * already report. A smaller bin is a sorted array that reads no word of its blocks: there is nothing to smash.
 */
import { createHeap, HeapError, type Strategy } from "@dmm/core";
import { bestFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { SORTED_MAX } from "../src/size-bins.js";

/** `count` 48-byte blocks, each below a used guard, the first `freed` of them freed into one bin (address order). */
function binOf(create: () => Strategy, count: number, freed: number) {
  const heap = createHeap({ size: 64 * 1024, strategy: create() });
  const blocks: number[] = [];
  const guards: number[] = [];
  for (let i = 0; i < count; i++) {
    blocks.push(heap.malloc(40));
    guards.push(heap.malloc(40));
  }
  for (const p of blocks.slice(0, freed)) heap.free(p);
  heap.check();
  return { heap, blocks, guards, words: new Int32Array(heap.memory.buffer) };
}

describe.each([
  ["best-fit", bestFit],
] as Array<[string, () => Strategy]>)("%s", (_name, create) => {
  it.each([1, -1, 1 << 20, 0x7fffffff])("rejects a free that would follow a smashed bin position (%i)", (smashed) => {
    // A bin past SORTED_MAX blocks (a heap). The victim is one of them: the free of the guard above it merges it
    // and nothing else.
    const { heap, blocks, guards, words } = binOf(create, SORTED_MAX + 4, SORTED_MAX + 3);
    const victim = blocks[SORTED_MAX + 2]!;
    const before = words[victim >> 2]!;
    words[victim >> 2] = smashed === before ? smashed + 1 : smashed; // the position word: the first payload word
    expect(() => heap.check()).toThrow(HeapError);
    // Freeing the guard above the victim merges it: the strategy must remove it through the smashed word.
    let error: unknown;
    try {
      heap.free(guards[SORTED_MAX + 2]!);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HeapError);
    expect((error as HeapError).code).toBe("CORRUPTION");
    words[victim >> 2] = before;
    heap.check();
  });

  it("a sorted bin follows no word of its blocks: an overwritten first payload word is not read", () => {
    const { heap, blocks, guards, words } = binOf(create, 4, 3);
    const victim = blocks[2]!;
    words[victim >> 2] = 0x7fffffff;
    heap.check();
    heap.free(guards[2]!); // merges the victim: found by the bin's search, not by a word inside it
    heap.check();
    expect(heap.malloc(40)).toBe(blocks[0]); // the bin still hands out its lowest address
  });
});
