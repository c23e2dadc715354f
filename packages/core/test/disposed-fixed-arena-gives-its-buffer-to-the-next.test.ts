/**
 * Allocator.dispose on a fixed arena: its buffer and block map go back (spare-buffers.ts), and the next fixed arena
 * of that size takes them instead of fresh memory (a page fault per page it writes), cleared: after every
 * operation it holds the same bytes, layout and stats as a twin on fresh memory, however dirty the disposed arena
 * left the buffer, and it knows nothing of the disposed arena's blocks.
 */
import { createHeap, type Heap } from "@dmm/core";
import { bestFit, tlsf } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectTwinHeaps, expectTwinOps } from "./twin-heaps.js";

const SIZE = 1 << 18;

/** The heap's block map (private: the bitmaps beside its buffer). */
function marksOf(heap: Heap): Int32Array {
  return (heap as unknown as { marks: Int32Array }).marks;
}

it("the next fixed arena of the disposed one's size takes its buffer and block map, and reads as fresh memory", () => {
  const first = createHeap({ size: SIZE, strategy: tlsf() });
  const blocks: number[] = [];
  for (let i = 0; i < 40; i++) blocks.push(first.malloc(3000));
  for (let i = 0; i < 40; i += 2) first.free(blocks[i]!); // START and FREED marks all over the map
  const buffer = first.memory.buffer;
  const marks = marksOf(first);
  first.memory.fill(0x5a);
  first.dispose!();
  expect(first.memory.length, "the disposed heap keeps no view of the buffer").toBe(0);

  // Another size does not take it.
  const other = createHeap({ size: SIZE / 2, strategy: tlsf() });
  expect(other.memory.buffer === buffer).toBe(false);

  const reusing = createHeap({ size: SIZE, strategy: bestFit(), coalescing: "deferred" });
  const twin = createHeap({ size: SIZE, strategy: bestFit(), coalescing: "deferred" });
  expect(reusing.memory.buffer === buffer, "the fixed arena is the disposed one's buffer").toBe(true);
  expect(marksOf(reusing) === marks, "with its block map").toBe(true);
  expect(twin.memory.buffer === buffer).toBe(false);
  expectTwinHeaps(reusing, twin, "created", "the arena on the reused buffer", "the one on fresh memory");
  // Where the first arena had a freed block, the second has the inside of its one free block.
  expect(() => reusing.free(blocks[4]!)).toThrow(expect.objectContaining({ code: "INVALID_POINTER" }));
  expectTwinOps(reusing, twin, 300, "the arena on the reused buffer", "the one on fresh memory");
  expect(Buffer.from(reusing.memory).equals(Buffer.from(twin.memory)), "every byte of the arena").toBe(true);
  reusing.check();
});
