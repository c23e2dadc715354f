import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMPARE_COLUMNS } from "../src/compare.js";
import { writeOutputs } from "../src/output.js";
import type { CellResult } from "../src/types.js";
import { dmm } from "./cli.js";
import { parseCsv, randomTraceText, runOf, tinyWorkspace } from "./fixtures.js";

describe("dmm compare A B", () => {
  const { dir, manifest } = tinyWorkspace(400);
  const bench = (out: string) => dmm(["bench", "--manifest", manifest, "--strategies", "first-fit,tlsf", "--coalescing", "on,off", "--quick", "--jobs", "1", "--out", out], { cwd: dir });
  const rowsOf = (out: string) => parseCsv(readFileSync(join(dir, out, "compare.csv"), "utf8"));
  const deterministicChanges = (rows: ReturnType<typeof rowsOf>) => rows.filter((r) => r.significant === "true" && r.metric !== "nsPerOp");

  it("finds no significant deterministic change between two runs of one matrix", async () => {
    expect((await bench("run1")).code).toBe(0);
    expect((await bench("run2")).code).toBe(0);
    const r = await dmm(["compare", "run1", "run2", "--out", "same"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = rowsOf("same");
    expect(Object.keys(rows[0]!).slice(0, 8)).toEqual(["allocator", "coalescing", "workload", "metric", "a", "b", "change", "significant"]);
    expect(Object.keys(rows[0]!)).toEqual([...COMPARE_COLUMNS]);
    // 2 allocators × 2 modes × 2 workloads, every compared metric of each.
    expect(new Set(rows.map((x) => `${x.allocator}/${x.coalescing}/${x.workload}`)).size).toBe(8);
    expect(rows.filter((x) => x.metric === "peakHeapBytes")).toHaveLength(8);
    expect(deterministicChanges(rows)).toEqual([]);
    for (const x of rows.filter((y) => y.metric === "nsPerOp")) expect(x.aInterval).toMatch(/^\d+(\.\d)? ±\d/);
    const html = readFileSync(join(dir, "same", "index.html"), "utf8");
    expect(html).toContain("significant change");
  });

  it("lists the changes of a trace of the same name that changed, and only those", async () => {
    writeFileSync(join(dir, "workloads", "b.trace"), randomTraceText(400, 77, 120));
    expect((await bench("run3")).code).toBe(0);
    const r = await dmm(["compare", "run1", "run3", "--out", "changed"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("traces that changed (same name, other content): tiny-b");
    const changes = deterministicChanges(rowsOf("changed"));
    expect(changes.length).toBeGreaterThan(0);
    expect(new Set(changes.map((x) => x.workload))).toEqual(new Set(["tiny-b"]));
    expect(changes.some((x) => x.metric === "peakLiveBytes")).toBe(true);
    expect(readFileSync(join(dir, "changed", "index.html"), "utf8")).toMatch(/Traces that changed<\/h2><p>Same name, different content[^<]*tiny-b/);
  });

  it("lists cells present in only one run, and --fail-on-regression exits 1 when something got worse", async () => {
    const metrics = (peakHeapBytes: number) => ({
      ops: 10, peakLiveBytes: 1000, peakHeapBytes, utilization: 1000 / peakHeapBytes, fragmentation: peakHeapBytes / 1000 - 1, internalFragmentation: 0,
      externalFragmentationAtPeak: 0, externalFragmentationMean: 0, failuresOutOfMemory: 0, failuresFragmented: 0, searchCostMean: 1, searchCostP99: 1,
      searchCostMax: 1, fixedArenaBytes: 4096, fixedOps: 10, fixedRequests: 5, fixedFailuresOutOfMemory: 0, fixedFailuresFragmented: 0,
    });
    const cell = (allocator: string, peakHeapBytes: number, index: number): CellResult => ({
      index, allocator, allocatorKind: "strategy", coalescing: "immediate", workload: "w", workloadKind: "randomized", error: null,
      metrics: metrics(peakHeapBytes), latency: null, timeline: [], searchCostHistogram: [], heapMap: null, footprint: null, elapsedMs: 1,
    });
    await writeOutputs(runOf(["w"], [cell("a", 1100, 0), cell("gone", 1000, 1)]), join(dir, "before"));
    await writeOutputs(runOf(["w"], [cell("a", 1300, 0), cell("new", 1000, 1)]), join(dir, "after"));
    const plain = await dmm(["compare", "before", "after", "--out", "cmp"], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/worse: a \(immediate\) on w: peakHeapBytes 1100 → 1300/);
    const rows = rowsOf("cmp");
    expect(rows.find((x) => x.allocator === "a" && x.metric === "utilization")).toMatchObject({ significant: "true", verdict: "worse" });
    expect(rows.find((x) => x.allocator === "gone" && x.metric === "peakHeapBytes")).toMatchObject({ a: "1000", b: "", significant: "false" });
    const html = readFileSync(join(dir, "cmp", "index.html"), "utf8");
    expect(html).toMatch(/Cells only in A<\/h2><ul><li>gone \(immediate\) on w/);
    expect(html).toMatch(/Cells only in B<\/h2><ul><li>new \(immediate\) on w/);
    const gate = await dmm(["compare", "before", "after", "--out", "cmp", "--fail-on-regression"], { cwd: dir });
    expect(gate.code).toBe(1);
    const reverse = await dmm(["compare", "after", "before", "--out", "cmp", "--fail-on-regression"], { cwd: dir });
    expect(reverse.code).toBe(0); // only better
  });

  it("is a usage error for a folder without results.json", async () => {
    const r = await dmm(["compare", "run1", "nowhere", "--out", "x"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*nowhere.*results\.json/);
  });
});
