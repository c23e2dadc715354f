/**
 * A realloc that shrinks in place frees its tail, which merges with the free block above it: that block leaves the
 * index first, and its removal restructures the path the merged tail's insert walks. Here the block above heads a
 * segregated-fit tree bin alone, and its left-child link is forged to name another free block (one in a small bin,
 * of a size the tree's order allows there): the removal hoists that block into the bin's root, and the tail's
 * insert finds it. The heap vets the insert again after the removal and puts the block back, the tree restoring
 * every word exactly (removal-log.ts), so the rejected realloc leaves the heap as it was. Found by the red team
 * (red-team.test.ts, RED_TEAM_SEED=836450383 with link damage), shrunk by fast-check.
 */
import { createHeap, HeapError } from "@dmm/core";
import { segregatedFit } from "@dmm/strategies";
import { expect, it } from "vitest";

it("segregated fit: a shrinking realloc rejected after its merge partner left the index changes nothing", () => {
  // 16 KiB: the free rest is above segregated fit's small bins (SMALL_BIN_LIMIT, 4 KiB), in a tree bin.
  const h = createHeap({ size: 16384, coalescing: "immediate", strategy: segregatedFit() });
  const a = h.malloc(40); // 48 bytes at 8
  const b = h.malloc(40); // 48 bytes at 56; the rest, 16280 bytes at 104, is free
  h.free(a);
  const words = new Int32Array(h.memory.buffer);
  words[(104 >> 2) + 2] = 8; // block 104's left-child link names free block 8
  const before = h.memory.slice();
  let caught: unknown = null;
  try {
    h.realloc(b, 1); // 24 bytes: the 24-byte tail merges with block 104
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  expect(h.memory.findIndex((x, i) => x !== before[i])).toBe(-1);
  expect(h.usableSize(b)).toBe(40);
});
