/**
 * The heap map recorder keeps every snapshot's used ranges in one typed array (observe.ts): its map is the used
 * fraction of each address bin at each moment, exactly as binning `walk()`'s used blocks at those ops by hand gives.
 */
import { replay } from "@dmm/bench";
import { createHeap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { generate } from "@dmm/workloads";
import { expect, it } from "vitest";
import { HEAP_MAP_BINS, HEAP_MAP_TIMES, heapMapRecorder } from "../src/observe.js";

it("bins each moment's used blocks over the final extent, -1 past that moment's extent", () => {
  const trace = generate("mixed", { ops: 6000, live: 400, seed: 3 });
  const recorder = heapMapRecorder(trace.length);
  // The reference: the same moments, walked and binned byte by byte.
  const expected: number[][] = [];
  const moments: Array<{ used: Array<[number, number]>; extent: number }> = [];
  const result = replay(trace, createHeap({ size: 0, maxSize: 1 << 24, strategy: tlsf(), coalescing: "immediate" }), {
    snapshot: {
      every: recorder.snapshot.every,
      take(op, allocator) {
        recorder.snapshot.take(op, allocator);
        const used: Array<[number, number]> = [];
        let extent = 0;
        for (const b of allocator.walk()) {
          extent = Math.max(extent, b.payload + b.size);
          if (!b.free) used.push([b.offset, b.payload + b.size]);
        }
        moments.push({ used, extent });
      },
    },
  });
  const map = recorder.finish(result.peakHeapBytes)!;
  const binBytes = Math.ceil(result.peakHeapBytes / HEAP_MAP_BINS / 8) * 8;
  for (const { used, extent } of moments) {
    const row: number[] = [];
    for (let b = 0; b < HEAP_MAP_BINS; b++) {
      const lo = b * binBytes;
      const hi = lo + binBytes;
      let bytes = 0;
      for (const [start, end] of used) bytes += Math.max(0, Math.min(end, hi) - Math.max(start, lo));
      row.push(lo >= extent ? -1 : Math.round((bytes / binBytes) * 1000) / 1000);
    }
    expected.push(row);
  }
  expect(map.binBytes).toBe(binBytes);
  expect(map.times.length).toBe(HEAP_MAP_TIMES);
  expect(moments.length).toBe(HEAP_MAP_TIMES);
  expect(map.used).toEqual(expected);
  // Not a map of nothing: some bins are partly used at some moment.
  expect(map.used.flat().some((u) => u > 0 && u < 1)).toBe(true);
});
