/**
 * Runs one cell of the matrix: metrics on a growable heap, failures in a fixed arena, the observation pass
 * (search cost histogram, heap map) and latency. Pure function of (cell, trace, settings) except the timings.
 */
import type { Trace } from "@dmm/workloads";
import { type ArenaSpec, type Backend, backendByName, GROWABLE_MAX_BYTES } from "./backends.js";
import { measureLatencyLocal, replayMetrics } from "./measure.js";
import { observe } from "./observe.js";
import type { Cell, CellResult, DeterministicMetrics, LatencyMetrics, RunSettings } from "./types.js";

/** Default fixed arena: this many times the workload's peak live bytes (rounded up to 8). */
export const FIXED_ARENA_FACTOR = 1.25;
/** Smallest default fixed arena, in bytes. */
const MIN_FIXED_ARENA = 4096;

/** Milliseconds of whole-trace replays for the ns/op figure. */
export function latencyBudgetMs(quick: boolean): number {
  return quick ? 25 : 150;
}

export function runCell(cell: Cell, trace: Trace, settings: RunSettings, backend: Backend = backendByName(cell.allocator)): CellResult {
  const started = performance.now();
  const base = {
    index: cell.index,
    allocator: cell.allocator,
    allocatorKind: cell.allocatorKind,
    coalescing: cell.coalescing,
    workload: cell.workload.name,
    workloadKind: cell.workload.kind,
  };
  const growable: ArenaSpec = { coalescing: cell.coalescing, growable: backend.growable, bytes: GROWABLE_MAX_BYTES };
  try {
    const replayed = replayMetrics(trace, backend.create(growable));
    const fixedArenaBytes =
      settings.fixedArena ?? Math.max(MIN_FIXED_ARENA, Math.ceil((replayed.peakLiveBytes * FIXED_ARENA_FACTOR) / 8) * 8);
    const fixed = replayMetrics(trace, backend.create({ coalescing: cell.coalescing, growable: false, bytes: fixedArenaBytes }));
    const metrics: DeterministicMetrics = {
      ops: replayed.ops,
      peakLiveBytes: replayed.peakLiveBytes,
      peakHeapBytes: replayed.peakHeapBytes,
      utilization: replayed.utilization,
      fragmentation: replayed.fragmentation,
      internalFragmentation: replayed.internalFragmentation,
      externalFragmentationAtPeak: replayed.externalFragmentationAtPeak,
      externalFragmentationMean: replayed.externalFragmentationMean,
      failuresOutOfMemory: replayed.failures.outOfMemory,
      failuresFragmented: replayed.failures.fragmented,
      searchCostMean: replayed.searchCost.mean,
      searchCostP99: replayed.searchCost.p99,
      searchCostMax: replayed.searchCost.max,
      fixedArenaBytes,
      fixedOps: fixed.ops,
      fixedMallocs: fixed.mallocs,
      fixedFailuresOutOfMemory: fixed.failures.outOfMemory,
      fixedFailuresFragmented: fixed.failures.fragmented,
    };
    const mapped = settings.heapMapWorkloads.includes(cell.workload.name) && cell.coalescing !== "none" && cell.coalescing !== "deferred";
    const observation = observe(trace, backend.create(growable), mapped ? replayed.peakHeapBytes : 0);
    const lat = measureLatencyLocal(trace, () => backend.create(growable), latencyBudgetMs(settings.quick));
    const latency: LatencyMetrics = {
      nsPerOp: lat.nsPerOp,
      rme: lat.rme,
      opsPerSecond: lat.opsPerSecond,
      ops: trace.length,
      mallocP50: lat.malloc.p50,
      mallocP99: lat.malloc.p99,
      mallocP999: lat.malloc.p999,
      mallocMax: lat.malloc.max,
      freeP50: lat.free.p50,
      freeP99: lat.free.p99,
      freeP999: lat.free.p999,
      freeMax: lat.free.max,
    };
    return {
      ...base,
      error: null,
      metrics,
      latency,
      timeline: replayed.timeline,
      searchCostHistogram: observation.searchCostHistogram,
      heapMap: observation.heapMap,
      elapsedMs: performance.now() - started,
    };
  } catch (error) {
    return {
      ...base,
      error: `${(error as Error).name}: ${(error as Error).message}`,
      metrics: null,
      latency: null,
      timeline: [],
      searchCostHistogram: [],
      heapMap: null,
      elapsedMs: performance.now() - started,
    };
  }
}
