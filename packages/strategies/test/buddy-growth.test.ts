import { HeapError } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";

describe("buddy growth up to maxSize", () => {
  it("starts empty and grows by what a request needs", () => {
    const a = createBuddyAllocator({ size: 0, maxSize: 1 << 20 });
    expect(a.stats().heapBytes).toBe(0);
    const p = a.malloc(100); // a 128-byte block: the arena becomes one order-7 chunk
    expect(p).toBe(8);
    expect(a.stats().heapBytes).toBe(128); // the arena is the heap: no base outside it
    const q = a.malloc(20); // 32 bytes: the arena grows by an aligned order-5 chunk at 128
    expect(q).toBe(128 + 8);
    expect(a.stats().heapBytes).toBe(160);
    a.check();
  });

  it("a free block at the top merges with the new chunks instead of being skipped", () => {
    const a = createBuddyAllocator({ size: 0, maxSize: 1 << 20 });
    const p = a.malloc(100); // arena [0, 128)
    const q = a.malloc(8); // arena [128, 144)
    a.free(q); // [128, 144) free at the top
    const r = a.malloc(50); // order 6: the slot [128, 192) holds the free top, so grow to 192 only
    expect(r).toBe(128 + 8);
    expect(a.stats().heapBytes).toBe(192);
    expect(a.usableSize(p)).toBe(120);
    a.check();
  });

  it("a damaged free block at the top is reported before the arena grows: the rejected malloc changes nothing", () => {
    const a = createBuddyAllocator({ size: 0, maxSize: 1024 });
    const p = a.malloc(100); // arena [0, 128)
    a.free(a.malloc(8)); // [128, 144) free at the top: the next order-5 request grows [144, 160) and merges with it
    a.memory.fill(0x41, p + a.usableSize(p), p + a.usableSize(p) + 4); // p overflows into that free block's header
    const before = { stats: a.stats(), bytes: a.memory.slice() };
    let caught: unknown;
    try {
      a.malloc(20);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HeapError);
    expect((caught as HeapError).code).toBe("CORRUPTION");
    expect(a.stats()).toEqual(before.stats);
    expect(a.stats().heapBytes).toBe(144);
    expect(a.memory).toEqual(before.bytes);
  });

  it("memory is replaced as the arena grows and keeps the data", () => {
    const a = createBuddyAllocator({ size: 0, maxSize: 1 << 22 });
    const ptrs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const p = a.malloc(1000 + i);
      a.memory.fill(i & 255, p, p + 1000);
      ptrs.push(p);
    }
    expect(a.memory.length).toBeGreaterThanOrEqual(a.stats().heapBytes);
    ptrs.forEach((p, i) => expect(a.memory[p + 999]).toBe(i & 255));
    a.check();
    for (const p of ptrs) a.free(p);
    expect(a.stats().usedBlocks).toBe(0);
    a.check();
  });

  it("fails with NULL, unchanged, when maxSize forbids growing", () => {
    const a = createBuddyAllocator({ size: 0, maxSize: 1024 });
    const p = a.malloc(1000);
    expect(p).toBe(8);
    const before = JSON.stringify(a.stats());
    expect(a.malloc(8)).toBe(0);
    expect(a.stats().failedAllocations).toBe(1);
    expect(JSON.stringify({ ...a.stats(), failedAllocations: 0 })).toBe(before);
    a.check();
  });

  it("peakHeapBytes keeps the high-water mark", () => {
    const a = createBuddyAllocator({ size: 0, maxSize: 1 << 16 });
    a.free(a.malloc(4000));
    const s = a.stats();
    expect(s.peakHeapBytes).toBe(4096);
    expect(s.heapBytes).toBe(4096);
    expect(s.peakLiveBytes).toBe(4000);
    expect(s.liveBytes).toBe(0);
  });
});
