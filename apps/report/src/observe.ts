/**
 * What the report shows of a replay beyond its scalar metrics, taken from the metric replay itself (no replay of
 * its own): the distribution of free blocks examined per malloc (search cost histogram, bucketed from replay's
 * exact one) and, for chosen workloads, a heap map (used fraction of each address range over time).
 */
import type { Allocator } from "@dmm/core";
import type { HeapMap } from "./types.js";

/** Snapshots in a heap map. */
export const HEAP_MAP_TIMES = 100;
/** Address bins in a heap map. */
export const HEAP_MAP_BINS = 128;

/** Search-cost bucket labels: 0, 1, 2, 3–4, 5–8, 9–16 … up to 2^20+. */
export function searchCostBucket(examined: number): number {
  if (examined <= 2) return examined;
  return Math.min(22, 32 - Math.clz32(examined - 1) + 1);
}

export function searchCostBucketLabel(bucket: number): string {
  if (bucket <= 2) return String(bucket);
  const hi = 2 ** (bucket - 1);
  return bucket === 22 ? `>${2 ** 20}` : `${hi / 2 + 1}-${hi}`;
}

/** The report's search-cost histogram ([bucket label, mallocs]) from replay's exact one; empty when the allocator does not tell. */
export function searchCostHistogram(exact: ReadonlyArray<readonly [number, number]> | undefined): Array<[string, number]> {
  if (!exact || exact.length === 0) return [];
  const buckets = new Float64Array(23);
  for (const [cost, count] of exact) buckets[searchCostBucket(cost)]! += count;
  let last = 0;
  for (let b = 0; b < buckets.length; b++) if (buckets[b]! > 0) last = b;
  const histogram: Array<[string, number]> = [];
  for (let b = 0; b <= last; b++) histogram.push([searchCostBucketLabel(b), buckets[b]!]);
  return histogram;
}

/**
 * Records a heap map during the metric replay (replay's `snapshot` hook): at HEAP_MAP_TIMES evenly spaced ops it
 * keeps the used blocks' address ranges; `finish(extent)` bins them into HEAP_MAP_BINS ranges of extent / BINS
 * bytes (the extent, the replay's peak heap bytes, is known only at the end). The ranges of every moment go into
 * one growing Float64Array (start, end pairs; moment m's are pairs [firsts[m], firsts[m + 1])): a snapshot
 * allocates nothing per block beyond what `walk()` itself does.
 */
export function heapMapRecorder(ops: number): { snapshot: { every: number; take(op: number, allocator: Allocator): void }; finish(extent: number): HeapMap | null } {
  const times: number[] = [];
  const extents: number[] = [];
  const firsts: number[] = [0];
  let ranges = new Float64Array(1024);
  let length = 0;
  return {
    snapshot: {
      every: Math.max(1, Math.ceil(ops / HEAP_MAP_TIMES)),
      take(op, allocator) {
        let extent = 0;
        for (const block of allocator.walk()) {
          const end = block.payload + block.size;
          if (end > extent) extent = end;
          if (!block.free) {
            // A used block right after the last one extends its range (runs of used blocks are most of a heap).
            if (length > firsts[firsts.length - 1]! && ranges[length - 1] === block.offset) {
              ranges[length - 1] = end;
              continue;
            }
            if (length + 2 > ranges.length) {
              const grown = new Float64Array(2 * ranges.length);
              grown.set(ranges);
              ranges = grown;
            }
            ranges[length++] = block.offset;
            ranges[length++] = end;
          }
        }
        times.push(op);
        extents.push(extent);
        firsts.push(length);
      },
    },
    finish(extent) {
      if (extent <= 0 || times.length === 0) return null;
      const binBytes = Math.ceil(extent / HEAP_MAP_BINS / 8) * 8;
      return { times, binBytes, bins: HEAP_MAP_BINS, used: extents.map((e, m) => binned(ranges, firsts[m]!, firsts[m + 1]!, e, binBytes)) };
    },
  };
}

/** Used fraction per address bin of the ranges in pairs [from, to) of `ranges`; -1 for bins past the heap's extent at that moment. */
function binned(ranges: Float64Array, from: number, to: number, extent: number, binBytes: number): number[] {
  const usedBytes = new Float64Array(HEAP_MAP_BINS);
  for (let r = from; r < to; r += 2) {
    let start = ranges[r]!;
    const end = ranges[r + 1]!;
    while (start < end) {
      const bin = Math.floor(start / binBytes);
      if (bin >= HEAP_MAP_BINS) break;
      const binEnd = Math.min(end, (bin + 1) * binBytes);
      usedBytes[bin]! += binEnd - start;
      start = binEnd;
    }
  }
  const out: number[] = [];
  for (let b = 0; b < HEAP_MAP_BINS; b++) {
    out.push(b * binBytes >= extent ? -1 : Math.round((usedBytes[b]! / binBytes) * 1000) / 1000);
  }
  return out;
}
