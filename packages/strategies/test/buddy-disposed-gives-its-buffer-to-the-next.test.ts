/**
 * Allocator.dispose on the buddy allocator: a disposed buddy arena's buffer and side table go to the next one that
 * needs a buffer of that length or less (@dmm/core's spare buffers): a growing one grows into it at once (no
 * buffers, copies or side tables at the sizes between), a fixed one of that size takes it; its arena is zeroed as
 * it reaches the bytes, as a fresh buffer is — after every operation the reusing allocator holds the stats, blocks
 * and arena bytes of a twin on fresh memory.
 */
import type { Allocator } from "@dmm/core";
import { createBuddyAllocator } from "@dmm/strategies";
import { expect, it } from "vitest";
import { runTwinOps } from "../../core/test/twin-heaps.js";

const options = { size: 0, maxSize: 1 << 24 };

/** The allocator's side table (private: one byte per granule beside its buffer). */
function sideTableOf(a: Allocator): Uint8Array {
  return (a as unknown as { meta: Uint8Array }).meta;
}

function expectTwins(a: Allocator, b: Allocator, step: string): void {
  const stats = a.stats();
  expect(stats, step).toEqual(b.stats());
  expect([...a.walk()], step).toEqual([...b.walk()]);
  // The buffers' lengths may differ (one on a spare buffer); both hold the arena, which must read the same.
  expect(Math.min(a.memory.length, b.memory.length), step).toBeGreaterThanOrEqual(stats.heapBytes);
  const ma = Buffer.from(a.memory.buffer, a.memory.byteOffset, stats.heapBytes);
  const mb = Buffer.from(b.memory.buffer, b.memory.byteOffset, stats.heapBytes);
  if (!ma.equals(mb)) {
    const first = ma.findIndex((byte, i) => byte !== mb[i]);
    expect.fail(`${step}: byte ${first} is ${ma[first]} on the reused buffer, ${mb[first]} on fresh memory`);
  }
}

/** Runs the same 300 operations on both, comparing them and checking the reusing one after each. */
function expectSameRun(reusing: Allocator, twin: Allocator): void {
  runTwinOps(reusing, twin, 300, (step) => {
    expectTwins(reusing, twin, step);
    reusing.check(); // among others: no stale side-table entry inside a block
  });
}

/** A buddy allocator that grew to a 1 MiB buffer, scribbled over it and was disposed: its buffer and side table. */
function disposedMiB(): { buffer: ArrayBufferLike; side: Uint8Array } {
  const first = createBuddyAllocator(options);
  for (let i = 0; i < 40; i++) first.malloc(12_000);
  const buffer = first.memory.buffer;
  const side = sideTableOf(first);
  expect(first.memory.length).toBe(1 << 20);
  first.memory.fill(0x5a);
  first.dispose!();
  expect(first.memory.length, "the disposed allocator keeps no view of the buffer").toBe(0);
  return { buffer, side };
}

it("a disposed buddy allocator's buffer and side table are the next growing one's, which holds what one on fresh memory holds", () => {
  const { buffer, side } = disposedMiB();
  const reusing = createBuddyAllocator(options);
  const twin = createBuddyAllocator(options);
  // Identity as a boolean: a failing toBe would print two 1 MiB buffers.
  expect(reusing.memory.buffer === buffer, "the new allocator starts in the disposed one's 1 MiB buffer").toBe(true);
  expect(sideTableOf(reusing) === side, "with its side table").toBe(true);
  expect(twin.memory.buffer === buffer).toBe(false);
  expectSameRun(reusing, twin);
  expect(reusing.memory.buffer === buffer, "it never needed another buffer below 1 MiB").toBe(true);
});

it("a fixed buddy arena takes a disposed buffer of its size and reads as fresh memory", () => {
  const { buffer, side } = disposedMiB();
  const fixed = { size: 1 << 20 };
  expect(createBuddyAllocator({ size: 1 << 19 }).memory.buffer === buffer, "another size does not take it").toBe(false);
  const reusing = createBuddyAllocator(fixed);
  const twin = createBuddyAllocator(fixed);
  expect(reusing.memory.buffer === buffer).toBe(true);
  expect(sideTableOf(reusing) === side).toBe(true);
  expect(Buffer.from(reusing.memory).equals(Buffer.from(twin.memory)), "every byte of the arena, before any op").toBe(true);
  expectSameRun(reusing, twin);
});

it("a buddy allocator disposed twice gives its buffer back once: two later ones never share it", () => {
  const first = createBuddyAllocator(options);
  for (let i = 0; i < 40; i++) first.malloc(12_000);
  first.dispose!();
  first.dispose!();
  const [a, b] = [createBuddyAllocator(options), createBuddyAllocator(options)];
  expect(a.memory.buffer === b.memory.buffer).toBe(false);
});
