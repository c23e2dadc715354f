import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { buildWorkspace, node, ROOT } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";
import { writePlugins } from "./plugin-fixtures.js";

beforeAll(buildWorkspace);

const dist = (pkg: string) => pathToFileURL(`${ROOT}${pkg}/dist/src/index.js`).href;

/** A script that registers a strategy at run time and runs the bench with `jobs` worker threads. */
function script(manifest: string, jobs: number, allocators = "[]"): string {
  return `
    import { registerStrategy, firstFit } from ${JSON.stringify(dist("packages/strategies"))};
    import { runBench } from ${JSON.stringify(dist("apps/report"))};
    registerStrategy({ name: "my-first-fit", description: "first fit, registered in code", create: firstFit });
    try {
      const run = await runBench({ manifest: ${JSON.stringify(manifest)}, strategies: ["my-first-fit"], native: ["glibc"], allocators: ${allocators}, quick: true, jobs: ${jobs}, adversary: false });
      console.log(JSON.stringify(run.results.map((r) => [r.allocator, r.coalescing, r.error])));
    } catch (e) {
      console.log("rejected: " + e.message);
    }
  `;
}

it("a strategy registered in code fails at once with jobs > 1, saying to use a module; runs with jobs: 1", () => {
  const { manifest, dir } = tinyWorkspace(300);
  const started = Date.now();
  const two = node(script(manifest, 2), dir);
  expect(two.stdout.trim()).toMatch(/^rejected: my-first-fit exists only in this thread .* give runBench\(\{ allocators \}\) the module's path or URL instead/);
  expect(Date.now() - started).toBeLessThan(30_000);
  const one = node(script(manifest, 1), dir);
  const rows = JSON.parse(one.stdout) as Array<[string, string, string | null]>;
  expect(rows.filter((r) => r[0] === "my-first-fit").map((r) => r[2])).toEqual([null, null, null, null, null, null]);
});

it("the same strategy given as a module path reaches the workers", () => {
  const user = mkdtempSync(join(tmpdir(), "dmm-module-"));
  const { lifo } = writePlugins(user);
  const { manifest } = tinyWorkspace(300);
  const r = node(script(manifest, 2, JSON.stringify([lifo])).replace(`strategies: ["my-first-fit"]`, `strategies: ["first-fit"]`), user);
  expect(r.stdout).not.toMatch(/rejected/);
  const rows = JSON.parse(r.stdout) as Array<[string, string, string | null]>;
  expect(rows.filter((x) => x[0] === "lifo-fit")).toHaveLength(6);
  expect(rows.every((x) => x[2] === null)).toBe(true);
});
