/**
 * Split down and merge up, with exact offsets. The arena starts at byte 0 of the buffer, so the block at offset r
 * has its header at r and its payload at r + 8 (never 0 = NULL).
 */
import { describe, expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";

function map(a: ReturnType<typeof createBuddyAllocator>) {
  return [...a.walk()].map((b) => `${b.offset}:${b.size + 8}${b.free ? "F" : "U"}`);
}

describe("buddy split and merge", () => {
  it("malloc(8) from a 1 KiB arena splits 1024 into 16 + 16 + 32 + 64 + 128 + 256 + 512", () => {
    const a = createBuddyAllocator({ size: 1024 });
    expect(map(a)).toEqual(["0:1024F"]);
    const p = a.malloc(8);
    expect(p).toBe(8);
    // Each split keeps the lower half and frees the upper half, the buddy: 512 at 512, 256 at 256, ...
    expect(map(a)).toEqual(["0:16U", "16:16F", "32:32F", "64:64F", "128:128F", "256:256F", "512:512F"]);
    expect(a.usableSize(p)).toBe(8);
    a.check();
  });

  it("the second small block takes the free order-4 buddy; freeing both merges all the way back up", () => {
    const a = createBuddyAllocator({ size: 1024 });
    const p = a.malloc(8);
    const q = a.malloc(1);
    expect(q).toBe(24); // block 16, the buddy of block 0 (0 ^ 16 = 16)
    a.free(p);
    // Block 0's buddy (16) is used: no merge yet.
    expect(map(a).slice(0, 2)).toEqual(["0:16F", "16:16U"]);
    a.check();
    a.free(q);
    // 16 + 16 -> 32 at 0, + its buddy 32 (0 ^ 32) -> 64, ... -> 1024.
    expect(map(a)).toEqual(["0:1024F"]);
    a.check();
  });

  it("requests round up to a power of two including the 8-byte header", () => {
    const a = createBuddyAllocator({ size: 4096 });
    expect(a.usableSize(a.malloc(24))).toBe(24); // 32-byte block
    expect(a.usableSize(a.malloc(25))).toBe(56); // 33 bytes -> 64-byte block
    expect(a.usableSize(a.malloc(1000))).toBe(1016); // 1008 -> 1024
    a.check();
  });

  it("a freed block merges only with its own buddy, not with a free neighbour from another pair", () => {
    const a = createBuddyAllocator({ size: 64 });
    const b0 = a.malloc(8); // arena 0..15
    const b1 = a.malloc(8); // 16..31
    const b2 = a.malloc(8); // 32..47
    const b3 = a.malloc(8); // 48..63
    expect([b0, b1, b2, b3]).toEqual([8, 24, 40, 56]);
    a.free(b1);
    a.free(b2);
    // 16..31 and 32..47 are adjacent and free, but 16's buddy is 0 and 32's buddy is 48: no merge.
    expect(map(a)).toEqual(["0:16U", "16:16F", "32:16F", "48:16U"]);
    a.check();
    a.free(b0);
    expect(map(a)).toEqual(["0:32F", "32:16F", "48:16U"]);
    a.free(b3);
    expect(map(a)).toEqual(["0:64F"]);
    a.check();
  });

  it("coalescing 'none' never merges", () => {
    const a = createBuddyAllocator({ size: 64, coalescing: "none" });
    const p = a.malloc(8);
    const q = a.malloc(8);
    a.free(p);
    a.free(q);
    expect(map(a)).toEqual(["0:16F", "16:16F", "32:32F"]);
    a.check();
    expect(a.malloc(40)).toBe(0); // no 64-byte block can form
    expect(a.stats().failedAllocations).toBe(1);
  });

  it("an arena that is not a power of two is tiled by its binary decomposition", () => {
    const a = createBuddyAllocator({ size: 1000 }); // rounded down to 992 = 512 + 256 + 128 + 64 + 32
    expect(map(a)).toEqual(["0:512F", "512:256F", "768:128F", "896:64F", "960:32F"]);
    const s = a.stats();
    expect(s.heapBytes).toBe(992); // the arena is the heap
    expect(s.largestFreeBlock).toBe(504);
    a.check();
  });
});
