/** Writes a run's files into the output folder atomically, and reads results.json back (for merge and compare). */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { BenchError } from "./backends.js";
import { resultsCsv, timelineCsv } from "./csv.js";
import { type Renderer, renderSvgs, startRenderer } from "./render.js";
import { indexHtml, type RenderedChart } from "./html.js";
import { buildCharts } from "./specs.js";
import { RESULTS_FORMAT } from "./run.js";
import type { Cell, CellResult, RunResult } from "./types.js";
import { verdicts } from "./verdict.js";

/**
 * An output folder being written: files go to a temporary sibling folder, renamed over `dir` by `commit()`,
 * so a run that fails (or a write that fails halfway) leaves the old report as it was, never a mix.
 */
export interface PreparedOutput {
  /** The folder the report ends up in (absolute). */
  readonly dir: string;
  /** The temporary folder files are written to. */
  readonly tmp: string;
  /** Removes the temporary folder (after a failure). */
  discard(): void;
}

/** Files a report folder can hold: a folder with anything else in it is not replaced. */
const REPORT_FILE = /^(results\.(csv|json)|timeline\.csv|compare\.csv|index\.html|screenshot\.png|[\w-]+\.(vl\.json|svg))$/;

/**
 * Checks that `dir` can take a report before anything runs: it is a folder of an earlier report, an empty
 * folder, or does not exist yet; and its parent is writable (the temporary folder is made now). A BenchError
 * (a usage error) otherwise.
 */
