/**
 * The numbers of one cell: deterministic metrics from a replay on a growable heap, failures in a fixed arena,
 * and latency. Uses @dmm/bench's replay and measureLatency when they are available.
 */
import { type Allocator, NULL } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, type Trace } from "@dmm/workloads";
import type { TimelinePoint } from "./types.js";

/** The part of a replay result the report reads (the @dmm/bench ReplayResult has these and more). */
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
  mallocs: number;
  searchCost: { mean: number; p99: number; max: number };
  timeline: TimelinePoint[];
}

export interface LatencySummary {
  nsPerOp: number;
  rme: number;
  opsPerSecond: number;
  malloc: { p50: number; p99: number; p999: number; max: number };
  free: { p50: number; p99: number; p999: number; max: number };
}

const TIMELINE_POINTS = 1000;

/** Replays a trace and collects the metrics; a failed malloc marks the id failed and its later ops are skipped. */
export function replayMetrics(trace: Trace, allocator: Allocator): ReplaySummary {
  const { kind, id, size, count } = trace.columns;
  const n = trace.length;
  const ptrs = new Float64Array(trace.idCount);
  const requested = new Float64Array(trace.idCount);
  const costs: number[] = [];
  let live = 0;
  let peakLive = 0;
  let oom = 0;
  let fragmented = 0;
  let mallocs = 0;
  let extSum = 0;
  let extSamples = 0;
  let extAtPeak = 0;
  let internalAtPeak = 0;
  const timeline: TimelinePoint[] = [];
  const every = Math.max(1, Math.ceil(n / TIMELINE_POINTS));
  const fail = (bytes: number) => {
    if (allocator.stats().freeBytes >= bytes) fragmented++;
    else oom++;
  };
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const obj = id[i]!;
    if (k === OP_FREE) {
      const p = ptrs[obj]!;
      if (p !== NULL) {
        allocator.free(p);
        live -= requested[obj]!;
      }
      ptrs[obj] = NULL;
      requested[obj] = 0;
    } else if (k === OP_MALLOC || k === OP_CALLOC) {
      const bytes = k === OP_MALLOC ? size[i]! : size[i]! * count[i]!;
      mallocs++;
      const p = k === OP_MALLOC ? allocator.malloc(bytes) : allocator.calloc(count[i]!, size[i]!);
      if (allocator.lastSearchCost !== undefined) costs.push(allocator.lastSearchCost);
      if (p === NULL) fail(bytes);
      else {
        ptrs[obj] = p;
        requested[obj] = bytes;
        live += bytes;
      }
    } else {
      const old = ptrs[obj]!;
      const bytes = size[i]!;
      if (old === NULL && requested[obj] === 0 && i > 0 && bytes > 0) mallocs++;
      const p = allocator.realloc(old, bytes);
      if (p === NULL && bytes > 0) fail(bytes);
      else {
        live += bytes - requested[obj]!;
        ptrs[obj] = p;
        requested[obj] = p === NULL ? 0 : bytes;
      }
    }
    if (live > peakLive) {
      peakLive = live;
      const s = allocator.stats();
      extAtPeak = s.freeBytes > 0 ? 1 - s.largestFreeBlock / s.freeBytes : 0;
      internalAtPeak = s.usedBytes > 0 ? (s.usedBytes - s.liveBytes) / s.usedBytes : 0;
    }
    if ((i + 1) % every === 0 || i === n - 1) {
      const s = allocator.stats();
      const ext = s.freeBytes > 0 ? 1 - s.largestFreeBlock / s.freeBytes : 0;
      extSum += ext;
      extSamples++;
      timeline.push({
        op: i + 1,
        liveBytes: live,
        heapBytes: s.heapBytes,
        freeBytes: s.freeBytes,
        largestFreeBlock: s.largestFreeBlock,
        freeBlocks: s.freeBlocks,
      });
    }
  }
  const peakHeap = allocator.stats().peakHeapBytes;
  costs.sort((a, b) => a - b);
  return {
    ops: n,
    peakLiveBytes: peakLive,
    peakHeapBytes: peakHeap,
    utilization: peakHeap > 0 ? peakLive / peakHeap : 0,
    fragmentation: peakLive > 0 ? peakHeap / peakLive - 1 : 0,
    internalFragmentation: internalAtPeak,
    externalFragmentationAtPeak: extAtPeak,
    externalFragmentationMean: extSamples > 0 ? extSum / extSamples : 0,
    failures: { outOfMemory: oom, fragmented },
    mallocs,
    searchCost: {
      mean: costs.length ? costs.reduce((a, b) => a + b, 0) / costs.length : 0,
      p99: costs.length ? costs[Math.min(costs.length - 1, Math.floor(costs.length * 0.99))]! : 0,
      max: costs.length ? costs[costs.length - 1]! : 0,
    },
    timeline,
  };
}

