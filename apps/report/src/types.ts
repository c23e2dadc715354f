/**
 * The data model of a bench run: a matrix of cells (allocator × coalescing × workload), the result of each
 * cell, and the whole run as written to results.json (what `merge` reads back).
 */
import type { ReplayResult, TimelinePoint } from "@dmm/bench";

export type { TimelinePoint };

/**
 * How free neighbours are merged: the core heap's three modes, or "own" for an allocator with its own fixed
 * policy that the bench cannot switch (the JS peers thi.ng-malloc and npm-malloc, and native glibc).
 */
export type CoalescingMode = "immediate" | "deferred" | "none" | "own";

/** Where an allocator comes from: a registered placement strategy on the core heap, the buddy system, a JS peer library, a user's plugin module (AllocatorPlugin), or a native library replayed in C. */
export type AllocatorKind = "strategy" | "buddy" | "peer" | "plugin" | "native";

/** One workload of the matrix: a manifest entry or a user's trace file. */
export interface WorkloadRef {
  /** Manifest name, or the file's base name for a user's file. */
  readonly name: string;
  /** Path of the trace file (absolute or relative to the working directory). */
  readonly file: string;
  /** "randomized" | "adversarial" | "real" | "file" (a user's file). */
  readonly kind: string;
  readonly description: string;
  /** sha256 of the trace file's bytes, so merge and compare can tell a changed trace of the same name. */
  readonly sha256?: string;
}

/** One cell of the matrix. */
export interface Cell {
  /** Position in the full (unsharded) matrix: stable across runs and shards, used to order results. */
  readonly index: number;
  readonly allocator: string;
  readonly allocatorKind: AllocatorKind;
  readonly coalescing: CoalescingMode;
  readonly workload: WorkloadRef;
}

/** What every cell run needs besides the cell itself. */
export interface RunSettings {
  /** Smaller traces (a prefix of at most `quickOps` ops) and fewer latency samples. */
  readonly quick: boolean;
  /** Arena bytes for the fixed-arena failure run; undefined: per workload, FIXED_ARENA_FACTOR × its peak live bytes. */
  readonly fixedArena?: number;
  /** Workload names whose heap map (address × time) is recorded. */
  readonly heapMapWorkloads: readonly string[];
}

/** A heap map: for `times.length` moments, the used fraction of each of `bins` equal address ranges. */
export interface HeapMap {
  /** Op index of each snapshot. */
  readonly times: number[];
  /** Bytes per address bin (the peak heap extent / bins, rounded up to 8). */
  readonly binBytes: number;
  readonly bins: number;
  /** used[t][b]: fraction (0..1) of bin b occupied by used blocks at snapshot t; -1 beyond the heap's extent. */
  readonly used: number[][];
}

/** Every number measured for one cell. Deterministic fields are identical run to run; `latency` is timing. */
export interface CellResult {
  readonly index: number;
  readonly allocator: string;
  readonly allocatorKind: AllocatorKind;
  readonly coalescing: CoalescingMode;
  readonly workload: string;
  readonly workloadKind: string;
  /** Null when the allocator could not run the workload at all (the error says why). */
  readonly error: string | null;
  readonly metrics: DeterministicMetrics | null;
  readonly latency: LatencyMetrics | null;
  /**
   * Native allocators only: peak resident bytes of the replay over a baseline taken just before it, divided by
   * the trace's peak live bytes (a native heap's extent cannot be read; see @dmm/bench's native.ts). Null elsewhere.
   */
  readonly footprint: number | null;
  /** The metric replay's sampled timeline, as @dmm/bench's replay returns it. */
  readonly timeline: readonly TimelinePoint[];
  /** Histogram of free blocks examined per malloc: [bucket label, count]; empty when the allocator does not tell. */
  readonly searchCostHistogram: Array<[string, number]>;
  readonly heapMap: HeapMap | null;
  /** Wall-clock milliseconds this cell took (all passes). */
  readonly elapsedMs: number;
}

