#!/usr/bin/env node
/**
 * pnpm workloads list | generate <name> [--param k=v …] [--seed N] --out file | info <file> | convert <in> <out>
 *               | regenerate [--check]
 */
import { realpathSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { Command, InvalidArgumentError } from "commander";
import { TraceError } from "./errors.js";
import { generate, generators } from "./generators/registry.js";
import { findWorkloadsDir, generateEntry, loadManifest } from "./manifest.js";
import { encodeTrace, readTrace } from "./parse.js";
import { traceStats } from "./stats.js";
import { sliceTrace, type Trace } from "./trace.js";

function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
}

function formatOf(value: string): "dmm" | "rep" {
  if (value !== "dmm" && value !== "rep") throw new InvalidArgumentError(`format is dmm or rep, got "${value}"`);
  return value;
}

/** .rep when the output path says so, else native; gzipped when it ends in .gz. */
async function save(path: string, trace: Trace, format?: "dmm" | "rep"): Promise<void> {
  const f = format ?? (/\.rep(\.gz)?$/.test(path) ? "rep" : "dmm");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, encodeTrace(trace, { format: f, gzip: path.endsWith(".gz") }));
}

function printInfo(path: string, trace: Trace): void {
  const s = traceStats(trace);
  const rows: Array<[string, string | number]> = [
    ["file", path],
    ...Object.entries(trace.meta).map(([k, v]): [string, string] => [k, v]),
    ["ops", s.ops],
    ["  malloc", s.mallocs],
    ["  calloc", s.callocs],
    ["  realloc", s.reallocs],
    ["  free", s.frees],
    ["ids", s.ids],
    ["peak live bytes", s.peakLiveBytes],
    ["peak live objects", s.peakLiveObjects],
    ["live at end", s.finalLiveObjects],
    ["size min/mean", `${s.sizes.min} / ${s.sizes.mean.toFixed(1)}`],
    ["size p50/p90/p99/max", `${s.sizes.p50} / ${s.sizes.p90} / ${s.sizes.p99} / ${s.sizes.max}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

/** Runs the CLI on `argv` (user arguments only, without node and the script). */
export async function runCli(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv], { from: "user" });
}

function buildProgram(): Command {
const program = new Command()
  .name("workloads")
  .description("dmm allocation traces: list and run generators, inspect and convert trace files")
  .showHelpAfterError();

program
  .command("list")
  .description("list the generators with their parameters (units, defaults)")
  .option("--json", "print JSON")
  .action((opts: { json?: boolean }) => {
    if (opts.json) return void console.log(JSON.stringify(generators, null, 2));
    for (const g of generators) {
      console.log(`${g.name} (${g.kind})\n  ${g.description}`);
      for (const p of g.params) {
        const unit = p.unit ? ` ${p.unit}` : "";
        const choices = p.choices ? ` [${p.choices.join("|")}]` : "";
        console.log(`    --param ${p.name}=${p.default}${unit}${choices}  ${p.description}`);
      }
      console.log(`    --seed 1`);
    }
  });

program
  .command("generate <name>")
  .description("write a generated trace (same name, params and seed -> byte-identical file)")
  .option("-p, --param <key=value>", "generator parameter, repeatable", keyValue, {})
  .option("-s, --seed <n>", "PRNG seed", wholeNumber, 1)
  .requiredOption("-o, --out <file>", "output file (.gz: gzipped; .rep: CS:APP format)")
  .option("-f, --format <format>", "dmm or rep (default: from the file name)", formatOf)
  .action(async (name: string, opts: { param: Record<string, string>; seed: number; out: string; format?: "dmm" | "rep" }) => {
    const trace = generate(name, { ...opts.param, seed: opts.seed });
    await save(opts.out, trace, opts.format);
    console.log(`${opts.out}: ${trace.length} ops`);
  });

program
  .command("info <file>")
  .description("op counts, peak live bytes and objects, size percentiles of a trace (any format, .gz too)")
  .option("--json", "print JSON")
  .action(async (file: string, opts: { json?: boolean }) => {
    const trace = await readTrace(file);
    if (opts.json) console.log(JSON.stringify({ file, meta: trace.meta, ...traceStats(trace) }, null, 2));
    else printInfo(file, trace);
  });

program
  .command("convert <in> <out>")
  .description("read any format (dmm, rep, mtrace, .gz) and write dmm or rep")
  .option("-f, --format <format>", "dmm or rep (default: from the file name)", formatOf)
  .option("--max-ops <n>", "keep only the first n ops", wholeNumber)
  .option("--name <name>", "set meta.name")
  .option("--meta <key=value>", "set a metadata field, repeatable", keyValue, {})
  .action(async (input: string, out: string, opts: { format?: "dmm" | "rep"; maxOps?: number; name?: string; meta: Record<string, string> }) => {
    let trace = await readTrace(input);
    const meta: Record<string, string> = { ...trace.meta, ...opts.meta };
    if (opts.name !== undefined) meta.name = opts.name;
    if (opts.maxOps !== undefined && opts.maxOps < trace.length) {
      meta.truncated = `first ${opts.maxOps} of ${trace.length} ops`;
      trace = sliceTrace(trace, opts.maxOps, meta);
    } else trace = sliceTrace(trace, trace.length, meta);
    await save(out, trace, opts.format);
    console.log(`${out}: ${trace.length} ops`);
  });

program
  .command("regenerate")
  .description("rewrite the generated traces of workloads/manifest.json (--check: only compare, exit 1 on a difference)")
  .option("--dir <dir>", "the workloads folder (default: the repository's)")
  .option("--check", "compare instead of writing")
  .action(async (opts: { dir?: string; check?: boolean }) => {
    const dir = opts.dir ?? findWorkloadsDir(process.cwd()) ?? findWorkloadsDir();
    if (!dir) throw new TraceError("BAD_MANIFEST", "no workloads/manifest.json found; pass --dir");
    let differ = 0;
    for (const entry of loadManifest(dir)) {
      if (!entry.generator) continue;
      const bytes = encodeTrace(generateEntry(entry), { gzip: entry.path.endsWith(".gz"), format: /\.rep(\.gz)?$/.test(entry.path) ? "rep" : "dmm" });
      if (opts.check) {
        // Compare the trace text, not the gzip bytes, which may differ between zlib versions.
        const old = await readFile(entry.path).catch(() => null);
        const unzip = (b: Uint8Array) => (entry.path.endsWith(".gz") ? gunzipSync(b) : b);
        const same = old !== null && Buffer.compare(unzip(old), unzip(bytes)) === 0;
        if (!same) differ++;
        console.log(`${same ? "same   " : "DIFFERS"} ${entry.file}`);
      } else {
        await mkdir(dirname(entry.path), { recursive: true });
        await writeFile(entry.path, bytes);
        console.log(`wrote ${entry.file}`);
      }
    }
    if (differ > 0) process.exitCode = 1;
  });

return program;
}

/** Bad input (a TraceError, a missing file) gets its one-line message; anything else is a bug: its stack. */
export function describeError(error: unknown): string {
  const known = error instanceof TraceError || (error as NodeJS.ErrnoException | null)?.code?.startsWith?.("E") === true;
  return known ? `workloads: ${(error as Error).message}` : String((error as Error)?.stack ?? error);
}

/** True when this file is the program being run (directly, or through a package-manager bin symlink). */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(resolve(script))).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  // `pnpm workloads list | head` closes the pipe early: that is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  runCli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(describeError(error));
    process.exitCode = 1;
  });
}
