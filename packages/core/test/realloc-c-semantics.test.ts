import { MAX_HEAP_BYTES } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { fill, heapOf, holds, layout, snapshot } from "./helpers.js";

describe("realloc follows C", () => {
  it("realloc(NULL, n) is malloc(n)", () => {
    const heap = heapOf();
    const p = heap.realloc(0, 32);
    expect(p).toBe(16);
    expect(heap.usableSize(p)).toBe(32);
    expect(heap.stats().liveBytes).toBe(32);
    heap.check();
  });

  it("realloc(p, 0) frees p and returns NULL", () => {
    const heap = heapOf();
    const p = heap.malloc(32);
    expect(heap.realloc(p, 0)).toBe(0);
    expect(layout(heap)).toEqual([[8, 1008, true]]);
    expect(heap.stats()).toMatchObject({ liveBytes: 0, usedBlocks: 0 });
    heap.check();
  });

  it("on failure it returns NULL and leaves p valid and unchanged", () => {
    const heap = heapOf({ size: 104 }); // exactly four 24-byte blocks
    const ptrs = [heap.malloc(16), heap.malloc(16), heap.malloc(16), heap.malloc(16)];
    fill(heap, ptrs[1]!, 16, 2);
    const before = snapshot(heap);
    expect(heap.realloc(ptrs[1]!, 40)).toBe(0);
    expect(heap.realloc(ptrs[1]!, MAX_HEAP_BYTES + 1)).toBe(0);
    expect(heap.dump()).toBe(before.dump);
    expect(heap.stats()).toEqual({ ...before.stats, failedAllocations: 2 });
    expect(holds(heap, ptrs[1]!, 16, 2)).toBe(true);
    expect(heap.usableSize(ptrs[1]!)).toBe(16);
    heap.free(ptrs[1]!); // still a live block
    heap.check();
  });

  it("realloc to the same size returns the same pointer", () => {
    const heap = heapOf();
    const p = heap.malloc(20);
    expect(heap.realloc(p, 20)).toBe(p);
    expect(heap.realloc(p, 24)).toBe(p); // the 24 usable bytes already fit 24
    expect(heap.stats().liveBytes).toBe(24);
    heap.check();
  });
});
