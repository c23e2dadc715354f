import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runBench } from "../src/run.js";
import { tinyWorkspace } from "./fixtures.js";

it("the root README's plugin module runs in the matrix, in every coalescing mode", async () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const code = /## Measure your own allocator[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)![1]!;
  const dir = mkdtempSync(join(tmpdir(), "dmm-readme-plugin-"));
  writeFileSync(join(dir, "lifo-fit.mjs"), code);
  const { manifest } = tinyWorkspace(600);
  const run = await runBench({ manifest, strategies: ["first-fit"], native: ["glibc"], allocators: ["./lifo-fit.mjs"], baseDir: dir, quick: true, jobs: 1, adversary: false });
  const rows = run.results.filter((r) => r.allocator === "lifo-fit");
  expect(rows.map((r) => `${r.allocatorKind}/${r.coalescing}/${r.workload}`).sort()).toEqual(
    ["deferred", "immediate", "none"].flatMap((m) => [`plugin/${m}/tiny-a`, `plugin/${m}/tiny-b`]).sort(),
  );
  for (const r of rows) {
    expect(r.error).toBeNull();
    expect(r.metrics!.peakHeapBytes).toBeGreaterThanOrEqual(r.metrics!.peakLiveBytes);
    expect(r.metrics!.searchCostMean).toBeGreaterThan(0);
  }
});
