/** A bench run from options to results: resolve the matrix, run its cells, play the adversary. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { type Backend, backendByName, backends, BenchError, GROWABLE_MAX_BYTES, type JsBackend, type NativeSpec, STRATEGIES_AT_LOAD } from "./backends.js";
import { environment } from "./environment.js";
import { buildMatrix, parseCoalescing, type Shard, shardCells } from "./matrix.js";
import { resolveNatives } from "./natives.js";
import { type AllocatorPlugin, type LoadedPlugin, loadPlugins, pluginBackend } from "./plugins.js";
import { type OnCellDone, type PoolTrace, runCells } from "./pool.js";
import type { Cell, CoalescingMode, RunResult, RunSettings } from "./types.js";
import { findManifest, readManifest, resolveWorkloads } from "./workloads.js";

export const RESULTS_FORMAT = "dmm-bench/3";

export { adversaryParams, efficiencyParams, runAdversary, runEfficiency } from "./beside.js";

export interface BenchOptions {
  /** Built-in allocators by name (strategies, buddy, peers, native names); default: all. Plugins and `native` are always added. */
  strategies?: readonly string[];
  /**
   * Plugins: module paths (relative to the folder the command ran from), package names or URLs whose default export
   * is an AllocatorPlugin, imported here and in every worker; or AllocatorPlugin objects (these run only with jobs: 1).
   */
  allocators?: ReadonlyArray<string | URL | AllocatorPlugin>;
  /** Native allocators: glibc, jemalloc, tcmalloc, mimalloc, or paths of shared libraries; default: every named one. */
  native?: readonly string[];
  /** The folder relative module and library paths resolve against (the CLI: where the user ran it); default: the working directory. */
  baseDir?: string;
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
  /** Measure heap efficiency on a fixed arena; default true. */
  efficiency?: boolean;
  /** The command line, printed in the report. */
  command?: string;
  onPlan?: (cells: readonly Cell[], matrixSize: number) => void;
  onCellDone?: OnCellDone;
  /** Filled with the allocators each worker thread ran (for the isolation test). */
  poolTrace?: PoolTrace;
}

export interface Plan {
  allocators: Backend[];
  plugins: readonly LoadedPlugin[];
  natives: NativeSpec[];
  coalescing: CoalescingMode[];
  cells: Cell[];
  matrixSize: number;
  settings: RunSettings;
  workloads: ReturnType<typeof resolveWorkloads>;
}

/**
 * Resolves options into the cells to run; every unknown or duplicate name is a BenchError before anything runs.
 * `plugins` are runBench's `allocators`, already loaded (see loadPlugins).
 */
export function plan(options: BenchOptions, plugins: readonly LoadedPlugin[] = []): Plan {
  const natives = resolveNatives(options.native, options.baseDir);
  const pluginBackends: JsBackend[] = plugins.map((p) => pluginBackend(p.plugin));
  const builtIn = backends([], natives);
  const seen = new Set<string>();
  for (const b of [...builtIn, ...pluginBackends]) {
    if (seen.has(b.name)) throw new BenchError("BAD_PLUGIN", `two allocators are named "${b.name}"${pluginBackends.includes(b as JsBackend) ? ` (a plugin's name must differ from every other allocator's)` : ""}`);
    seen.add(b.name);
  }
  const known = backends(pluginBackends, natives);
  let allocators: Backend[] = known;
  if (options.strategies && options.strategies.length > 0) {
    const named = options.strategies.map((s) => backendByName(s, known));
    const always = [...pluginBackends, ...(options.native && options.native.length > 0 ? natives.map((n) => known.find((b) => b.name === n.name)!) : [])];
    allocators = [...new Set([...named, ...always])];
  }
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
  return { allocators, plugins, natives, coalescing, cells: shardCells(all, options.shard ?? null), matrixSize: all.length, settings, workloads };
}

/** Runs the matrix (or one shard of it). */
export async function runBench(options: BenchOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const p = plan(options, await loadPlugins(options.allocators ?? [], options.baseDir));
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const threadBound = [
    ...p.plugins.filter((l) => l.url === null).map((l) => l.plugin.name),
    ...p.allocators.filter((b) => b.kind === "strategy" && !STRATEGIES_AT_LOAD.has(b.name)).map((b) => b.name),
  ];
  const pool = { backends: p.allocators, pluginUrls: p.plugins.map((l) => l.url), natives: p.natives, threadBound };
  options.onPlan?.(p.cells, p.matrixSize);
  // The adversary and heap efficiency are played in shard 1 only, each allocator's in its own worker after its cells.
  const firstShard = !options.shard || options.shard.k === 1;
  const beside = { adversary: (options.adversary ?? true) && firstShard, efficiency: (options.efficiency ?? true) && firstShard, coalescing: p.coalescing };
  const { results, adversary, efficiency } = await runCells(p.cells, p.settings, jobs, pool, options.onCellDone ?? (() => {}), options.poolTrace, beside);
  return {
    format: RESULTS_FORMAT,
    environment: environment(options.command ?? "pnpm bench"),
    settings: p.settings,
    matrixSize: p.matrixSize,
    matrix: { allocators: p.allocators.map((a) => a.name), coalescing: [...p.coalescing] },
    shard: options.shard ? `${options.shard.k}/${options.shard.n}` : null,
    workloads: p.workloads.map((w) => ({ ...w, sha256: fileHash(w.file) })),
    results,
    adversary,
    efficiency,
    elapsedMs: performance.now() - started,
  };
}

/** sha256 of a file's bytes (a trace file that cannot be read has failed its cells already: "unreadable"). */
function fileHash(file: string): string {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return "unreadable";
  }
}

