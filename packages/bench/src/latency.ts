/**
 * Latency: tinybench over whole-trace replays (a fresh allocator per iteration, created outside the timed
 * region, integrity off), and per-operation percentiles from one more replay timed op by op.
 */
import type { Allocator } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, Random, type Trace } from "@dmm/workloads";
import { Bench } from "tinybench";
import { ReplayError } from "./api.js";
import { type CenterInterval, centerInterval } from "./intervals.js";
import { runTrace } from "./run.js";

export interface LatencyOptions {
  /** tinybench time budget per measurement, in milliseconds. @defaultValue 1000 (quick: 100) */
  time?: number;
  /** Minimum whole-trace replays measured (tinybench runs until both `time` and this are met). @defaultValue 5 (quick: 2) */
  iterations?: number;
  /** Untimed whole-trace replays first, to let the JIT settle. @defaultValue 1 */
  warmupIterations?: number;
  /** Also time each op of one replay for the percentiles. @defaultValue true */
  percentiles?: boolean;
  /** Time at most this many ops for the percentiles (one op drawn from each run of k; see timeEachOp). @defaultValue all (quick: 100 000) */
  maxTimedOps?: number;
  /** Small budgets (time 100 ms, 2 iterations, 1 warmup, 100 000 timed ops) so a report cell stays well under a second on short traces. */
  quick?: boolean;
  /**
   * What tinybench times whole replays with: "wall" (performance.now) or "cpu" (this process's user + system CPU
   * time from process.cpuUsage, 1 µs resolution) — on a shared machine the wall clock also counts the time other
   * processes held the CPU. Per-op percentiles always use process.hrtime.bigint(). @defaultValue "wall"
   */
  clock?: "wall" | "cpu";
  /**
   * Re-measure while the 95% confidence interval of nsPerOp is wider than ± this percent of it: another round
   * of `time` ms (at least `iterations` replays), its samples pooled with the earlier ones, until the interval is
   * narrow enough or the next round would not fit in what is left of `remeasureBudget` (then `noisy` is true).
   * @defaultValue Infinity (one round)
   */
  maxRmePercent?: number;
  /** Most milliseconds spent on re-measuring rounds, beyond the first. @defaultValue 0 */
  remeasureBudget?: number;
}

