import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { buildWorkspace, node, ROOT } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";

beforeAll(buildWorkspace);

const report = JSON.stringify(pathToFileURL(`${ROOT}apps/report/dist/src/index.js`).href);

it("every cell runs in a worker thread that has run no other allocator", () => {
  const { manifest, dir } = tinyWorkspace(500);
  const r = node(
    `import { runBench } from ${report};
     const poolTrace = { workers: [] };
     const run = await runBench({ manifest: ${JSON.stringify(manifest)}, strategies: ["first-fit", "best-fit", "tlsf", "buddy"], native: ["glibc"], quick: true, jobs: 2, adversary: false, poolTrace });
     console.log(JSON.stringify({ workers: poolTrace.workers, cells: run.results.length }));`,
    dir,
  );
  const { workers, cells } = JSON.parse(r.stdout) as { workers: string[][]; cells: number };
  expect(cells).toBe(2 * (3 + 3 + 3 + 2 + 1));
  expect(workers.map((w) => w.join("+")).sort()).toEqual(["best-fit", "buddy", "first-fit", "glibc", "tlsf"]);
});
