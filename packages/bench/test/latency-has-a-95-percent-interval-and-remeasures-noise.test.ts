import type { Allocator } from "@dmm/core";
import { meanInterval, measureLatency, tCritical95 } from "@dmm/bench";
import { describe, expect, it } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

describe("timings carry a 95% confidence interval", () => {
  it("computes mean ± t(n-1)·s/√n", () => {
    // mean 3, s = √2.5, t(4) = 2.776: half-width 2.776 · 1.5811 / √5 = 1.963
    const i = meanInterval([1, 2, 3, 4, 5]);
    expect(i.mean).toBe(3);
    expect(i.low).toBeCloseTo(1.037, 3);
    expect(i.high).toBeCloseTo(4.963, 3);
    expect(i.rme).toBeCloseTo(65.43, 1);
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(1000)).toBeCloseTo(1.962, 3);
  });

  it("measures an interval around nsPerOp and stops after the first round when it is narrow enough", () => {
    const trace = randomTrace(2000, 5);
    const r = measureLatency(trace, () => growableHeap(), { time: 5, iterations: 5, percentiles: false });
    expect(r.ciLow).toBeLessThanOrEqual(r.nsPerOp);
    expect(r.ciHigh).toBeGreaterThanOrEqual(r.nsPerOp);
    expect(r.ciHigh).toBeGreaterThan(r.ciLow);
    expect(r.remeasured).toBe(0); // no maxRmePercent: one round
    expect(r.noisy).toBe(false);
  });

  it("re-measures a timing wider than the limit within the budget, then marks it noisy", () => {
    const trace = randomTrace(500, 6);
    // No real timing is within ±0.0001%: every round is re-measured until the 60 ms budget is spent.
    const r = measureLatency(trace, () => growableHeap(), { time: 5, iterations: 3, percentiles: false, maxRmePercent: 0.0001, remeasureBudget: 60 });
    expect(r.remeasured).toBeGreaterThan(0);
    expect(r.noisy).toBe(true);
    expect(r.samples).toBeGreaterThan(3 * (r.remeasured + 1) - 1); // the rounds' samples are pooled
    const wide = measureLatency(trace, () => growableHeap(), { time: 5, iterations: 3, percentiles: false, maxRmePercent: 1e9, remeasureBudget: 60 });
    expect(wide.remeasured).toBe(0);
    expect(wide.noisy).toBe(false);
  });

  it("starts no re-measuring round that would not fit in the budget", () => {
    const trace = randomTrace(200, 7);
    // Each malloc spins for 50 µs: a replay takes well over 2 ms, a round of 3 replays over 6 ms, more than the 5 ms budget.
    const slow = (): Allocator => {
      const heap = growableHeap();
      const malloc = heap.malloc.bind(heap);
      heap.malloc = (size: number) => {
        const until = performance.now() + 0.05;
        while (performance.now() < until);
        return malloc(size);
      };
      return heap;
    };
    const started = performance.now();
    const r = measureLatency(trace, slow, { time: 1, iterations: 3, warmupIterations: 0, percentiles: false, maxRmePercent: 0.0001, remeasureBudget: 5 });
    expect(r.remeasured).toBe(0);
    expect(r.noisy).toBe(true);
    expect(r.samples).toBe(3);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
