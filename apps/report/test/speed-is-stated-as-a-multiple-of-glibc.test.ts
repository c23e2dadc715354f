import { describe, expect, it } from "vitest";
import { resultsCsv } from "../src/csv.js";
import { speedTable } from "../src/html.js";
import { geometricMean } from "../src/speed.js";
import { summaryTable } from "../src/summary.js";
import type { CellResult } from "../src/types.js";
import { parseCsv, runOf } from "./fixtures.js";

const metrics = {
  ops: 10, peakLiveBytes: 1000, peakHeapBytes: 1100, utilization: 1000 / 1100, fragmentation: 0.1, internalFragmentation: 0,
  externalFragmentationAtPeak: 0, externalFragmentationMean: 0, failuresOutOfMemory: 0, failuresFragmented: 0, searchCostMean: 0,
  searchCostP99: 0, searchCostMax: 0, fixedArenaBytes: 0, fixedOps: 0, fixedRequests: 0, fixedFailuresOutOfMemory: 0, fixedFailuresFragmented: 0,
};

function cell(index: number, allocator: string, workload: string, nsPerOp: number): CellResult {
  const kind = allocator === "glibc" ? "native" : allocator === "thi.ng-malloc" ? "peer" : "strategy";
  return {
    index, allocator, allocatorKind: kind, coalescing: kind === "strategy" ? "immediate" : "own", workload, workloadKind: "randomized", error: null,
    metrics: kind === "native" ? null : metrics,
    latency: {
      nsPerOp, nsPerOpCiLow: nsPerOp, nsPerOpCiHigh: nsPerOp, noisy: false, rme: 0, opsPerSecond: 1e9 / nsPerOp, ops: 10, samples: 3, mallocP50: null, mallocP99: null, mallocP999: null, mallocMax: null,
      freeP50: null, freeP99: null, freeP999: null, freeMax: null,
    },
    timeline: [], searchCostHistogram: [], heapMap: null, footprint: null, elapsedMs: 1,
  };
}

// tlsf takes 4× glibc's time on w1 and 9× on w2 (geometric mean 6×); thi.ng-malloc ran only on w1, at 200 ns.
const results = [
  cell(0, "tlsf", "w1", 80), cell(1, "thi.ng-malloc", "w1", 200), cell(2, "glibc", "w1", 20),
  cell(3, "tlsf", "w2", 90), cell(4, "glibc", "w2", 10),
];

describe("speed relative to native glibc malloc", () => {
  it("is a column of results.csv, next to the ratio to thi.ng-malloc, empty where a reference was not timed", () => {
    const rows = parseCsv(resultsCsv(results)) as Record<string, string>[];
    const at = (i: number) => rows[i]!;
    expect(Number(at(0).nsPerOpTimesGlibc)).toBe(4);
    expect(Number(at(0).nsPerOpTimesThingMalloc)).toBe(0.4);
    expect(Number(at(1).nsPerOpTimesGlibc)).toBe(10);
    expect(Number(at(2).nsPerOpTimesGlibc)).toBe(1);
    expect(Number(at(3).nsPerOpTimesGlibc)).toBe(9);
    expect(at(3).nsPerOpTimesThingMalloc).toBe("");
    const withoutGlibc = parseCsv(resultsCsv(results.filter((r) => r.allocator !== "glibc"))) as Record<string, string>[];
    expect(withoutGlibc[0]!.nsPerOpTimesGlibc).toBe("");
  });

  it("is a table in index.html: ns/op and × glibc per workload, and the geometric mean over workloads", () => {
    const html = speedTable(runOf(["w1", "w2"], results));
    const tlsfRow = /<tr><th>tlsf<\/th>(.*?)<\/tr>/.exec(html)![1]!;
    expect(tlsfRow).toContain("80 ±0 ns");
    expect(tlsfRow).toContain("4.0× glibc");
    expect(tlsfRow).toContain("9.0× glibc");
    expect(tlsfRow).toContain(">6.0×<"); // geometric mean of 4 and 9
    expect(tlsfRow).toContain("0.40×"); // × thi.ng-malloc, on the one workload it ran
    expect(html.indexOf("<th>glibc</th>")).toBeLessThan(html.indexOf("<th>tlsf</th>"));
  });

  it("is in the terminal summary, per workload and as a geometric mean", () => {
    const text = summaryTable(results);
    const tlsfW1 = text.split("\n").find((l) => /^\d+\s+tlsf \(immediate\)/.test(l))!;
    expect(tlsfW1).toMatch(/\s80 ±0\s+4\.0×\s+0\.40×\s/);
    expect(text).toMatch(/speed vs native glibc malloc.*\n\s+tlsf 6\.0×, thi\.ng-malloc 10× \(1 workload\)/);
    expect(geometricMean([4, 9])).toBeCloseTo(6, 12);
  });
});
