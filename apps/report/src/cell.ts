/**
 * Runs one cell of the matrix: metrics on a growable heap, failures in a fixed arena, the observation pass
 * (search cost histogram, heap map) and latency. Pure function of (cell, trace, settings) except the timings.
 */
import type { Allocator } from "@dmm/core";
import { measureNative, ReplayError } from "@dmm/bench";
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, type Trace } from "@dmm/workloads";
import { type ArenaSpec, type Backend, backendByName, GROWABLE_MAX_BYTES, type NativeBackend } from "./backends.js";
import { allocationRequests, measureCellLatency, replayMetrics } from "./measure.js";
import { heapMapRecorder, searchCostHistogram } from "./observe.js";
import type { Cell, CellResult, DeterministicMetrics, RunSettings } from "./types.js";

/** Default fixed arena: this many times the workload's peak live bytes (rounded up to 8). */
export const FIXED_ARENA_FACTOR = 1.25;
/** Smallest default fixed arena, in bytes. */
const MIN_FIXED_ARENA = 4096;

/**
 * Most ops × peak live objects an allocator with O(live) free is given: about half a second per replay; with
 * `--quick`, whose traces are 10k-op prefixes (a tenth of most full traces), a tenth of that work. At 5·10⁷ quick,
 * @thi.ng/malloc's worker was the quick run's longest (14 s of its 56 s of cells, 2 cores, load 2).
 */
export function liveLinearLimit(quick: boolean): number {
  return quick ? 1e7 : 1e8;
}

/**
 * Most free blocks (or bins) a cell's allocator may examine in one replay (@dmm/bench's searchBudget): a tenth of a
 * second per replay for a list walked block by block. A policy whose search is O(free blocks) on a trace (first
 * fit on a LIFO list with coalescing off, say) is stopped there and its cell skipped with that reason, instead of
 * taking minutes; the count is machine-independent, so the same cells are skipped on every machine.
 */
export function searchBudget(quick: boolean): number {
  return quick ? 2e6 : 1e7;
}

/**
 * The most objects of one size (rounded up to 8 bytes) live at once in a trace: a bound on the free blocks of
 * one size an allocator can be left with when they are freed (each was a live object of that size).
 */
export function peakLiveOfOneSize(trace: Trace): number {
  const { kind, id, size, count } = trace.columns;
  const sizeOf = new Int32Array(trace.idCount).fill(-1);
  const live = new Map<number, number>();
  let peak = 0;
  for (let i = 0; i < kind.length; i++) {
    const obj = id[i]!;
    const was = sizeOf[obj]!;
    if (was >= 0) {
      live.set(was, live.get(was)! - 1);
      sizeOf[obj] = -1;
    }
    if (kind[i] === OP_FREE || size[i] === 0) continue;
    const bytes = kind[i] === OP_CALLOC ? count[i]! * size[i]! : size[i]!;
    const rounded = Math.ceil(bytes / 8) * 8;
    const n = (live.get(rounded) ?? 0) + 1;
    live.set(rounded, n);
    if (n > peak) peak = n;
    sizeOf[obj] = rounded;
  }
  return peak;
}

/** The reallocs of a trace. */
export function reallocations(trace: Trace): number {
  const kind = trace.columns.kind;
  let n = 0;
  for (let i = 0; i < kind.length; i++) if (kind[i] === OP_REALLOC) n++;
  return n;
}

/** The most objects live at once in a trace. */
export function peakLiveObjects(trace: Trace): number {
  const { kind, id } = trace.columns;
  const live = new Uint8Array(trace.idCount);
  let n = 0;
  let peak = 0;
  for (let i = 0; i < kind.length; i++) {
    const obj = id[i]!;
    if (kind[i] === OP_FREE) {
      if (live[obj]) (live[obj] = 0), n--;
    } else if (!live[obj]) {
      live[obj] = 1;
      if (++n > peak) peak = n;
    }
  }
  return peak;
}

