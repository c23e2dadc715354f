/**
 * Runs cells. Each JS allocator's cells run in a worker thread of their own, started fresh for that allocator, so
 * its timings do not depend on which allocators ran before it; the native allocators' cells share one worker (each
 * is timed in a C process of its own: nothing of them runs in the worker's JIT). Up to `jobs` such workers run at once, the
 * costliest allocators first (see scheduleJobs). After its cells, the worker plays the adversary and measures heap
 * efficiency for its allocator (beside.ts), so those run on every core too. Traces are loaded once, here, and
 * shared with the workers. From the TypeScript sources (tests) there is no compiled
 * worker and cells run in this thread; so do allocators only this thread has (plugin objects given in code,
 * strategies registered at run time) when jobs is 1 — with more jobs they are an error before anything runs.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Trace } from "@dmm/workloads";
import { type Backend, BenchError, type BenchErrorCode, type NativeSpec } from "./backends.js";
import { type BesideRuns, runBeside } from "./beside.js";
import { quadraticWork, runCell } from "./cell.js";
import type { AdversaryResult, Cell, CellResult, EfficiencyResult, RunSettings } from "./types.js";
import { loadTrace, QUICK_OPS, tracePrefix } from "./workloads.js";
import { workerExecArgv } from "./threads.js";
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

/** Which allocators ran in each worker, in the order the workers started: what the isolation and scheduling tests read. */
export interface PoolTrace {
  workers: string[][];
}

/** The pool's output: the cells' results in cell order, and the beside runs in allocator order. */
export interface PoolResult {
  results: CellResult[];
  adversary: AdversaryResult[];
  efficiency: EfficiencyResult[];
}

/** One worker's work: one JS allocator's cells and, when asked, its beside runs; or every native allocator's cells. */
export interface PoolJob {
  /** The allocator, or the native allocators, in the run's order. */
  readonly backends: readonly Backend[];
  readonly cells: readonly Cell[];
  readonly beside: boolean;
}

/** The backend of one of a job's cells. */
function backendOf(job: PoolJob, cell: Cell): Backend {
  const backend = job.backends.find((b) => b.name === cell.allocator);
  if (!backend) throw new Error(`pool: a cell of ${cell.allocator} in the job of ${job.backends.map((b) => b.name).join(", ")}`);
  return backend;
}

/*
 * The cost model scheduleJobs sorts by, in "replayed ops" (one op of one JS replay with integrity checks). A cell
 * of a JS allocator replays its trace about 8 times (metrics, fixed arena, per-op timing, the timed replays); the
 * C replayer's 15 repetitions and footprint replay cost about a JS replay. A peer whose free walks its blocks costs
 * its quadratic work (cell.ts quadraticWork) on top, once per replay; a cell that peer skips costs nothing. The
 * beside runs of an allocator cost about a cell. Only the order matters: it puts the big jobs first.
 */
const JS_REPLAYS_PER_CELL = 8;
const NATIVE_REPLAYS_PER_CELL = 1;
/** Blocks a quadratic peer walks per replayed op's worth of time (a walk step is a few loads, an op ~100). */
const WALK_STEPS_PER_OP = 20;
const BESIDE_COST = 8 * 10_000;

/** The estimated cost of a job (see the cost model above). */
export function jobCost(job: PoolJob, traces: ReadonlyMap<string, Trace>, settings: RunSettings): number {
  let cost = job.beside ? BESIDE_COST : 0;
  for (const cell of job.cells) {
    const trace = traces.get(cell.workload.file)!;
    const backend = backendOf(job, cell);
    if (backend.kind === "native") {
      cost += NATIVE_REPLAYS_PER_CELL * trace.length;
      continue;
    }
    const quadratic = quadraticWork(backend, trace, settings.quick);
    if (quadratic !== null && quadratic.work > quadratic.limit) continue;
    cost += JS_REPLAYS_PER_CELL * (trace.length + (quadratic !== null ? quadratic.work / WALK_STEPS_PER_OP : 0));
  }
  return cost;
}

/**
 * The jobs of a run, costliest first (longest processing time first): each JS allocator of `backends` with cells
 * here or beside runs to do, and one job for all the native allocators' cells (saving a worker's start, about
 * 0.1 s of CPU, per native allocator after the first); ties keep the allocators' order. With the big jobs started
 * first, the last ones to finish are small, so no core sits idle for long at the end of the run.
 */
