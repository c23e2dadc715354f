/**
 * The adversary and heap efficiency are played in each allocator's own worker, after its cells, so they run on
 * every core like the cells instead of one after another in the main thread at the end; the results come back
 * in the allocators' order.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { buildWorkspace, node, ROOT } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";
import { writePlugins } from "./plugin-fixtures.js";

beforeAll(buildWorkspace);

const report = JSON.stringify(pathToFileURL(`${ROOT}apps/report/dist/src/index.js`).href);

it("builds no heap of an allocator in the main thread, and returns the beside runs in allocator order", () => {
  const { manifest, dir } = tinyWorkspace(500);
  writePlugins(dir);
  // lifo.mjs, counting the heaps made in the main thread.
  const counted = join(dir, "counted.mjs");
  writeFileSync(
    counted,
    `import { isMainThread } from "node:worker_threads";
     import lifo from "./lifo.mjs";
     export const mainThreadHeaps = { count: 0 };
     export default { ...lifo, strategy() { if (isMainThread) mainThreadHeaps.count++; return lifo.strategy(); } };`,
  );
  const r = node(
    `import { runBench } from ${report};
     const plugin = await import(${JSON.stringify(pathToFileURL(counted).href)});
     const run = await runBench({ manifest: ${JSON.stringify(manifest)}, strategies: ["tlsf", "buddy"], allocators: [${JSON.stringify(counted)}], native: ["glibc"], coalescing: ["immediate", "none"], quick: true, jobs: 2 });
     console.log(JSON.stringify({
       main: plugin.mainThreadHeaps.count,
       adversary: run.adversary.map((a) => a.allocator + "/" + a.coalescing),
       efficiency: run.efficiency.map((e) => e.allocator + "/" + e.coalescing),
     }));`,
    dir,
  );
  expect(r.stderr).toBe("");
  const out = JSON.parse(r.stdout) as { main: number; adversary: string[]; efficiency: string[] };
  const expected = ["tlsf/immediate", "tlsf/none", "buddy/immediate", "buddy/none", "lifo-fit/immediate", "lifo-fit/none"];
  expect(out.adversary).toEqual(expected);
  expect(out.efficiency).toEqual(expected);
  expect(out.main).toBe(0);
});
