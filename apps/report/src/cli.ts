#!/usr/bin/env node
/**
 * The `dmm` command: `bench` runs every allocator × coalescing mode × workload (or the part the options name)
 * and writes the report; `record` traces a program's allocations; `compare` diffs two reports; `merge` joins
 * the results of shards run with --shard k/n.
 *
 * Usage errors (an unknown flag, a bad value, an unknown name, an unreadable trace) are one line on stderr and
 * exit code 2; a machine problem dmm can name (no cc for `record`) is one line and exit 1; anything else that
 * fails is exit 1 with its stack. `main` is the whole command as a function of
 * its arguments and streams, so the tests run it in-process on the TypeScript sources.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import { BenchError } from "./backends.js";
import { parseShard } from "./matrix.js";
import { compareCsv, compareHtml, compareRuns } from "./compare.js";
import { chartsAhead, mergeRuns, prepareOutput, readResults, writeFolder, writeOutputs } from "./output.js";
import { RecordError, recordCommand } from "./record.js";
import { runBench } from "./run.js";
import { summaryTable } from "./summary.js";
import { relaunchForTiming } from "./timing-flags.js";
import { QUICK_OPS } from "./workloads.js";

/** Where the command reads and writes, so tests can run it in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The process's working directory. @defaultValue process.cwd() */
  cwd?: string;
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * The folder relative paths in arguments are relative to: the one the user typed the command in. pnpm and npm
 * run a package script from the package's own folder and put the user's folder in INIT_CWD; we trust INIT_CWD
 * only when we are running in that package folder, so a script that `cd`s elsewhere first keeps its own folder.
 */
