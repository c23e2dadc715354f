import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DETERMINISTIC_COLUMNS } from "../src/csv.js";
import { writeOutputs } from "../src/output.js";
import { runBench } from "../src/run.js";
import type { RunResult } from "../src/types.js";
import { parseCsv, tinyWorkspace } from "./fixtures.js";

describe("a tiny matrix end to end", () => {
  const { dir, manifest } = tinyWorkspace();
  const options = { manifest, strategies: ["first-fit", "best-fit"], coalescing: ["on", "off"], quick: true, jobs: 1 } as const;
  let first: RunResult;

  it("writes results.csv with a row per cell, timeline.csv and results.json", async () => {
    first = await runBench(options);
    const out = join(dir, "report");
    await writeOutputs(first, out);
    for (const f of ["results.csv", "timeline.csv", "results.json"]) expect(existsSync(join(out, f))).toBe(true);
    const rows = parseCsv(readFileSync(join(out, "results.csv"), "utf8"));
    expect(rows).toHaveLength(2 * 2 * 2);
    expect(new Set(rows.map((r) => `${r.allocator}/${r.coalescing}/${r.workload}`)).size).toBe(8);
    for (const r of rows) {
      expect(r.error).toBe("");
      expect(Number(r.peakHeapBytes)).toBeGreaterThanOrEqual(Number(r.peakLiveBytes));
      expect(Number(r.nsPerOp)).toBeGreaterThan(0);
      // The 95% interval brackets the mean.
      expect(Number(r.nsPerOpCiLow)).toBeLessThanOrEqual(Number(r.nsPerOp));
      expect(Number(r.nsPerOpCiHigh)).toBeGreaterThanOrEqual(Number(r.nsPerOp));
      expect(["true", "false"]).toContain(r.nsPerOpNoisy);
    }
    const timeline = parseCsv(readFileSync(join(out, "timeline.csv"), "utf8"));
    expect(timeline.length).toBeGreaterThan(8);
    for (const id of ["balance", "fragmentation", "utilization", "heap-over-time", "fragmentation-over-time", "latency", "search-cost", "failures", "adversary"]) {
      const spec = JSON.parse(readFileSync(join(out, `${id}.vl.json`), "utf8")) as { $schema: string };
      expect(spec.$schema).toMatch(/vega-lite/);
      expect(readFileSync(join(out, `${id}.svg`), "utf8")).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toContain("How to read this");
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(html).toMatch(/<h1>[^<]*<\/h1>\s*<section id="verdict">/);
    // Nothing in the page points at a file beside it for content: charts are inline SVG, heap maps inline PNG.
    expect(html).not.toMatch(/<img src="(?!data:)/);
    expect(html).toContain('<img src="data:image/png;base64,');
    const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as RunResult & { verdicts: Array<{ workload: string; leastMemory: unknown[]; fastest: unknown[]; front: unknown[]; balance: unknown[] }> };
    expect(json.verdicts.map((v) => v.workload)).toEqual(["tiny-a", "tiny-b"]);
    for (const v of json.verdicts) for (const list of [v.leastMemory, v.fastest, v.front, v.balance]) expect(list.length).toBeGreaterThan(0);
    expect(json.matrixSize).toBe(8);
    expect(json.environment.command).toBe("pnpm bench");
  });

  it("gives identical deterministic metrics on a second run", async () => {
    const second = await runBench(options);
    const pick = (run: RunResult) =>
      run.results.map((r) => ({ ...r.metrics, timeline: r.timeline, histogram: r.searchCostHistogram, heapMap: r.heapMap }));
    expect(pick(second)).toEqual(pick(first));
    expect(DETERMINISTIC_COLUMNS.length).toBeGreaterThan(15);
  });
});
