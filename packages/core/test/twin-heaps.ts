/** Twin heaps: two heaps given the same calls must hold the same stats, layout and bytes (up to 4 bytes past the
 * extent). */
import type { Allocator, Heap } from "@dmm/core";
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

/**
 * `ops` seeded mallocs, callocs (every fifth) and frees (every third, of a live pair) given to both allocators, which
 * must return the same pointers; `compare(step)` after every op.
 */
export function runTwinOps(a: Allocator, b: Allocator, ops: number, compare: (step: string) => void): void {
  const live: Array<[number, number]> = [];
  for (let i = 0; i < ops; i++) {
    const step = `op ${i}`;
    if (i % 3 === 2 && live.length > 0) {
      const [pa, pb] = live.splice((i * 7) % live.length, 1)[0]!;
      a.free(pa);
      b.free(pb);
    } else {
      const size = (i * 2654435761) % 9000;
      const pa = i % 5 === 0 ? a.calloc(1, size) : a.malloc(size);
      const pb = i % 5 === 0 ? b.calloc(1, size) : b.malloc(size);
      expect(pa, step).toBe(pb);
      if (pa !== 0) live.push([pa, pb]);
    }
    compare(step);
  }
}

/** runTwinOps on two heaps, which must hold what expectTwinHeaps compares after every op. */
export function expectTwinOps(a: Heap, b: Heap, ops: number, what: string, other: string): void {
  runTwinOps(a, b, ops, (step) => expectTwinHeaps(a, b, step, what, other));
}
