/** Summary figures of a trace: what `pnpm workloads info` prints. One pass over the columns, no per-op objects. */
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, type Trace } from "./trace.js";

export interface TraceStats {
  ops: number;
  mallocs: number;
  callocs: number;
  reallocs: number;
  frees: number;
  /** Distinct id slots (trace.idCount). */
  ids: number;
  /** High-water mark of the sum of requested bytes of live objects (calloc: count × size). */
  peakLiveBytes: number;
  /** High-water mark of the number of live objects. */
  peakLiveObjects: number;
  /** Objects still live after the last op (never freed). */
  finalLiveObjects: number;
  /** Requested sizes in bytes of every malloc, calloc (count × size) and realloc. */
  sizes: { min: number; mean: number; p50: number; p90: number; p99: number; max: number };
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function traceStats(trace: Trace): TraceStats {
  const { kind, id, size, count } = trace.columns;
  const liveSize = new Float64Array(trace.idCount);
  const isLive = new Uint8Array(trace.idCount);
  const counts = [0, 0, 0, 0];
  let liveBytes = 0;
  let liveObjects = 0;
  let peakLiveBytes = 0;
  let peakLiveObjects = 0;
  const requested = new Float64Array(trace.length);
  let nRequested = 0;
  let sum = 0;
  for (let i = 0; i < kind.length; i++) {
    const k = kind[i]!;
    const j = id[i]!;
    counts[k]!++;
    if (k === OP_FREE) {
      if (isLive[j]) {
        liveBytes -= liveSize[j]!;
        liveObjects--;
        isLive[j] = 0;
      }
      continue;
    }
    const bytes = k === OP_CALLOC ? count[i]! * size[i]! : size[i]!;
    requested[nRequested++] = bytes;
    sum += bytes;
    if (k === OP_REALLOC) {
      if (isLive[j]) liveBytes -= liveSize[j]!;
      else liveObjects++;
      if (bytes === 0) {
        liveObjects--;
        isLive[j] = 0;
        continue;
      }
    } else if (k === OP_MALLOC || k === OP_CALLOC) {
      liveObjects++;
    }
    isLive[j] = 1;
    liveSize[j] = bytes;
    liveBytes += bytes;
    if (liveBytes > peakLiveBytes) peakLiveBytes = liveBytes;
    if (liveObjects > peakLiveObjects) peakLiveObjects = liveObjects;
  }
  const sorted = requested.subarray(0, nRequested).sort();
  return {
    ops: trace.length,
    mallocs: counts[OP_MALLOC]!,
    callocs: counts[OP_CALLOC]!,
    reallocs: counts[OP_REALLOC]!,
    frees: counts[OP_FREE]!,
    ids: trace.idCount,
    peakLiveBytes,
    peakLiveObjects,
    finalLiveObjects: liveObjects,
    sizes: {
      min: nRequested ? sorted[0]! : 0,
      mean: nRequested ? sum / nRequested : 0,
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
      p99: quantile(sorted, 0.99),
      max: nRequested ? sorted[nRequested - 1]! : 0,
    },
  };
}