export function invocationDir(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const init = env.INIT_CWD;
  const pkg = env.npm_package_json ? dirname(env.npm_package_json) : undefined;
  return init && pkg && resolve(pkg) === resolve(cwd) ? resolve(init) : cwd;
}

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got "${value}"`);
  return n;
};
const repeat = (value: string, previous: string[] = []) => [...previous, value];
const shard = (value: string) => {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** A --workloads item that names a file (has a slash or an extension, or exists) is a path from the user's folder. */
function workloadItem(item: string, base: string): string {
  const candidate = resolve(base, item);
  return /[\\/]/.test(item) || /\.[A-Za-z0-9]+$/.test(item) || existsSync(candidate) ? candidate : item;
}

/** Arguments as a shell line the user could type again. */
const shellLine = (args: readonly string[]) => args.map((a) => (/^[\w./:=,@+-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");

/** The command line as the user could type it again. */
function commandLine(argv: readonly string[]): string {
  return `pnpm ${shellLine(argv)}`;
}

/** The options of `dmm bench`, as commander parses them. */
export interface BenchCliOptions {
  strategies?: string[];
  coalescing?: string[];
  workloads?: string[];
  quick: boolean;
  out: string;
  jobs: number;
  shard?: ReturnType<typeof parseShard>;
  fixedArena?: number;
  heapMap?: string[];
  manifest?: string;
  progress: boolean;
  allocator?: string[];
  native?: string[];
}

/** `dmm bench`'s options; one place, so `--help` lists every one. */
function benchOptions(command: Command): Command {
  return command
    .option("--strategies <names>", "comma-separated allocators (registered strategies, buddy, peers, glibc); default: all", list)
    .option("--coalescing <modes>", "comma-separated: immediate (on), none (off), deferred, or all; default: all three (deferred only where an allocator has it)", list)
    .option("--workloads <items>", "comma-separated manifest names or trace file paths (.trace, .rep, mtrace, .gz; relative to where you run the command); default: the manifest", list)
    .option("--quick", `replay at most a ${QUICK_OPS / 1000}k-op prefix of each trace, fewer latency samples`, false)
    .option("--out <dir>", "output folder (replaced as a whole when the run ends)", "report")
    .addOption(new Option("--jobs <n>", "worker threads").argParser(positiveInt("--jobs")).default(availableParallelism(), "the number of cores"))
    .option("--shard <k/n>", "run only shard k of n (join the shards with `dmm merge`)", shard)
    .option("--fixed-arena <bytes>", "arena size for the fixed-arena failure run (default: 1.25 x each workload's peak live bytes)", positiveInt("--fixed-arena"))
    .option("--heap-map <names>", "workloads whose heap map (address x time) is drawn; default: the first two", list)
    .option("--manifest <file>", "workload manifest (default: the nearest workloads/manifest.json)")
    .option("--allocator <module>", "repeatable: an ES module (path or package name) whose default export is an AllocatorPlugin; always included", repeat)
    .option("--native <name|path>", "repeatable: glibc, jemalloc, tcmalloc, mimalloc, or a shared library exporting malloc/free/calloc/realloc (LD_PRELOAD); always included; default: every named one (those not installed are skipped, saying why)", repeat)
    .option("--no-progress", "no progress bar");
}

async function bench(opts: BenchCliOptions, argv: readonly string[], io: Required<CliIo>): Promise<void> {
  const base = invocationDir(io.cwd, io.env);
  const out = prepareOutput(resolve(base, opts.out));
  const bar = new cliProgress.SingleBar(
    { format: "{bar} {value}/{total} cells | {percentage}% | ETA {eta_formatted} | {last}", hideCursor: true, noTTYOutput: false, etaBuffer: 20, stream: io.stderr },
    cliProgress.Presets.shades_classic,
  );
  const showBar = opts.progress && io.stderr.isTTY === true;
  const started = Date.now();
  const charts = chartsAhead({ quick: opts.quick, ...(opts.fixedArena !== undefined ? { fixedArena: opts.fixedArena } : {}), heapMapWorkloads: [] });
  try {
    const run = await runBench({
      strategies: opts.strategies,
      coalescing: opts.coalescing,
      workloads: opts.workloads?.map((w) => workloadItem(w, base)),
      quick: opts.quick,
      jobs: opts.jobs,
      shard: opts.shard ?? null,
      ...(opts.fixedArena !== undefined ? { fixedArena: opts.fixedArena } : {}),
      ...(opts.heapMap ? { heapMap: opts.heapMap } : {}),
      ...(opts.manifest ? { manifest: resolve(base, opts.manifest) } : {}),
      ...(opts.allocator ? { allocators: opts.allocator } : {}),
      ...(opts.native ? { native: opts.native } : {}),
      baseDir: base,
      command: commandLine(argv),
      onPlan: (cells, matrixSize) => {
        charts.plan(cells);
        io.stderr.write(`bench: ${cells.length} cells${cells.length !== matrixSize ? ` (of ${matrixSize})` : ""} on ${Math.min(opts.jobs, cells.length)} worker(s)${opts.quick ? ", quick" : ""}\n`);
        if (showBar) bar.start(cells.length, 0, { last: "" });
      },
      onCellDone: (r, done, total) => {
        charts.cellDone(r, done, total); // the charts' worker starts, imports vega and warms up while the cells run
        if (showBar) bar.update(done, { last: `${r.allocator}/${r.coalescing}/${r.workload}` });
        else if (done === total || done % 25 === 0) io.stderr.write(`  ${done}/${total} cells\n`);
      },
    });
    if (showBar) bar.stop();
    const files = await writeOutputs(run, out, opts.jobs, charts.renderer);
    io.stdout.write(`${summaryTable(run.results)}\n\n`);
    io.stdout.write(`${run.results.length} cells in ${((Date.now() - started) / 1000).toFixed(1)} s; wrote ${files.length} files to ${out.dir}\n`);
    if (files.includes("index.html")) io.stdout.write(`open ${resolve(out.dir, "index.html")}\n`);
  } catch (error) {
    if (showBar) bar.stop();
    charts.close();
    out.discard();
    throw error;
  }
}

async function merge(dirs: string[], opts: { out: string }, io: Required<CliIo>): Promise<void> {
  const base = invocationDir(io.cwd, io.env);
  const run = mergeRuns(dirs.map((d) => readResults(resolve(base, d))));
  const out = prepareOutput(resolve(base, opts.out));
  try {
    const files = await writeOutputs(run, out);
    io.stdout.write(`${summaryTable(run.results)}\n\nmerged ${dirs.length} folder(s), ${run.results.length} of ${run.matrixSize} cells; wrote ${files.length} files to ${out.dir}\n`);
  } catch (error) {
    out.discard();
    throw error;
  }
}

/** How the user reaches dmm: through the clone's pnpm script, or the installed bin. */
function dmmCommand(env: NodeJS.ProcessEnv): string {
  return env.npm_lifecycle_event === "dmm" || env.npm_lifecycle_event === "bench" ? "pnpm" : "dmm";
}

/** A path as the user can type it from `base`: ./relative below it, else absolute. */
function typeable(path: string, base: string): string {
  const rel = relative(base, path);
  const shown = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? `./${rel}` : path;
  return /^[\w./:=,@+-]+$/.test(shown) ? shown : JSON.stringify(shown);
}

async function record(command: string[], opts: { output?: string }, io: Required<CliIo>): Promise<void> {
  const base = invocationDir(io.cwd, io.env);
  const program = command[0] ?? "";
  const output = resolve(base, opts.output ?? `${basename(program).replace(/[^\w.-]+/g, "_") || "program"}.trace.gz`);
  const r = await recordCommand(command, { output, cwd: base, env: io.env });
  const s = r.stats;
  const n = (x: number) => x.toLocaleString("en-US");
  const ended = r.signal ? `was killed by ${r.signal}` : r.status !== 0 ? `exited with status ${r.status}` : "";
  if (ended) io.stderr.write(`dmm record: note: ${program} ${ended}; its calls up to then are recorded\n`);
  io.stdout.write(
    [
      `recorded ${shellLine(command)}`,
      `  ops: ${n(s.ops)} (${n(s.mallocs)} malloc, ${n(s.callocs)} calloc, ${n(s.reallocs)} realloc, ${n(s.frees)} free)`,
      `  objects: ${n(s.mallocs + s.callocs + r.counts.unknownReallocs)} allocated, at most ${n(s.peakLiveObjects)} live at once, ${n(s.finalLiveObjects)} never freed`,
      `  peak live bytes: ${n(s.peakLiveBytes)}`,
      ...(r.counts.unknownFrees + r.counts.tooLarge > 0 ? [`  dropped: ${n(r.counts.unknownFrees)} free(s) of memory allocated before recording, ${n(r.counts.tooLarge)} request(s) over 4 GiB`] : []),
      `wrote ${r.file}`,
      `next: ${dmmCommand(io.env)} bench --workloads ${typeable(r.file, base)}`,
      "",
    ].join("\n"),
  );
}

async function compare(dirA: string, dirB: string, opts: { out: string; failOnRegression: boolean }, io: Required<CliIo>): Promise<boolean> {
  const base = invocationDir(io.cwd, io.env);
  const a = { dir: resolve(base, dirA), run: readResults(resolve(base, dirA)) };
  const b = { dir: resolve(base, dirB), run: readResults(resolve(base, dirB)) };
  const out = prepareOutput(resolve(base, opts.out));
  const c = compareRuns(a.run, b.run);
  writeFolder({ "index.html": compareHtml(c, a, b), "compare.csv": compareCsv(c) }, out);
  const significant = c.rows.filter((r) => r.significant);
  const lines = [`compared ${a.dir} (A) with ${b.dir} (B): ${c.rows.length} cell × metric pairs`];
  lines.push(`  ${significant.length} significant change(s): ${c.worse} worse, ${c.better} better, ${significant.length - c.worse - c.better} changed`);
  for (const r of significant.filter((x) => x.verdict === "worse").slice(0, 10)) {
    lines.push(`    worse: ${r.allocator} (${r.coalescing}) on ${r.workload}: ${r.metric} ${r.aInterval || r.a} → ${r.bInterval || r.b}`);
  }
  if (c.changedWorkloads.length) lines.push(`  traces that changed (same name, other content): ${c.changedWorkloads.join(", ")}`);
  if (c.onlyInA.length || c.onlyInB.length) lines.push(`  cells only in A: ${c.onlyInA.length}, only in B: ${c.onlyInB.length}`);
  lines.push(`wrote ${join(out.dir, "index.html")} and compare.csv`);
  io.stdout.write(`${lines.join("\n")}\n`);
  return opts.failOnRegression && c.worse > 0;
}

function version(): string {
  // src/cli.ts and dist/src/cli.js: the package.json is one or two folders up.
  for (const rel of ["../package.json", "../../package.json"]) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "@dmm/report" && pkg.version) return pkg.version;
  }
  return "unknown";
}

/** The `dmm` program, its output bound to `io`; `state.exitCode` is what a command that ran asks to exit with. */
export function program(argv: readonly string[], io: Required<CliIo>, state: { exitCode: number } = { exitCode: 0 }): Command {
  const root = new Command()
    .name("dmm")
    .description("A laboratory for dynamic memory allocators: compare allocation policies on your own program's trace.")
    .version(version(), "-V, --version")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Errors are printed once, as one line, by main.
      outputError: () => {},
    });

  benchOptions(
    root
      .command("bench", { isDefault: true })
      .alias("run")
      .description("run the matrix (the default command): every allocator x coalescing mode x workload; write CSV, charts and index.html"),
  ).action((opts: BenchCliOptions) => bench(opts, argv, io));

  root
    .command("record")
    .description("run a program and record its malloc, calloc, realloc and free calls as a trace (LD_PRELOAD; only the started process, not its children)")
    .usage("[-o FILE] -- COMMAND [ARGS...]")
    .option("-o, --output <file>", "the trace file to write (native format, gzipped); default: ./COMMAND.trace.gz")
    .argument("<command...>", "the program and its arguments")
    .passThroughOptions()
    .action((command: string[], opts: { output?: string }) => record(command, opts, io));

  root
    .command("compare")
    .description("what changed between two report folders: DIR/index.html and DIR/compare.csv (a row per cell and metric, significant or not)")
    .argument("<a>", "the first report folder (the baseline)")
    .argument("<b>", "the second report folder")
    .option("--out <dir>", "output folder", "compare")
    .option("--fail-on-regression", "exit 1 when anything got significantly worse (for CI)", false)
    .action(async (a: string, b: string, opts: { out: string; failOnRegression: boolean }) => {
      // --fail-on-regression and something got significantly worse: exit 1, so a CI job fails.
      if (await compare(a, b, opts, io)) state.exitCode = 1;
    });

  root
    .command("merge")
    .description("join the results.json of shard folders (dmm bench --shard k/n) into one report; refuses shards of different matrices")
    .argument("<dirs...>", "shard output folders")
    .option("--out <dir>", "output folder", "report")
    .action((dirs: string[], opts: { out: string }) => merge(dirs, opts, io));

  return root;
}

/** Runs `dmm` with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], partial: CliIo): Promise<number> {
  const io: Required<CliIo> = { cwd: process.cwd(), env: process.env, ...partial };
  const state = { exitCode: 0 };
  try {
    await program(argv, io, state).parseAsync([...argv], { from: "user" });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return 0;
      io.stderr.write(`dmm: ${error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ")}\n`);
      return 2;
    }
    if (error instanceof BenchError || error instanceof RecordError) {
      io.stderr.write(`dmm: ${error.message.replace(/\s*\n\s*/g, " ")}\n`);
      return error instanceof BenchError ? 2 : 1;
    }
    io.stderr.write(`dmm: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

/** Whether this module is the program node was started with (and not imported, e.g. by a test). */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  // `dmm bench | head` closes stdout early: stop quietly instead of crashing on EPIPE.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const args = process.argv.slice(2);
  void relaunchForTiming(args, process.argv[1]!)
    .then((code) => code ?? main(args, { stdout: process.stdout, stderr: process.stderr }))
    .then((code) => {
      process.exitCode = code;
    });
}
