import { describe, expect, it } from "vitest";
import { verdictLines } from "../src/summary.js";
import type { CellResult } from "../src/types.js";
import { latencyRanks, verdicts } from "../src/verdict.js";

/** A cell with a heap and a timing: peak heap bytes (peak live is 1000), ns/op and its interval's half-width. */
function cell(allocator: string, peakHeapBytes: number, nsPerOp: number, half: number, index: number, workload = "w"): CellResult {
  return {
    index, allocator, allocatorKind: "strategy", coalescing: "immediate", workload, workloadKind: "randomized", error: null,
    metrics: {
      ops: 10, peakLiveBytes: 1000, peakHeapBytes, utilization: 1000 / peakHeapBytes, fragmentation: peakHeapBytes / 1000 - 1,
      internalFragmentation: 0, externalFragmentationAtPeak: 0, externalFragmentationMean: 0, failuresOutOfMemory: 0, failuresFragmented: 0,
      searchCostMean: 0, searchCostP99: 0, searchCostMax: 0, fixedArenaBytes: 0, fixedOps: 0, fixedRequests: 0, fixedFailuresOutOfMemory: 0, fixedFailuresFragmented: 0,
    },
    latency: {
      nsPerOp, nsPerOpCiLow: nsPerOp - half, nsPerOpCiHigh: nsPerOp + half, noisy: false, rme: (100 * half) / nsPerOp, opsPerSecond: 1e9 / nsPerOp, ops: 10, samples: 5,
      mallocP50: 1, mallocP99: 1, mallocP999: 1, mallocMax: 1, freeP50: 1, freeP99: 1, freeP999: 1, freeMax: 1,
    },
    timeline: [], searchCostHistogram: [], heapMap: null, footprint: null, elapsedMs: 1,
  };
}

const names = (cs: ReadonlyArray<{ allocator: string }>) => cs.map((c) => c.allocator);

describe("the verdict", () => {
  // a and b: least memory (equal), timings that overlap; c: fastest, e within its noise; d beaten on both counts.
  const cells = [cell("a", 1000, 100, 2, 0), cell("b", 1000, 103, 3, 1), cell("c", 1200, 50, 1, 2), cell("d", 1100, 200, 5, 3), cell("e", 1500, 52, 2, 4)];

  it("names the least memory, the fastest and the best balance, with ties within noise", () => {
    const [v] = verdicts(cells);
    expect(names(v!.leastMemory)).toEqual(["a", "b"]); // equal peak heap
    expect(names(v!.fastest)).toEqual(["c", "e"]); // e's interval (50..54) overlaps c's (49..51)
    // d: a uses less memory and is significantly faster; e: c uses less memory and is not significantly slower.
    expect(names(v!.front)).toEqual(["a", "b", "c"]);
    // memory × time, each relative to the best: a 1 × 2, b 1 × 2.06, c 1.2 × 1.
    expect(names(v!.balance)).toEqual(["c"]);
  });

  it("ranks by time with overlapping intervals as ties", () => {
    expect(latencyRanks(cells.map((c) => c.latency))).toEqual([3, 3, 1, 5, 1]);
  });

  it("is one verdict per workload, and ends the terminal summary", () => {
    const list = verdicts([...cells, cell("a", 1000, 10, 1, 5, "other"), cell("b", 2000, 30, 1, 6, "other")]);
    expect(list.map((v) => v.workload)).toEqual(["w", "other"]);
    const text = verdictLines(list);
    expect(text).toContain("least memory: a (immediate), = b (immediate)  (peak heap 1.000 × peak live)");
    expect(text).toContain("fastest:      c (immediate), = e (immediate)  (50 ±1 ns/op)");
    expect(text).toContain("best balance: c (immediate)");
  });
});