export function prepareOutput(dir: string): PreparedOutput {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new BenchError("BAD_OPTION", `--out ${target} is a file, not a folder`);
    const foreign = readdirSync(target).filter((f) => !REPORT_FILE.test(f));
    if (foreign.length > 0) {
      throw new BenchError("BAD_OPTION", `--out ${target} holds files that are not a dmm report (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}); name a new or empty folder`);
    }
  }
  let tmp: string;
  try {
    mkdirSync(dirname(target), { recursive: true });
    tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  } catch (error) {
    throw new BenchError("BAD_OPTION", `--out ${target}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return { dir: target, tmp, discard: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** Moves the finished temporary folder into place: the old report aside, the new one in, the old one removed. */
function commit(out: PreparedOutput): void {
  const old = existsSync(out.dir) ? `${out.tmp}.old` : null;
  if (old) renameSync(out.dir, old);
  try {
    renameSync(out.tmp, out.dir);
  } catch (error) {
    if (old) renameSync(old, out.dir);
    throw error;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

/** Writes `files` (name → contents) as the folder `out`, atomically (see PreparedOutput). */
export function writeFolder(files: Readonly<Record<string, string>>, out: string | PreparedOutput): string[] {
  const target = typeof out === "string" ? prepareOutput(out) : out;
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(target.tmp, name), text);
    commit(target);
  } catch (error) {
    target.discard();
    throw error;
  }
  return Object.keys(files);
}

/** The share of a run's cells done when its render worker warms up on their charts (see chartsAhead). */
export const WARM_UP_SHARE = 0.25;

/** A bench run's charts prepared while its cells run: see chartsAhead. */
export interface ChartsAhead {
  /** The render worker for writeOutputs; null before the first cell is done, or without a compiled worker. */
  readonly renderer: Renderer | null;
  /** runBench's onPlan: the cells to come. */
  plan(cells: readonly Cell[]): void;
  /** runBench's onCellDone. */
  cellDone(result: CellResult, done: number, total: number): void;
  /** Ends the render worker (a run that failed before writeOutputs). */
  close(): void;
}

/**
 * Prepares a bench run's charts while its cells run, for writeOutputs: the render worker starts when the first
 * cell is done (its start and vega's import, about half a second of CPU, are not left for after the last cell),
 * and when WARM_UP_SHARE of the cells are done it draws their charts and throws them away, so the run's charts
 * are drawn by vega's compiled code (a thread's first charts take about twice the CPU of the same charts again).
 */
export function chartsAhead(settings: RunResult["settings"]): ChartsAhead {
  let renderer: Renderer | null = null;
  let cells: readonly Cell[] = [];
  const results: CellResult[] = [];
  return {
    get renderer() {
      return renderer;
    },
    plan(planned) {
      cells = planned;
    },
    cellDone(result, done, total) {
      results.push(result);
      if (done === 1) renderer = startRenderer();
      if (renderer && done === Math.ceil(total * WARM_UP_SHARE)) {
        const workloads = [...new Map(cells.map((c) => [c.workload.name, c.workload])).values()];
        renderer.warm(buildCharts({ workloads, results, adversary: [], efficiency: [], settings }).map((c) => c.spec));
      }
    },
    close() {
      renderer?.close();
    },
  };
}

/**
 * Writes a run's report into `out` (a folder path, or one prepared before the run); the files written, relative
 * to it. The charts are drawn by `renderer` when given (a render worker started while the run's cells ran, see
 * startRenderer), else on up to `threads` threads (default: every core).
 */
export async function writeOutputs(run: RunResult, out: string | PreparedOutput, threads: number = availableParallelism(), renderer: Renderer | null = null): Promise<string[]> {
  const target = typeof out === "string" ? prepareOutput(out) : out;
  try {
    const charts = buildCharts(run);
    const specs = charts.map((c) => c.spec);
    // The charts draw on worker threads while this one writes the CSV and JSON.
    const rendering = renderer ? renderer.render(specs).then((svgs) => ({ svgs })) : renderSvgs(specs, threads);
    rendering.catch(() => {}); // awaited below; a CSV that throws first must not leave it unhandled
    const files: Record<string, string> = {
      "results.csv": resultsCsv(run.results),
      "timeline.csv": timelineCsv(run.results),
      // The verdicts ride along for readers of results.json (merge and compare recompute them from the cells).
      "results.json": `${JSON.stringify({ ...run, verdicts: verdicts(run.results, run.workloads.map((w) => w.name)) })}\n`,
    };
    const { svgs } = await rendering;
    const rendered: RenderedChart[] = charts.map((chart, i) => ({ chart, svg: svgs[i]! }));
    for (const { chart, svg } of rendered) {
      files[`${chart.id}.vl.json`] = `${JSON.stringify(chart.spec)}\n`;
      files[`${chart.id}.svg`] = svg;
    }
    files["index.html"] = indexHtml(run, rendered);
    return writeFolder(files, target);
  } catch (error) {
    target.discard();
    throw error;
  }
}

export function readResults(dir: string): RunResult {
  const file = join(dir, "results.json");
  let run: RunResult;
  try {
    run = JSON.parse(readFileSync(file, "utf8")) as RunResult;
  } catch (error) {
    throw new BenchError("BAD_RESULTS", `cannot read ${file}: ${(error as Error).message}`);
  }
  if (run.format !== RESULTS_FORMAT) throw new BenchError("BAD_RESULTS", `${file}: format "${run.format}", expected "${RESULTS_FORMAT}"`);
  return run;
}

/**
 * Why two runs are not shards of one matrix, or null when they are: same settings, the same allocators and
 * coalescing modes in the same order, and the same workloads by name and content (sha256 of the trace file).
 */
export function matrixDifference(a: RunResult, b: RunResult): string | null {
  const what = (run: RunResult) => run.shard ?? "whole run";
  const settings = (run: RunResult) => JSON.stringify({ quick: run.settings.quick, fixedArena: run.settings.fixedArena ?? null, heapMap: run.settings.heapMapWorkloads });
  if (settings(a) !== settings(b)) return `settings differ (${what(a)}: ${settings(a)}; ${what(b)}: ${settings(b)})`;
  const list = (xs: readonly string[]) => xs.join(",");
  if (list(a.matrix.allocators) !== list(b.matrix.allocators)) return `allocators differ (${what(a)}: ${list(a.matrix.allocators)}; ${what(b)}: ${list(b.matrix.allocators)})`;
  if (list(a.matrix.coalescing) !== list(b.matrix.coalescing)) return `coalescing modes differ (${what(a)}: ${list(a.matrix.coalescing)}; ${what(b)}: ${list(b.matrix.coalescing)})`;
  const names = (run: RunResult) => list(run.workloads.map((w) => w.name));
  if (names(a) !== names(b)) return `workloads differ (${what(a)}: ${names(a)}; ${what(b)}: ${names(b)})`;
  const changed = a.workloads.filter((w, i) => w.sha256 !== b.workloads[i]!.sha256).map((w) => w.name);
  if (changed.length > 0) return `the trace${changed.length > 1 ? "s" : ""} ${changed.join(", ")} differ${changed.length > 1 ? "" : "s"} in content (sha256) between ${what(a)} and ${what(b)}`;
  if (a.matrixSize !== b.matrixSize) return `matrix sizes differ (${what(a)}: ${a.matrixSize} cells; ${what(b)}: ${b.matrixSize})`;
  return null;
}

/** Joins shard results into one run: the same matrix (else a BenchError, exit 2), no cell twice, cells in matrix order. */
export function mergeRuns(runs: readonly RunResult[]): RunResult {
  if (runs.length === 0) throw new BenchError("BAD_RESULTS", "merge needs at least one results folder");
  const first = runs[0]!;
  const byIndex = new Map<number, RunResult["results"][number]>();
  for (const run of runs) {
    const difference = matrixDifference(first, run);
    if (difference) throw new BenchError("BAD_RESULTS", `cannot merge shards of different matrices: ${difference}`);
    for (const r of run.results) {
      if (byIndex.has(r.index)) throw new BenchError("BAD_RESULTS", `cell ${r.index} (${r.allocator} ${r.coalescing} ${r.workload}) appears in two shards`);
      byIndex.set(r.index, r);
    }
  }
  const results = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const workloads = first.workloads.slice();
  return {
    ...first,
    environment: { ...first.environment, command: `${first.environment.command}  (merged from ${runs.length} result folder${runs.length === 1 ? "" : "s"}: ${runs.map((r) => r.shard ?? "whole").join(", ")})` },
    shard: results.length === first.matrixSize ? null : `${results.length} of ${first.matrixSize} cells`,
    workloads,
    results,
    adversary: runs.flatMap((r) => r.adversary),
    efficiency: runs.flatMap((r) => r.efficiency ?? []),
    elapsedMs: runs.reduce((s, r) => s + r.elapsedMs, 0),
  };
}
