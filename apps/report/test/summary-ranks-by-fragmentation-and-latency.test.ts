import { describe, expect, it } from "vitest";
import { summaryTable } from "../src/summary.js";
import type { CellResult } from "../src/types.js";

function cell(allocator: string, index: number, peakHeapBytes: number, nsPerOp: number): CellResult {
  return {
    index, allocator, allocatorKind: "strategy", coalescing: "immediate", workload: "w", workloadKind: "randomized", error: null,
    metrics: {
      ops: 10, peakLiveBytes: 1000, peakHeapBytes, utilization: 1000 / peakHeapBytes, fragmentation: peakHeapBytes / 1000 - 1,
      internalFragmentation: 0, externalFragmentationAtPeak: 0, externalFragmentationMean: 0, failuresOutOfMemory: 0, failuresFragmented: 0,
      searchCostMean: 0, searchCostP99: 0, searchCostMax: 0, fixedArenaBytes: 1250, fixedOps: 10, fixedRequests: 5,
      fixedFailuresOutOfMemory: 1, fixedFailuresFragmented: 2,
    },
    latency: {
      nsPerOp, nsPerOpCiLow: nsPerOp, nsPerOpCiHigh: nsPerOp, noisy: false, rme: 0, opsPerSecond: 1e9 / nsPerOp, ops: 10, samples: 3, mallocP50: 1, mallocP99: 1, mallocP999: 1, mallocMax: 1,
      freeP50: 1, freeP99: 1, freeP999: 1, freeMax: 1,
    },
    timeline: [], searchCostHistogram: [], heapMap: null, footprint: null, elapsedMs: 1,
  };
}

describe("the terminal summary", () => {
  it("ranks allocators by peak heap / peak live and gives each its latency rank", () => {
    const text = summaryTable([cell("slow-tight", 0, 1100, 500), cell("fast-loose", 1, 1800, 50), cell("middle", 2, 1400, 100)]);
    const rows = text.split("\n").filter((l) => /^\d/.test(l));
    expect(rows.map((r) => r.split(/\s+/)[1])).toEqual(["slow-tight", "middle", "fast-loose"]);
    expect(rows.map((r) => r.trim().split(/\s+/).at(-1))).toEqual(["3", "2", "1"]);
    expect(rows[0]).toContain("1.100");
    expect(rows[0]).toMatch(/\s3\s/); // fixed-arena failures: 1 + 2
  });

  it("lists cells without numbers with the reason", () => {
    const skipped: CellResult = { ...cell("peer", 3, 1000, 1), metrics: null, latency: null, error: "skipped: too slow" };
    expect(summaryTable([cell("a", 0, 1100, 10), skipped])).toContain("peer (immediate): no result: skipped: too slow");
  });
});
