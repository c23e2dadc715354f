/**
 * timeEachOp times at most maxTimedOps ops of a longer trace: one drawn from each run of k = ceil(ops / maxTimedOps)
 * consecutive ops (timedOpIndices), the others run untimed between them. Counted by the clock reads it makes.
 */
import { timeEachOp } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { afterEach, expect, it, vi } from "vitest";
import { CALIBRATION_PAIRS, timedOpIndices } from "../src/latency.js";
import { growableHeap, randomTrace } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

it("picks one op from each run of k, ascending, inside the trace, and every op when there are no more than the cap", () => {
  for (const [n, max] of [[1000, 100], [1001, 100], [10_000, 4000], [150_000, 20_000], [7, 3]] as const) {
    const stride = Math.ceil(n / max);
    const picked = timedOpIndices(n, max);
    expect(picked.length).toBe(Math.ceil(n / stride));
    expect(picked.length).toBeLessThanOrEqual(max);
    const outside = Array.from(picked).findIndex((i, b) => i < b * stride || i >= Math.min(n, (b + 1) * stride));
    expect(outside, `op ${picked[outside]} is not in run ${outside}`).toBe(-1);
  }
  expect(Array.from(timedOpIndices(5, 5))).toEqual([0, 1, 2, 3, 4]);
  expect(Array.from(timedOpIndices(5))).toEqual([0, 1, 2, 3, 4]);
  expect(Array.from(timedOpIndices(3000, 1000))).toEqual(Array.from(timedOpIndices(3000, 1000))); // a fixed seed
});

it("reads the clock twice for each op it times and never for the ops between", () => {
  const trace = randomTrace(3000, 8);
  const calibration = 2 * CALIBRATION_PAIRS; // the round each per-op replay adds
  const clock = vi.spyOn(process.hrtime, "bigint");
  const perOp = timeEachOp(trace, growableHeap(), 700);
  const timed = perOp.malloc.count + perOp.free.count + perOp.realloc.count;
  expect(timed).toBe(Math.ceil(trace.length / Math.ceil(trace.length / 700)));
  expect(timed).toBeLessThanOrEqual(700);
  expect(clock).toHaveBeenCalledTimes(calibration + 2 * timed);
});

it("is not in step with a trace that repeats itself: a malloc/free alternation timed one op in two has both kinds timed", () => {
  const b = new TraceBuilder();
  for (let i = 0; i < 2000; i++) {
    b.malloc(i, 32);
    b.free(i);
  }
  const trace = b.finish();
  const perOp = timeEachOp(trace, growableHeap(), trace.length / 2);
  // Every other op from op 0 would be 2000 mallocs and no free.
  expect(perOp.malloc.count + perOp.free.count).toBe(2000);
  expect(perOp.free.count).toBeGreaterThan(800);
  expect(perOp.malloc.count).toBeGreaterThan(800);
});
