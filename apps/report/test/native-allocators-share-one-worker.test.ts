/**
 * The native allocators' cells share one worker thread (each cell is timed in a C process of its own; nothing of
 * them runs in the worker's JIT), saving a worker's start per native allocator after the first; every JS
 * allocator still has a worker of its own. A machine without a library or `cc` skips those cells, saying why:
 * they are native cells all the same.
 */
import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { backendByName, backends } from "../src/backends.js";
import { buildMatrix } from "../src/matrix.js";
import { resolveNatives } from "../src/natives.js";
import { scheduleJobs } from "../src/pool.js";
import { TraceBuilder } from "@dmm/workloads";
import { buildWorkspace, node, ROOT } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";

beforeAll(buildWorkspace);

it("scheduleJobs gives every native allocator's cells to one job and each JS allocator a job of its own", () => {
  const known = backends([], resolveNatives(["glibc", "jemalloc", "tcmalloc"]));
  const list = ["glibc", "first-fit", "jemalloc", "tlsf", "tcmalloc"].map((n) => backendByName(n, known));
  const b = new TraceBuilder();
  for (let i = 0; i < 50; i++) b.malloc(i, 16);
  for (let i = 0; i < 50; i++) b.free(i);
  const traces = new Map([["a.trace", b.finish()]]);
  const cells = buildMatrix(list, ["immediate"], [{ name: "a", file: "a.trace", kind: "file", description: "" }]);
  const jobs = scheduleJobs(cells, list, { adversary: true, efficiency: false, coalescing: ["immediate"] }, traces, { quick: true, heapMapWorkloads: [] });
  const described = jobs.map((j) => ({ allocators: j.backends.map((x) => x.name), cells: j.cells.map((c) => c.allocator), beside: j.beside }));
  expect(described.sort((x, y) => x.allocators[0]!.localeCompare(y.allocators[0]!))).toEqual([
    { allocators: ["first-fit"], cells: ["first-fit"], beside: true },
    { allocators: ["glibc", "jemalloc", "tcmalloc"], cells: ["glibc", "jemalloc", "tcmalloc"], beside: false },
    { allocators: ["tlsf"], cells: ["tlsf"], beside: true },
  ]);
});

it("a run's native cells all run in one worker thread, and its JS allocators each in their own", () => {
  const { manifest, dir } = tinyWorkspace(400);
  const r = node(
    `import { runBench } from ${JSON.stringify(pathToFileURL(`${ROOT}apps/report/dist/src/index.js`).href)};
     const poolTrace = { workers: [] };
     const run = await runBench({ manifest: ${JSON.stringify(manifest)}, strategies: ["first-fit", "tlsf"], native: ["glibc", "jemalloc", "tcmalloc"], coalescing: ["immediate"], quick: true, jobs: 2, adversary: false, efficiency: false, poolTrace });
     console.log(JSON.stringify({ workers: poolTrace.workers, natives: run.results.filter((c) => c.allocatorKind === "native").length }));`,
    dir,
  );
  expect(r.stderr).toBe("");
  const { workers, natives } = JSON.parse(r.stdout) as { workers: string[][]; natives: number };
  expect(natives).toBe(3 * 2);
  expect(workers.map((w) => [...w].sort().join("+")).sort()).toEqual(["first-fit", "glibc+jemalloc+tcmalloc", "tlsf"]);
});
