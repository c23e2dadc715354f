/** Heap efficiency in the report: a column of the utilization table and a chart of its own, when measured. */
import { describe, expect, it } from "vitest";
import { utilizationTable } from "../src/html.js";
import { renderSvg } from "../src/render.js";
import { buildCharts, efficiencyChart } from "../src/specs.js";
import { runEfficiency } from "../src/run.js";
import { backendByName, backends } from "../src/backends.js";
import { runOf } from "./fixtures.js";

describe("heap efficiency in the report", () => {
  const run = {
    ...runOf([], []),
    efficiency: [
      { allocator: "best-fit", coalescing: "immediate" as const, arenaBytes: 1 << 20, trials: 3, mean: 0.96, min: 0.95, max: 0.97 },
      { allocator: "worst-fit", coalescing: "none" as const, arenaBytes: 1 << 20, trials: 3, mean: 0.41, min: 0.35, max: 0.45 },
    ],
  };

  it("charts each allocator's mean with its range, and renders", async () => {
    const chart = efficiencyChart(run);
    expect((chart.spec as { data: { values: unknown[] } }).data.values).toEqual([
      { series: "best-fit", mean: 0.96, min: 0.95, max: 0.97 },
      { series: "worst-fit · none", mean: 0.41, min: 0.35, max: 0.45 },
    ]);
    expect(buildCharts(run).map((c) => c.id)).toContain("efficiency");
    expect(buildCharts(runOf([], [])).map((c) => c.id)).not.toContain("efficiency");
    expect(await renderSvg(chart.spec)).toMatch(/class="mark-rect role-mark/);
  });

  it("adds a heap efficiency column to the utilization table", () => {
    expect(utilizationTable(runOf([], []))).not.toContain("heap efficiency");
    const cellRun = { ...run, results: [] };
    expect(utilizationTable(cellRun)).toContain("<th>heap efficiency</th>");
  });

  it("measures every mode of each allocator it is given on a fixed arena", () => {
    const rows = runEfficiency([backendByName("best-fit", backends())], ["immediate", "none"], true);
    expect(rows.map((r) => r.coalescing)).toEqual(["immediate", "none"]);
    for (const r of rows) {
      expect(r.trials).toBe(3);
      expect(r.mean).toBeGreaterThan(0.5);
      expect(r.mean).toBeLessThan(1);
    }
  });
});