/** The work of a peer whose free is O(live blocks) or O(free blocks of one size) on a trace, and the most it is given. */
export interface QuadraticWork {
  /** ops × the blocks each free may walk: ops × (peak live objects + reallocs), or ops × peak live objects of one size. */
  readonly work: number;
  /** liveLinearLimit: past it the cell is skipped. */
  readonly limit: number;
  /** What `work` counts, for the skip reason. */
  readonly why: string;
}

/** A peer's quadratic work on `trace` (see QuadraticWork), or null for an allocator without such a free. */
export function quadraticWork(backend: Backend, trace: Trace, quick: boolean): QuadraticWork | null {
  if (backend.kind === "native" || !(backend.liveLinearFree || backend.sameSizeLinearFree)) return null;
  const limit = liveLinearLimit(quick);
  return backend.liveLinearFree
    ? { work: trace.length * (peakLiveObjects(trace) + reallocations(trace)), limit, why: "free() is O(live blocks) in this allocator (and a moved block may stay allocated), and ops × (peak live objects + reallocs)" }
    : { work: trace.length * peakLiveOfOneSize(trace), limit, why: "free() and malloc are O(free blocks of one size) in this allocator, and ops × peak live objects of one size" };
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
  if (backend.kind === "native") return runNative(backend, trace, settings, base, started);
  const quadratic = quadraticWork(backend, trace, settings.quick);
  if (quadratic !== null && quadratic.work > quadratic.limit) {
    const error = `skipped: ${quadratic.why} = ${quadratic.work.toExponential(1)} > ${quadratic.limit.toExponential(0)} (seconds to minutes per replay)`;
    return { ...base, error, metrics: null, latency: null, footprint: null, timeline: [], searchCostHistogram: [], heapMap: null, elapsedMs: performance.now() - started };
  }
  const growable: ArenaSpec = { coalescing: cell.coalescing, growable: backend.growable, bytes: GROWABLE_MAX_BYTES };
  try {
    const mapped = settings.heapMapWorkloads.includes(cell.workload.name) && cell.coalescing !== "none" && cell.coalescing !== "deferred";
    const recorder = mapped ? heapMapRecorder(trace.length) : null;
    const budget = searchBudget(settings.quick);
    const replayed = disposing(backend.create(growable), (heap) => replayMetrics(trace, heap, { ...(recorder ? { snapshot: recorder.snapshot } : {}), searchBudget: budget }));
    const fixedArenaBytes =
      settings.fixedArena ?? Math.max(MIN_FIXED_ARENA, Math.ceil((replayed.peakLiveBytes * FIXED_ARENA_FACTOR) / 8) * 8);
    // With every integrity check, payload patterns included: an allocator's paths for a full arena (a failed request,
    // a split refused near the end) run only here, and a scribble on a live block there is what a user bringing
    // their own allocator most needs to hear about; the growable replay cannot see it. Only its failures are kept,
    // so the heap is not captured at each new peak of live bytes (a stats() call each: a fifth of tlsf's replay).
    const fixed = disposing(backend.create({ coalescing: cell.coalescing, growable: false, bytes: fixedArenaBytes }), (heap) => replayMetrics(trace, heap, { timelinePoints: 2, searchBudget: budget, peakStats: false }));
    const metrics: DeterministicMetrics = {
      ops: replayed.ops,
      peakLiveBytes: replayed.peakLiveBytes,
      peakHeapBytes: replayed.peakHeapBytes,
      utilization: replayed.utilization,
      fragmentation: replayed.fragmentation,
      internalFragmentation: replayed.internalFragmentation,
      externalFragmentationAtPeak: replayed.externalFragmentation.atPeak,
      externalFragmentationMean: replayed.externalFragmentation.mean,
      failuresOutOfMemory: replayed.failures.outOfMemory,
      failuresFragmented: replayed.failures.fragmented,
      searchCostMean: replayed.searchCost?.mean ?? null,
      searchCostP99: replayed.searchCost?.p99 ?? null,
      searchCostMax: replayed.searchCost?.max ?? null,
      fixedArenaBytes,
      fixedOps: fixed.ops,
      fixedRequests: allocationRequests(trace),
      fixedFailuresOutOfMemory: fixed.failures.outOfMemory,
      fixedFailuresFragmented: fixed.failures.fragmented,
    };
    const latency = measureCellLatency(trace, () => backend.create(growable), settings.quick);
    return {
      ...base,
      error: null,
      metrics,
      latency,
      footprint: null,
      timeline: replayed.timeline,
      searchCostHistogram: searchCostHistogram(replayed.searchCost?.histogram),
      heapMap: recorder?.finish(replayed.peakHeapBytes) ?? null,
      elapsedMs: performance.now() - started,
    };
  } catch (error) {
    const overBudget = error instanceof ReplayError && error.code === "BUDGET";
    return {
      ...base,
      error: overBudget
        ? `skipped: the search examined more than ${searchBudget(settings.quick).toExponential(0)} free blocks within the first ${error.opIndex + 1} ops (O(free blocks) per request on this trace: seconds to minutes per replay)`
        : describeError(error, trace),
      metrics: null,
      latency: null,
      footprint: null,
      timeline: [],
      searchCostHistogram: [],
      heapMap: null,
      elapsedMs: performance.now() - started,
    };
  }
}

