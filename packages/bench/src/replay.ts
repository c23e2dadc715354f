/**
 * The replay engine: runs a trace on any Allocator and measures what the policy did. Per-id state lives in one
 * typed array indexed by id (pointer, requested size + state); the loop creates no object per op.
 *
 * Every metric is defined here, where it is computed (definitions: ARCHITECTURE.md "Metrics").
 */
import type { Allocator, HeapStats } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, type Trace } from "@dmm/workloads";
import { ReplayError, type ReplayOptions, type ReplayResult, type SearchCost, type TimelinePoint } from "./api.js";
import { LiveIntervals, PatternMemory, patternByte, SPARSE_FROM } from "./integrity.js";

/*
 * Per-id state, interleaved in one Uint32Array (8 bytes per id) so an op touches one cache line per id:
 *   slots[2 * id]     the block's pointer
 *   slots[2 * id + 1] NONE (0): never allocated, or freed; FAILED (2^32 − 1): its malloc failed, so its later
 *                     reallocs and its free are skipped; otherwise size + 1: live with `size` requested bytes (a
 *                     zero-byte block may have pointer 0, if the allocator answered malloc(0) with NULL).
 * Pointers and sizes fit 32 bits: an Allocator's memory is one Uint8Array, and a request of 2^32 − 1 bytes or
 * more can only fail (it is recorded as FAILED either way).
 */
const NONE = 0;
const FAILED = 0xffffffff;
/** Largest size a live slot can record (size + 1 must stay below FAILED). */
const MAX_SLOT_SIZE = FAILED - 2;

const HISTOGRAM_CAP = 1 << 24;

/**
 * External fragmentation at a moment: `1 − largestFreeBlock / freeBytes` (ARCHITECTURE.md "Metrics";
 * the usual "largest free block vs total free" measure, e.g. pw_allocator's fragmentation.h). 0 when free
 * space is at most one block: `largestFreeBlock` counts payload bytes and `freeBytes` block bytes, so the
 * formula alone would leave a header's worth of "fragmentation" for a single free block.
 */
export function externalFragmentationOf(stats: Pick<HeapStats, "freeBlocks" | "freeBytes" | "largestFreeBlock">): number {
  if (stats.freeBlocks <= 1 || stats.freeBytes <= 0) return 0;
  return Math.max(0, 1 - stats.largestFreeBlock / stats.freeBytes);
}

/*
 * Which payload check found a changed byte (ReplayContext.verifyBlock, verifyPrefix): a code, so the hot loop builds
 * no message per op; describeCheck writes it when a check fails.
 */
const CHECK_FREE = 0;
const CHECK_END = 1;
const CHECK_REALLOC_BEFORE = 2;
const CHECK_REALLOC_FAILED = 3;
const CHECK_REALLOC_KEPT = 4;

/** The moment a check names: `ptr` is the block checked, `length` its bytes checked; a realloc's is realloc(oldPtr, size). */
function describeCheck(check: number, ptr: number, oldPtr: number, size: number, length: number): string {
  if (check === CHECK_FREE) return `free(${ptr})`;
  if (check === CHECK_END) return "at the end of the trace";
  const call = `realloc(${oldPtr}, ${size})`;
  if (check === CHECK_REALLOC_BEFORE) return `${call} before the call`;
  if (check === CHECK_REALLOC_FAILED) return `${call} failed and must leave the block unchanged`;
  return `${call} -> ${ptr} did not keep the first ${length} bytes`;
}

/**
 * The replay's cold state and slow paths (sampling, peak capture, failures, integrity, errors), kept out of the
 * hot loop so the loop's own counters stay in registers rather than in a closure's context.
 */
class ReplayContext {
  readonly slots: Uint32Array;
  readonly memory = new PatternMemory();
  readonly timeline: TimelinePoint[] = [];
  peakStats: HeapStats | null = null;
  peakStatsLive = 0;
  outOfMemory = 0;
  fragmented = 0;
  observedPeakHeap = 0;
  /** allocator.memory.length as last read: the hot loop checks returned pointers against it (checkPointer re-reads). */
  memoryLength = 0;
  /** The live payloads, so a returned payload that overlaps one is named at its op (integrity on or off). */
  readonly live = new LiveIntervals();
  /** lastSearchCost summed over the reallocs that moved their block (for searchBudget; not a metric). */
  reallocSearch = 0;

