/**
 * Latency: tinybench over whole-trace replays (a fresh allocator per iteration, created outside the timed
 * region, integrity off), and per-operation percentiles from one more replay timed op by op.
 */
import type { Allocator } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, type Trace } from "@dmm/workloads";
import { Bench } from "tinybench";
import { ReplayError } from "./api.js";
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
  /** Time at most about this many ops for the percentiles (every k-th op; see timeEachOp). @defaultValue all (quick: 100 000) */
  maxTimedOps?: number;
  /** Small budgets (time 100 ms, 2 iterations, 1 warmup, 100 000 timed ops) so a report cell stays well under a second on short traces. */
  quick?: boolean;
  /**
   * What tinybench times whole replays with: "wall" (performance.now) or "cpu" (this process's user + system CPU
   * time from process.cpuUsage, 1 µs resolution) — on a shared machine the wall clock also counts the time other
   * processes held the CPU. Per-op percentiles always use process.hrtime.bigint(). @defaultValue "wall"
   */
  clock?: "wall" | "cpu";
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
  /** Mean wall time per op: tinybench's mean time per whole-trace replay / ops, in nanoseconds. */
  nsPerOp: number;
  /** tinybench's relative margin of error of that mean, in percent (95% confidence, Student's t). */
  rme: number;
  /** Ops per second at the mean: 1e9 / nsPerOp. */
  opsPerSecond: number;
  /** Per-op percentiles; null when `percentiles: false`. */
  perOp: {
    /** The cost of one `process.hrtime.bigint()` pair, in ns (median of 2000 back-to-back pairs), subtracted from every sample. */
    timerOverheadNs: number;
    /** malloc and calloc. */
    malloc: OpPercentiles;
    free: OpPercentiles;
    realloc: OpPercentiles;
  } | null;
}

/**
 * The timer's own cost: the median of back-to-back `hrtime.bigint()` pairs. Subtracting it from a timed op
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

function percentiles(samples: Float64Array, count: number): OpPercentiles {
  if (count === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
  const sorted = samples.subarray(0, count).sort();
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * count) - 1)]!;
  return { count, p50: rank(0.5), p99: rank(0.99), p999: rank(0.999), max: sorted[count - 1]! };
}

/**
 * Times the ops of one replay of `trace` on `allocator` with `process.hrtime.bigint()` around each call, minus
 * the timer's own overhead (see timerOverheadNs), clamped at 0. With more than `maxTimedOps` ops, every k-th op
 * is timed (k = ceil(ops / maxTimedOps)) and the others run untimed, so the sample still spans the whole trace.
 */
export function timeEachOp(trace: Trace, allocator: Allocator, maxTimedOps = Number.POSITIVE_INFINITY): NonNullable<LatencyResult["perOp"]> {
  const { kind, id: ids, size: sizes, count: counts } = trace.columns;
  const n = kind.length;
  const stride = Math.max(1, Math.ceil(n / Math.max(1, maxTimedOps)));
  const pointers = new Float64Array(trace.idCount);
  let mallocs = 0, frees = 0, reallocs = 0;
  for (let i = 0; i < n; i += stride) {
    const k = kind[i]!;
    if (k === OP_FREE) frees++;
    else if (k === OP_MALLOC || k === OP_CALLOC) mallocs++;
    else reallocs++;
  }
  const mallocNs = new Float64Array(mallocs);
  const freeNs = new Float64Array(frees);
  const reallocNs = new Float64Array(reallocs);
  const overhead = timerOverheadNs();
  mallocs = frees = reallocs = 0;
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const id = ids[i]!;
    const timed = i % stride === 0;
    if (k === OP_FREE) {
      const p = pointers[id]!;
      if (timed) {
        const t0 = process.hrtime.bigint();
        allocator.free(p);
        const t1 = process.hrtime.bigint();
        freeNs[frees++] = Math.max(0, Number(t1 - t0) - overhead);
      } else {
        allocator.free(p);
      }
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
      let p: number;
      if (timed) {
        const t0 = process.hrtime.bigint();
        p = allocator.realloc(old, size);
        const t1 = process.hrtime.bigint();
        reallocNs[reallocs++] = Math.max(0, Number(t1 - t0) - overhead);
      } else {
        p = allocator.realloc(old, size);
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
  const pointers = new Float64Array(trace.idCount);
  let allocator: Allocator = createAllocator();
  const name = allocator.name;
  const bench = new Bench({
    time,
    iterations: Math.max(1, iterations),
    warmup: warmupIterations > 0,
    warmupIterations,
    warmupTime: 0,
    throws: true,
    ...(clock === "cpu" ? { timestampProvider: cpuClock } : {}),
  });
  bench.add(
    name,
    () => {
      runTrace(trace, allocator, pointers);
    },
    {
      beforeEach() {
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
  const ops = trace.length;
  const nsPerOp = ops > 0 ? (result.latency.mean * 1e6) / ops : 0;
  return {
    allocator: name,
    ops,
    samples: result.latency.samplesCount,
    clock,
    nsPerOp,
    rme: result.latency.rme,
    opsPerSecond: nsPerOp > 0 ? 1e9 / nsPerOp : 0,
    perOp: (options.percentiles ?? true) ? timeEachOp(trace, createAllocator(), options.maxTimedOps ?? (quick ? 100_000 : Number.POSITIVE_INFINITY)) : null,
  };
}
