/**
 * 95% confidence intervals of a timing from repeated samples, in one place: the mean's (Student's t), the median's
 * (distribution-free, from order statistics), and the one measureLatency reports (centerInterval).
 */

/** A mean and its 95% confidence interval (Student's t), from repeated samples. */
export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
  /** Half-width of the interval in percent of the mean (Infinity for a zero mean, 0 for one sample). */
  rme: number;
  samples: number;
}

/**
 * Two-sided 95% critical value of Student's t with `df` degrees of freedom: exact table to 30, then the
 * Cornish-Fisher expansion around z = 1.96 (error < 0.001 beyond 30).
 */
export function tCritical95(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (df < 1) return Number.POSITIVE_INFINITY;
  if (df <= 30) return table[Math.floor(df) - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/**
 * The mean of `samples` and its 95% confidence interval, mean ± t(n − 1) · s / √n. One sample gives a
 * zero-width interval (nothing to estimate the spread from): callers that need one should take two or more.
 */
export function meanInterval(samples: ArrayLike<number>): MeanInterval {
  const n = samples.length;
  if (n === 0) return { mean: 0, low: 0, high: 0, rme: 0, samples: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i]!;
  const mean = sum / n;
  if (n === 1) return { mean, low: mean, high: mean, rme: 0, samples: 1 };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (samples[i]! - mean) ** 2;
  const half = tCritical95(n - 1) * Math.sqrt(squares / (n - 1) / n);
  return { mean, low: mean - half, high: mean + half, rme: mean !== 0 ? (100 * half) / Math.abs(mean) : Number.POSITIVE_INFINITY, samples: n };
}

/** The median of `sorted` (ascending, not empty): the middle one, or the mean of the middle two. */
export function medianOf(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** 95% distribution-free confidence interval of the median of `sorted` (ascending): [low, high]. */
export function medianInterval(sorted: readonly number[]): [number, number] {
  const n = sorted.length;
  // Largest k with P(Binomial(n, 1/2) < k) <= 2.5%: the interval [x(k), x(n + 1 - k)] (1-based ranks).
  // P(B = k) from its logarithm: 0.5^n underflows to 0 past n = 1074 (a short trace's thousands of replays), and a
  // term kept as a product would stay 0, running k past the median.
  let k = 0;
  let tail = 0;
  let logTerm = n * Math.log(0.5); // ln P(B = 0)
  while (k < n && tail + Math.exp(logTerm) <= 0.025) {
    tail += Math.exp(logTerm);
    logTerm += Math.log((n - k) / (k + 1));
    k++;
  }
  if (k === 0) return [sorted[0]!, sorted[n - 1]!];
  return [sorted[k - 1]!, sorted[n - k]!];
}

/**
 * From this many samples a timing is their median. Order statistics give the median a 95% interval from six samples
 * on (with n = 6, [x(1), x(6)] misses it with probability 2 · (1/2)^6 = 3.1%; with 5 the widest there is, [x(1), x(5)],
 * misses it 6.3% of the time), but below ten that interval is the extremes or next to them, wider than the mean's for
 * samples without a pause: over one default run's 554 timed JS cells, ±10% or wider by the median from 6 samples on
 * 120, from 10 on 112, from 20 on 119, from 50 on 167, by the mean alone 196.
 */
export const MEDIAN_MIN_SAMPLES = 10;

/** A timing's center (the median, or the mean), its 95% interval, and which statistic it is. */
export interface CenterInterval {
  center: number;
  low: number;
  high: number;
  /** The larger half of the interval in percent of the center (Infinity for a zero center, 0 for one sample). */
  rme: number;
  samples: number;
  statistic: "median" | "mean";
}

/**
 * The median of `samples` and its distribution-free 95% interval when there are MEDIAN_MIN_SAMPLES or more; else
 * their mean and its Student's t interval. A whole replay's time is the allocator's work plus what the process does
 * meanwhile: a garbage collection or a compile that lands in one replay of a short trace made it 10–50 times its
 * neighbours (measured on the report's short traces, under the command's timing flags), and one such sample in 30
 * widens a mean's interval past ±10% where the median's hardly moves. Fewer samples (mostly long traces, timed three
 * to nine times) have no distribution-free interval worth having (see MEDIAN_MIN_SAMPLES), and there a pause is a
 * small part of a replay: the mean.
 */
export function centerInterval(samples: ArrayLike<number>): CenterInterval {
  const n = samples.length;
  if (n < MEDIAN_MIN_SAMPLES) {
    const m = meanInterval(samples);
    return { center: m.mean, low: m.low, high: m.high, rme: m.rme, samples: n, statistic: "mean" };
  }
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const median = medianOf(sorted);
  const [low, high] = medianInterval(sorted);
  const half = Math.max(median - low, high - median);
  return { center: median, low, high, rme: median !== 0 ? (100 * half) / Math.abs(median) : Number.POSITIVE_INFINITY, samples: n, statistic: "median" };
}
