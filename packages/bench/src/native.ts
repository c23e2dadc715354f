/**
 * Native allocators on the same trace: a small C program, native/replay.c, compiled with the machine's `cc -O2`
 * once into a cache directory under os.tmpdir(), replays a trace on the C library's malloc (glibc on Linux) or on
 * any allocator interposed with LD_PRELOAD (jemalloc, tcmalloc, mimalloc, a user's .so exporting malloc, free,
 * calloc and realloc). The trace is decoded into arrays before anything is timed. Skipped, with the reason, when
 * there is no compiler, the library does not load, or it does not interpose all four functions.
 *
 * Footprint: a native heap's extent cannot be read, so the replayer measures what the operating system sees: the
 * peak resident set of an untimed replay that touches every page of every block, minus the resident set just
 * before it, divided by the trace's peak live bytes. About 1 for an allocator that reuses memory well (plus its
 * headers and the pages it keeps), far above 1 for one that never frees.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Trace, traceStats } from "@dmm/workloads";
import { medianInterval, medianOf } from "./intervals.js";

export interface NativeOptions {
  /** Whole-trace repetitions in one process. @defaultValue 5 */
  repetitions?: number;
  /** The C compiler. @defaultValue process.env.CC or "cc" */
  cc?: string;
  /** clock_gettime's clock: "wall" (CLOCK_MONOTONIC) or "cpu" (CLOCK_PROCESS_CPUTIME_ID). @defaultValue "wall" */
  clock?: "wall" | "cpu";
  /** A shared library to interpose with LD_PRELOAD instead of the C library's malloc. @defaultValue none */
  preload?: string;
}

export type NativeResult =
  | {
      skipped: false;
      /** "glibc malloc" on Linux, else "libc malloc"; the preloaded library's file name otherwise. */
      allocator: string;
      /** The compiler's first --version line. */
      compiler: string;
      ops: number;
      repetitions: number;
      clock: "wall" | "cpu";
      /** Median over repetitions of (whole-replay time / ops), clock_gettime around each replay. */
      nsPerOp: number;
      /** The fastest repetition's ns per op. */
      minNsPerOp: number;
      /**
       * 95% confidence interval of the median ns/op, from order statistics of the repetitions (distribution-free:
       * the ranks whose binomial(n, 1/2) tails hold 2.5% each); min and max with fewer than 6 repetitions.
       */
      ciLow: number;
      ciHigh: number;
      /** Each timed repetition's ns per op, in run order. */
      perRepetition: number[];
      /**
       * Peak resident bytes of the footprint pass over the resident bytes just before it, divided by the trace's
       * peak live bytes; null where the system does not report resident memory (no /proc) or nothing is live.
       */
      footprint: number | null;
      /** The resident-set numbers footprint comes from, in bytes (-1: not available). */
      baselineRssBytes: number;
      peakRssBytes: number;
      /** The trace's peak live bytes (the footprint's denominator). */
      peakLiveBytes: number;
      /** Requests that returned NULL (in the last repetition). */
      failures: number;
    }
  | { skipped: true; reason: string };

/** Where native/replay.c is, from src/ (tests) or dist/src/ (the built package). */
function sourcePath(): string | null {
  for (const rel of ["../native/replay.c", "../../native/replay.c"]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}

/** The trace's columns in native/replay.c's binary format. */
export function encodeTraceBinary(trace: Trace): Uint8Array {
  const { kind, id, size, count } = trace.columns;
  const n = kind.length;
  const kindBytes = (n + 3) & ~3;
  const out = new Uint8Array(16 + kindBytes + 12 * n);
  const view = new DataView(out.buffer);
  out.set([0x44, 0x4d, 0x4d, 0x54], 0); // "DMMT"
  view.setUint32(4, 1, true);
  view.setUint32(8, n, true);
  view.setUint32(12, trace.idCount, true);
  out.set(kind, 16);
  let at = 16 + kindBytes;
  for (const column of [id, size, count]) {
    for (let i = 0; i < n; i++, at += 4) view.setUint32(at, column[i]!, true);
  }
  return out;
}

/**
 * Each compiler's first `--version` line, or why it has none, by command: asked once per process. Starting the
 * compiler driver costs about 10 ms of CPU, and the report asks for the replayer once per native cell (84 cells
 * of the default matrix).
 */
const compilerVersions = new Map<string, { compiler: string } | { reason: string }>();

function compilerVersion(cc: string): { compiler: string } | { reason: string } {
  let known = compilerVersions.get(cc);
  if (known === undefined) {
    const version = spawnSync(cc, ["--version"], { encoding: "utf8" });
    known = version.error || version.status !== 0
      ? { reason: `no C compiler: \`${cc} --version\` failed (${version.error?.message ?? `exit ${version.status}`}); install cc or set CC` }
      : { compiler: version.stdout.split("\n")[0]!.trim() };
    compilerVersions.set(cc, known);
  }
  return known;
}

/**
 * Compiles native/replay.c (cached by source and compiler version, in a directory under os.tmpdir(); the compiler's
 * version is asked once per process); the binary path, or why not.
 */
export function buildNativeReplay(cc = process.env.CC ?? "cc"): { path: string; compiler: string } | { reason: string } {
  const source = sourcePath();
  if (source === null) return { reason: "native/replay.c is missing from the installed @dmm/bench" };
  const version = compilerVersion(cc);
  if ("reason" in version) return version;
  const { compiler } = version;
  const text = readFileSync(source);
  const hash = createHash("sha256").update(text).update(compiler).update(cc).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "dmm-bench-native", hash);
  const path = join(dir, "replay");
  if (existsSync(path)) return { path, compiler };
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  // -ldl: dlsym/dladdr live in libdl before glibc 2.34 (an empty stub after).
  let built = spawnSync(cc, ["-O2", "-o", partial, source, "-ldl"], { encoding: "utf8" });
  if (built.error === undefined && built.status !== 0) built = spawnSync(cc, ["-O2", "-o", partial, source], { encoding: "utf8" });
  if (built.error || built.status !== 0) {
    rmSync(partial, { force: true });
    return { reason: `\`${cc} -O2\` failed to build native/replay.c: ${built.error?.message ?? built.stderr.trim()}` };
  }
  renameSync(partial, path);
  return { path, compiler };
}