/** process.cpuUsage() as a tinybench timestamp provider, in milliseconds. */
const cpuClock = {
  name: "process.cpuUsage",
  fn: (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
  fromMs: (ms: number): number => ms,
  toMs: (ms: number | bigint): number => Number(ms),
};

/** Nearest-rank percentiles of one kind of op, in nanoseconds, timer overhead subtracted. */
export interface OpPercentiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LatencyResult {
  allocator: string;
  ops: number;
  /** Whole-trace replays measured by tinybench. */
  samples: number;
  /** The clock the whole replays were timed with. */
  clock: "wall" | "cpu";
  /**
   * Time per op, in nanoseconds: the median of the whole-trace replays' times / ops when MEDIAN_MIN_SAMPLES or more
   * were timed, else their mean (intervals.ts centerInterval; `statistic` says which).
   */
  nsPerOp: number;
  /** Which statistic nsPerOp and its interval are: "median" (distribution-free interval) or "mean" (Student's t). */
  statistic: CenterInterval["statistic"];
  /** The larger half of nsPerOp's 95% confidence interval, in percent of it. */
  rme: number;
  /** nsPerOp's 95% confidence interval, in ns per op. */
  ciLow: number;
  ciHigh: number;
  /** Rounds re-measured because the interval was wider than maxRmePercent (0: the first round sufficed). */
  remeasured: number;
  /** The interval is still wider than maxRmePercent after the re-measuring budget. */
  noisy: boolean;
  /** Ops per second at nsPerOp: 1e9 / nsPerOp. */
  opsPerSecond: number;
  /** Per-op percentiles; null when `percentiles: false`. */
  perOp: {
    /** The cost of one `process.hrtime.bigint()` pair, in ns (this thread's calibration: threadTimerOverheadNs), subtracted from every sample. */
    timerOverheadNs: number;
    /** malloc and calloc. */
    malloc: OpPercentiles;
    free: OpPercentiles;
    realloc: OpPercentiles;
  } | null;
}

/**
 * The timer's own cost: the median of `pairs` back-to-back `hrtime.bigint()` pairs. Subtracting it from a timed op
 * leaves (approximately) the op alone; samples below it clamp to 0.
 */
export function timerOverheadNs(pairs = 2000): number {
  const d = new Float64Array(pairs);
  for (let i = 0; i < pairs; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    d[i] = Number(t1 - t0);
  }
  d.sort();
  return d[pairs >> 1]!;
}

/** Back-to-back pairs of each calibration round (one a per-op replay; see threadTimerOverheadNs). */
export const CALIBRATION_PAIRS = 1000;

let threadOverhead = Number.POSITIVE_INFINITY;

/**
 * The timer's cost on this thread: one more round of CALIBRATION_PAIRS pairs (timerOverheadNs), and the least median
 * of every round this thread has run. The cost is the machine's and the thread's, not a cell's, but one round's
 * median is not it: one worker's 42 per-cell medians of 2000 pairs were 72–100 ns, but 134–214 ns for its first
 * cell (the loop not yet compiled) and up to 177 ns where another process took the core, and every sample of that
 * cell paid for it; a single calibration per worker made under load left whole workers' p50s at 0. The least median
 * is the uncontended cost, so what is subtracted comes down to it and never makes an op look faster than the timer
 * lets it be seen.
 */
export function threadTimerOverheadNs(): number {
  threadOverhead = Math.min(threadOverhead, timerOverheadNs(CALIBRATION_PAIRS));
  return threadOverhead;
}

/**
 * Which ops of an `n`-op replay timeEachOp times when it may time at most `maxTimedOps`: with k = ceil(n /
 * maxTimedOps), one op drawn uniformly from each run of k consecutive ops (the last run may be shorter), by a
 * PRNG of fixed seed, so the sample spans the whole trace, is the same on every run, and is not in step with
 * a trace that repeats itself every k ops (every k-th op of a malloc/free alternation with k = 2 would time only
 * its mallocs). All of them when n <= maxTimedOps. Ascending.
 */
export function timedOpIndices(n: number, maxTimedOps = Number.POSITIVE_INFINITY): Int32Array {
  const stride = Math.max(1, Math.ceil(n / Math.max(1, maxTimedOps)));
  const indices = new Int32Array(Math.ceil(n / stride));
  if (stride === 1) {
    for (let i = 0; i < n; i++) indices[i] = i;
    return indices;
  }
  const random = new Random(0x6c61_7465);
  for (let b = 0; b < indices.length; b++) {
    const start = b * stride;
    indices[b] = start + (random.u32() % Math.min(stride, n - start));
  }
  return indices;
}

function percentiles(samples: Float64Array, count: number): OpPercentiles {
  if (count === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
  const sorted = samples.subarray(0, count).sort();
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * count) - 1)]!;
  return { count, p50: rank(0.5), p99: rank(0.99), p999: rank(0.999), max: sorted[count - 1]! };
}

/**
 * Times ops of one replay of `trace` on `allocator` with `process.hrtime.bigint()` around each call, minus the
 * timer's own cost (threadTimerOverheadNs: the least median of this thread's calibration rounds), clamped at 0. With more than `maxTimedOps`
 * ops, only the ops timedOpIndices picks are timed (one from each run of k) and the others run untimed between
 * them, at the cost of the calls alone, so the sample still spans the whole trace.
 */
