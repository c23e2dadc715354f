import { measureLatency, timeEachOp, timerOverheadNs } from "@dmm/bench";
import { expect, it } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

it("reports ns/op with its margin of error and per-op percentiles for malloc, free and realloc", () => {
  const trace = randomTrace(2000, 5);
  let created = 0;
  const result = measureLatency(trace, () => (created++, growableHeap()), { time: 5, iterations: 3, warmupIterations: 1 });
  expect(result.ops).toBe(trace.length);
  expect(result.samples).toBeGreaterThanOrEqual(3);
  expect(created).toBeGreaterThanOrEqual(result.samples + 1); // a fresh allocator per iteration
  expect(result.nsPerOp).toBeGreaterThan(0);
  expect(result.opsPerSecond).toBeCloseTo(1e9 / result.nsPerOp, 6);
  expect(Number.isFinite(result.rme)).toBe(true);
  let mallocs = 0, frees = 0;
  for (const op of trace) {
    if (op.kind === "a" || op.kind === "c") mallocs++;
    if (op.kind === "f") frees++;
  }
  const perOp = result.perOp!;
  expect(perOp.malloc.count).toBe(mallocs);
  expect(perOp.free.count).toBe(frees);
  expect(perOp.realloc.count).toBe(trace.length - mallocs - frees);
  for (const p of [perOp.malloc, perOp.free, perOp.realloc]) {
    expect(p.p50).toBeLessThanOrEqual(p.p99);
    expect(p.p99).toBeLessThanOrEqual(p.p999);
    expect(p.p999).toBeLessThanOrEqual(p.max);
    expect(p.p50).toBeGreaterThanOrEqual(0);
  }
  expect(perOp.timerOverheadNs).toBeGreaterThan(0);
});

it("skips the per-op pass when asked", () => {
  const result = measureLatency(randomTrace(200, 5), growableHeap, { quick: true, time: 1, percentiles: false });
  expect(result.perOp).toBeNull();
});

it("can time whole replays with the process's CPU time", () => {
  const result = measureLatency(randomTrace(2000, 6), growableHeap, { time: 1, iterations: 3, percentiles: false, clock: "cpu" });
  expect(result.clock).toBe("cpu");
  expect(result.samples).toBeGreaterThanOrEqual(3);
  expect(result.nsPerOp).toBeGreaterThanOrEqual(0);
  expect(() => measureLatency(randomTrace(10, 6), growableHeap, { clock: "sundial" as "cpu" })).toThrow(/OPTIONS/);
});

it("measures the timer's own overhead as a positive number of ns", () => {
  expect(timerOverheadNs(100)).toBeGreaterThan(0);
});

it("times one op of each run of k when maxTimedOps caps the per-op pass", () => {
  const trace = randomTrace(1000, 8);
  const perOp = timeEachOp(trace, growableHeap(), 100);
  const stride = Math.ceil(trace.length / 100);
  const timed = perOp.malloc.count + perOp.free.count + perOp.realloc.count;
  expect(timed).toBe(Math.ceil(trace.length / stride));
});
