/**
 * `dmm bench` leaves little for after its last cell: the charts' render worker starts when the first cell is done
 * (its start and vega's import are not left for the end), draws the charts of the cells done by then once and
 * throws them away (the run's charts are then drawn by compiled code), and is the only thread that draws.
 * Observed through the built CLI with worker_threads.Worker wrapped to log each worker's start, the messages the
 * main thread posts to it, and its exit (a cell worker's exit comes when it is terminated, so its start is what
 * tells the order).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { buildWorkspace, CLI } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";

beforeAll(buildWorkspace);

const WRAP = `import { appendFileSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { basename } from "node:path";
const threads = createRequire(import.meta.url)("node:worker_threads");
const log = process.env.DMM_WORKER_LOG;
if (threads.isMainThread) {
  const Base = threads.Worker;
  threads.Worker = class extends Base {
    constructor(file, options) {
      super(file, options);
      const name = basename(String(file));
      appendFileSync(log, "start " + name + "\\n");
      this.on("exit", () => appendFileSync(log, "exit " + name + "\\n"));
      const post = this.postMessage.bind(this);
      this.postMessage = (message, transfer) => {
        appendFileSync(log, "post " + name + (message && message.warmUp ? " warm-up" : "") + "\\n");
        return post(message, transfer);
      };
    }
  };
  syncBuiltinESMExports();
}
`;

it("the render worker starts and warms up before the last allocator's cells begin, and draws every chart", () => {
  const { dir, manifest } = tinyWorkspace(600);
  const tmp = mkdtempSync(join(tmpdir(), "dmm-ahead-"));
  const wrap = join(tmp, "wrap.mjs");
  const log = join(tmp, "workers.log");
  writeFileSync(wrap, WRAP);
  writeFileSync(log, "");
  const out = join(tmp, "report");
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(wrap).href, CLI, "bench", "--manifest", manifest, "--strategies", "first-fit,tlsf,buddy", "--native", "glibc", "--coalescing", "immediate", "--jobs", "2", "--no-progress", "--out", out], {
    cwd: dir, encoding: "utf8", timeout: 300_000, env: { ...process.env, DMM_WORKER_LOG: log },
  });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  const lines = readFileSync(log, "utf8").trim().split("\n");
  // Four allocators' workers, two at a time: the last starts when two have finished their cells.
  const lastCellWorkerStart = lines.lastIndexOf("start worker.js");
  expect(lines.filter((l) => l === "start worker.js")).toHaveLength(4);
  // One render worker, started and warmed up before the last allocator's cells began; the run's charts asked of it once all were done.
  expect(lines.filter((l) => l === "start render-worker.js")).toHaveLength(1);
  expect(lines.indexOf("start render-worker.js")).toBeLessThan(lastCellWorkerStart);
  expect(lines.indexOf("post render-worker.js warm-up")).toBeLessThan(lastCellWorkerStart);
  expect(lines.indexOf("post render-worker.js warm-up")).toBeGreaterThan(lines.indexOf("start render-worker.js"));
  expect(lines.filter((l) => l === "post render-worker.js")).toHaveLength(1);
  expect(lines.indexOf("post render-worker.js")).toBeGreaterThan(lastCellWorkerStart);
  expect(lines.at(-1)).toBe("exit render-worker.js");
  for (const chart of ["balance", "heap-over-time", "fragmentation-over-time", "latency"]) expect(existsSync(join(out, `${chart}.svg`)), chart).toBe(true);
});
