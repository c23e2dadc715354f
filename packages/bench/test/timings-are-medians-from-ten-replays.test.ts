/**
 * A timing is the median of its replays with a distribution-free 95% interval once ten or more were timed, the
 * mean with Student's t below that (intervals.ts centerInterval): one replay that a garbage collection or a compile
 * made twenty times its neighbours does not decide a short trace's figure or its ±.
 */
import { centerInterval, meanInterval, measureLatency, MEDIAN_MIN_SAMPLES, medianInterval } from "@dmm/bench";
import { describe, expect, it } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("the median's 95% interval", () => {
  it("is the order statistics whose binomial tails are within 2.5% each", () => {
    // n = 6: P(B = 0) = 1/64 <= 2.5%, P(B <= 1) = 7/64 > 2.5%: ranks 1 and 6. n = 10: P(B <= 1) = 11/1024: ranks 2 and 9.
    expect(medianInterval(ranks(6))).toEqual([1, 6]);
    expect(medianInterval(ranks(10))).toEqual([2, 9]);
    expect(medianInterval(ranks(100))).toEqual([40, 61]);
  });

  it("stays around the median for thousands of samples, where 0.5^n underflows", () => {
    // The normal approximation n/2 ∓ 0.98·√n gives ranks 2430 and 2571 for n = 5000.
    const [low, high] = medianInterval(ranks(5000));
    expect(low).toBeGreaterThanOrEqual(2425);
    expect(low).toBeLessThan(2500);
    expect(high).toBeGreaterThan(2500);
    expect(high).toBeLessThanOrEqual(2576);
  });
});

describe("centerInterval", () => {
  it("below ten samples is the mean and its Student's t interval", () => {
    expect(MEDIAN_MIN_SAMPLES).toBe(10);
    const xs = [10, 11, 12, 13, 40, 12, 11, 10, 13];
    const c = centerInterval(xs);
    const m = meanInterval(xs);
    expect(c.statistic).toBe("mean");
    expect([c.center, c.low, c.high, c.rme]).toEqual([m.mean, m.low, m.high, m.rme]);
  });

  it("from ten samples is the median, and one sample twenty times the rest hardly moves it", () => {
    const xs = [...Array.from({ length: 29 }, (_, i) => 100 + (i % 5)), 2000];
    const c = centerInterval(xs);
    expect(c.statistic).toBe("median");
    expect(c.center).toBe(102);
    expect(c.low).toBeGreaterThanOrEqual(100);
    expect(c.high).toBeLessThanOrEqual(104);
    expect(c.rme).toBeLessThan(3);
    // The same samples' mean: pulled up by the one, and an interval wider than ±10%.
    const m = meanInterval(xs);
    expect(m.mean).toBeGreaterThan(160);
    expect(m.rme).toBeGreaterThan(10);
  });
});

describe("measureLatency", () => {
  it("reports the median for a trace timed many times and the mean for one timed three times", () => {
    const short = randomTrace(500, 3);
    const many = measureLatency(short, () => growableHeap(), { time: 20, iterations: 3, percentiles: false });
    expect(many.samples).toBeGreaterThanOrEqual(MEDIAN_MIN_SAMPLES);
    expect(many.statistic).toBe("median");
    expect(many.ciLow).toBeLessThanOrEqual(many.nsPerOp);
    expect(many.ciHigh).toBeGreaterThanOrEqual(many.nsPerOp);
    const few = measureLatency(short, () => growableHeap(), { time: 0, iterations: 3, percentiles: false });
    expect(few.samples).toBe(3);
    expect(few.statistic).toBe("mean");
  });
});