  constructor(
    readonly allocator: Allocator,
    idCount: number,
    readonly heapBytesOf: ((allocator: Allocator) => number) | null,
    /** Integrity mode writes and verifies payload patterns (ReplayOptions.patterns). */
    readonly patterns: boolean,
    /** The heap is captured at the peak of live bytes (ReplayOptions.peakStats). */
    readonly peakStatsWanted: boolean,
  ) {
    this.slots = new Uint32Array(2 * idCount);
  }

  sample(op: number, liveBytes: number): void {
    const s = this.allocator.stats();
    this.timeline.push({
      op,
      liveBytes,
      heapBytes: this.heapBytesOf !== null ? this.heapBytesOf(this.allocator) : s.heapBytes,
      usedBytes: s.usedBytes,
      freeBytes: s.freeBytes,
      largestFreeBlock: s.largestFreeBlock,
      freeBlocks: s.freeBlocks,
      externalFragmentation: externalFragmentationOf(s),
    });
  }

  capturePeak(liveBytes: number): void {
    if (!this.peakStatsWanted) return;
    this.peakStats = this.allocator.stats();
    this.peakStatsLive = liveBytes;
  }

  observeHeap(): void {
    const bytes = this.heapBytesOf!(this.allocator);
    if (bytes > this.observedPeakHeap) this.observedPeakHeap = bytes;
  }

  /**
   * Failures in a fixed (or maxed-out) arena: a NULL return for a non-zero request. Fragmented when
   * `stats().freeBytes >= size` at that moment (enough free bytes existed, just not in one block),
   * out of memory otherwise (ARCHITECTURE.md "Metrics").
   */
  classifyFailure(size: number): void {
    if (this.allocator.stats().freeBytes >= size) this.fragmented++;
    else this.outOfMemory++;
  }

  integrityError(op: number, id: number, ptr: number, offset: number, check: number, oldPtr: number, size: number, length: number): never {
    const what = describeCheck(check, ptr, oldPtr, size, length);
    const slots = this.slots;
    const address = ptr + offset;
    const culprits: number[] = [];
    const range = (c: number) => `[${slots[2 * c]}, ${slots[2 * c]! + slots[2 * c + 1]! - 1})`;
    for (let other = 0; 2 * other < slots.length; other++) {
      const start = slots[2 * other]!;
      const tag = slots[2 * other + 1]!;
      if (other !== id && tag !== NONE && tag !== FAILED && start <= address && address < start + tag - 1) culprits.push(other);
    }
    const actual = this.memory.byteAt(address);
    const holds = actual < 0 ? `lies outside memory (${this.allocator.memory.length} bytes)` : `holds 0x${actual.toString(16)}`;
    const who = culprits.length
      ? `the live block of id ${culprits.join(", ")} at ${culprits.map(range).join(", ")} overlaps it`
      : "no live block covers it now (a block since freed, or the allocator's own metadata, overwrote it)";
    throw new ReplayError(
      "INTEGRITY",
      op,
      [id, ...culprits],
      `${what}: byte ${offset} of id ${id}'s block at ${ptr} (address ${address}) ${holds}, expected 0x${patternByte(id, offset).toString(16)}; ${who}`,
    );
  }

  /**
   * The slow path of the check every returned pointer gets: `ptr`, returned by `call` for `bytes` bytes, failed the
   * hot loop's test against the cached memory length (or is not a number). Re-reads `memory` (it may have grown)
   * and throws POINTER, printing the pointer as the number it is, unless it is sound: an integer, a multiple of 8,
   * and its payload inside memory.
   */
  checkPointer(op: number, id: number, ptr: number, bytes: number, call: string): void {
    const fail = (why: string): never => {
      throw new ReplayError("POINTER", op, [id], `${call} returned ${typeof ptr === "number" ? ptr : `${typeof ptr} ${String(ptr)}`}: ${why}`);
    };
    if (typeof ptr !== "number" || !Number.isInteger(ptr)) fail("not an integer offset into memory");
    if (ptr < 0) fail("a negative offset");
    if (ptr % 8 !== 0) fail("not a multiple of 8 (misaligned)");
    this.memoryLength = this.allocator.memory.length;
    if (ptr + bytes > this.memoryLength) fail(`its ${bytes} bytes end at ${ptr + bytes}, past the end of memory (${this.memoryLength} bytes)`);
  }

