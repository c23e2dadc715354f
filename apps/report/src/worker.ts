/**
 * A worker thread of the pool. It is started for one JS allocator and runs only that allocator's cells, so the
 * code it times has seen no other allocator (the heap's calls into a strategy stay monomorphic, as in a program
 * that chose that strategy); or for the native allocators, whose cells it hands to the C replayer one by one. It imports the run's plugin modules by URL, so it knows the same allocators as the main
 * thread, and reads each trace from shared memory the main thread filled once.
 */
import { parentPort, workerData } from "node:worker_threads";
import { strategies } from "@dmm/strategies";
import { type Trace, traceFromColumns } from "@dmm/workloads";
import { backends, type NativeSpec } from "./backends.js";
import { runCell } from "./cell.js";
import { importPlugin, pluginBackend } from "./plugins.js";
import { type BesideRuns, runBeside } from "./beside.js";
import type { AdversaryResult, Cell, CellResult, EfficiencyResult, RunSettings } from "./types.js";

/** A trace's columns on SharedArrayBuffers: sent to every worker without copying. */
export interface SharedTrace {
  readonly kind: Uint8Array;
  readonly id: Uint32Array;
  readonly size: Uint32Array;
  readonly count: Uint32Array;
  readonly idCount: number;
  readonly meta: Record<string, string>;
}

/** What a worker is started with. */
export interface WorkerSetup {
  /** Module URLs of the run's plugins, imported in this order. */
  readonly plugins: readonly string[];
  readonly natives: readonly NativeSpec[];
  readonly settings: RunSettings;
  /** The allocators this worker runs: one JS allocator, or the native ones. */
  readonly allocators: readonly string[];
  /** The cells to run, in order: all of those allocators'. */
  readonly cells: readonly Cell[];
  /** The beside runs to play after the cells (the adversary, heap efficiency), or null. */
  readonly beside: BesideRuns | null;
  /** Each cell's trace, by workload file. */
  readonly traces: Readonly<Record<string, SharedTrace>>;
}

export type WorkerMessage =
  | { type: "ready"; strategies: string[] }
  | { type: "cell"; result: CellResult; allocatorsSeen: string[] }
  /** The last message: the beside runs (empty when none were asked); the worker is done. */
  | { type: "beside"; adversary: AdversaryResult[]; efficiency: EfficiencyResult[]; allocatorsSeen: string[] }
  | { type: "fatal"; error: string; code: string };

/** Copies a trace's columns into shared memory. */
export function shareTrace(trace: Trace): SharedTrace {
  const share = <T extends Uint8Array | Uint32Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    const out = make(new SharedArrayBuffer(Math.max(1, a.byteLength)));
    out.set(a);
    return out;
  };
  const c = trace.columns;
  const n = c.kind.length;
  return {
    kind: share(c.kind, (b) => new Uint8Array(b, 0, n)),
    id: share(c.id, (b) => new Uint32Array(b, 0, n)),
    size: share(c.size, (b) => new Uint32Array(b, 0, n)),
    count: share(c.count, (b) => new Uint32Array(b, 0, n)),
    idCount: trace.idCount,
    meta: trace.meta,
  };
}

export function unshareTrace(shared: SharedTrace): Trace {
  return traceFromColumns({ kind: shared.kind, id: shared.id, size: shared.size, count: shared.count }, shared.idCount, shared.meta);
}

async function serve(port: NonNullable<typeof parentPort>, setup: WorkerSetup): Promise<void> {
  port.postMessage({ type: "ready", strategies: strategies.map((s) => s.name) } satisfies WorkerMessage);
  const plugins = [];
  for (const url of setup.plugins) plugins.push(pluginBackend(await importPlugin(url)));
  const known = backends(plugins, setup.natives);
  const mine = setup.allocators.map((name) => {
    const backend = known.find((b) => b.name === name);
    if (!backend) throw new Error(`worker: no allocator named "${name}"`);
    return backend;
  });
  if (mine.length !== 1 && !mine.every((b) => b.kind === "native")) throw new Error(`worker: ${setup.allocators.join(", ")} in one worker (only native allocators share one)`);
  const seen = new Set<string>();
  for (const cell of setup.cells) {
    const backend = mine.find((b) => b.name === cell.allocator);
    if (!backend) throw new Error(`worker: a cell of ${cell.allocator} in the worker of ${setup.allocators.join(", ")}`);
    seen.add(cell.allocator);
    const result = runCell(cell, unshareTrace(setup.traces[cell.workload.file]!), setup.settings, backend);
    port.postMessage({ type: "cell", result, allocatorsSeen: [...seen] } satisfies WorkerMessage);
  }
  const extra = setup.beside ? runBeside(mine[0]!, setup.beside, setup.settings.quick) : { adversary: [], efficiency: [] };
  if (setup.beside) seen.add(mine[0]!.name);
  port.postMessage({ type: "beside", ...extra, allocatorsSeen: [...seen] } satisfies WorkerMessage);
}

if (parentPort && workerData && (workerData as { dmmReportWorker?: boolean }).dmmReportWorker) {
  const port = parentPort;
  serve(port, workerData as WorkerSetup).catch((error: Error & { code?: string }) =>
    port.postMessage({ type: "fatal", error: error.message, code: error.code ?? "" } satisfies WorkerMessage),
  );
}
