import { parseCsv } from "./fixtures.js";
import { describe, expect, it } from "vitest";
import { DETERMINISTIC_COLUMNS, RESULT_COLUMNS, resultsCsv, TIMELINE_COLUMNS, timelineCsv } from "../src/csv.js";
import type { CellResult } from "../src/types.js";

const metrics = {
  ops: 4, peakLiveBytes: 100, peakHeapBytes: 150, utilization: 100 / 150, fragmentation: 0.5, internalFragmentation: 0.1,
  externalFragmentationAtPeak: 0.2, externalFragmentationMean: 0.3, failuresOutOfMemory: 0, failuresFragmented: 0,
  searchCostMean: 1.5, searchCostP99: 3, searchCostMax: 4, fixedArenaBytes: 4096, fixedOps: 4, fixedRequests: 2,
  fixedFailuresOutOfMemory: 1, fixedFailuresFragmented: 0,
};
const latency = {
  nsPerOp: 120, nsPerOpCiLow: 117.6, nsPerOpCiHigh: 122.4, noisy: false, rme: 2, opsPerSecond: 1e9 / 120, ops: 4, samples: 3, mallocP50: 50, mallocP99: 90, mallocP999: 99, mallocMax: 100,
  freeP50: 30, freeP99: 60, freeP999: 70, freeMax: 80,
};
const cell = (over: Partial<CellResult>): CellResult => ({
  index: 0, allocator: "first-fit", allocatorKind: "strategy", coalescing: "immediate", workload: "w", workloadKind: "randomized",
  error: null, metrics, latency, timeline: [{ op: 2, liveBytes: 100, heapBytes: 150, usedBytes: 100, freeBytes: 50, largestFreeBlock: 40, freeBlocks: 2, externalFragmentation: 0.2 }],
  searchCostHistogram: [], heapMap: null, footprint: null, elapsedMs: 1, ...over,
});

describe("results.csv", () => {
  it("has one column per deterministic metric and per timing, and one row per cell", () => {
    const headers = RESULT_COLUMNS.map((c) => c.header);
    for (const key of Object.keys(metrics)) if (key !== "fixedOps") expect(headers).toContain(key);
    for (const h of ["nsPerOp", "mallocP50Ns", "mallocP99Ns", "mallocP999Ns", "freeP999Ns", "peakHeapOverPeakLive"]) expect(headers).toContain(h);
    const rows = parseCsv(resultsCsv([cell({}), cell({ index: 1, coalescing: "none" })])) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]!.peakHeapOverPeakLive).toBe("1.5");
    expect(rows[0]!.fixedFailuresOutOfMemory).toBe("1");
    expect(rows[1]!.coalescing).toBe("none");
  });

  it("leaves metric fields empty and fills the error for a cell that failed", () => {
    const rows = parseCsv(resultsCsv([cell({ metrics: null, latency: null, error: "HeapError: boom" })])) as Record<string, string>[];
    expect(rows[0]!.peakHeapBytes).toBe("");
    expect(rows[0]!.nsPerOp).toBe("");
    expect(rows[0]!.error).toBe("HeapError: boom");
  });

  it("puts timings after every deterministic column", () => {
    expect(DETERMINISTIC_COLUMNS).toContain("fixedFailuresFragmented");
    expect(DETERMINISTIC_COLUMNS).not.toContain("nsPerOp");
  });
});

describe("timeline.csv", () => {
  it("has one row per timeline sample, keyed by allocator, coalescing and workload", () => {
    const rows = parseCsv(timelineCsv([cell({})])) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...TIMELINE_COLUMNS]);
    expect(rows[0]).toMatchObject({ allocator: "first-fit", op: "2", heapBytes: "150", largestFreeBlock: "40" });
  });
});
