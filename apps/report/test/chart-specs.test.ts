import { describe, expect, it } from "vitest";
import { renderSvg } from "../src/render.js";
import { buildCharts, fragmentationChart, heapOverTimeChart, seriesLabel } from "../src/specs.js";
import type { CellResult } from "../src/types.js";
import { runOf } from "./fixtures.js";

function cell(allocator: string, coalescing: CellResult["coalescing"], workload: string, peakHeapBytes: number, index: number): CellResult {
  const timeline = Array.from({ length: 500 }, (_, i) => ({ op: i + 1, liveBytes: 100 + i, heapBytes: 200 + i, usedBytes: 190 + i, freeBytes: 10, largestFreeBlock: 5, freeBlocks: 2, externalFragmentation: 0.5 }));
  return {
    index, allocator, allocatorKind: "strategy", coalescing, workload, workloadKind: "randomized", error: null,
    metrics: {
      ops: 500, peakLiveBytes: 1000, peakHeapBytes, utilization: 1000 / peakHeapBytes, fragmentation: peakHeapBytes / 1000 - 1,
      internalFragmentation: 0.1, externalFragmentationAtPeak: 0.5, externalFragmentationMean: 0.4, failuresOutOfMemory: 0,
      failuresFragmented: 0, searchCostMean: 2, searchCostP99: 5, searchCostMax: 9, fixedArenaBytes: 1250, fixedOps: 500,
      fixedRequests: 250, fixedFailuresOutOfMemory: 3, fixedFailuresFragmented: 4,
    },
    latency: { nsPerOp: 100, nsPerOpCiLow: 99, nsPerOpCiHigh: 101, noisy: false, rme: 1, opsPerSecond: 1e7, ops: 500, samples: 3, mallocP50: 50, mallocP99: 200, mallocP999: 900, mallocMax: 1000, freeP50: 40, freeP99: 90, freeP999: 100, freeMax: 120 },
    timeline, searchCostHistogram: [["0", 1], ["1", 10], ["2", 5]], heapMap: null, footprint: null, elapsedMs: 1,
  };
}

const run = runOf(["w1", "w2"], [cell("first-fit", "immediate", "w1", 1200, 0), cell("first-fit", "none", "w1", 1500, 1), cell("first-fit", "immediate", "w2", 1100, 2), cell("first-fit", "none", "w2", 1900, 3)]);

describe("chart specs", () => {
  it("puts peak heap / peak live per allocator, coalescing and workload into the fragmentation chart", () => {
    const spec = fragmentationChart(run).spec as { data: { values: Array<{ workload: string; coalescing: string; ratio: number; fragmentation: number }> } };
    // The bars are fragmentation = ratio − 1 (on a log scale); the ratio rides along for the tooltip.
    for (const v of spec.data.values) expect(v.fragmentation).toBeCloseTo(v.ratio - 1, 12);
    expect(spec.data.values.map(({ fragmentation: _, ...rest }) => rest)).toEqual([
      { workload: "w1", allocator: "first-fit", coalescing: "immediate", ratio: 1.2 },
      { workload: "w1", allocator: "first-fit", coalescing: "none", ratio: 1.5 },
      { workload: "w2", allocator: "first-fit", coalescing: "immediate", ratio: 1.1 },
      { workload: "w2", allocator: "first-fit", coalescing: "none", ratio: 1.9 },
    ]);
  });

  it("draws a straight timeline by its ends and adds one live-bytes line per workload", () => {
    const values = (heapOverTimeChart(run).spec as { data: { values: Array<{ workload: string; series: string; op: number }> } }).data.values;
    const w1 = values.filter((v) => v.workload === "w1");
    expect(w1.filter((v) => v.series === "first-fit").map((v) => v.op)).toEqual([1, 500]);
    expect(w1.filter((v) => v.series === "live bytes").map((v) => v.op)).toEqual([1, 500]);
  });

  it("labels non-default coalescing modes and leaves out charts without data", () => {
    expect(seriesLabel({ allocator: "tlsf", coalescing: "none" })).toBe("tlsf · none");
    expect(seriesLabel({ allocator: "tlsf", coalescing: "immediate" })).toBe("tlsf");
    const ids = buildCharts(run).map((c) => c.id);
    expect(ids).not.toContain("heap-map");
    expect(ids).not.toContain("adversary");
    for (const c of buildCharts(run)) expect(c.howToRead.length).toBeGreaterThan(40);
  });

  it("compiles and renders every chart to an SVG with marks", async () => {
    for (const chart of buildCharts(run)) {
      const svg = await renderSvg(chart.spec);
      expect(svg, chart.id).toMatch(/class="mark-[a-z]+ role-mark/);
    }
  });
});
