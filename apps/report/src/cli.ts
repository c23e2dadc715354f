#!/usr/bin/env node
/**
 * `pnpm bench`: runs every strategy × coalescing mode × workload (or the part the options name) and writes
 * the report; `merge` joins the results of shards run with --shard k/n.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import cliProgress from "cli-progress";
import { BenchError } from "./backends.js";
import { parseShard } from "./matrix.js";
import { mergeRuns, readResults, writeOutputs } from "./output.js";
import { runBench } from "./run.js";
import { summaryTable } from "./summary.js";

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer`);
  return n;
};

function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/^[\w./:=,-]+$/.test(a) ? a : JSON.stringify(a)));
  return ["pnpm bench", ...args].join(" ");
}

// `pnpm bench | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const program = new Command()
  .name("bench")
  .description("Compare allocation strategies with coalescing on and off on every workload; write CSV, charts and an HTML report.");

program
  .command("run", { isDefault: true })
  .description("run the matrix (the default command)")
  .option("--strategies <names>", "comma-separated allocators (registered strategies, buddy, peers); default: all", list)
  .option("--coalescing <modes>", "comma-separated: immediate (on), none (off), deferred, or all; default: all three (deferred only where an allocator has it)", list)
  .option("--workloads <items>", "comma-separated manifest names or trace file paths (.trace, .rep, mtrace, .gz); default: the manifest", list)
  .option("--quick", "replay at most a 20k-op prefix of each trace, fewer latency samples", false)
  .option("--out <dir>", "output folder", "report")
  .option("--jobs <n>", "worker threads (default: all cores)", positiveInt("--jobs"), availableParallelism())
  .option("--shard <k/n>", "run only shard k of n (join the shards with `merge`)")
  .option("--fixed-arena <bytes>", "arena size for the fixed-arena failure run (default: 1.25 x each workload's peak live bytes)", positiveInt("--fixed-arena"))
  .option("--heap-map <names>", "workloads whose heap map (address x time) is drawn; default: the first two", list)
  .option("--manifest <file>", "workload manifest (default: the nearest workloads/manifest.json)")
  .option("--no-progress", "no progress bar")
  .action(async (opts: {
    strategies?: string[]; coalescing?: string[]; workloads?: string[]; quick: boolean; out: string; jobs: number;
    shard?: string; fixedArena?: number; heapMap?: string[]; manifest?: string; progress: boolean;
  }) => {
    const bar = new cliProgress.SingleBar(
      { format: "{bar} {value}/{total} cells | {percentage}% | ETA {eta_formatted} | {last}", hideCursor: true, noTTYOutput: false, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    const showBar = opts.progress && process.stderr.isTTY;
    const started = Date.now();
    const run = await runBench({
      strategies: opts.strategies,
      coalescing: opts.coalescing,
      workloads: opts.workloads,
      quick: opts.quick,
      jobs: opts.jobs,
      shard: opts.shard ? parseShard(opts.shard) : null,
      ...(opts.fixedArena !== undefined ? { fixedArena: opts.fixedArena } : {}),
      ...(opts.heapMap ? { heapMap: opts.heapMap } : {}),
      ...(opts.manifest ? { manifest: resolve(opts.manifest) } : {}),
      command: commandLine(),
      onPlan: (cells, matrixSize) => {
        process.stderr.write(`bench: ${cells.length} cells${cells.length !== matrixSize ? ` (of ${matrixSize})` : ""} on ${Math.min(opts.jobs, cells.length)} worker(s)${opts.quick ? ", quick" : ""}\n`);
        if (showBar) bar.start(cells.length, 0, { last: "" });
      },
      onCellDone: (r, done, total) => {
        if (showBar) bar.update(done, { last: `${r.allocator}/${r.coalescing}/${r.workload}` });
        else if (done === total || done % 25 === 0) process.stderr.write(`  ${done}/${total} cells\n`);
      },
    });
    if (showBar) bar.stop();
    const out = resolve(opts.out);
    const files = await writeOutputs(run, out);
    process.stdout.write(`${summaryTable(run.results)}\n\n`);
    process.stdout.write(`${run.results.length} cells in ${((Date.now() - started) / 1000).toFixed(1)} s; wrote ${files.length} files to ${out}\n`);
    if (files.includes("index.html")) process.stdout.write(`open ${resolve(out, "index.html")}\n`);
  });

program
  .command("merge")
  .description("join the results.json of shard folders into one report")
  .argument("<dirs...>", "shard output folders")
  .option("--out <dir>", "output folder", "report")
  .action(async (dirs: string[], opts: { out: string }) => {
    const run = mergeRuns(dirs.map((d) => readResults(resolve(d))));
    const out = resolve(opts.out);
    const files = await writeOutputs(run, out);
    process.stdout.write(`${summaryTable(run.results)}\n\nmerged ${dirs.length} folder(s), ${run.results.length} of ${run.matrixSize} cells; wrote ${files.length} files to ${out}\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof BenchError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
