/**
 * heapBytes is the arena, which is the whole heap (ARCHITECTURE "Metrics": a fixed arena's heapBytes is its size).
 * The arena starts at byte 0 of the buffer — payloads are at block + 8, so NULL = 0 is never one — and nothing lies
 * outside it: no base to add, in a fixed arena or a growable one (where, as in the core heap, the extent is every
 * byte from 0 to the top of the last block).
 */
import { createHeap } from "@dmm/core";
import { expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";
import { tlsf } from "../src/tlsf.js";

it("a fixed arena of 4096 bytes reports heapBytes 4096, like the core heap's fixed arena", () => {
  const a = createBuddyAllocator({ size: 4096 });
  expect(a.stats().heapBytes).toBe(4096);
  expect(a.stats().peakHeapBytes).toBe(4096);
  expect(a.memory.length).toBe(4096);
  const p = a.malloc(100);
  a.malloc(4000); // no 4 KiB block is left: NULL, and the arena does not change
  a.free(p);
  expect(a.stats().heapBytes).toBe(4096);
  expect(a.stats().usedBytes + a.stats().freeBytes).toBe(4096);
  expect(createHeap({ size: 4096, strategy: tlsf() }).stats().heapBytes).toBe(4096);
});

it("a fixed arena's size is rounded down to 16 bytes, and that is its heapBytes", () => {
  expect(createBuddyAllocator({ size: 1000 }).stats().heapBytes).toBe(992);
});

it("a growable arena's heapBytes is the extent grown, up to the end of its last block", () => {
  const a = createBuddyAllocator({ size: 0, maxSize: 1 << 16 });
  expect(a.stats().heapBytes).toBe(0);
  const p = a.malloc(100); // one 128-byte chunk: the arena [0, 128)
  expect(p + a.usableSize(p)).toBe(128);
  expect(a.stats().heapBytes).toBe(128);
  expect(a.stats().peakHeapBytes).toBe(128);
  const q = a.malloc(20); // an order-5 chunk at 128
  expect(q + a.usableSize(q)).toBe(160);
  expect(a.stats().heapBytes).toBe(160);
  a.check();
});
