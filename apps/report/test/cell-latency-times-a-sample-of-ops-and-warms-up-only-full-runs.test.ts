/**
 * A cell's latency phase (measureCellLatency) times a spread sample of its ops one by one, at most maxTimedOps
 * (4000 quick, 20 000 full), and warms the whole replays with an untimed one only in full runs, when the per-op
 * replay was shorter than the budget.
 */
import { createHeap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { generate } from "@dmm/workloads";
import { afterEach, expect, it, vi } from "vitest";
import { CALIBRATION_PAIRS } from "../../../packages/bench/src/latency.js";
import { latencyBudgetMs, maxTimedOps, measureCellLatency, warmupIterations } from "../src/measure.js";

afterEach(() => {
  vi.restoreAllMocks();
});

const heap = () => createHeap({ size: 0, maxSize: 1 << 26, strategy: tlsf(), coalescing: "immediate" });

it.each([
  { quick: true, ops: 10_000, timed: 3334 }, // one op of each run of 3
  { quick: false, ops: 50_000, timed: 16_667 },
])("quick $quick: of $ops ops, $timed are timed one by one", ({ quick, ops, timed }) => {
  const trace = generate("mixed", { ops, live: 500, seed: 1 });
  expect(timed).toBeLessThanOrEqual(maxTimedOps(quick));
  const clock = vi.spyOn(process.hrtime, "bigint"); // tinybench reads its own bound copy of the clock
  measureCellLatency(trace, heap, quick);
  expect(clock).toHaveBeenCalledTimes(2 * CALIBRATION_PAIRS + 2 * timed); // one calibration round, then the ops
});

it("a quick cell replays the trace for the per-op sample and the timed replays only, however short its per-op replay", () => {
  const trace = generate("mixed", { ops: 300, live: 50, seed: 2 });
  measureCellLatency(trace, heap, true); // compiled: the next per-op replay takes well under the 5 ms budget
  let made = 0;
  const l = measureCellLatency(trace, () => (made++, heap()), true);
  // One allocator for the per-op replay, one made before tinybench's first replay and replaced before each replay.
  expect(made).toBe(2 + l.samples);
});

it("a full run warms up when the per-op replay took less than the budget, a quick one never", () => {
  expect(warmupIterations(false, latencyBudgetMs(false) - 1)).toBe(1);
  expect(warmupIterations(false, latencyBudgetMs(false) + 1)).toBe(0);
  expect(warmupIterations(true, 0)).toBe(0);
});
