/**
 * The answer a report opens with, per workload: which allocator + coalescing mode used the least memory, which
 * was fastest, and which balance the two best — the Pareto front of peak heap against time, and the point of
 * the front closest to both minima.
 *
 * Memory is peak heap bytes on the growable heap (deterministic: a tie is an equal value). Time is ns/op with
 * its 95% confidence interval: two timings whose intervals overlap are a tie ("within noise"), and a cell is
 * significantly faster than another only when its interval lies wholly below the other's. Only cells with both
 * a heap and a timing take part (the policies dmm replays itself, like for like); native C allocators, timed in
 * another harness, are compared in the speed table.
 */
import type { CellResult, CoalescingMode, LatencyMetrics } from "./types.js";

/** One allocator + coalescing mode on one workload, with the two numbers the verdict weighs. */
export interface Choice {
  allocator: string;
  coalescing: CoalescingMode;
  peakHeapBytes: number;
  /** peak heap / peak live: 1 is no overhead at all. */
  peakHeapOverPeakLive: number;
  nsPerOp: number;
  nsPerOpCiLow: number;
  nsPerOpCiHigh: number;
  noisy: boolean;
}

export interface Verdict {
  workload: string;
  /** The smallest peak heap, and every choice with exactly the same. */
  leastMemory: Choice[];
  /** The lowest ns/op, and every choice whose interval overlaps its interval (a tie within noise). */
  fastest: Choice[];
  /**
   * The Pareto front, least memory first: no other choice uses at most as much memory and is significantly
   * faster, or uses less memory and is not significantly slower.
   */
  front: Choice[];
  /**
   * The front's best balance: the smallest (peak heap / least peak heap) × (ns/op / fastest ns/op), and every
   * front point whose product's range (over its time interval) overlaps the best one's.
   */
  balance: Choice[];
}

/** Whether a's time interval lies wholly below b's. */
export const significantlyFaster = (a: Pick<LatencyMetrics, "nsPerOpCiHigh">, b: Pick<LatencyMetrics, "nsPerOpCiLow">) => a.nsPerOpCiHigh < b.nsPerOpCiLow;

/**
 * Competition ranks by time that treat overlapping intervals as ties: a cell's rank is 1 + the number of cells
 * significantly faster than it. Two cells within noise of each other can share a rank; ranks can skip.
 */
export function latencyRanks<T extends Pick<LatencyMetrics, "nsPerOpCiLow" | "nsPerOpCiHigh">>(timings: readonly (T | null)[]): (number | null)[] {
  return timings.map((t) => (t ? 1 + timings.filter((o) => o !== null && significantlyFaster(o, t)).length : null));
}

function choiceOf(r: CellResult): Choice | null {
  if (!r.metrics || !r.latency || r.metrics.peakLiveBytes <= 0) return null;
  return {
    allocator: r.allocator,
    coalescing: r.coalescing,
    peakHeapBytes: r.metrics.peakHeapBytes,
    peakHeapOverPeakLive: r.metrics.peakHeapBytes / r.metrics.peakLiveBytes,
    nsPerOp: r.latency.nsPerOp,
    nsPerOpCiLow: r.latency.nsPerOpCiLow,
    nsPerOpCiHigh: r.latency.nsPerOpCiHigh,
    noisy: r.latency.noisy,
  };
}

/** a dominates b: at most b's memory and significantly faster, or less memory and not significantly slower. */
function dominates(a: Choice, b: Choice): boolean {
  return (a.peakHeapBytes <= b.peakHeapBytes && significantlyFaster(a, b)) || (a.peakHeapBytes < b.peakHeapBytes && !significantlyFaster(b, a));
}

/** The verdict on one workload's choices; null when none has both a heap and a timing. */
export function verdictOf(workload: string, choices: readonly Choice[]): Verdict | null {
  if (choices.length === 0) return null;
  const minHeap = Math.min(...choices.map((c) => c.peakHeapBytes));
  const leastMemory = choices.filter((c) => c.peakHeapBytes === minHeap);
  const best = choices.reduce((a, b) => (b.nsPerOp < a.nsPerOp ? b : a));
  const fastest = [best, ...choices.filter((c) => c !== best && !significantlyFaster(best, c))].sort((a, b) => a.nsPerOp - b.nsPerOp);
  const front = choices.filter((c) => !choices.some((o) => o !== c && dominates(o, c))).sort((a, b) => a.peakHeapBytes - b.peakHeapBytes || a.nsPerOp - b.nsPerOp);
  const score = (c: Choice, ns: number) => (c.peakHeapBytes / minHeap) * (ns / best.nsPerOp);
  const top = front.reduce((a, b) => (score(b, b.nsPerOp) < score(a, a.nsPerOp) ? b : a));
  const balance = [top, ...front.filter((c) => c !== top && score(c, c.nsPerOpCiLow) <= score(top, top.nsPerOpCiHigh))];
  return { workload, leastMemory, fastest, front, balance };
}

/** One verdict per workload (in the order the workloads first appear), for every workload with a choice. */
export function verdicts(results: readonly CellResult[], workloadOrder?: readonly string[]): Verdict[] {
  const workloads = workloadOrder ? workloadOrder.filter((w) => results.some((r) => r.workload === w)) : [...new Set(results.map((r) => r.workload))];
  const out: Verdict[] = [];
  for (const w of workloads) {
    const v = verdictOf(w, results.filter((r) => r.workload === w).map(choiceOf).filter((c): c is Choice => c !== null));
    if (v) out.push(v);
  }
  return out;
}

/** "tlsf (immediate)". */
export const choiceName = (c: Pick<Choice, "allocator" | "coalescing">) => `${c.allocator} (${c.coalescing})`;

/** "tlsf (immediate), = best-fit (immediate)": the first, then its ties. */
export function namesWithTies(choices: readonly Choice[]): string {
  return choices.map((c, i) => (i === 0 ? choiceName(c) : `= ${choiceName(c)}`)).join(", ");
}