  /** Integrity mode: marks the payload [ptr, ptr + bytes) live; false (and nothing marked) when it overlaps one. */
  claim(ptr: number, bytes: number): boolean {
    return this.live.claim(ptr, bytes);
  }

  /** POINTER: the payload `call` returned overlaps a live block, named with its id and range. */
  overlapError(op: number, id: number, ptr: number, bytes: number, call: string): never {
    const slots = this.slots;
    const culprits: number[] = [];
    for (let other = 0; 2 * other < slots.length; other++) {
      const start = slots[2 * other]!;
      const tag = slots[2 * other + 1]!;
      if (other !== id && tag !== NONE && tag !== FAILED && start < ptr + bytes && ptr < start + tag - 1) culprits.push(other);
    }
    const named = culprits.map((c) => `id ${c} at [${slots[2 * c]}, ${slots[2 * c]! + slots[2 * c + 1]! - 1})`).join(", ");
    throw new ReplayError("POINTER", op, [id, ...culprits], `${call} returned ${ptr}: its payload [${ptr}, ${ptr + bytes}) overlaps the live block of ${named}`);
  }

  /** The payload pattern of id's block at `ptr`, every byte; `check` (CHECK_FREE, CHECK_END) names the moment. */
  verifyBlock(op: number, id: number, ptr: number, length: number, check: number): void {
    if (!this.patterns) return;
    const bad = this.memory.verify(ptr, 0, length, id);
    if (bad >= 0) this.integrityError(op, id, ptr, bad, check, ptr, 0, length);
  }

  /**
   * verifyBlock for realloc(oldPtr, size): sparse past SPARSE_FROM bytes (PatternMemory.verifySparse); free checks
   * it all. `check` is one of the CHECK_REALLOC_* codes.
   */
  verifyPrefix(op: number, id: number, ptr: number, length: number, check: number, oldPtr: number, size: number): void {
    if (!this.patterns) return;
    const bad = length > SPARSE_FROM ? this.memory.verifySparse(ptr, 0, length, id) : this.memory.verify(ptr, 0, length, id);
    if (bad >= 0) this.integrityError(op, id, ptr, bad, check, oldPtr, size, length);
  }

  /** Integrity mode, after a successful malloc/calloc: calloc'd bytes are zero; then the id's pattern. */
  fillNew(op: number, id: number, ptr: number, bytes: number, calloc: boolean): void {
    this.memory.sync(this.allocator.memory);
    if (calloc) {
      const nonZero = this.memory.verifyZero(ptr, bytes);
      if (nonZero >= 0) throw new ReplayError("INTEGRITY", op, [id], `calloc of ${bytes} bytes at ${ptr}: byte ${nonZero} is not zero`);
    }
    if (this.patterns) this.memory.fill(ptr, 0, bytes, id);
  }

  /**
   * realloc of the live id `id` to `size`; updates the id's state and returns the change in live bytes.
   * realloc(p, 0) frees p; a failed realloc leaves the id on its old block (C semantics).
   */
  realloc(op: number, id: number, size: number, integrity: boolean): number {
    const { allocator, slots } = this;
    const ptr = slots[2 * id]!;
    const old = slots[2 * id + 1]! - 1;
    if (ptr === 0 && size === 0) {
      // A zero-byte block that was NULL, resized to zero: nothing to call (realloc(NULL, 0) would be malloc(0)).
      slots[2 * id + 1] = NONE;
      return 0;
    }
    if (integrity && old > 0) this.verifyPrefix(op, id, ptr, old, CHECK_REALLOC_BEFORE, ptr, size);
    const moved = allocator.realloc(ptr, size);
    if (this.heapBytesOf !== null) this.observeHeap();
    if (size === 0) {
      slots[2 * id + 1] = NONE;
      if (old > 0) this.live.release(ptr, old);
      return -old;
    }
    if (moved === 0) {
      this.classifyFailure(size);
      if (ptr !== 0) {
        if (integrity && old > 0) this.verifyPrefix(op, id, ptr, old, CHECK_REALLOC_FAILED, ptr, size);
        return 0;
      }
      slots[2 * id + 1] = FAILED;
      return -old;
    }
    if (size > MAX_SLOT_SIZE) throw new ReplayError("TRACE", op, [id], `a live block of ${size} bytes is too large to track`);
    if (moved !== ptr) {
      const cost = allocator.lastSearchCost;
      if (typeof cost === "number" && cost > 0) this.reallocSearch += cost;
    }
    // The same test as malloc's in the hot loop; the call's text only for the message.
    if (typeof moved !== "number" || moved % 8 !== 0 || !(moved >= 0) || moved + size > this.memoryLength) this.checkPointer(op, id, moved, size, `realloc(${ptr}, ${size})`);
    // The overlap check, with integrity on or off (only the payload patterns are integrity mode's).
    if (moved === ptr && old > 0) {
      // Resized in place: only the granules past the old payload's are new (a buffer grown step by step would
      // otherwise re-mark its whole payload each time), or only those past the new size are given back.
      const had = Math.ceil(old / 8) * 8;
      const has = Math.ceil(size / 8) * 8;
      if (has > had && !this.claim(ptr + had, size - had)) this.overlapError(op, id, moved, size, `realloc(${ptr}, ${size})`);
      if (has < had) this.live.release(ptr + has, old - has);
    } else {
      if (old > 0) this.live.release(ptr, old);
      if (!this.claim(moved, size)) this.overlapError(op, id, moved, size, `realloc(${ptr}, ${size})`);
    }
    slots[2 * id] = moved;
    slots[2 * id + 1] = size + 1;
    if (integrity) {
      this.memory.sync(allocator.memory);
      const kept = Math.min(old, size);
      this.verifyPrefix(op, id, moved, kept, CHECK_REALLOC_KEPT, ptr, size);
      if (this.patterns) this.memory.fill(moved, kept, size, id);
    }
    return size - old;
  }