export function timeEachOp(trace: Trace, allocator: Allocator, maxTimedOps = Number.POSITIVE_INFINITY): NonNullable<LatencyResult["perOp"]> {
  const { kind, id: ids, size: sizes, count: counts } = trace.columns;
  const n = kind.length;
  const timedOps = timedOpIndices(n, maxTimedOps);
  const pointers = new Float64Array(trace.idCount);
  let mallocs = 0, frees = 0, reallocs = 0;
  for (let j = 0; j < timedOps.length; j++) {
    const k = kind[timedOps[j]!]!;
    if (k === OP_FREE) frees++;
    else if (k === OP_MALLOC || k === OP_CALLOC) mallocs++;
    else reallocs++;
  }
  const mallocNs = new Float64Array(mallocs);
  const freeNs = new Float64Array(frees);
  const reallocNs = new Float64Array(reallocs);
  const overhead = threadTimerOverheadNs();
  mallocs = frees = reallocs = 0;
  let next = 0;
  let nextTimed = timedOps.length > 0 ? timedOps[0]! : -1;
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const id = ids[i]!;
    const timed = i === nextTimed;
    if (timed) nextTimed = ++next < timedOps.length ? timedOps[next]! : -1;
    if (k === OP_FREE) {
      // An int32 pointer is passed as one, as runTrace does: a double argument is boxed, a heap number allocated per
      // call, here inside the timing. Two call sites, so that each passes its own representation.
      const p = pointers[id]!;
      const small = p | 0;
      if (timed) {
        const t0 = process.hrtime.bigint();
        if (small === p) allocator.free(small);
        else allocator.free(p);
        const t1 = process.hrtime.bigint();
        freeNs[frees++] = Math.max(0, Number(t1 - t0) - overhead);
      } else if (small === p) allocator.free(small);
      else allocator.free(p);
      pointers[id] = 0;
    } else if (k === OP_MALLOC || k === OP_CALLOC) {
      const size = sizes[i]!;
      let p: number;
      if (timed) {
        const t0 = process.hrtime.bigint();
        if (k === OP_MALLOC) p = allocator.malloc(size);
        else p = allocator.calloc(counts[i]!, size);
        const t1 = process.hrtime.bigint();
        mallocNs[mallocs++] = Math.max(0, Number(t1 - t0) - overhead);
      } else {
        p = k === OP_MALLOC ? allocator.malloc(size) : allocator.calloc(counts[i]!, size);
      }
      pointers[id] = p;
    } else {
      const size = sizes[i]!;
      const old = pointers[id]!;
      const small = old | 0;
      let p: number;
      if (timed) {
        const t0 = process.hrtime.bigint();
        p = small === old ? allocator.realloc(small, size) : allocator.realloc(old, size);
        const t1 = process.hrtime.bigint();
        reallocNs[reallocs++] = Math.max(0, Number(t1 - t0) - overhead);
      } else {
        p = small === old ? allocator.realloc(small, size) : allocator.realloc(old, size);
      }
      if (p !== 0 || size === 0) pointers[id] = p;
    }
  }
  return {
    timerOverheadNs: overhead,
    malloc: percentiles(mallocNs, mallocs),
    free: percentiles(freeNs, frees),
    realloc: percentiles(reallocNs, reallocs),
  };
}

/**
 * Measures how fast `createAllocator()`'s allocators run `trace`: tinybench over whole-trace replays (each on
 * a fresh allocator made outside the timed region; no integrity checks, no metrics: see runTrace), then,
 * unless `percentiles: false`, one more replay timed op by op (timeEachOp).
 * Synchronous (tinybench `runSync`).
 */
