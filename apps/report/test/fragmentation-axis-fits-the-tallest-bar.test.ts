import { describe, expect, it } from "vitest";
import { renderSvg } from "../src/render.js";
import { fragmentationChart } from "../src/specs.js";
import type { CellResult } from "../src/types.js";
import { runOf } from "./fixtures.js";

/** A cell with only what the fragmentation chart reads. */
function cell(allocator: string, workload: string, peakHeapBytes: number, index: number): CellResult {
  return {
    index, allocator, allocatorKind: "strategy", coalescing: "immediate", workload, workloadKind: "randomized", error: null,
    metrics: {
      ops: 10, peakLiveBytes: 1000, peakHeapBytes, utilization: 1000 / peakHeapBytes, fragmentation: peakHeapBytes / 1000 - 1,
      internalFragmentation: 0, externalFragmentationAtPeak: 0, externalFragmentationMean: 0, failuresOutOfMemory: 0, failuresFragmented: 0,
      searchCostMean: 0, searchCostP99: 0, searchCostMax: 0, fixedArenaBytes: 0, fixedOps: 0, fixedRequests: 0, fixedFailuresOutOfMemory: 0, fixedFailuresFragmented: 0,
    },
    latency: null, timeline: [], searchCostHistogram: [], heapMap: null, footprint: null, elapsedMs: 0,
  };
}

describe("the fragmentation chart", () => {
  it("is on a log scale, so one 70× outlier does not flatten the bars near 1", async () => {
    const run = runOf(["w1"], [cell("a", "w1", 1030, 0), cell("b", "w1", 1075, 1), cell("c", "w1", 70000, 2)]);
    const svg = await renderSvg(fragmentationChart(run).spec);
    expect(svg).toMatch(/Y-axis titled 'fragmentation \(log\)' for a log scale/);
    // Bar heights in pixels: on a linear axis to 70, a 1.03 and a 1.075 bar would both be under 0.2 px tall.
    const heights = [...svg.matchAll(/aria-label="allocator: (\w); [^"]*"[^>]*d="M[\d.-]+,([\d.-]+)h[\d.-]+v([\d.-]+)/g)].map((m) => [m[1], Number(m[3])] as const);
    const a = heights.find(([n]) => n === "a")?.[1] ?? 0;
    const b = heights.find(([n]) => n === "b")?.[1] ?? 0;
    expect(b - a).toBeGreaterThan(2);
  });

  it("gives each panel a y axis that reaches past its tallest bar (a bar is never cut off at the top)", async () => {
    // The buddy-like outlier (1.351) once rose past an axis that ended at 1.3 (zero: false + domainMin without nice).
    const run = runOf(["w1", "w2"], [cell("a", "w1", 1030, 0), cell("b", "w1", 1075, 1), cell("c", "w1", 1351, 2), cell("a", "w2", 1544, 3), cell("b", "w2", 1100, 4), cell("c", "w2", 2099, 5)]);
    const svg = await renderSvg(fragmentationChart(run).spec);
    const tops = [...svg.matchAll(/Y-axis titled '[^']*' for a log scale with values from [\d.]+% to ([\d.]+)%/g)].map((m) => Number(m[1]) / 100);
    expect(tops).toHaveLength(2);
    expect(tops[0]).toBeGreaterThanOrEqual(0.351);
    expect(tops[1]).toBeGreaterThanOrEqual(1.099);
    // Every panel names its own bars.
    expect(svg.match(/X-axis/g)?.length).toBe(2);
  });
});
