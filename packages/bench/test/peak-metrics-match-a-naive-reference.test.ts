import { externalFragmentationOf, replay } from "@dmm/bench";
import type { HeapStats } from "@dmm/core";
import { expect, it } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

/**
 * The reference: calls stats() after every op and keeps the state at the end of the highest live-bytes plateau
 * (the last moment live bytes equalled their maximum before first dropping below it).
 */
function naivePeak(seed: number): { peakLive: number; stats: HeapStats } {
  const trace = randomTrace(4000, seed);
  const heap = growableHeap();
  const ptr = new Map<number, number>();
  const size = new Map<number, number>();
  let live = 0, peak = 0, onPlateau = false;
  let stats: HeapStats | null = null;
  for (const op of trace) {
    if (op.kind === "a" || op.kind === "c") {
      const bytes = op.kind === "c" ? op.count! * op.size : op.size;
      ptr.set(op.id, op.kind === "c" ? heap.calloc(op.count!, op.size) : heap.malloc(op.size));
      size.set(op.id, bytes);
      live += bytes;
    } else if (op.kind === "r") {
      ptr.set(op.id, heap.realloc(ptr.get(op.id)!, op.size));
      live += op.size - size.get(op.id)!;
      size.set(op.id, op.size);
    } else {
      heap.free(ptr.get(op.id)!);
      live -= size.get(op.id)!;
    }
    if (live > peak) {
      peak = live;
      onPlateau = true;
    } else if (live < peak) {
      onPlateau = false;
    }
    if (onPlateau) stats = heap.stats();
  }
  return { peakLive: peak, stats: stats! };
}

it.each([1, 2, 3])("internal and external fragmentation at the peak match a stats()-after-every-op reference (seed %i)", (seed) => {
  const reference = naivePeak(seed);
  for (const options of [{}, { timelinePoints: 2, integrity: false }, { timelinePoints: 37, checkEvery: 7 }]) {
    const result = replay(randomTrace(4000, seed), growableHeap(), options);
    expect(result.peakLiveBytes).toBe(reference.peakLive);
    expect(result.internalFragmentation).toBe((reference.stats.usedBytes - reference.peakLive) / reference.stats.usedBytes);
    expect(result.externalFragmentation.atPeak).toBe(externalFragmentationOf(reference.stats));
  }
});
