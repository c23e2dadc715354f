/**
 * `dmm record -- COMMAND [ARGS...]`: runs a program with dmm's interposer (native/record.c, LD_PRELOAD) and
 * turns its log into a trace in the native format, gzipped.
 *
 * The interposer is compiled with the machine's cc on first use and cached under os.tmpdir() by the hash of
 * its source and the compiler's version. Only the started process is recorded (and what it becomes through
 * exec); its child processes are not (see record.c). PYTHONMALLOC=malloc is set, so CPython's small objects go
 * through malloc instead of its own pymalloc arenas.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { traceStats, TraceBuilder, type Trace, type TraceStats, writeTrace } from "@dmm/workloads";
import { BenchError } from "./backends.js";

/** A failure that is the machine's, not the user's typing: one line, exit 1 (usage errors are BenchError, exit 2). */
export class RecordError extends Error {
  override readonly name = "RecordError";
}

/** Where native/record.c is, from src/ (tests) or dist/src/ (the built package). */
function sourcePath(): string {
  for (const rel of ["../native/record.c", "../../native/record.c"]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new RecordError("native/record.c is missing from the installed @dmm/report");
}

/** Compiles the interposer (once per source and compiler); the shared library's path. */
export function buildInterposer(cc: string = process.env.CC ?? "cc"): string {
  const source = sourcePath();
  const version = spawnSync(cc, ["--version"], { encoding: "utf8" });
  if (version.error || version.status !== 0) {
    throw new RecordError(`dmm record needs a C compiler to build its interposer, and \`${cc} --version\` failed (${version.error?.message ?? `exit ${version.status}`}): install cc (e.g. apt-get install gcc) or set CC`);
  }
  const compiler = version.stdout.split("\n")[0]!.trim();
  const hash = createHash("sha256").update(readFileSync(source)).update(compiler).update(cc).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "dmm-record", hash);
  const lib = join(dir, "librecord.so");
  if (existsSync(lib)) return lib;
  mkdirSync(dir, { recursive: true });
  const partial = `${lib}.${process.pid}.tmp`;
  const built = spawnSync(cc, ["-shared", "-fPIC", "-O2", "-o", partial, source, "-ldl", "-lpthread"], { encoding: "utf8" });
  if (built.error || built.status !== 0) {
    rmSync(partial, { force: true });
    throw new RecordError(`\`${cc} -shared -fPIC -O2\` failed to build the interposer: ${(built.error?.message ?? built.stderr).trim().split("\n")[0]}`);
  }
  renameSync(partial, lib);
  return lib;
}

/** What the converter met besides plain calls, kept in the trace's meta as record.<key>. */
export interface LogCounts {
  /** Process images (1, plus one per exec). */
  images: number;
  /** Frees and reallocs of addresses the log never handed out (dropped; realloc read as malloc). */
  unknownFrees: number;
  unknownReallocs: number;
  /** An address handed out again while still bound (cannot happen under the lock; counted, the old object freed). */
  reusedAddresses: number;
  /** Requests above 4 GiB - 1, which the trace format cannot hold (dropped). */
  tooLarge: number;
}

const MAX_SIZE = 2 ** 32 - 1;

/**
 * Turns the interposer's log (see native/record.c) into a trace. Addresses become ids; a freed id is reused,
 * so ids stay dense. Objects still live when a process image ends (exec) are freed there: that heap is gone.
 */
export function traceFromLog(text: string, meta: Record<string, string> = {}): { trace: Trace; counts: LogCounts } {
  const b = new TraceBuilder();
  const idOf = new Map<number, number>();
  const spare: number[] = [];
  let nextId = 0;
  const counts: LogCounts = { images: 0, unknownFrees: 0, unknownReallocs: 0, reusedAddresses: 0, tooLarge: 0 };
  const release = (addr: number): boolean => {
    const id = idOf.get(addr);
    if (id === undefined) return false;
    idOf.delete(addr);
    b.free(id);
    spare.push(id);
    return true;
  };
  const bind = (addr: number): number => {
    if (idOf.has(addr)) counts.reusedAddresses++, release(addr);
    const id = spare.length > 0 ? spare.pop()! : nextId++;
    idOf.set(addr, id);
    return id;
  };
  let line = 0;
  for (let at = 0; at < text.length; ) {
    let eol = text.indexOf("\n", at);
    if (eol === -1) eol = text.length; // a last line cut short: its fields are checked below like any other
    const lineText = text.slice(at, eol);
    const f = lineText.split(" ");
    at = eol + 1;
    line++;
    const op = f[0];
    const hex = (i: number) => Number.parseInt(f[i] ?? "", 16);
    const dec = (i: number) => Number(f[i] ?? "");
    const bad = (n: number) => f.length !== n || f.slice(1).some((x) => x === "" || Number.isNaN(Number.parseInt(x, 16)));
    if (op === "x") {
      counts.images++;
      for (const addr of [...idOf.keys()]) release(addr);
      continue;
    }
    if (op === "m" && !bad(3)) {
      const size = dec(2);
      if (size > MAX_SIZE) counts.tooLarge++;
      else b.malloc(bind(hex(1)), size);
    } else if (op === "c" && !bad(4)) {
      const count = dec(2), size = dec(3);
      if (count * size > MAX_SIZE) counts.tooLarge++;
      else b.calloc(bind(hex(1)), count, size);
    } else if (op === "r" && !bad(4)) {
      const old = hex(1), addr = hex(2), size = dec(3);
      const id = idOf.get(old);
      if (size > MAX_SIZE) {
        counts.tooLarge++;
        if (id !== undefined) release(old);
      } else if (id === undefined) {
        counts.unknownReallocs++;
        b.malloc(bind(addr), size);
      } else {
        idOf.delete(old);
        if (idOf.has(addr)) counts.reusedAddresses++, release(addr);
        idOf.set(addr, id);
        b.realloc(id, size);
      }
    } else if (op === "f" && !bad(2)) {
      if (!release(hex(1))) counts.unknownFrees++;
    } else if (!(op === "" && f.length === 1)) {
      throw new RecordError(`the interposer's log has a bad line ${line}: "${lineText.slice(0, 80)}"`);
    }
  }
  const trace = b.finish({
    ...meta,
    ...Object.fromEntries(Object.entries(counts).filter(([k, v]) => v > 0 && k !== "images").map(([k, v]) => [`record.${k}`, String(v)])),
  });
  return { trace, counts };
}

