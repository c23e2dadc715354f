/**
 * measureLatency replays the trace only for its timed samples and the warm-up it was asked for: tinybench, left to
 * find out whether a task is async, calls it once untimed when it is added, a whole replay nobody asked for (an
 * eighth of a report cell's replays).
 */
import type { Allocator } from "@dmm/core";
import { measureLatency, runTrace } from "@dmm/bench";
import { expect, it } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

/** A create() whose allocators count every malloc and calloc call they get (the heap's own included). */
function countingCreate(): { create: () => Allocator; calls: () => number } {
  let calls = 0;
  const create = (): Allocator => {
    const heap = growableHeap();
    const malloc = heap.malloc.bind(heap);
    const calloc = heap.calloc.bind(heap);
    heap.malloc = (size: number) => (calls++, malloc(size));
    heap.calloc = (count: number, size: number) => (calls++, calloc(count, size));
    return heap;
  };
  return { create, calls: () => calls };
}

it.each([
  { warmupIterations: 0, percentiles: false, extra: 0 },
  { warmupIterations: 1, percentiles: false, extra: 1 },
  { warmupIterations: 2, percentiles: true, extra: 3 },
])("with $warmupIterations warm-up replays and percentiles $percentiles, the trace is replayed $extra times beyond the samples", ({ warmupIterations, percentiles, extra }) => {
  const trace = randomTrace(3000, 11);
  const once = countingCreate();
  runTrace(trace, once.create());
  const perReplay = once.calls();
  expect(perReplay).toBeGreaterThan(0);
  const counting = countingCreate();
  const result = measureLatency(trace, counting.create, { time: 0, iterations: 4, warmupIterations, percentiles });
  expect(result.samples).toBe(4);
  expect(counting.calls()).toBe((result.samples + extra) * perReplay);
});
