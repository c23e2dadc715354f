/**
 * A second look at a replay that the bench's metrics do not give: the distribution of free blocks examined per
 * malloc (search cost histogram) and, for chosen workloads, a heap map (used fraction of each address range
 * over time). Replays the trace once more with no integrity checks.
 */
import { type Allocator, NULL } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, type Trace } from "@dmm/workloads";
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

export interface Observation {
  searchCostHistogram: Array<[string, number]>;
  heapMap: HeapMap | null;
}

/**
 * Replays `trace` on `allocator`, bucketing `lastSearchCost` after every successful malloc, and, when
 * `heapMapExtent` > 0, walking the heap at HEAP_MAP_TIMES evenly spaced ops into HEAP_MAP_BINS address bins
 * of heapMapExtent / HEAP_MAP_BINS bytes each.
 */
export function observe(trace: Trace, allocator: Allocator, heapMapExtent: number): Observation {
  const { kind, id, size, count } = trace.columns;
  const ptrs = new Float64Array(trace.idCount);
  const buckets = new Float64Array(23);
  let tellsCost = false;
  const n = trace.length;
  const mapping = heapMapExtent > 0 && n > 0;
  const binBytes = mapping ? Math.ceil(heapMapExtent / HEAP_MAP_BINS / 8) * 8 : 0;
  const times: number[] = [];
  const used: number[][] = [];
  const every = Math.max(1, Math.ceil(n / HEAP_MAP_TIMES));
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const obj = id[i]!;
    if (k === OP_FREE) {
      const p = ptrs[obj]!;
      if (p !== NULL) allocator.free(p);
      ptrs[obj] = NULL;
    } else {
      let p: number;
      if (k === OP_MALLOC) p = allocator.malloc(size[i]!);
      else if (k === OP_CALLOC) p = allocator.calloc(count[i]!, size[i]!);
      else {
        const old = ptrs[obj]!;
        p = allocator.realloc(old, size[i]!);
        if (p === NULL && size[i]! !== 0) p = old; // a failed realloc leaves the old block
      }
      ptrs[obj] = p;
      const cost = allocator.lastSearchCost;
      if (cost !== undefined && k !== OP_REALLOC) {
        tellsCost = true;
        buckets[searchCostBucket(cost)]!++;
      }
    }
    if (mapping && ((i + 1) % every === 0 || i === n - 1)) {
      times.push(i + 1);
      used.push(snapshot(allocator, binBytes));
    }
  }
  const histogram: Array<[string, number]> = [];
  if (tellsCost) {
    let last = 0;
    for (let b = 0; b < buckets.length; b++) if (buckets[b]! > 0) last = b;
    for (let b = 0; b <= last; b++) histogram.push([searchCostBucketLabel(b), buckets[b]!]);
  }
  return {
    searchCostHistogram: histogram,
    heapMap: mapping ? { times, binBytes, bins: HEAP_MAP_BINS, used } : null,
  };
}

/** Used fraction per address bin; -1 for bins past the heap's current extent. */
function snapshot(allocator: Allocator, binBytes: number): number[] {
  const usedBytes = new Float64Array(HEAP_MAP_BINS);
  let extent = 0;
  for (const block of allocator.walk()) {
    const end = block.payload + block.size;
    if (end > extent) extent = end;
    if (block.free) continue;
    let start = block.offset;
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
