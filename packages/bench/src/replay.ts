/**
 * The replay engine: runs a trace on any Allocator and measures what the policy did. Per-id state lives in
 * typed arrays indexed by id (pointer, requested size, state); the loop creates no object per op.
 *
 * Every metric is defined here, where it is computed (definitions: ARCHITECTURE.md "Metrics").
 */
import type { Allocator, HeapStats } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, type Trace } from "@dmm/workloads";
import { ReplayError, type ReplayOptions, type ReplayResult, type SearchCost, type TimelinePoint } from "./api.js";
import { PatternMemory, patternByte } from "./integrity.js";

/** An id never allocated, or freed. */
const NONE = 0;
/** An id with a live block (possibly ptr 0 for a zero-byte request the allocator answered with NULL). */
const LIVE = 1;
/** An id whose malloc failed: its later reallocs and its free are skipped. */
const FAILED = 2;

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
  let observedPeakHeap = 0;
  if (!Number.isInteger(checkEvery) || checkEvery < 0) {
    throw new ReplayError("OPTIONS", 0, [], `checkEvery must be an integer >= 0, got ${String(checkEvery)}`);
  }
  if (!Number.isInteger(timelinePoints) || timelinePoints < 2) {
    throw new ReplayError("OPTIONS", 0, [], `timelinePoints must be an integer >= 2, got ${String(timelinePoints)}`);
  }

  const { kind, id: ids, size: sizes, count: counts } = trace.columns;
  const n = kind.length;
  const ptrOf = new Float64Array(trace.idCount);
  const sizeOf = new Float64Array(trace.idCount);
  const state = new Uint8Array(trace.idCount);
  const memory = new PatternMemory();

  const measureSearch = typeof allocator.lastSearchCost === "number";
  let histogram = new Float64Array(measureSearch ? 256 : 0);
  let searchCount = 0;
  let searchSum = 0;
  let searchMax = 0;

  /**
   * Live bytes by the CS:APP malloc-lab rule (mdriver's `total_size`): `a`/`c` add the requested size,
   * `r` adds new − old, `f` subtracts the size. Failed requests add nothing.
   */
  let liveBytes = 0;
  /** High-water mark of liveBytes (mdriver's `max_total_size`). */
  let peakLiveBytes = 0;
  /** Set when liveBytes reaches a new high; the heap is captured before the next op that lowers it. */
  let peakPending = false;
  let peakStats: HeapStats | null = null;
  let peakStatsLive = 0;

  let outOfMemory = 0;
  let fragmented = 0;

  // Samples at ops ceil(j * n / (timelinePoints - 1)), j = 0 .. timelinePoints - 1: evenly spaced, op 0 and n included.
  const intervals = timelinePoints - 1;
  const timeline: TimelinePoint[] = [];
  let sampleIndex = 1;
  let nextSample = Math.ceil(n / intervals);

  const sample = (op: number): void => {
    const s = allocator.stats();
    timeline.push({
      op,
      liveBytes,
      heapBytes: heapBytesOf !== null ? heapBytesOf(allocator) : s.heapBytes,
      usedBytes: s.usedBytes,
      freeBytes: s.freeBytes,
      largestFreeBlock: s.largestFreeBlock,
      freeBlocks: s.freeBlocks,
      externalFragmentation: externalFragmentationOf(s),
    });
  };

  const capturePeak = (): void => {
    peakStats = allocator.stats();
    peakStatsLive = liveBytes;
    peakPending = false;
  };

  /**
   * Failures in a fixed (or maxed-out) arena: a NULL return for a non-zero request. Fragmented when
   * `stats().freeBytes >= size` at that moment (enough free bytes existed, just not in one block),
   * out of memory otherwise (ARCHITECTURE.md "Metrics").
   */
  const classifyFailure = (size: number): void => {
    if (allocator.stats().freeBytes >= size) fragmented++;
    else outOfMemory++;
  };

  const observeHeap = (): void => {
    const bytes = heapBytesOf!(allocator);
    if (bytes > observedPeakHeap) observedPeakHeap = bytes;
  };

  const recordSearch = (): void => {
    const c = allocator.lastSearchCost ?? 0;
    const bin = c < HISTOGRAM_CAP ? Math.max(0, Math.floor(c)) : HISTOGRAM_CAP - 1;
    if (bin >= histogram.length) {
      let length = histogram.length;
      while (length <= bin) length *= 2;
      const grown = new Float64Array(length);
      grown.set(histogram);
      histogram = grown;
    }
    histogram[bin]!++;
    searchCount++;
    searchSum += c;
    if (c > searchMax) searchMax = c;
  };

  const integrityError = (op: number, id: number, ptr: number, offset: number, what: string): never => {
    const address = ptr + offset;
    const culprits: number[] = [];
    for (let other = 0; other < state.length; other++) {
      if (other !== id && state[other] === LIVE && ptrOf[other]! <= address && address < ptrOf[other]! + sizeOf[other]!) culprits.push(other);
    }
    const actual = memory.byteAt(address);
    const who = culprits.length
      ? `the live block of id ${culprits.join(", ")} at ${culprits.map((c) => `[${ptrOf[c]}, ${ptrOf[c]! + sizeOf[c]!})`).join(", ")} overlaps it`
      : "no live block covers it now (a block since freed, or the allocator's own metadata, overwrote it)";
    throw new ReplayError(
      "INTEGRITY",
      op,
      [id, ...culprits],
      `${what}: byte ${offset} of id ${id}'s block at ${ptr} (address ${address}) holds 0x${actual.toString(16)}, expected 0x${patternByte(id, offset).toString(16)}; ${who}`,
    );
  };

  const verifyBlock = (op: number, id: number, ptr: number, length: number, what: string): void => {
    const bad = memory.verify(ptr, 0, length, id);
    if (bad >= 0) integrityError(op, id, ptr, bad, what);
  };

  /** malloc / calloc of `id` (also realloc of an id that is not live). */
  const allocate = (op: number, id: number, k: number, size: number, count: number): void => {
    const bytes = k === OP_CALLOC ? count * size : size;
    const ptr = k === OP_CALLOC ? allocator.calloc(count, size) : allocator.malloc(size);
    if (measureSearch) recordSearch();
    if (heapBytesOf !== null) observeHeap();
    if (ptr === 0 && bytes !== 0) {
      classifyFailure(bytes);
      state[id] = FAILED;
      return;
    }
    ptrOf[id] = ptr;
    sizeOf[id] = bytes;
    state[id] = LIVE;
    liveBytes += bytes;
    if (liveBytes > peakLiveBytes) {
      peakLiveBytes = liveBytes;
      peakPending = true;
    }
    if (integrity && bytes > 0) {
      memory.sync(allocator.memory);
      if (k === OP_CALLOC) {
        const nonZero = memory.verifyZero(ptr, bytes);
        if (nonZero >= 0) {
          throw new ReplayError("INTEGRITY", op, [id], `calloc(${count}, ${size}) at ${ptr}: byte ${nonZero} is not zero`);
        }
      }
      memory.fill(ptr, 0, bytes, id);
    }
  };

  const reallocate = (op: number, id: number, size: number): void => {
    const ptr = ptrOf[id]!;
    const old = sizeOf[id]!;
    if (ptr === 0 && size === 0) {
      // A zero-byte block that was NULL, resized to zero: nothing to call (realloc(NULL, 0) would be malloc(0)).
      state[id] = NONE;
      return;
    }
    if (peakPending && size < old) capturePeak();
    if (integrity && old > 0) verifyBlock(op, id, ptr, old, `realloc(${ptr}, ${size}) before the call`);
    const moved = allocator.realloc(ptr, size);
    if (heapBytesOf !== null) observeHeap();
    if (size === 0) {
      // realloc(p, 0) frees p and returns NULL.
      state[id] = NONE;
      liveBytes -= old;
      return;
    }
    if (moved === 0 && ptr !== 0) {
      classifyFailure(size);
      if (integrity && old > 0) verifyBlock(op, id, ptr, old, `realloc(${ptr}, ${size}) failed and must leave the block unchanged`);
      return;
    }
    if (moved === 0) {
      classifyFailure(size);
      state[id] = FAILED;
      liveBytes -= old;
      return;
    }
    ptrOf[id] = moved;
    sizeOf[id] = size;
    liveBytes += size - old;
    if (liveBytes > peakLiveBytes) {
      peakLiveBytes = liveBytes;
      peakPending = true;
    }
    if (integrity) {
      memory.sync(allocator.memory);
      const kept = Math.min(old, size);
      const bad = memory.verify(moved, 0, kept, id);
      if (bad >= 0) integrityError(op, id, moved, bad, `realloc(${ptr}, ${size}) -> ${moved} did not keep the first ${kept} bytes`);
      memory.fill(moved, kept, size, id);
    }
  };

  const check = (op: number, id: number): void => {
    try {
      allocator.check();
    } catch (e) {
      throw new ReplayError("CHECK", op, id >= 0 ? [id] : [], `${allocator.name}.check() failed: ${(e as Error).message}`, { cause: e });
    }
  };

  if (heapBytesOf !== null) observeHeap();
  sample(0);
  let i = 0;
  try {
    for (; i < n; i++) {
      const k = kind[i]!;
      const id = ids[i]!;
      const s = state[id]!;
      if (k === OP_FREE) {
        if (s === LIVE) {
          if (peakPending) capturePeak();
          const ptr = ptrOf[id]!;
          const size = sizeOf[id]!;
          if (integrity && size > 0) verifyBlock(i, id, ptr, size, `free(${ptr})`);
          allocator.free(ptr);
          liveBytes -= size;
          state[id] = NONE;
        } else if (s === FAILED) {
          state[id] = NONE;
        } else {
          throw new ReplayError("TRACE", i, [id], `free of id ${id}, which is not live`);
        }
      } else if (k === OP_MALLOC || k === OP_CALLOC) {
        if (s === LIVE) throw new ReplayError("TRACE", i, [id], `${k === OP_MALLOC ? "malloc" : "calloc"} of id ${id}, which is already live`);
        allocate(i, id, k, sizes[i]!, counts[i]!);
      } else if (s === LIVE) {
        reallocate(i, id, sizes[i]!);
      } else if (s === NONE) {
        allocate(i, id, OP_MALLOC, sizes[i]!, 0);
      }
      if (checkEvery !== 0 && (i + 1) % checkEvery === 0) check(i, id);
      if (i + 1 === nextSample) {
        sample(i + 1);
        while (nextSample <= i + 1 && sampleIndex < intervals) nextSample = Math.ceil((++sampleIndex * n) / intervals);
      }
    }
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    const id = i < n ? ids[i]! : -1;
    throw new ReplayError("ALLOCATOR", i, id >= 0 ? [id] : [], `${allocator.name} threw: ${(e as Error).message}`, { cause: e });
  }
  if (timeline[timeline.length - 1]!.op !== n) sample(n);
  if (peakPending) capturePeak();
  if (integrity) {
    for (let id = 0; id < state.length; id++) {
      if (state[id] === LIVE && sizeOf[id]! > 0) verifyBlock(n, id, ptrOf[id]!, sizeOf[id]!, "at the end of the trace");
    }
  }
  if (checkEvery !== 0) check(n, -1);

  const finalStats = allocator.stats();
  const atPeak = peakStats as HeapStats | null;

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
  const internalFragmentation = atPeak !== null && atPeak.usedBytes > 0 ? (atPeak.usedBytes - peakStatsLive) / atPeak.usedBytes : 0;

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
    atPeak: atPeak !== null ? externalFragmentationOf(atPeak) : 0,
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
    searchCost = { count: searchCount, mean: searchCount > 0 ? searchSum / searchCount : 0, p99, max: searchMax };
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
