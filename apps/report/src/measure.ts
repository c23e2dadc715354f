/**
 * The numbers of one cell, from @dmm/bench: deterministic metrics from an integrity-checked replay, and
 * latency from tinybench (whole-trace replays) plus per-op percentiles.
 */
import type { Allocator } from "@dmm/core";
import { measureLatency, replay, type ReplayOptions, type ReplayResult } from "@dmm/bench";
import { OP_CALLOC, OP_MALLOC, OP_REALLOC, type Trace } from "@dmm/workloads";
import type { LatencyMetrics } from "./types.js";

/**
 * Timeline samples a cell keeps: twice what an over-time chart draws (specs.ts MAX_SERIES_POINTS = 120). Each sample is a
 * stats() call during the replay and a row in results.json and timeline.csv; at 1000 a quick run of the
 * default matrix wrote 77 MB of JSON, nearly all of it timelines.
 */
export const TIMELINE_POINTS = 240;

/**
 * Replays with payload-integrity checks on (a corrupting allocator fails its cell instead of scoring well),
 * sampling `timelinePoints` points of its timeline (2, the least replay takes, when the caller drops it), and
 * calling `snapshot` (the heap map's hook) when given.
 */
export function replayMetrics(trace: Trace, allocator: Allocator, timelinePoints = TIMELINE_POINTS, snapshot?: ReplayOptions["snapshot"]): ReplayResult {
  return replay(trace, allocator, { integrity: true, timelinePoints, ...(snapshot ? { snapshot } : {}) });
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
 * tinybench time budget per cell, in ms: it runs whole replays until both this and the minimum iterations are
 * met, so every cell costs at least this much CPU. At 200 ms (40 quick) the budgets alone were 2 minutes of CPU
 * for the 600-cell default matrix; a long trace is measured by its iterations, a short one still gets a dozen
 * or more replays for its confidence interval.
 */
export function latencyBudgetMs(quick: boolean): number {
  return quick ? 15 : 50;
}

/** A timing whose 95% interval is wider than ± this percent of it is re-measured, then marked noisy. */
export const NOISY_RME_PERCENT = 10;

/** Extra ms a cell may spend re-measuring a noisy timing. */
export function remeasureBudgetMs(quick: boolean): number {
  return quick ? 40 : 200;
}

export function measureCellLatency(trace: Trace, create: () => Allocator, quick: boolean): LatencyMetrics {
  const l = measureLatency(trace, create, {
    time: latencyBudgetMs(quick),
    iterations: 3,
    warmupIterations: 1,
    maxRmePercent: NOISY_RME_PERCENT,
    remeasureBudget: remeasureBudgetMs(quick),
  });
  const perOp = l.perOp;
  return {
    nsPerOp: l.nsPerOp,
    rme: l.rme,
    nsPerOpCiLow: l.ciLow,
    nsPerOpCiHigh: l.ciHigh,
    noisy: l.noisy,
    opsPerSecond: l.opsPerSecond,
    ops: l.ops,
    samples: l.samples,
    mallocP50: perOp ? perOp.malloc.p50 : null,
    mallocP99: perOp ? perOp.malloc.p99 : null,
    mallocP999: perOp ? perOp.malloc.p999 : null,
    mallocMax: perOp ? perOp.malloc.max : null,
    freeP50: perOp ? perOp.free.p50 : null,
    freeP99: perOp ? perOp.free.p99 : null,
    freeP999: perOp ? perOp.free.p999 : null,
    freeMax: perOp ? perOp.free.max : null,
  };
}