export function scheduleJobs(cells: readonly Cell[], backends: readonly Backend[], beside: BesideRuns | null, traces: ReadonlyMap<string, Trace>, settings: RunSettings): PoolJob[] {
  const wantsBeside = beside !== null && (beside.adversary || beside.efficiency);
  const groups: Backend[][] = [];
  const natives: Backend[] = [];
  for (const backend of backends) {
    if (backend.kind !== "native") groups.push([backend]);
    else if (natives.push(backend) === 1) groups.push(natives);
  }
  const jobs: Array<{ job: PoolJob; cost: number }> = [];
  for (const group of groups) {
    const names = new Set(group.map((b) => b.name));
    const job = { backends: group, cells: cells.filter((c) => names.has(c.allocator)), beside: wantsBeside && group[0]!.kind !== "native" };
    if (job.cells.length === 0 && !job.beside) continue;
    jobs.push({ job, cost: jobCost(job, traces, settings) });
  }
  return jobs.sort((a, b) => b.cost - a.cost).map((j) => j.job);
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

/** Runs every cell and, per allocator, the beside runs; results in cell order, beside runs in allocator order. */
export async function runCells(
  cells: readonly Cell[],
  settings: RunSettings,
  jobs: number,
  allocators: PoolAllocators,
  onDone: OnCellDone,
  observed?: PoolTrace,
  beside: BesideRuns | null = null,
): Promise<PoolResult> {
  const file = workerFile();
  const bound = allocators.threadBound.filter((name) => cells.some((c) => c.allocator === name));
  if (file && bound.length > 0 && jobs > 1) {
    throw new BenchError(
      "BAD_PLUGIN",
      `${bound.join(", ")} exist${bound.length === 1 ? "s" : ""} only in this thread (a plugin object, or registerStrategy at run time), and worker threads cannot see ${bound.length === 1 ? "it" : "them"}: give runBench({ allocators }) the module's path or URL instead (or use jobs: 1)`,
    );
  }
  const traces = await loadTraces(cells, settings);
  const schedule = scheduleJobs(cells, allocators.backends, beside, traces, settings);
  const done = file && bound.length === 0 ? await runInWorkers(file, schedule, cells.length, jobs, settings, beside, allocators, traces, onDone, observed) : await runInThread(schedule, cells.length, settings, beside, traces, onDone);
  // Back in the allocators' order, whatever order the jobs finished in.
  const order = new Map(allocators.backends.map((b, i) => [b.name, i]));
  done.sort((a, b) => order.get(a.allocator)! - order.get(b.allocator)!);
  return {
    results: done.flatMap((d) => d.results).sort((a, b) => a.index - b.index),
    adversary: done.flatMap((d) => d.adversary),
    efficiency: done.flatMap((d) => d.efficiency),
  };
}

/** What one job produced. */
type JobResult = PoolResult & { allocator: string };

async function runInThread(schedule: readonly PoolJob[], total: number, settings: RunSettings, beside: BesideRuns | null, traces: Map<string, Trace>, onDone: OnCellDone): Promise<JobResult[]> {
  const out: JobResult[] = [];
  let done = 0;
  for (const job of schedule) {
    const results: CellResult[] = [];
    for (const cell of job.cells) {
      results.push(runCell(cell, traces.get(cell.workload.file)!, settings, backendOf(job, cell)));
      onDone(results[results.length - 1]!, ++done, total);
      await new Promise((r) => setImmediate(r)); // let the progress bar draw
    }
    const extra = job.beside && beside ? runBeside(job.backends[0]!, beside, settings.quick) : { adversary: [], efficiency: [] };
    out.push({ allocator: job.backends[0]!.name, results, ...extra });
  }
  return out;
}

function runInWorkers(
  file: string,
  schedule: readonly PoolJob[],
  total: number,
  jobs: number,
  settings: RunSettings,
  beside: BesideRuns | null,
  allocators: PoolAllocators,
  traces: Map<string, Trace>,
  onDone: OnCellDone,
  observed?: PoolTrace,
): Promise<JobResult[]> {
  const shared: Record<string, SharedTrace> = {};
  for (const [path, trace] of traces) shared[path] = shareTrace(trace);
  const plugins = allocators.pluginUrls.filter((u): u is string => u !== null);
  return new Promise((resolve, reject) => {
    const out: JobResult[] = [];
    const running = new Set<Worker>();
    let next = 0;
    let cellsDone = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const w of running) void w.terminate();
      reject(error);
    };
    const start = () => {
      if (failed) return;
      if (next >= schedule.length) {
        if (running.size === 0) resolve(out);
        return;
      }
      const job = schedule[next++]!;
      const setup: WorkerSetup & { dmmReportWorker: true } = {
        dmmReportWorker: true, plugins, natives: allocators.natives, settings, allocators: job.backends.map((b) => b.name), cells: job.cells, beside: job.beside ? beside : null, traces: shared,
      };
      const worker = new Worker(file, { workerData: setup, ...workerExecArgv() });
      const seen: string[] = [];
      observed?.workers.push(seen);
      running.add(worker);
      const results: CellResult[] = [];
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") {
          const missing = job.cells.filter((c) => c.allocatorKind === "strategy" && !message.strategies.includes(c.allocator)).map((c) => c.allocator);
          if (missing.length > 0) {
            fail(new BenchError("BAD_PLUGIN", `strategy "${missing[0]}" was registered with registerStrategy in this thread, and worker threads cannot see it: put it in a module whose default export is an AllocatorPlugin and pass that (dmm bench --allocator <module>, runBench({ allocators: [path] })), or use jobs: 1`));
          }
          return;
        }
        if (message.type === "fatal") return fail(new BenchError((message.code || "BAD_PLUGIN") as BenchErrorCode, message.error));
        seen.splice(0, seen.length, ...message.allocatorsSeen);
        if (message.type === "cell") {
          results.push(message.result);
          onDone(message.result, ++cellsDone, total);
          return;
        }
        out.push({ allocator: job.backends[0]!.name, results, adversary: message.adversary, efficiency: message.efficiency });
        running.delete(worker);
        void worker.terminate();
        start();
      });
      worker.on("error", (error) => fail(error));
      worker.on("exit", (code) => {
        if (running.has(worker) && !failed) fail(new Error(`a worker thread exited (code ${code}) before finishing ${job.backends.map((b) => b.name).join(", ")}'s cells`));
      });
    };
    for (let j = 0; j < Math.min(jobs, schedule.length); j++) start();
    if (schedule.length === 0) resolve(out);
  });
}
