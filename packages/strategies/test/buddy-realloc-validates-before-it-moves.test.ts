import { HeapError } from "@dmm/core";
import { expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";

/**
 * Buddy realloc that must move is malloc + copy + free. With the old block's free buddy damaged, free would throw
 * CORRUPTION: that must be found before the malloc, or the rejected realloc leaves the new block behind
 * (usedBlocks 2 → 3, as it did).
 */
it("a damaged free buddy of the old block is reported before a new block exists", () => {
  const a = createBuddyAllocator({ size: 1024 });
  const p = a.malloc(8); // 16-byte block at 8 (arena 0)
  const q = a.malloc(8); // its buddy at 24
  a.malloc(100); // 128 at arena 128? whatever: keeps p from growing in place
  a.free(q); // p's buddy is free
  new DataView(a.memory.buffer).setInt32(q - 8, 0x12345678, true); // the free buddy's header smashed
  const before = { bytes: a.memory.slice(), stats: a.stats() };
  let caught: unknown;
  try {
    a.realloc(p, 200);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  expect(a.stats()).toEqual(before.stats);
  expect(a.memory).toEqual(before.bytes);
});

it("peakLiveBytes counts a moving realloc as the new size only (mdriver's rule)", () => {
  const a = createBuddyAllocator({ size: 4096 });
  const p = a.malloc(100); // 128-byte block
  a.malloc(100); // its buddy: p must move
  const moved = a.realloc(p, 300);
  expect(moved).not.toBe(p);
  expect(a.stats().peakLiveBytes).toBe(400);
});
