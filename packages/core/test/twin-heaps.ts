/** Twin heaps: two heaps given the same calls must hold the same stats, layout and bytes (up to 4 bytes past the
 * extent). */
import type { Heap } from "@dmm/core";
import { expect } from "vitest";

/** Fails naming `step` and the first byte below the extent + 4 (checkpoint reads the word at the top) that differs. */
export function expectTwinHeaps(a: Heap, b: Heap, step: string, what = "the first heap", other = "the second"): void {
  const stats = a.stats();
  expect(stats, step).toEqual(b.stats());
  expect(a.dump(), step).toBe(b.dump());
  // The buffers' lengths may differ (a heap grown into a spare buffer); both hold the heap.
  expect(Math.min(a.memory.length, b.memory.length), step).toBeGreaterThanOrEqual(stats.heapBytes);
  const end = Math.min(a.memory.length, b.memory.length, stats.heapBytes + 4);
  // Compared natively first: a byte-by-byte loop after every op of a property test is most of its time.
  const ma = Buffer.from(a.memory.buffer, a.memory.byteOffset, end);
  const mb = Buffer.from(b.memory.buffer, b.memory.byteOffset, end);
  if (ma.equals(mb)) return;
  const first = ma.findIndex((byte, i) => byte !== mb[i]);
  expect.fail(`${step}: byte ${first} (extent ${stats.heapBytes}) is ${ma[first]} in ${what}, ${mb[first]} in ${other}`);
}