  check(op: number, id: number): void {
    try {
      this.allocator.check();
    } catch (e) {
      throw new ReplayError("CHECK", op, id >= 0 ? [id] : [], `${this.allocator.name}.check() failed: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** Counts a search cost outside the histogram's current range (grows it, or clamps at HISTOGRAM_CAP). */
function growHistogram(histogram: Float64Array<ArrayBuffer>, cost: number): Float64Array<ArrayBuffer> {
  const bin = cost < HISTOGRAM_CAP ? Math.max(0, Math.floor(cost)) : HISTOGRAM_CAP - 1;
  let h = histogram;
  if (bin >= h.length) {
    let length = h.length;
    while (length <= bin) length *= 2;
    h = new Float64Array(length);
    h.set(histogram);
  }
  h[bin]!++;
  return h;
}

/** The hot loop's running totals, carried from one chunk to the next. */
class LoopState {
  /**
   * Live bytes by the CS:APP malloc-lab rule (mdriver's `total_size`): `a`/`c` add the requested size,
   * `r` adds new − old, `f` subtracts the size. Failed requests add nothing.
   */
  liveBytes = 0;
  /** High-water mark of liveBytes (mdriver's `max_total_size`). */
  peakLiveBytes = 0;
  /** Set when liveBytes reaches a new high; the heap is captured before the next op that lowers it. */
  peakPending = false;
  histogram: Float64Array<ArrayBuffer>;
  searchCount = 0;
  searchSum = 0;
  searchMax = 0;
  constructor(readonly measureSearch: boolean) {
    this.histogram = new Float64Array(measureSearch ? 256 : 0);
  }
}

/**
 * Replays ops [from, to) and returns `to`, or returns early, before op i, when op i would lower the live bytes
 * while a new peak awaits capture (the caller captures it and resumes at i).
 *
 * Nothing cold is called from here (sampling, peak capture and check() happen between chunks): TurboFan would
 * otherwise inline stats() and friends into the loop, spend its inlining budget on them, and leave the
 * allocator's malloc/free as real calls.
 */
function replayChunk(trace: Trace, allocator: Allocator, ctx: ReplayContext, st: LoopState, from: number, to: number, integrity: boolean): number {
  const { kind, id: ids, size: sizes, count: counts } = trace.columns;
  const slots = ctx.slots;
  const measureSearch = st.measureSearch;
  const observeHeap = ctx.heapBytesOf !== null;
  let { liveBytes, peakLiveBytes, peakPending, histogram, searchCount, searchSum, searchMax } = st;
  let i = from;
  try {
    for (; i < to; i++) {
      const k = kind[i]!;
      const id = ids[i]!;
      const slot = 2 * id;
      const tag = slots[slot + 1]!;
      if (k === OP_FREE) {
        if (tag !== NONE && tag !== FAILED) {
          if (peakPending) break;
          const ptr = slots[slot]!;
          const size = tag - 1;
          if (size > 0) {
            if (integrity) ctx.verifyBlock(i, id, ptr, size, CHECK_FREE);
            ctx.live.release(ptr, size);
          }
          allocator.free(ptr);
          liveBytes -= size;
          slots[slot + 1] = NONE;
        } else if (tag === FAILED) {
          slots[slot + 1] = NONE;
        } else {
          throw new ReplayError("TRACE", i, [id], `free of id ${id}, which is not live`);
        }
      } else if (k === OP_REALLOC && tag !== NONE) {
        if (tag !== FAILED) {
          const size = sizes[i]!;
          if (peakPending && size < tag - 1) break;
          liveBytes += ctx.realloc(i, id, size, integrity);
          if (liveBytes > peakLiveBytes) {
            peakLiveBytes = liveBytes;
            peakPending = true;
          }
        }
      } else {
        // malloc, calloc, or realloc of an id that is not live (realloc(NULL, n) = malloc(n)).
        if (tag !== NONE && tag !== FAILED) throw new ReplayError("TRACE", i, [id], `${k === OP_MALLOC ? "malloc" : "calloc"} of id ${id}, which is already live`);
        let bytes: number;
        let ptr: number;
        if (k === OP_CALLOC) {
          const count = counts[i]!;
          const size = sizes[i]!;
          bytes = count * size;
          ptr = allocator.calloc(count, size);
        } else {
          bytes = sizes[i]!;
          ptr = allocator.malloc(bytes);
        }
        if (measureSearch) {
          const cost = allocator.lastSearchCost!;
          if (cost >= 0 && cost < histogram.length && cost === (cost | 0)) histogram[cost]!++;
          else histogram = growHistogram(histogram, cost);
          searchCount++;
          searchSum += cost;
          if (cost > searchMax) searchMax = cost;
        }
        if (observeHeap) ctx.observeHeap();
        if (ptr === 0 && bytes !== 0) {
          ctx.classifyFailure(bytes);
          slots[slot + 1] = FAILED;
        } else {
          if (bytes > MAX_SLOT_SIZE) throw new ReplayError("TRACE", i, [id], `a live block of ${bytes} bytes is too large to track`);
          // Every returned pointer is checked here, at its op: a number, a multiple of 8, its payload inside memory
          // (the cached length; the slow path re-reads it and names what is wrong).
          if (typeof ptr !== "number" || ptr % 8 !== 0 || !(ptr >= 0) || ptr + bytes > ctx.memoryLength) {
            ctx.checkPointer(i, id, ptr, bytes, k === OP_CALLOC ? `calloc(${counts[i]}, ${sizes[i]})` : `malloc(${bytes})`);
          }
          if (bytes > 0 && !ctx.claim(ptr, bytes)) {
            ctx.overlapError(i, id, ptr, bytes, k === OP_CALLOC ? `calloc(${counts[i]}, ${sizes[i]})` : `malloc(${bytes})`);
          }
          slots[slot] = ptr;
          slots[slot + 1] = bytes + 1;
          liveBytes += bytes;
          if (liveBytes > peakLiveBytes) {
            peakLiveBytes = liveBytes;
            peakPending = true;
          }
          if (integrity && bytes > 0) ctx.fillNew(i, id, ptr, bytes, k === OP_CALLOC);
        }
      }
    }
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    const id = i < kind.length ? ids[i]! : -1;
    throw new ReplayError("ALLOCATOR", i, id >= 0 ? [id] : [], `${allocator.name} threw: ${(e as Error).message}`, { cause: e });
  }
  st.liveBytes = liveBytes;
  st.peakLiveBytes = peakLiveBytes;
  st.peakPending = peakPending;
  st.histogram = histogram;
  st.searchCount = searchCount;
  st.searchSum = searchSum;
  st.searchMax = searchMax;
  return i;
}

/**
 * Replays `trace` on `allocator` and measures it. A failed malloc does not stop the replay: the id is marked
 * failed, its later reallocs and its free are skipped, and the failure is classified (see `failures`).
 * A failed realloc leaves the id on its old block (C semantics: the old pointer stays valid).
 * `r` on an id that is not live is realloc(NULL, n), i.e. a malloc.
 *
 * @throws ReplayError INTEGRITY when a block's bytes changed while it was live (integrity mode), CHECK when
 *   `allocator.check()` throws, ALLOCATOR when the allocator throws, TRACE when the trace frees or mallocs
 *   an id in the wrong state, OPTIONS for bad options.
 */
export function replay(trace: Trace, allocator: Allocator, options: ReplayOptions = {}): ReplayResult {
  const integrity = options.integrity ?? true;
  const checkEvery = options.checkEvery ?? 0;
  const timelinePoints = options.timelinePoints ?? 1000;
  const heapBytesOf = options.heapBytesOf ?? null;
  const snapshot = options.snapshot ?? null;
  if (snapshot !== null && (!Number.isInteger(snapshot.every) || snapshot.every < 1)) {
    throw new ReplayError("OPTIONS", 0, [], `snapshot.every must be an integer >= 1, got ${String(snapshot.every)}`);
  }
  if (!Number.isInteger(checkEvery) || checkEvery < 0) {
    throw new ReplayError("OPTIONS", 0, [], `checkEvery must be an integer >= 0, got ${String(checkEvery)}`);
  }
  if (!Number.isInteger(timelinePoints) || timelinePoints < 2) {
    throw new ReplayError("OPTIONS", 0, [], `timelinePoints must be an integer >= 2, got ${String(timelinePoints)}`);
  }
  const searchBudget = options.searchBudget ?? Number.POSITIVE_INFINITY;
  if (!(searchBudget >= 0)) throw new ReplayError("OPTIONS", 0, [], `searchBudget must be a number >= 0, got ${String(searchBudget)}`);

  const n = trace.length;
  const patterns = integrity && (options.patterns ?? true);
  const peakStatsWanted = options.peakStats ?? true;
  const ctx = new ReplayContext(allocator, trace.idCount, heapBytesOf, patterns, peakStatsWanted);
  const slots = ctx.slots;

  if (heapBytesOf !== null) ctx.observeHeap();
  ctx.sample(0, 0);
  const st = new LoopState(typeof allocator.lastSearchCost === "number");
  const ids = trace.columns.id;
  // Samples after ops ceil(j * n / (timelinePoints - 1)), j = 1 .. timelinePoints - 1: evenly spaced, n included.
  const intervals = timelinePoints - 1;
  let sampleIndex = 1;
  let nextSample = Math.ceil(n / intervals);
  let nextCheck = checkEvery !== 0 ? checkEvery : Number.POSITIVE_INFINITY;
  let nextSnapshot = snapshot !== null ? Math.min(snapshot.every, n) : Number.POSITIVE_INFINITY;
  // With a search budget, the spent work is checked at least every 1/1000 of the trace.
  const budgetEvery = searchBudget < Number.POSITIVE_INFINITY ? Math.max(1, Math.ceil(n / 1000)) : Number.POSITIVE_INFINITY;
  let nextBudget = budgetEvery;
  let done = 0;
  try {
    while (done < n) {
      const to = Math.min(nextSample, nextCheck, nextSnapshot, nextBudget, n);
      const stopped = replayChunk(trace, allocator, ctx, st, done, to, integrity);
      if (stopped < to) {
        ctx.capturePeak(st.liveBytes);
        st.peakPending = false;
        done = stopped;
        continue;
      }
      done = to;
      if (st.searchSum + ctx.reallocSearch > searchBudget) {
        throw new ReplayError("BUDGET", done - 1, [], `${allocator.name} examined ${st.searchSum + ctx.reallocSearch} free blocks in the first ${done} ops, more than the search budget of ${searchBudget}`);
      }
      if (done === nextBudget) nextBudget += budgetEvery;
      if (done === nextCheck) {
        ctx.check(done - 1, ids[done - 1]!);
        nextCheck += checkEvery;
      }
      if (done === nextSample) {
        ctx.sample(done, st.liveBytes);
        while (nextSample <= done && sampleIndex < intervals) nextSample = Math.ceil((++sampleIndex * n) / intervals);
        if (nextSample <= done) nextSample = n;
      }
      if (done === nextSnapshot) {
        snapshot!.take(done, allocator);
        nextSnapshot = done === n ? Number.POSITIVE_INFINITY : Math.min(done + snapshot!.every, n);
      }
    }
  } catch (e) {
    // stats() (sampling, peak capture) threw between chunks.
    if (e instanceof ReplayError) throw e;
    throw new ReplayError("ALLOCATOR", done, [], `${allocator.name}.stats() threw: ${(e as Error).message}`, { cause: e });
  }
  const { liveBytes, peakLiveBytes, peakPending, histogram, searchCount, searchSum, searchMax, measureSearch } = st;
  const timeline = ctx.timeline;
  if (timeline[timeline.length - 1]!.op !== n) ctx.sample(n, liveBytes);
  if (peakPending) ctx.capturePeak(liveBytes);
  if (patterns) {
    for (let id = 0; 2 * id < slots.length; id++) {
      const tag = slots[2 * id + 1]!;
      const size = tag - 1;
      if (tag !== FAILED && size > 0) ctx.verifyBlock(n, id, slots[2 * id]!, size, CHECK_END);
    }
  }
  if (checkEvery !== 0) ctx.check(n, -1);
  const { outOfMemory, fragmented, peakStatsLive, observedPeakHeap } = ctx;

  const finalStats = allocator.stats();
  const atPeak = ctx.peakStats;

  /**
   * Peak heap bytes: the allocator's own high-water mark of its heap extent (HeapStats.peakHeapBytes), or, with
   * `heapBytesOf`, the largest extent it reported after any allocating op.
   */
  const peakHeapBytes = heapBytesOf !== null ? Math.max(observedPeakHeap, heapBytesOf(allocator)) : finalStats.peakHeapBytes;

  /** Utilization (CS:APP malloc lab, mdriver): `peakLiveBytes / peakHeapBytes`. NaN when the heap never had bytes. */
  const utilization = peakHeapBytes > 0 ? peakLiveBytes / peakHeapBytes : Number.NaN;

  /**
   * Fragmentation (Johnstone & Wilson, "The Memory Fragmentation Problem: Solved?", 1998, measure #4 as a
   * ratio): `peakHeapBytes / peakLiveBytes − 1`. 0 means the heap never held more than the program needed.
   * NaN when nothing was ever live.
   */
  const fragmentation = peakLiveBytes > 0 ? peakHeapBytes / peakLiveBytes - 1 : Number.NaN;

  /**
   * Internal fragmentation at the peak of live bytes: `(usedBytes − liveBytes) / usedBytes` — the share of
   * allocated block bytes not requested (headers, alignment, rounding, unsplit remainders). 0 when nothing is used.
   */
  const internalFragmentation = !peakStatsWanted ? Number.NaN : atPeak !== null && atPeak.usedBytes > 0 ? (atPeak.usedBytes - peakStatsLive) / atPeak.usedBytes : 0;

  /**
   * External fragmentation (`1 − largestFreeBlock / freeBytes`, see externalFragmentationOf): `atPeak` at the
   * moment live bytes peaked (end of the peak plateau, before the next op that lowered them); `mean` over the
   * timeline samples after op 0 (evenly spaced in ops).
   */
  let externalSum = 0;
  let externalCount = 0;
  for (const point of timeline) {
    if (point.op === 0) continue;
    externalSum += point.externalFragmentation;
    externalCount++;
  }
  const externalFragmentation = {
    atPeak: !peakStatsWanted ? Number.NaN : atPeak !== null ? externalFragmentationOf(atPeak) : 0,
    mean: externalCount > 0 ? externalSum / externalCount : 0,
  };

  /** Search cost: free blocks (or bins) examined per malloc/calloc, read from `allocator.lastSearchCost`. */
  let searchCost: SearchCost | null = null;
  if (measureSearch) {
    let p99 = 0;
    const rank = Math.ceil(0.99 * searchCount);
    let seen = 0;
    for (let c = 0; c < histogram.length; c++) {
      seen += histogram[c]!;
      if (seen >= rank) {
        p99 = c;
        break;
      }
    }
    const pairs: Array<[number, number]> = [];
    for (let c = 0; c < histogram.length; c++) if (histogram[c]! > 0) pairs.push([c, histogram[c]!]);
    searchCost = { count: searchCount, mean: searchCount > 0 ? searchSum / searchCount : 0, p99, max: searchMax, histogram: pairs };
  }

  return {
    allocator: allocator.name,
    ops: n,
    peakLiveBytes,
    peakHeapBytes,
    utilization,
    fragmentation,
    internalFragmentation,
    externalFragmentation,
    failures: { outOfMemory, fragmented },
    searchCost,
    timeline,
  };
}
