/** Writes a run's files into the output folder, and reads results.json back (for merge). */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "./backends.js";
import { resultsCsv, timelineCsv } from "./csv.js";
import { renderSvg } from "./render.js";
import { indexHtml, type RenderedChart } from "./html.js";
import { buildCharts } from "./specs.js";
import { RESULTS_FORMAT } from "./run.js";
import type { RunResult } from "./types.js";

/** Files written, relative to the output folder. */
export async function writeOutputs(run: RunResult, outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const files: Record<string, string> = {
    "results.csv": resultsCsv(run.results),
    "timeline.csv": timelineCsv(run.results),
    "results.json": `${JSON.stringify(run)}\n`,
  };
  const rendered: RenderedChart[] = [];
  for (const chart of buildCharts(run)) {
    const svg = await renderSvg(chart.spec);
    files[`${chart.id}.vl.json`] = `${JSON.stringify(chart.spec)}\n`;
    files[`${chart.id}.svg`] = svg;
    rendered.push({ chart, svg });
  }
  files["index.html"] = indexHtml(run, rendered);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
  return Object.keys(files);
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

/** Joins shard results into one run: same matrix size, no cell twice, cells in matrix order. */
export function mergeRuns(runs: readonly RunResult[]): RunResult {
  if (runs.length === 0) throw new BenchError("BAD_RESULTS", "merge needs at least one results folder");
  const first = runs[0]!;
  const byIndex = new Map<number, RunResult["results"][number]>();
  for (const run of runs) {
    if (run.matrixSize !== first.matrixSize || run.settings.quick !== first.settings.quick) {
      throw new BenchError("BAD_RESULTS", `shards come from different matrices (${first.shard ?? "whole"}: ${first.matrixSize} cells, ${run.shard ?? "whole"}: ${run.matrixSize})`);
    }
    for (const r of run.results) {
      if (byIndex.has(r.index)) throw new BenchError("BAD_RESULTS", `cell ${r.index} (${r.allocator} ${r.coalescing} ${r.workload}) appears in two shards`);
      byIndex.set(r.index, r);
    }
  }
  const results = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const workloads = first.workloads.slice();
  for (const run of runs) for (const w of run.workloads) if (!workloads.some((x) => x.name === w.name)) workloads.push(w);
  return {
    ...first,
    environment: { ...first.environment, command: `${first.environment.command}  (merged from ${runs.length} result folder${runs.length === 1 ? "" : "s"}: ${runs.map((r) => r.shard ?? "whole").join(", ")})` },
    shard: results.length === first.matrixSize ? null : `${results.length} of ${first.matrixSize} cells`,
    workloads,
    results,
    adversary: runs.flatMap((r) => r.adversary),
    elapsedMs: runs.reduce((s, r) => s + r.elapsedMs, 0),
  };
}
