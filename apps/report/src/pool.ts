/**
 * Runs cells. Each allocator's cells run in a worker thread of their own, started fresh for that allocator, so
 * its timings do not depend on which allocators ran before it; up to `jobs` such workers run at once. Traces
 * are loaded once, here, and shared with the workers. From the TypeScript sources (tests) there is no compiled
 * worker and cells run in this thread; so do allocators only this thread has (plugin objects given in code,
 * strategies registered at run time) when jobs is 1 — with more jobs they are an error before anything runs.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Trace } from "@dmm/workloads";
import { type Backend, BenchError, type BenchErrorCode, type NativeSpec } from "./backends.js";
import { runCell } from "./cell.js";
import type { Cell, CellResult, RunSettings } from "./types.js";
import { loadTrace, QUICK_OPS, tracePrefix } from "./workloads.js";
import { shareTrace, type SharedTrace, type WorkerMessage, type WorkerSetup } from "./worker.js";

export type OnCellDone = (result: CellResult, done: number, total: number) => void;

/** What the pool needs to know about the run's allocators. */
export interface PoolAllocators {
  /** Every allocator of the run, as this thread built them. */
  readonly backends: readonly Backend[];
  /** Module URLs of the plugins (workers import them); null for a plugin object given in code. */
  readonly pluginUrls: ReadonlyArray<string | null>;
  readonly natives: readonly NativeSpec[];
  /** Names of allocators that exist only in this thread (plugin objects, strategies registered at run time). */
  readonly threadBound: readonly string[];
}

/** Which allocators ran in each worker, in order: what the isolation test reads. */
export interface PoolTrace {
  workers: string[][];
}

/** The compiled worker next to this module; absent when running from TypeScript sources (tests). */
export function workerFile(): string | null {
  const path = fileURLToPath(new URL("./worker.js", import.meta.url));
  return existsSync(path) ? path : null;
}

/** Loads each workload's trace once (cut to QUICK_OPS in a quick run). */
async function loadTraces(cells: readonly Cell[], settings: RunSettings): Promise<Map<string, Trace>> {
  const traces = new Map<string, Trace>();
  for (const cell of cells) {
    if (traces.has(cell.workload.file)) continue;
    const trace = await loadTrace(cell.workload);
    traces.set(cell.workload.file, settings.quick ? tracePrefix(trace, QUICK_OPS) : trace);
  }
  return traces;
}

/** Runs every cell and returns the results in cell order. */
export async function runCells(
  cells: readonly Cell[],
  settings: RunSettings,
  jobs: number,
  allocators: PoolAllocators,
  onDone: OnCellDone,
  observed?: PoolTrace,
): Promise<CellResult[]> {
  const file = workerFile();
  const bound = allocators.threadBound.filter((name) => cells.some((c) => c.allocator === name));
  if (file && bound.length > 0 && jobs > 1) {
    throw new BenchError(
      "BAD_PLUGIN",
      `${bound.join(", ")} exist${bound.length === 1 ? "s" : ""} only in this thread (a plugin object, or registerStrategy at run time), and worker threads cannot see ${bound.length === 1 ? "it" : "them"}: give runBench({ allocators }) the module's path or URL instead (or use jobs: 1)`,
    );
  }
  const traces = await loadTraces(cells, settings);
  const results = file && bound.length === 0 ? await runInWorkers(file, cells, settings, jobs, allocators, traces, onDone, observed) : await runInThread(cells, settings, allocators, traces, onDone);
  return results.sort((a, b) => a.index - b.index);
}

async function runInThread(cells: readonly Cell[], settings: RunSettings, allocators: PoolAllocators, traces: Map<string, Trace>, onDone: OnCellDone): Promise<CellResult[]> {
  const out: CellResult[] = [];
  for (const cell of cells) {
    const backend = allocators.backends.find((b) => b.name === cell.allocator)!;
    out.push(runCell(cell, traces.get(cell.workload.file)!, settings, backend));
    onDone(out[out.length - 1]!, out.length, cells.length);
    await new Promise((r) => setImmediate(r)); // let the progress bar draw
  }
  return out;
}

/** The cells grouped by allocator, groups in order of their first cell. */
function byAllocator(cells: readonly Cell[]): Cell[][] {
  const groups = new Map<string, Cell[]>();
  for (const cell of cells) {
    let group = groups.get(cell.allocator);
    if (!group) groups.set(cell.allocator, (group = []));
    group.push(cell);
  }
  return [...groups.values()];
}

function runInWorkers(
  file: string,
  cells: readonly Cell[],
  settings: RunSettings,
  jobs: number,
  allocators: PoolAllocators,
  traces: Map<string, Trace>,
  onDone: OnCellDone,
  observed?: PoolTrace,
): Promise<CellResult[]> {
  const shared: Record<string, SharedTrace> = {};
  for (const [path, trace] of traces) shared[path] = shareTrace(trace);
  const plugins = allocators.pluginUrls.filter((u): u is string => u !== null);
  const groups = byAllocator(cells);
  return new Promise((resolve, reject) => {
    const out: CellResult[] = [];
    const running = new Set<Worker>();
    let next = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const w of running) void w.terminate();
      reject(error);
    };
    const start = () => {
      if (failed) return;
      if (next >= groups.length) {
        if (running.size === 0) resolve(out);
        return;
      }
      const group = groups[next++]!;
      const setup: WorkerSetup & { dmmReportWorker: true } = { dmmReportWorker: true, plugins, natives: allocators.natives, settings, cells: group, traces: shared };
      // A worker inherits node's flags; --input-type (node --input-type=module -e …) is refused for a file.
      const worker = new Worker(file, { workerData: setup, execArgv: process.execArgv.filter((a) => !a.startsWith("--input-type")) });
      const seen: string[] = [];
      observed?.workers.push(seen);
      running.add(worker);
      let done = 0;
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") {
          const missing = group.filter((c) => c.allocatorKind === "strategy" && !message.strategies.includes(c.allocator)).map((c) => c.allocator);
          if (missing.length > 0) {
            fail(new BenchError("BAD_PLUGIN", `strategy "${missing[0]}" was registered with registerStrategy in this thread, and worker threads cannot see it: put it in a module whose default export is an AllocatorPlugin and pass that (dmm bench --allocator <module>, runBench({ allocators: [path] })), or use jobs: 1`));
          }
          return;
        }
        if (message.type === "fatal") return fail(new BenchError((message.code || "BAD_PLUGIN") as BenchErrorCode, message.error));
        seen.splice(0, seen.length, ...message.allocatorsSeen);
        out.push(message.result);
        onDone(message.result, out.length, cells.length);
        if (++done === group.length) {
          running.delete(worker);
          void worker.terminate();
          start();
        }
      });
      worker.on("error", (error) => fail(error));
      worker.on("exit", (code) => {
        if (running.has(worker) && !failed) fail(new Error(`a worker thread exited (code ${code}) before finishing ${group[0]!.allocator}'s cells`));
      });
    };
    for (let j = 0; j < Math.min(jobs, groups.length); j++) start();
    if (groups.length === 0) resolve(out);
  });
}
