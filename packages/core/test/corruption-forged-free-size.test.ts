import { createHeap } from "@dmm/core";
import { expect, it } from "vitest";
import { expectHeapError } from "./helpers.js";
import { lifo } from "./lifo-strategy.js";

// Found by the overflow property test (seed -1561534452). Layout, coalescing none:
//   [8, 128) used · [128, 152) free · [152, 272) used · [272, 360) free · [360, ...) used
// One byte written past the block at 8 turns the free header at 128 from 24 into 236 (size 232): it now ends at
// 360, a real block boundary whose PREV_FREE bit says "free" (because of the free block at 272), and swallows
// the used block at 152. Only the footer (at 356, still 80) contradicts it.
it("malloc rejects a free block whose overwritten size ends at another block boundary", () => {
  const heap = createHeap({ size: 0, maxSize: 4096, strategy: lifo(), coalescing: "none" });
  const first = heap.malloc(129);
  heap.malloc(105);
  const a = heap.realloc(first, 105); // shrinks in place, leaving the free block at 128
  const c = heap.malloc(73);
  heap.malloc(17);
  heap.malloc(17);
  heap.free(c);
  heap.memory.set([236], a + heap.usableSize(a));
  expect(expectHeapError(() => heap.malloc(81), "CORRUPTION").message).toMatch(/block at 128/);
});