/** `use(allocator)`, then the allocator's dispose (Allocator.dispose: its memory goes to the cell's next replay). */
function disposing<T>(allocator: Allocator, use: (allocator: Allocator) => T): T {
  try {
    return use(allocator);
  } finally {
    allocator.dispose?.();
  }
}

const OP_NAMES = ["malloc", "calloc", "realloc", "free"];

/** "ReplayError: ALLOCATOR at op 12 (id 3): … (a malloc)": the error, and for a replay error the op it stopped at. */
function describeError(error: unknown, trace: Trace): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const first = `${e.name}: ${e.message.split("\n")[0]}`;
  if (!(e instanceof ReplayError) || e.opIndex >= trace.length) return first;
  const k = trace.columns.kind[e.opIndex]!;
  const op = k === OP_MALLOC || k === OP_CALLOC || k === OP_FREE ? OP_NAMES[k]! : OP_NAMES[2]!;
  return `${first} (during ${op}, op ${e.opIndex} of the trace)`;
}

/**
 * A native allocator: ns/op (median of the C replayer's repetitions, with its 95% interval) and footprint, no heap
 * metrics; a machine without `cc` or without the library gets a cell saying why.
 */
function runNative(backend: NativeBackend, trace: Trace, settings: RunSettings, base: Omit<CellResult, "error" | "metrics" | "latency" | "footprint" | "timeline" | "searchCostHistogram" | "heapMap" | "elapsedMs">, started: number): CellResult {
  const empty = { timeline: [], searchCostHistogram: [], heapMap: null, metrics: null, footprint: null };
  const spec = backend.native;
  if (spec.missing !== undefined) return { ...base, ...empty, error: `skipped: ${spec.missing}`, latency: null, elapsedMs: performance.now() - started };
  const native = measureNative(trace, { repetitions: settings.quick ? 11 : 15, ...(spec.library !== null ? { preload: spec.library } : {}) });
  if (native.skipped) return { ...base, ...empty, error: `skipped: ${native.reason}`, latency: null, elapsedMs: performance.now() - started };
  return {
    ...base,
    ...empty,
    error: null,
    latency: {
      nsPerOp: native.nsPerOp, nsPerOpCiLow: native.ciLow, nsPerOpCiHigh: native.ciHigh,
      rme: native.nsPerOp > 0 ? (100 * Math.max(native.nsPerOp - native.ciLow, native.ciHigh - native.nsPerOp)) / native.nsPerOp : 0,
      noisy: false, opsPerSecond: native.nsPerOp > 0 ? 1e9 / native.nsPerOp : 0, ops: native.ops, samples: native.repetitions,
      mallocP50: null, mallocP99: null, mallocP999: null, mallocMax: null, freeP50: null, freeP99: null, freeP999: null, freeMax: null,
    },
    footprint: native.footprint,
    elapsedMs: performance.now() - started,
  };
}
