/**
 * The numbers of one cell, from @dmm/bench: deterministic metrics from an integrity-checked replay, and
 * latency from tinybench (whole-trace replays) plus per-op percentiles.
 */
import type { Allocator } from "@dmm/core";
import { measureLatency, replay, type ReplayOptions, type ReplayResult, timeEachOp } from "@dmm/bench";
import { OP_CALLOC, OP_MALLOC, OP_REALLOC, type Trace } from "@dmm/workloads";
import type { LatencyMetrics } from "./types.js";

/**
 * Timeline samples a cell keeps (the over-time charts draw the ones a line needs: specs.ts simplifyLines). Each sample is a
 * stats() call during the replay and a row in results.json and timeline.csv; at 1000 a quick run of the
 * default matrix wrote 77 MB of JSON, nearly all of it timelines.
 */
export const TIMELINE_POINTS = 240;

/**
 * Replays with integrity checks on (a corrupting allocator fails its cell instead of scoring well), sampling
 * `timelinePoints` points of its timeline (2, the least replay takes, when the caller drops it), calling
 * `snapshot` (the heap map's hook) when given, writing and verifying the payload patterns unless `patterns`
 * is false (a second replay of a trace whose patterns the first verified: the overlap checks stay), and capturing
 * the heap at the peak of live bytes unless `peakStats` is false (a replay whose failures alone are kept).
 */
export function replayMetrics(
  trace: Trace,
  allocator: Allocator,
  options: { timelinePoints?: number; snapshot?: ReplayOptions["snapshot"]; searchBudget?: number; patterns?: boolean; peakStats?: boolean } = {},
): ReplayResult {
  const { timelinePoints = TIMELINE_POINTS, snapshot, searchBudget = Number.POSITIVE_INFINITY, patterns = true, peakStats = true } = options;
  return replay(trace, allocator, { integrity: true, patterns, peakStats, timelinePoints, searchBudget, ...(snapshot ? { snapshot } : {}) });
}

/** Requests that can fail: mallocs, callocs and reallocs to a non-zero size. */
export function allocationRequests(trace: Trace): number {
  const { kind, size } = trace.columns;
  let n = 0;
  for (let i = 0; i < kind.length; i++) {
    const k = kind[i];
    if (k === OP_MALLOC || k === OP_CALLOC || (k === OP_REALLOC && size[i]! > 0)) n++;
  }
  return n;
}

/**
 * tinybench time budget per cell, in ms: it runs whole replays until both this and 3 replays are met. At 200 ms (40
 * quick) the budgets alone were 2 minutes of CPU for the 600-cell default matrix, at 50 (15 quick) still 10 s of the
 * quick run's ~20; a long trace is measured by its 3 replays, a short one still gets a dozen or more.
 */
export function latencyBudgetMs(quick: boolean): number {
  return quick ? 5 : 40;
}

/**
 * Untimed whole replays before the timed ones: full runs, one when the per-op replay took less than the budget
 * (a replay that short gets a dozen or more timed, so one more costs little); quick runs none: there a warm-up was
 * a fourth replay of three timed ones, and what it removes (the first timed replay ran 1.06× the median of the six
 * after it, tlsf's 63 quick cells, against 1.01× with it) is a sixth of the 35% median ± of a quick cell.
 */
export function warmupIterations(quick: boolean, perOpMs: number): number {
  return !quick && perOpMs < latencyBudgetMs(quick) ? 1 : 0;
}

/** A timing whose 95% interval is wider than ± this percent of it is re-measured, then marked noisy. */
export const NOISY_RME_PERCENT = 10;

/**
 * Extra ms a cell may spend re-measuring a noisy timing: one more round (a round that would not fit is not started,
 * so a cell whose 3 replays take longer than this is never re-measured).
 */
export function remeasureBudgetMs(quick: boolean): number {
  return quick ? 5 : 40;
}

/**
 * Ops timed one by one for the percentiles (one drawn from each run of k ops of a longer trace, so the sample spans
 * it all: timeEachOp); the ops between run untimed. Malloc and free are each about half of a trace's ops, so 20 000
 * leave about 10 000 of each: p99.9 is a rank with 10 samples above it, and its distribution-free 95% interval
 * (ranks n·0.999 ± 1.96·√(n·0.999·0.001)) lies inside the sample, which needs n >= 1.96² · 999 ≈ 3840. Quick: 4000,
 * about 2000 of each: p99 has 20 samples above it, p99.9 is the third largest (a mark of the tail, no more).
 */
export function maxTimedOps(quick: boolean): number {
  return quick ? 4000 : 20_000;
}

/**
 * Latency of one cell: first one replay with a sample of its ops timed one by one (the percentiles: maxTimedOps),
 * which also runs the allocator's code on a fresh heap before anything is timed as a whole; then tinybench over
 * whole replays. Full runs warm them by one untimed replay when the per-op replay was shorter than the budget (a
 * longer one warms itself: compiling the loop takes milliseconds); quick runs never do (see warmupIterations).
 */
export function measureCellLatency(trace: Trace, create: () => Allocator, quick: boolean): LatencyMetrics {
  const started = performance.now();
  const timed = create();
  let perOp: ReturnType<typeof timeEachOp>;
  try {
    perOp = timeEachOp(trace, timed, maxTimedOps(quick));
  } finally {
    timed.dispose?.();
  }
  const perOpMs = performance.now() - started;
  const time = latencyBudgetMs(quick);
  const l = measureLatency(trace, create, {
    time,
    iterations: 3,
    warmupIterations: warmupIterations(quick, perOpMs),
    percentiles: false,
    maxRmePercent: NOISY_RME_PERCENT,
    remeasureBudget: remeasureBudgetMs(quick),
  });
  return {
    nsPerOp: l.nsPerOp,
    rme: l.rme,
    nsPerOpCiLow: l.ciLow,
    nsPerOpCiHigh: l.ciHigh,
    noisy: l.noisy,
    opsPerSecond: l.opsPerSecond,
    ops: l.ops,
    samples: l.samples,
    mallocP50: perOp.malloc.p50,
    mallocP99: perOp.malloc.p99,
    mallocP999: perOp.malloc.p999,
    mallocMax: perOp.malloc.max,
    freeP50: perOp.free.p50,
    freeP99: perOp.free.p99,
    freeP999: perOp.free.p999,
    freeMax: perOp.free.max,
  };
}
