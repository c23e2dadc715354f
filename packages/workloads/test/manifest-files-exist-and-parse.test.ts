import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { findWorkloadsDir, formatTrace, generateEntry, generators, loadManifest, readTrace, traceStats } from "@dmm/workloads";

const dir = findWorkloadsDir()!;
const entries = loadManifest(dir);

describe("workloads/manifest.json", () => {
  it("names a mix of randomized, adversarial and real workloads", () => {
    expect(dir).toBeTruthy();
    const kinds = new Set(entries.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(["adversarial", "randomized", "real"]);
    expect(entries.length).toBeGreaterThanOrEqual(8);
    for (const e of entries) expect(existsSync(e.path)).toBe(true);
  });

  it.each(entries.map((e) => [e.name, e] as const))("%s parses and stays small enough for the default bench", async (_, e) => {
    const trace = await readTrace(e.path);
    expect(trace.length).toBeGreaterThan(1000);
    expect(trace.length).toBeLessThanOrEqual(150_100);
    const stats = traceStats(trace);
    expect(stats.peakLiveBytes).toBeGreaterThan(0);
    if (e.generator) expect(generators.map((g) => g.name)).toContain(e.generator.name);
    else expect(trace.meta.source).toMatch(/mtrace/);
  });

  it.each(entries.filter((e) => e.generator).map((e) => [e.name, e] as const))(
    "%s is exactly what its generator call produces",
    (_, e) => {
      const committed = gunzipSync(readFileSync(e.path)).toString();
      expect(formatTrace(generateEntry(e))).toBe(committed);
    },
  );

  it("rejects a manifest without a workloads array, with the file named", () => {
    expect(() => loadManifest(new URL("./fixtures/bad-manifest.json", import.meta.url).pathname)).toThrow(/bad-manifest\.json: BAD_MANIFEST/);
  });
});
