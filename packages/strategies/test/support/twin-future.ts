/**
 * A heap that rejected a call against its twin, a heap built by the same calls that never saw it: a rejected call
 * must leave nothing behind, so from there on the two must behave alike — the same pointer from every call, the
 * same search cost (`lastSearchCost`: a strategy's `examined`) from every search, and in the end the same bytes
 * and counters. This catches state that no byte and no array of the strategy shows (a roving pointer, a running
 * mean, a cache that decides a search's cost) by its effect on the placements that follow.
 */
import type { Heap } from "@dmm/core";
import { expect } from "vitest";
import { apply, type Live, type Step } from "./damage.js";

/** Runs `steps` on both heaps (each with its own copy of `lives`) and fails at the first call where they differ. */
export function expectSameFuture(heap: Heap, twin: Heap, lives: Live[], steps: Step[], what: string): void {
  const mine = lives.map((l) => ({ ...l }));
  const theirs = lives.map((l) => ({ ...l }));
  let stamp = 1000;
  for (const [i, s] of steps.entries()) {
    apply(heap, mine, s, stamp);
    apply(twin, theirs, s, stamp++);
    const at = `${what}: call ${i} after it, ${JSON.stringify(s)}`;
    expect(
      mine.map((l) => l.ptr),
      `${at}: the live pointers (the rejected call's heap, then its twin's)`,
    ).toEqual(theirs.map((l) => l.ptr));
    // (after a malloc only: a free or a resize in place searches nothing, and the rejected call's cost is still there)
    if (s.kind === "malloc") expect(heap.lastSearchCost, `${at}: the search cost`).toBe(twin.lastSearchCost);
  }
  expect(heap.stats(), what).toEqual(twin.stats());
  const end = heap.stats().heapBytes;
  const a = heap.memory.subarray(0, end);
  const b = twin.memory.subarray(0, end);
  expect(
    a.findIndex((byte, i) => byte !== b[i]),
    `${what}: the first byte that differs from the twin's`,
  ).toBe(-1);
}