interface ReplayOutput {
  ops: number;
  repetitions: number;
  failures: number;
  times: number[];
  baselineRssBytes: number;
  peakRssBytes: number;
  peakReset: boolean;
  malloc: string;
  free: string;
  calloc: string;
  realloc: string;
}

/** Which of malloc, free, calloc, realloc did not resolve to `library` (compared by file name). */
const INTERPOSED = ["malloc", "free", "calloc", "realloc"] as const;

function notInterposed(out: ReplayOutput, library: string): Array<(typeof INTERPOSED)[number]> {
  const want = basename(library);
  return INTERPOSED.filter((f) => basename(out[f]) !== want);
}

/** ns/op and footprint of the C library's malloc (or `options.preload`'s) on `trace`, or `{ skipped: true, reason }`. */
export function measureNative(trace: Trace, options: NativeOptions = {}): NativeResult {
  const repetitions = options.repetitions ?? 5;
  const clock = options.clock ?? "wall";
  if (clock !== "wall" && clock !== "cpu") return { skipped: true, reason: `clock must be "wall" or "cpu", got ${String(clock)}` };
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 10000) return { skipped: true, reason: `repetitions must be an integer from 1 to 10000, got ${repetitions}` };
  const preload = options.preload;
  if (preload !== undefined && !existsSync(preload)) return { skipped: true, reason: `${preload}: no such file` };
  const build = buildNativeReplay(options.cc);
  if ("reason" in build) return { skipped: true, reason: build.reason };
  const file = join(tmpdir(), `dmm-trace-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}.bin`);
  writeFileSync(file, encodeTraceBinary(trace));
  try {
    const env = { ...process.env };
    delete env.LD_PRELOAD;
    if (preload !== undefined) env.LD_PRELOAD = preload;
    const run = spawnSync(build.path, [file, String(repetitions), clock], { encoding: "utf8", maxBuffer: 1 << 22, env });
    const what = preload === undefined ? "native replay" : `native replay with ${basename(preload)}`;
    if (run.error || run.status !== 0) {
      const why = run.error?.message ?? (run.signal ? `killed by ${run.signal}` : `exit ${run.status}`);
      const stderr = run.stderr?.trim().split("\n")[0];
      return { skipped: true, reason: `${what} failed: ${why}${stderr ? `: ${stderr}` : ""}` };
    }
    let out: ReplayOutput;
    try {
      out = JSON.parse(run.stdout.trim()) as ReplayOutput;
    } catch {
      return { skipped: true, reason: `${what} printed no result (${JSON.stringify(run.stdout.slice(0, 80))})` };
    }
    if (preload !== undefined) {
      const missing = notInterposed(out, preload);
      if (missing.length > 0) return { skipped: true, reason: `${basename(preload)} does not interpose ${missing.join(", ")} (resolved to ${missing.map((f) => basename(out[f]) || "?").join(", ")}); a native allocator must export malloc, free, calloc and realloc` };
    }
    const ops = Math.max(1, out.ops);
    const perRepetition = out.times.map((t) => t / ops);
    const sorted = [...perRepetition].sort((a, b) => a - b);
    const median = medianOf(sorted);
    const [ciLow, ciHigh] = medianInterval(sorted);
    const peakLiveBytes = traceStats(trace).peakLiveBytes;
    const rss = out.peakRssBytes >= 0 && out.baselineRssBytes >= 0 && out.peakReset;
    return {
      skipped: false,
      allocator: preload !== undefined ? basename(preload) : process.platform === "linux" ? "glibc malloc" : "libc malloc",
      compiler: build.compiler,
      ops: out.ops,
      repetitions: out.repetitions,
      clock,
      nsPerOp: median,
      minNsPerOp: sorted[0]!,
      ciLow,
      ciHigh,
      perRepetition,
      footprint: rss && peakLiveBytes > 0 ? Math.max(0, out.peakRssBytes - out.baselineRssBytes) / peakLiveBytes : null,
      baselineRssBytes: out.baselineRssBytes,
      peakRssBytes: out.peakRssBytes,
      peakLiveBytes,
      failures: out.failures,
    };
  } finally {
    rmSync(file, { force: true });
  }
}