export function measureLatency(trace: Trace, createAllocator: () => Allocator, options: LatencyOptions = {}): LatencyResult {
  const quick = options.quick ?? false;
  const time = options.time ?? (quick ? 100 : 1000);
  const iterations = options.iterations ?? (quick ? 2 : 5);
  const warmupIterations = options.warmupIterations ?? 1;
  const clock = options.clock ?? "wall";
  if (clock !== "wall" && clock !== "cpu") throw new ReplayError("OPTIONS", 0, [], `clock must be "wall" or "cpu", got ${String(clock)}`);
  for (const [name, value] of [["time", time], ["iterations", iterations], ["warmupIterations", warmupIterations]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new ReplayError("OPTIONS", 0, [], `${name} must be a finite number >= 0, got ${String(value)}`);
  }
  const maxRme = options.maxRmePercent ?? Number.POSITIVE_INFINITY;
  const budget = options.remeasureBudget ?? 0;
  if (!(maxRme > 0) || !(budget >= 0) || !Number.isFinite(budget)) {
    throw new ReplayError("OPTIONS", 0, [], `maxRmePercent must be > 0 and remeasureBudget a finite number >= 0, got ${String(maxRme)} and ${String(budget)}`);
  }
  const pointers = new Float64Array(trace.idCount);
  let allocator: Allocator = createAllocator();
  const name = allocator.name;
  const pooled: number[] = [];
  const round = (warmup: boolean): void => {
    const bench = new Bench({
      time,
      iterations: Math.max(1, iterations),
      warmup: warmup && warmupIterations > 0,
      warmupIterations,
      warmupTime: 0,
      throws: true,
      retainSamples: true,
      ...(clock === "cpu" ? { timestampProvider: cpuClock } : {}),
    });
    bench.add(
      name,
      () => {
        runTrace(trace, allocator, pointers);
      },
      {
        // Said, not detected: to find out whether a task is async, tinybench calls it once untimed when it is
        // added, a whole replay on the allocator the first timed one then throws away.
        async: false,
        beforeEach() {
          // The replay just timed is done with its allocator: its memory is the next one's (Allocator.dispose).
          allocator.dispose?.();
          allocator = createAllocator();
        },
      },
    );
    bench.runSync();
    const result = bench.tasks[0]!.result;
    if (result.state !== "completed") {
      const why = result.state === "errored" ? result.error.message : result.state;
      throw new ReplayError("ALLOCATOR", 0, [], `latency run of ${name} did not complete: ${why}`);
    }
    for (const sample of result.latency.samples ?? []) pooled.push(sample);
  };
  round(true);
  let interval = centerInterval(pooled);
  let remeasured = 0;
  const started = performance.now();
  // A round takes about max(time, iterations replays): one is started only when that fits in what is left of the
  // budget (so a trace whose replays are long is never re-measured past it). Bounded: each round spends some of it.
  const roundMs = () => Math.max(time, Math.max(1, iterations) * interval.center);
  while (interval.rme > maxRme && performance.now() - started + roundMs() <= budget && remeasured < 1000) {
    round(false);
    remeasured++;
    interval = centerInterval(pooled);
  }
  allocator.dispose?.();
  const ops = trace.length;
  const perOpNs = (ms: number) => (ops > 0 ? (ms * 1e6) / ops : 0);
  const nsPerOp = perOpNs(interval.center);
  return {
    allocator: name,
    ops,
    samples: interval.samples,
    clock,
    nsPerOp,
    statistic: interval.statistic,
    rme: interval.rme,
    ciLow: Math.max(0, perOpNs(interval.low)),
    ciHigh: perOpNs(interval.high),
    remeasured,
    noisy: interval.rme > maxRme,
    opsPerSecond: nsPerOp > 0 ? 1e9 / nsPerOp : 0,
    perOp: (options.percentiles ?? true) ? timeEachOpDisposing(trace, createAllocator(), options.maxTimedOps ?? (quick ? 100_000 : Number.POSITIVE_INFINITY)) : null,
  };
}

/** timeEachOp on an allocator made for it, disposed of afterwards (Allocator.dispose). */
function timeEachOpDisposing(trace: Trace, allocator: Allocator, maxTimedOps = Number.POSITIVE_INFINITY): NonNullable<LatencyResult["perOp"]> {
  try {
    return timeEachOp(trace, allocator, maxTimedOps);
  } finally {
    allocator.dispose?.();
  }
}
