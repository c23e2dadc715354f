/**
 * The native reference: replays a trace on the C library's malloc (glibc on Linux) with a small C program,
 * native/replay.c, compiled with the machine's `cc -O2` once into a cache directory under os.tmpdir().
 * Skipped, with the reason, when there is no compiler.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Trace } from "@dmm/workloads";

export interface NativeOptions {
  /** Whole-trace repetitions in one process. @defaultValue 5 */
  repetitions?: number;
  /** The C compiler. @defaultValue process.env.CC or "cc" */
  cc?: string;
  /** clock_gettime's clock: "wall" (CLOCK_MONOTONIC) or "cpu" (CLOCK_PROCESS_CPUTIME_ID). @defaultValue "wall" */
  clock?: "wall" | "cpu";
}

export type NativeResult =
  | {
      skipped: false;
      /** "glibc malloc" on Linux, else "libc malloc". */
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

/** Compiles native/replay.c (cached by source and compiler version); the binary path, or why not. */
export function buildNativeReplay(cc = process.env.CC ?? "cc"): { path: string; compiler: string } | { reason: string } {
  const source = sourcePath();
  if (source === null) return { reason: "native/replay.c is missing from the installed @dmm/bench" };
  const version = spawnSync(cc, ["--version"], { encoding: "utf8" });
  if (version.error || version.status !== 0) {
    return { reason: `no C compiler: \`${cc} --version\` failed (${version.error?.message ?? `exit ${version.status}`}); install cc or set CC` };
  }
  const compiler = version.stdout.split("\n")[0]!.trim();
  const text = readFileSync(source);
  const hash = createHash("sha256").update(text).update(compiler).update(cc).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "dmm-bench-native", hash);
  const path = join(dir, "replay");
  if (existsSync(path)) return { path, compiler };
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  const built = spawnSync(cc, ["-O2", "-o", partial, source], { encoding: "utf8" });
  if (built.error || built.status !== 0) {
    rmSync(partial, { force: true });
    return { reason: `\`${cc} -O2\` failed to build native/replay.c: ${built.error?.message ?? built.stderr.trim()}` };
  }
  renameSync(partial, path);
  return { path, compiler };
}

/** ns/op of the C library's malloc/free/realloc/calloc on `trace`, or `{ skipped: true, reason }`. */
export function measureNative(trace: Trace, options: NativeOptions = {}): NativeResult {
  const repetitions = options.repetitions ?? 5;
  const clock = options.clock ?? "wall";
  if (clock !== "wall" && clock !== "cpu") return { skipped: true, reason: `clock must be "wall" or "cpu", got ${String(clock)}` };
  if (!Number.isInteger(repetitions) || repetitions < 1) return { skipped: true, reason: `repetitions must be an integer >= 1, got ${repetitions}` };
  const build = buildNativeReplay(options.cc);
  if ("reason" in build) return { skipped: true, reason: build.reason };
  const file = join(tmpdir(), `dmm-trace-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}.bin`);
  writeFileSync(file, encodeTraceBinary(trace));
  try {
    const run = spawnSync(build.path, [file, String(repetitions), clock], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (run.error || run.status !== 0) {
      return { skipped: true, reason: `native replay failed: ${run.error?.message ?? run.stderr.trim()}` };
    }
    const out = JSON.parse(run.stdout.trim()) as { ops: number; repetitions: number; minNs: number; medianNs: number; failures: number };
    const ops = Math.max(1, out.ops);
    return {
      skipped: false,
      allocator: process.platform === "linux" ? "glibc malloc" : "libc malloc",
      compiler: build.compiler,
      ops: out.ops,
      repetitions: out.repetitions,
      clock,
      nsPerOp: out.medianNs / ops,
      minNsPerOp: out.minNs / ops,
      failures: out.failures,
    };
  } finally {
    rmSync(file, { force: true });
  }
}
