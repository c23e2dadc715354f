import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

/**
 * peakLiveBytes follows mdriver's rule (CS:APP malloc lab): a realloc that moves is the new size in place of the
 * old, never both at once. p = malloc(100); malloc(100); realloc(p, 300) must move (its neighbour is live), and
 * the peak is 100 + 300 = 400, not 100 + 100 + 300 = 500.
 */
it("a moving realloc does not count the old and the new block at once", () => {
  const heap = heapOf({ size: 4096 });
  const p = heap.malloc(100);
  heap.malloc(100);
  const q = heap.realloc(p, 300);
  expect(q).not.toBe(p);
  expect(heap.stats().liveBytes).toBe(400);
  expect(heap.stats().peakLiveBytes).toBe(400);
});

it("a realloc in place raises the peak by the difference", () => {
  const heap = heapOf({ size: 4096 });
  const p = heap.malloc(100);
  expect(heap.realloc(p, 300)).toBe(p);
  expect(heap.stats().peakLiveBytes).toBe(300);
});