/**
 * The scalar metrics of the growable-heap replay (defined, with formulas, in @dmm/bench's replay.ts), flattened
 * into one level so that each is a column of results.csv, plus the fixed-arena run's counts.
 */
export interface DeterministicMetrics extends Pick<ReplayResult, "ops" | "peakLiveBytes" | "peakHeapBytes" | "utilization" | "fragmentation" | "internalFragmentation"> {
  externalFragmentationAtPeak: number;
  externalFragmentationMean: number;
  failuresOutOfMemory: number;
  failuresFragmented: number;
  /** Free blocks examined per malloc (replay's searchCost); null when the allocator does not tell (lastSearchCost). */
  searchCostMean: number | null;
  searchCostP99: number | null;
  searchCostMax: number | null;
  /** Arena bytes of the fixed-arena run. */
  fixedArenaBytes: number;
  fixedOps: number;
  /** Requests that could fail in the fixed-arena run: mallocs, callocs and reallocs to a non-zero size. */
  fixedRequests: number;
  fixedFailuresOutOfMemory: number;
  fixedFailuresFragmented: number;
}

export interface LatencyMetrics {
  /** Mean ns per trace operation over whole-trace replays (tinybench). */
  nsPerOp: number;
  /** Half-width of nsPerOp's 95% confidence interval, in percent of it. */
  rme: number;
  /** nsPerOp's 95% confidence interval (Student's t over the repeated whole-trace replays), in ns per op. */
  nsPerOpCiLow: number;
  nsPerOpCiHigh: number;
  /** The interval stayed wider than ±NOISY_RME_PERCENT after re-measuring within the cell's budget. */
  noisy: boolean;
  opsPerSecond: number;
  /** Ops of the trace the latency was measured on. */
  ops: number;
  /** Whole-trace replays tinybench timed. */
  samples: number;
  /** Per-op percentiles in ns (timer overhead subtracted); null where they were not measured (native). */
  mallocP50: number | null;
  mallocP99: number | null;
  mallocP999: number | null;
  mallocMax: number | null;
  freeP50: number | null;
  freeP99: number | null;
  freeP999: number | null;
  freeMax: number | null;
}

/** Facts about the machine and the command, printed in the report. */
export interface Environment {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  date: string;
  commit: string;
  command: string;
  /**
   * The timing flags (timing-flags.ts) the run's node had: all of them for `dmm bench`, unless its node refused them;
   * a run from code has its own process's. Absent in results written before they were recorded.
   */
  timingFlags?: string[];
}

/** The adaptive adversary (Robson's construction) played against one allocator. */
export interface AdversaryResult {
  allocator: string;
  coalescing: CoalescingMode;
  n: number;
  M: number;
  heapExtent: number;
  bound: number;
  /** heapExtent / M. */
  ratio: number;
  /** bound / M. */
  boundRatio: number;
}

/** Heap efficiency (@dmm/bench heapEfficiency) of one allocator: live share of a fixed arena at the first failure. */
export interface EfficiencyResult {
  allocator: string;
  coalescing: CoalescingMode;
  arenaBytes: number;
  trials: number;
  /** Mean over trials of live bytes at the first failed request / arena bytes. */
  mean: number;
  min: number;
  max: number;
}

/** A whole run (or a shard of one), as written to results.json. */
export interface RunResult {
  /** "dmm-bench/3" (3: the matrix, workload hashes and timing intervals; 2: peers' coalescing is "own"): bump when the shape changes. */
  format: string;
  environment: Environment;
  settings: RunSettings;
  /** Cells in the full matrix (before sharding). */
  matrixSize: number;
  /** What the matrix was built from (every shard of one matrix has the same): allocator names and coalescing modes, in order. */
  matrix: { allocators: string[]; coalescing: string[] };
  /** "k/n" when this is a shard, null for a whole run. */
  shard: string | null;
  workloads: WorkloadRef[];
  results: CellResult[];
  adversary: AdversaryResult[];
  /** Absent in results written before heap efficiency was measured. */
  efficiency?: EfficiencyResult[];
  elapsedMs: number;
}
