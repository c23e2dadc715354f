/**
 * Allocator.dispose on the core heap gives back its block map with its buffer, cleared: the next heap that grows
 * into the buffer takes the map too (no fresh allocation of capacity / 128 bytes per heap), and knows nothing of
 * the blocks the disposed heap had there.
 */
import { createHeap, type Heap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { expect, it } from "vitest";

const options = { size: 0, maxSize: 1 << 24 };

/** The heap's block map (private: the bitmaps beside its buffer). */
function marksOf(heap: Heap): Int32Array {
  return (heap as unknown as { marks: Int32Array }).marks;
}

it("the next growing heap takes the disposed heap's block map, with none of its marks", () => {
  const first = createHeap({ ...options, strategy: tlsf() });
  const blocks: number[] = [];
  for (let i = 0; i < 30; i++) blocks.push(first.malloc(20_000));
  for (let i = 0; i < 30; i += 2) first.free(blocks[i]!); // START and FREED marks all over the map
  const marks = marksOf(first);
  expect(first.memory.length).toBe(1 << 20);
  first.dispose!();

  const second = createHeap({ ...options, strategy: tlsf() });
  second.malloc(8); // its blocks start 16 bytes above the first heap's
  for (let i = 0; i < 30; i++) second.malloc(20_000);
  expect(second.memory.length).toBe(1 << 20);
  expect(marksOf(second) === marks, "the second heap grew into the first heap's block map").toBe(true);
  second.check();
  // Where the first heap had a freed block, the second has the inside of a used one.
  expect(() => second.free(blocks[4]!)).toThrow(expect.objectContaining({ code: "INVALID_POINTER" }));
  second.check();
});
