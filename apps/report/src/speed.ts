/**
 * dmm's speed as a multiple of reference allocators measured in the same run, on the same trace: native glibc
 * malloc (the C library, replayed by @dmm/bench's C program) and @thi.ng/malloc (the usual JS allocator).
 *
 *     × glibc = nsPerOp(allocator, workload) / nsPerOp(glibc, workload)
 *
 * 4.0× glibc means four times as many nanoseconds per trace operation as C malloc on that trace; 0.5× would be
 * twice as fast. The ratio exists only where both were timed in this run (glibc is skipped without `cc`,
 * thi.ng-malloc on traces where its O(live) free would take minutes). Across workloads ratios are summarised by
 * their geometric mean, the mean that treats 2× slower and 2× faster symmetrically (Fleming & Wallace 1986).
 */
import { NATIVE_NAME } from "./backends.js";
import type { CellResult, LatencyMetrics } from "./types.js";

/** The JS reference: @thi.ng/malloc's MemPool through @dmm/bench's adapter. */
export const THING_NAME = "thi.ng-malloc";

/** The allocators speeds are divided by, in the order tables show them. */
export const SPEED_REFERENCES: readonly string[] = [NATIVE_NAME, THING_NAME];

/** ns/op of each reference on each workload, from one run's results. */
export class SpeedReferences {
  private readonly nsPerOp = new Map<string, number>();

  constructor(results: readonly CellResult[]) {
    for (const r of results) {
      if (r.latency && r.latency.nsPerOp > 0 && SPEED_REFERENCES.includes(r.allocator)) this.nsPerOp.set(key(r.allocator, r.workload), r.latency.nsPerOp);
    }
  }

  /** `r`'s ns/op divided by the reference's on the same workload; null when either was not timed. */
  ratio(r: Pick<CellResult, "workload" | "latency">, reference: string): number | null {
    const ref = this.nsPerOp.get(key(reference, r.workload));
    return r.latency && ref !== undefined ? r.latency.nsPerOp / ref : null;
  }

  /** Whether the reference was timed on at least one workload. */
  has(reference: string): boolean {
    for (const k of this.nsPerOp.keys()) if (k.startsWith(`${reference}\u0000`)) return true;
    return false;
  }
}

const key = (allocator: string, workload: string) => `${allocator}\u0000${workload}`;

/** Geometric mean of positive ratios; null for none. */
export function geometricMean(ratios: readonly number[]): number | null {
  if (ratios.length === 0) return null;
  return Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length);
}

/** "4.2×", "0.61×", "120×": two significant digits below 10, whole numbers above. */
export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toPrecision(2)}×`;
}


/**
 * "121 ±3": ns/op and the half-width of its 95% confidence interval (the larger side, for an interval that is
 * not symmetric, like a median's). Wherever a time is shown, it is shown with this.
 */
export function formatTime(l: Pick<LatencyMetrics, "nsPerOp" | "nsPerOpCiLow" | "nsPerOpCiHigh">): string {
  const half = Math.max(l.nsPerOp - l.nsPerOpCiLow, l.nsPerOpCiHigh - l.nsPerOp, 0);
  // One decimal below 10 ns, whole numbers above; the ± in the same unit as the value.
  const digits = l.nsPerOp < 10 ? 1 : 0;
  return `${l.nsPerOp.toFixed(digits)} ±${half.toFixed(digits)}`;
}
