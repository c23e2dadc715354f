import { createHeap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectHeapError, expectSameBytes } from "./helpers.js";

/**
 * free's fast path proves that a used block has no block start inside it by reading the START words of the block
 * map between its first and its last (one word per 256 bytes, several at a time). Here a's header is forged to
 * span a and the live block b above it, with a's request word set to match (the one forgery the buffer's own
 * rules cannot see), for every START word b can start in over a 14 KiB span: the one start inside is found
 * wherever it lies, free is CORRUPTION, and nothing changes.
 */
const SPAN_WORDS = 56; // the forged block ends 56 START words (14 KiB) above a's

function forgedAt(word: number) {
  const heap = createHeap({ size: 1 << 16, strategy: tlsf() });
  // a is [8, 256 * word + 64): b starts in START word `word` (a's is word 0).
  const aBlock = 256 * word + 56;
  const a = heap.malloc(aBlock - 8);
  const bEnd = 256 * SPAN_WORDS + 128;
  const bBlock = bEnd - (8 + aBlock);
  const b = heap.malloc(bBlock - 8);
  heap.malloc(24); // above b: b ends at a block start
  expect([a - 8, b - 8]).toEqual([8, 8 + aBlock]);
  const view = new DataView(heap.memory.buffer);
  view.setInt32(a - 8, (aBlock + bBlock) | 1, true); // a | USED, ending at b's end
  view.setInt32(a - 4, aBlock + bBlock - 8, true); // a request that needs exactly that size
  return { heap, a, b };
}

it("free of a forged header is CORRUPTION for a block start in any START word it spans, and changes nothing", () => {
  for (let word = 1; word <= SPAN_WORDS; word++) {
    const { heap, a, b } = forgedAt(word);
    const bytes = heap.memory.slice();
    const stats = heap.stats();
    const error = expectHeapError(() => heap.free(a), "CORRUPTION");
    expect(error.message, `b in START word ${word}`).toContain(`spans other blocks (one starts at ${b - 8})`);
    expectSameBytes(heap.memory, bytes);
    expect(heap.stats()).toEqual(stats);
  }
});
