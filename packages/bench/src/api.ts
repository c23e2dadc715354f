import type { Allocator } from "@dmm/core";

/**
 * The public contract of @dmm/bench: what a replay returns, its options, and the error it throws.
 * The metrics are defined (formula and source) where they are computed, in ./replay.ts.
 */

/** Options of {@link replay}. */
export interface ReplayOptions {
  /**
   * Fill every block with a pattern derived from its id and verify it on free, on realloc (the preserved
   * prefix) and at the end of the trace; verify calloc'd blocks are zeroed. Catches overlapping blocks.
   * Off for latency runs. @defaultValue true
   */
  integrity?: boolean;
  /**
   * With `integrity` on, whether the payload patterns are written and verified (O(bytes) per block). False keeps
   * the other integrity checks: no returned payload overlaps a live one (POINTER, a bitmap of the live payloads),
   * and calloc'd bytes are zero. For a second replay of a trace whose patterns a first replay verified (the
   * report's fixed-arena run). @defaultValue true
   */
  patterns?: boolean;
  /**
   * Whether the heap is captured (a `stats()` call) at the peak of live bytes, for `internalFragmentation` and
   * `externalFragmentation.atPeak`: at the end of every plateau that set a new peak, thousands of calls on a
   * growing trace. False for a replay that only counts failures (the report's fixed-arena run); those two are
   * then NaN, and everything else is as with true. @defaultValue true
   */
  peakStats?: boolean;
  /** Call `allocator.check()` every this many ops (and once at the end). 0 = never. @defaultValue 0 */
  checkEvery?: number;
  /** Upper bound on the points of `timeline` (the first and last op are always sampled). @defaultValue 1000 */
  timelinePoints?: number;
  /**
   * For an allocator whose `stats()` does not track its heap extent: reads the current heap bytes. Called after
   * every malloc, calloc and realloc (the ops that can grow a heap); `peakHeapBytes` becomes the largest value
   * it returned, and the timeline's `heapBytes` comes from it. @defaultValue stats().heapBytes / peakHeapBytes
   */
  heapBytesOf?: (allocator: Allocator) => number;
  /**
   * A sampling hook: `take(op, allocator)` is called after every `every` ops (op = ops replayed so far) and after
   * the last op, between ops, so it may walk the heap (e.g. for a heap map). @defaultValue none
   */
  snapshot?: { readonly every: number; take(op: number, allocator: Allocator): void };
  /**
   * Most free blocks (or bins) the allocator may examine in all: `lastSearchCost` summed over mallocs, callocs and
   * the reallocs that moved their block. Checked between chunks (at most 1/1000 of the trace apart, and at every
   * timeline sample); past it the replay stops with ReplayError BUDGET, so an allocator whose search is O(free
   * blocks) on this trace costs a bounded, machine-independent amount of work. @defaultValue Infinity
   */
  searchBudget?: number;
}

/** One sample of the heap's state, taken after op `op - 1` ran (so `op` ops have run). */
export interface TimelinePoint {
  /** Ops replayed so far. */
  op: number;
  /** Sum of requested sizes of live blocks (the CS:APP rule, see ReplayResult.peakLiveBytes). */
  liveBytes: number;
  /** allocator.stats().heapBytes. */
  heapBytes: number;
  /** allocator.stats().usedBytes (block bytes of allocated blocks, headers included). */
  usedBytes: number;
  /** allocator.stats().freeBytes (block bytes of free blocks, headers included). */
  freeBytes: number;
  /** allocator.stats().largestFreeBlock (payload bytes). */
  largestFreeBlock: number;
  /** allocator.stats().freeBlocks. */
  freeBlocks: number;
  /** 1 − largestFreeBlock / freeBytes at this moment; 0 when at most one block is free. */
  externalFragmentation: number;
}

/** Blocks (or bins) examined per malloc, from `allocator.lastSearchCost`. */
export interface SearchCost {
  /** Mallocs (and callocs) measured. */
  count: number;
  mean: number;
  /** The smallest cost c with at least 99% of mallocs costing <= c. */
  p99: number;
  max: number;
  /** [cost, mallocs that examined that many], ascending, non-zero counts only (costs from 2^24 up counted at 2^24 − 1). */
  histogram: Array<[number, number]>;
}

export interface ReplayResult {
  /** Allocator name. */
  allocator: string;
  /** Ops replayed (the trace length). */
  ops: number;
  peakLiveBytes: number;
  peakHeapBytes: number;
  utilization: number;
  fragmentation: number;
  /** NaN with `peakStats: false`. */
  internalFragmentation: number;
  /** `atPeak` is NaN with `peakStats: false`. */
  externalFragmentation: { atPeak: number; mean: number };
  failures: { outOfMemory: number; fragmented: number };
  /** null when the allocator does not expose `lastSearchCost`. */
  searchCost: SearchCost | null;
  timeline: ReadonlyArray<TimelinePoint>;
}

export type ReplayErrorCode =
  /** A block's bytes changed while it was live (overlapping blocks, a bad copy in realloc, calloc not zeroed). */
  | "INTEGRITY"
  /** allocator.check() threw. */
  | "CHECK"
  /** The allocator threw during an operation the trace made legal. */
  | "ALLOCATOR"
  /** The trace is not replayable: malloc of a live id, free of an id that is not live. */
  | "TRACE"
  /** Options that make no sense (e.g. a negative checkEvery). */
  | "OPTIONS"
  /**
   * The allocator returned a pointer no block can have, named at the op that returned it: not a number, not a
   * multiple of 8, outside `memory`, or (integrity mode) a payload overlapping a live block.
   */
  | "POINTER"
  /** The allocator examined more free blocks than `searchBudget` allows. */
  | "BUDGET";

/** Why a replay stopped, naming the op (0-based index into the trace) and the ids involved. */
export class ReplayError extends Error {
  readonly code: ReplayErrorCode;
  /** 0-based index of the op being replayed (or the trace length for the checks at the end). */
  readonly opIndex: number;
  /** Ids involved: the op's id first, then e.g. the live id whose block overlaps it. */
  readonly ids: readonly number[];
  constructor(code: ReplayErrorCode, opIndex: number, ids: readonly number[], message: string, options?: { cause?: unknown }) {
    super(`${code} at op ${opIndex}${ids.length ? ` (id ${ids.join(", ")})` : ""}: ${message}`, options);
    this.name = "ReplayError";
    this.code = code;
    this.opIndex = opIndex;
    this.ids = ids;
  }
}
