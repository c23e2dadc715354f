/**
 * The numbers of one cell, from @dmm/bench: deterministic metrics from an integrity-checked replay, and
 * latency from tinybench (whole-trace replays) plus per-op percentiles.
 */
import type { Allocator } from "@dmm/core";
import { measureLatency, replay } from "@dmm/bench";
import { OP_CALLOC, OP_MALLOC, OP_REALLOC, type Trace } from "@dmm/workloads";
import type { LatencyMetrics, TimelinePoint } from "./types.js";

/** The part of a replay result the report reads. */
export interface ReplaySummary {
  ops: number;
  peakLiveBytes: number;
  peakHeapBytes: number;
  utilization: number;
  fragmentation: number;
  internalFragmentation: number;
  externalFragmentationAtPeak: number;
  externalFragmentationMean: number;
  failures: { outOfMemory: number; fragmented: number };
  searchCost: { mean: number; p99: number; max: number };
  timeline: TimelinePoint[];
}

/** Replays with payload-integrity checks on (a corrupting allocator fails its cell instead of scoring well). */
export function replayMetrics(trace: Trace, allocator: Allocator): ReplaySummary {
  const r = replay(trace, allocator, { integrity: true });
  return {
    ops: r.ops,
    peakLiveBytes: r.peakLiveBytes,
    peakHeapBytes: r.peakHeapBytes,
    utilization: r.utilization,
    fragmentation: r.fragmentation,
    internalFragmentation: r.internalFragmentation,
    externalFragmentationAtPeak: r.externalFragmentation.atPeak,
    externalFragmentationMean: r.externalFragmentation.mean,
    failures: { outOfMemory: r.failures.outOfMemory, fragmented: r.failures.fragmented },
    searchCost: r.searchCost ? { mean: r.searchCost.mean, p99: r.searchCost.p99, max: r.searchCost.max } : { mean: 0, p99: 0, max: 0 },
    timeline: r.timeline.map((p) => ({
      op: p.op,
      liveBytes: p.liveBytes,
      heapBytes: p.heapBytes,
      freeBytes: p.freeBytes,
      largestFreeBlock: p.largestFreeBlock,
      freeBlocks: p.freeBlocks,
      externalFragmentation: p.externalFragmentation,
    })),
  };
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

/** tinybench time budget per cell, in ms. */
export function latencyBudgetMs(quick: boolean): number {
  return quick ? 40 : 200;
}

export function measureCellLatency(trace: Trace, create: () => Allocator, quick: boolean): LatencyMetrics {
  const l = measureLatency(trace, create, { time: latencyBudgetMs(quick), iterations: quick ? 2 : 3, warmupIterations: 1 });
  const perOp = l.perOp;
  return {
    nsPerOp: l.nsPerOp,
    rme: l.rme,
    opsPerSecond: l.opsPerSecond,
    ops: l.ops,
    samples: l.samples,
    mallocP50: perOp?.malloc.p50 ?? 0,
    mallocP99: perOp?.malloc.p99 ?? 0,
    mallocP999: perOp?.malloc.p999 ?? 0,
    mallocMax: perOp?.malloc.max ?? 0,
    freeP50: perOp?.free.p50 ?? 0,
    freeP99: perOp?.free.p99 ?? 0,
    freeP999: perOp?.free.p999 ?? 0,
    freeMax: perOp?.free.max ?? 0,
  };
}