export interface RecordOptions {
  /** The trace file to write (.gz is gzipped). */
  output: string;
  /** Where the command runs. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The program's own output goes here (default: inherited). */
  stdio?: "inherit" | "pipe";
  cc?: string;
}

export interface RecordResult {
  file: string;
  stats: TraceStats;
  counts: LogCounts;
  /** The program's exit status (or the signal that ended it). */
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The program's stdout and stderr when stdio is "pipe". */
  output: string;
}

/** Runs `command` under the interposer and writes its trace to `options.output`. */
export async function recordCommand(command: readonly string[], options: RecordOptions): Promise<RecordResult> {
  if (command.length === 0 || command[0] === "") throw new BenchError("BAD_OPTION", "dmm record needs a command to run: dmm record [-o FILE] -- COMMAND [ARGS...]");
  if (process.platform !== "linux") throw new RecordError(`dmm record works on Linux (LD_PRELOAD), not on ${process.platform}`);
  if (existsSync(options.output) && statSync(options.output).isDirectory()) throw new BenchError("BAD_OPTION", `-o ${options.output} is a folder; name the trace file to write`);
  if (!existsSync(dirname(options.output))) throw new BenchError("BAD_OPTION", `-o ${options.output}: the folder ${dirname(options.output)} does not exist`);
  const lib = buildInterposer(options.cc ?? options.env.CC ?? "cc");
  const work = mkdtempSync(join(tmpdir(), "dmm-record-"));
  const log = join(work, "calls.log");
  try {
    const preload = [lib, options.env.LD_PRELOAD].filter(Boolean).join(" ");
    const env = { ...options.env, LD_PRELOAD: preload, DMM_RECORD_LOG: log, DMM_RECORD_PARENT: String(process.pid), PYTHONMALLOC: "malloc" };
    const child = spawn(command[0]!, command.slice(1), { cwd: options.cwd, env, stdio: options.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += String(d)));
    child.stderr?.on("data", (d: Buffer) => (output += String(d)));
    const { status, signal } = await new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolveExit, reject) => {
      child.on("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "ENOENT" ? new BenchError("BAD_OPTION", `cannot run "${command[0]}": no such program (in ${options.cwd} or on PATH)`) : new RecordError(`cannot run "${command[0]}": ${error.message}`)),
      );
      child.on("close", (code, sig) => resolveExit({ status: code, signal: sig }));
    });
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    const { trace, counts } = traceFromLog(text, {
      name: basename(options.output).replace(/\.gz$/, "").replace(/\.trace$/, ""),
      source: `dmm record -- ${command.join(" ")}`,
      recorder: "dmm record (LD_PRELOAD interposer, one lock per call)",
      recorded: new Date().toISOString(),
    });
    if (counts.images === 0) {
      throw new RecordError(`"${command[0]}" ran without loading the interposer (a statically linked program, or one that clears LD_PRELOAD): nothing recorded`);
    }
    if (trace.length === 0) throw new RecordError(`"${command[0]}" made no malloc calls through the C library: nothing recorded`);
    const partial = join(work, basename(options.output));
    await writeTrace(partial, trace);
    renameOrCopy(partial, options.output);
    return { file: options.output, stats: traceStats(trace), counts, status, signal, output };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Moves the finished trace into place (rename when on one file system, else copy then rename beside it). */
function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    const beside = `${to}.${process.pid}.tmp`;
    const bytes = readFileSync(from);
    try {
      writeFileSync(beside, bytes);
      renameSync(beside, to);
    } finally {
      rmSync(beside, { force: true });
    }
  }
}
