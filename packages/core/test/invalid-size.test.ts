import { describe, expect, it } from "vitest";
import { expectRejectedWithoutChange, heapOf } from "./helpers.js";

const badSizes: unknown[] = [-1, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "8", undefined, null, {}, 8n];

describe("INVALID_SIZE", () => {
  it.each(badSizes.map((s) => [String(s), s]))("malloc(%s) is rejected and changes nothing", (_, size) => {
    const heap = heapOf();
    heap.malloc(16);
    const error = expectRejectedWithoutChange(heap, () => heap.malloc(size as number), "INVALID_SIZE");
    expect(error.message).toContain("malloc size");
  });

  it.each(badSizes.map((s) => [String(s), s]))("calloc with count or size %s is rejected", (_, bad) => {
    const heap = heapOf();
    heap.malloc(16);
    expectRejectedWithoutChange(heap, () => heap.calloc(bad as number, 4), "INVALID_SIZE");
    expectRejectedWithoutChange(heap, () => heap.calloc(4, bad as number), "INVALID_SIZE");
  });

  it.each(badSizes.map((s) => [String(s), s]))("realloc(p, %s) and realloc(NULL, %s) are rejected, p stays live", (_, bad) => {
    const heap = heapOf();
    const p = heap.malloc(16);
    expectRejectedWithoutChange(heap, () => heap.realloc(p, bad as number), "INVALID_SIZE");
    expectRejectedWithoutChange(heap, () => heap.realloc(0, bad as number), "INVALID_SIZE");
    expect(heap.usableSize(p)).toBe(16);
  });
});
