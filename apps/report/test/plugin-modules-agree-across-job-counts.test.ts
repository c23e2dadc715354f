import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { buildWorkspace, dmm } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";
import { writePlugins } from "./plugin-fixtures.js";

beforeAll(buildWorkspace);

it("plugin modules given by paths relative to the user's folder run in worker threads, and --jobs 2 gives --jobs 1's deterministic metrics", () => {
  const user = mkdtempSync(join(tmpdir(), "dmm-plugin-user-"));
  writePlugins(user);
  const { manifest } = tinyWorkspace(2000);
  const run = (jobs: number) => {
    const out = join(user, `report-${jobs}`);
    const r = dmm(["bench", "--manifest", manifest, "--strategies", "first-fit,tlsf", "--allocator", "./lifo.mjs", "--allocator", "./bump.mjs", "--native", "glibc", "--quick", "--jobs", String(jobs), "--no-progress", "--out", out], user);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    return JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { results: Array<Record<string, unknown>> };
  };
  const one = run(1);
  const two = run(2);
  const rows = (x: typeof one) => x.results.map((r) => `${r.allocator}/${r.allocatorKind}/${r.coalescing}/${r.workload}`);
  expect(rows(two)).toEqual(rows(one));
  expect(rows(one)).toEqual(expect.arrayContaining(["lifo-fit/plugin/immediate/tiny-a", "lifo-fit/plugin/none/tiny-b", "lifo-fit/plugin/deferred/tiny-a", "bump/plugin/own/tiny-a"]));
  const deterministic = (x: typeof one) => x.results.map((r) => ({ allocator: r.allocator, error: r.error, metrics: r.metrics, histogram: r.searchCostHistogram, timeline: r.timeline }));
  expect(deterministic(two)).toEqual(deterministic(one));
  for (const r of one.results) {
    expect(r.error).toBeNull();
    expect((r.latency as { nsPerOp: number }).nsPerOp).toBeGreaterThan(0);
  }
  const bump = one.results.find((r) => r.allocator === "bump" && r.workload === "tiny-a")!.metrics as { peakHeapBytes: number; peakLiveBytes: number };
  const lifo = one.results.find((r) => r.allocator === "lifo-fit" && r.workload === "tiny-a")!.metrics as { peakHeapBytes: number; peakLiveBytes: number };
  expect(bump.peakHeapBytes / bump.peakLiveBytes).toBeGreaterThan(2 * (lifo.peakHeapBytes / lifo.peakLiveBytes));
});
