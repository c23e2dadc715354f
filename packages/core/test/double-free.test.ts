import { expect, it } from "vitest";
import { expectRejectedWithoutChange, heapOf } from "./helpers.js";

it("freeing a block twice is DOUBLE_FREE and changes nothing", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  heap.malloc(16);
  heap.free(a);
  const error = expectRejectedWithoutChange(heap, () => heap.free(a), "DOUBLE_FREE");
  expect(error.message).toContain("free(16)");
});

it("a second free is caught after the block merged into its left neighbour", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  heap.malloc(16);
  heap.free(a);
  heap.free(b); // b's block is now the upper half of the free block at 8: not a block start any more
  expectRejectedWithoutChange(heap, () => heap.free(b), "DOUBLE_FREE");
});

it("a second free is caught after the block merged with its right neighbour and the rest", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  heap.free(b); // merges with the free rest
  heap.free(a); // a absorbs them: one free block
  expectRejectedWithoutChange(heap, () => heap.free(b), "DOUBLE_FREE");
  expectRejectedWithoutChange(heap, () => heap.free(a), "DOUBLE_FREE");
});

it("realloc of a freed block is DOUBLE_FREE, as is asking its usable size", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  heap.malloc(16);
  heap.free(a);
  expectRejectedWithoutChange(heap, () => heap.realloc(a, 32), "DOUBLE_FREE");
  expectRejectedWithoutChange(heap, () => heap.realloc(a, 0), "DOUBLE_FREE");
  expectRejectedWithoutChange(heap, () => heap.usableSize(a), "DOUBLE_FREE");
});

it("the old pointer of a block realloc moved is DOUBLE_FREE", () => {
  const heap = heapOf({ coalescing: "none" });
  const a = heap.malloc(16);
  heap.malloc(16);
  const moved = heap.realloc(a, 200);
  expect(moved).not.toBe(a);
  expectRejectedWithoutChange(heap, () => heap.free(a), "DOUBLE_FREE");
});

it("free(NULL) is a no-op", () => {
  const heap = heapOf();
  heap.malloc(16);
  const before = heap.dump();
  heap.free(0);
  expect(heap.dump()).toBe(before);
});

it("a stale pointer whose memory now belongs to a live block is INVALID_POINTER (an interior pointer)", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(16); // [32, 56)
  heap.malloc(16);
  heap.free(a);
  heap.free(b); // one free block [8, 56)
  expect(heap.malloc(40)).toBe(a); // takes all of it: b's old payload is inside this live block now
  expectRejectedWithoutChange(heap, () => heap.free(b), "INVALID_POINTER");
});

it("a block handed out again at the same address is live again: one free is fine, the second is DOUBLE_FREE", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  heap.malloc(16);
  heap.free(a);
  expect(heap.malloc(16)).toBe(a);
  heap.free(a);
  expectRejectedWithoutChange(heap, () => heap.free(a), "DOUBLE_FREE");
});