/** Whole-trace replays on fresh allocators for about `budgetMs`, and per-op percentiles from one timed replay. */
export function measureLatencyLocal(trace: Trace, create: () => Allocator, budgetMs: number): LatencySummary {
  const { kind, id, size, count } = trace.columns;
  const n = trace.length;
  const ptrs = new Float64Array(trace.idCount);
  const runOnce = (a: Allocator) => {
    ptrs.fill(0);
    for (let i = 0; i < n; i++) {
      const k = kind[i]!;
      const obj = id[i]!;
      if (k === OP_FREE) {
        if (ptrs[obj] !== NULL) a.free(ptrs[obj]!);
        ptrs[obj] = NULL;
      } else if (k === OP_MALLOC) ptrs[obj] = a.malloc(size[i]!);
      else if (k === OP_CALLOC) ptrs[obj] = a.calloc(count[i]!, size[i]!);
      else {
        const p = a.realloc(ptrs[obj]!, size[i]!);
        if (p !== NULL || size[i] === 0) ptrs[obj] = p;
      }
    }
  };
  const samples: number[] = [];
  const start = performance.now();
  do {
    const a = create();
    const t0 = performance.now();
    runOnce(a);
    samples.push(((performance.now() - t0) * 1e6) / Math.max(1, n));
  } while (performance.now() - start < budgetMs && samples.length < 50);
  const mean = samples.reduce((x, y) => x + y, 0) / samples.length;
  const sd = Math.sqrt(samples.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, samples.length - 1));
  const rme = samples.length > 1 ? ((1.96 * sd) / Math.sqrt(samples.length) / mean) * 100 : 0;

  // Per-op timings: hrtime around each malloc and free, minus the timer's own cost.
  const overheadSamples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t0 = process.hrtime.bigint();
    overheadSamples.push(Number(process.hrtime.bigint() - t0));
  }
  overheadSamples.sort((x, y) => x - y);
  const overhead = overheadSamples[500]!;
  const mallocTimes: number[] = [];
  const freeTimes: number[] = [];
  const a = create();
  ptrs.fill(0);
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const obj = id[i]!;
    if (k === OP_FREE) {
      const p = ptrs[obj]!;
      if (p === NULL) continue;
      const t0 = process.hrtime.bigint();
      a.free(p);
      freeTimes.push(Math.max(0, Number(process.hrtime.bigint() - t0) - overhead));
      ptrs[obj] = NULL;
    } else if (k === OP_MALLOC) {
      const t0 = process.hrtime.bigint();
      ptrs[obj] = a.malloc(size[i]!);
      mallocTimes.push(Math.max(0, Number(process.hrtime.bigint() - t0) - overhead));
    } else if (k === OP_CALLOC) ptrs[obj] = a.calloc(count[i]!, size[i]!);
    else {
      const p = a.realloc(ptrs[obj]!, size[i]!);
      if (p !== NULL || size[i] === 0) ptrs[obj] = p;
    }
  }
  return {
    nsPerOp: mean,
    rme,
    opsPerSecond: mean > 0 ? 1e9 / mean : 0,
    malloc: percentiles(mallocTimes),
    free: percentiles(freeTimes),
  };
}

function percentiles(values: number[]): { p50: number; p99: number; p999: number; max: number } {
  if (values.length === 0) return { p50: 0, p99: 0, p999: 0, max: 0 };
  values.sort((x, y) => x - y);
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(values.length * q))]!;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: values[values.length - 1]! };
}
