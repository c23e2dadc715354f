/** A bench run from options to results: resolve the matrix, run its cells, play the adversary. */
import { availableParallelism } from "node:os";
import { robsonAdversary } from "@dmm/workloads";
import { type Backend, backendByName, backends, BenchError, GROWABLE_MAX_BYTES } from "./backends.js";
import { environment } from "./environment.js";
import { buildMatrix, modesOf, parseCoalescing, type Shard, shardCells } from "./matrix.js";
import { type OnCellDone, runCells } from "./pool.js";
import type { AdversaryResult, Cell, CoalescingMode, RunResult, RunSettings } from "./types.js";
import { findManifest, readManifest, resolveWorkloads } from "./workloads.js";

export const RESULTS_FORMAT = "dmm-bench/2";

export interface BenchOptions {
  strategies?: readonly string[];
  coalescing?: readonly string[];
  workloads?: readonly string[];
  quick?: boolean;
  jobs?: number;
  shard?: Shard | null;
  fixedArena?: number;
  /** Path of workloads/manifest.json; default: the nearest one at or above the working directory. */
  manifest?: string;
  /** Workloads whose heap map is drawn; default: the first two. */
  heapMap?: readonly string[];
  /** Play the adaptive adversary; default true. */
  adversary?: boolean;
  /** The command line, printed in the report. */
  command?: string;
  onPlan?: (cells: readonly Cell[], matrixSize: number) => void;
  onCellDone?: OnCellDone;
}

export interface Plan {
  allocators: Backend[];
  coalescing: CoalescingMode[];
  cells: Cell[];
  matrixSize: number;
  settings: RunSettings;
  workloads: ReturnType<typeof resolveWorkloads>;
}

/** Resolves options into the cells to run; every unknown name is a BenchError before anything runs. */
export function plan(options: BenchOptions): Plan {
  const known = backends();
  const allocators = options.strategies && options.strategies.length > 0 ? options.strategies.map((s) => backendByName(s, known)) : known;
  const coalescing = parseCoalescing(options.coalescing);
  const manifestPath = options.manifest ?? findManifest();
  const manifest = manifestPath ? readManifest(manifestPath) : [];
  const workloads = resolveWorkloads(options.workloads, manifest);
  if (workloads.length === 0) throw new BenchError("UNKNOWN_WORKLOAD", "no workloads: no workloads/manifest.json found and no --workloads given");
  if (options.fixedArena !== undefined && (!Number.isInteger(options.fixedArena) || options.fixedArena < 64 || options.fixedArena > GROWABLE_MAX_BYTES)) {
    throw new BenchError("BAD_OPTION", `--fixed-arena must be an integer number of bytes from 64 to ${GROWABLE_MAX_BYTES}, got ${options.fixedArena}`);
  }
  const all = buildMatrix(allocators, coalescing, workloads);
  const heapMapWorkloads = options.heapMap ?? workloads.slice(0, 2).map((w) => w.name);
  for (const name of heapMapWorkloads) {
    if (!workloads.some((w) => w.name === name)) throw new BenchError("UNKNOWN_WORKLOAD", `--heap-map names "${name}", which is not in this run's workloads`);
  }
  const settings: RunSettings = {
    quick: options.quick ?? false,
    ...(options.fixedArena !== undefined ? { fixedArena: options.fixedArena } : {}),
    heapMapWorkloads,
  };
  return { allocators, coalescing, cells: shardCells(all, options.shard ?? null), matrixSize: all.length, settings, workloads };
}

/** Runs the matrix (or one shard of it). */
export async function runBench(options: BenchOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const p = plan(options);
  options.onPlan?.(p.cells, p.matrixSize);
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const results = await runCells(p.cells, p.settings, jobs, options.onCellDone ?? (() => {}));
  const playAdversary = (options.adversary ?? true) && (!options.shard || options.shard.k === 1);
  const adversary = playAdversary ? runAdversary(p.allocators, p.coalescing, p.settings.quick) : [];
  return {
    format: RESULTS_FORMAT,
    environment: environment(options.command ?? "pnpm bench"),
    settings: p.settings,
    matrixSize: p.matrixSize,
    shard: options.shard ? `${options.shard.k}/${options.shard.n}` : null,
    workloads: p.workloads,
    results,
    adversary,
    elapsedMs: performance.now() - started,
  };
}

/** The adversary's largest request (Robson's n) and its live-memory cap M, both in 16-byte units. */
export function adversaryParams(quick: boolean): { n: number; M: number; seed: number } {
  return quick ? { n: 64, M: 4096, seed: 1 } : { n: 256, M: 16384, seed: 1 };
}

/** Plays Robson's adaptive adversary against each allocator in each of its coalescing modes. */
export function runAdversary(allocators: readonly Backend[], coalescing: readonly CoalescingMode[], quick: boolean): AdversaryResult[] {
  const params = adversaryParams(quick);
  const out: AdversaryResult[] = [];
  for (const backend of allocators) {
    const modes = modesOf(backend, coalescing);
    for (const mode of modes) {
      try {
        const r = robsonAdversary(backend.create({ coalescing: mode, growable: backend.growable, bytes: GROWABLE_MAX_BYTES }), params);
        out.push({ allocator: backend.name, coalescing: mode, n: params.n, M: r.M, heapExtent: r.heapExtent, bound: r.bound, ratio: r.ratio, boundRatio: r.boundRatio });
      } catch {
        // An allocator that cannot play (e.g. a peer without addresses) is left out of the chart.
      }
    }
  }
  return out;
}
