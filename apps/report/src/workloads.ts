/**
 * Which traces the bench runs: the names in workloads/manifest.json, or the user's own trace files in any
 * format @dmm/workloads reads. Loading, and the --quick prefix.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import * as workloadsPackage from "@dmm/workloads";
import { type Trace, TraceBuilder } from "@dmm/workloads";
import { BenchError } from "./backends.js";
import type { WorkloadRef } from "./types.js";

/** Ops of the trace prefix a --quick run replays. */
export const QUICK_OPS = 20_000;

interface ManifestEntry {
  name: string;
  file: string;
  kind: string;
  description?: string;
}

/** The nearest workloads/manifest.json at or above `from`, or null. */
export function findManifest(from: string = process.cwd()): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = resolve(dir, "workloads", "manifest.json");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The manifest's workloads, with files resolved against the manifest's folder. */
export function readManifest(manifestPath: string): WorkloadRef[] {
  let parsed: { workloads?: ManifestEntry[] };
  try {
    parsed = JSON.parse(readFileSync(manifestPath, "utf8")) as { workloads?: ManifestEntry[] };
  } catch (error) {
    throw new BenchError("BAD_TRACE", `cannot read the workload manifest ${manifestPath}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed.workloads)) throw new BenchError("BAD_TRACE", `${manifestPath}: no "workloads" array`);
  const dir = dirname(manifestPath);
  return parsed.workloads.map((w) => ({
    name: w.name,
    file: resolve(dir, w.file),
    kind: w.kind,
    description: w.description ?? "",
  }));
}

/**
 * Resolves --workloads: each item is a manifest name, or a path to a trace file. Unknown names are a
 * BenchError listing the known ones. No list: the whole manifest.
 */
export function resolveWorkloads(items: readonly string[] | undefined, manifest: readonly WorkloadRef[]): WorkloadRef[] {
  if (!items || items.length === 0) return [...manifest];
  const out: WorkloadRef[] = [];
  for (const item of items) {
    const named = manifest.find((w) => w.name === item);
    if (named) {
      out.push(named);
    } else if (existsSync(item)) {
      const file = isAbsolute(item) ? item : resolve(item);
      out.push({ name: basename(file), file, kind: "file", description: `trace file ${item}` });
    } else {
      const known = manifest.map((w) => w.name).join(", ") || "(no manifest found)";
      throw new BenchError("UNKNOWN_WORKLOAD", `unknown workload "${item}": not a manifest name (known: ${known}) nor an existing file`);
    }
  }
  return out;
}

type ReadTrace = (path: string) => Promise<Trace>;

/** Loads a workload's trace; a parse error becomes a BenchError naming the file. */
export async function loadTrace(workload: WorkloadRef): Promise<Trace> {
  const read = (workloadsPackage as unknown as { readTrace?: ReadTrace }).readTrace ?? readNativeTrace;
  try {
    return await read(workload.file);
  } catch (error) {
    const message = (error as Error).message;
    throw new BenchError("BAD_TRACE", message.includes(workload.file) ? message : `${workload.file}: ${message}`);
  }
}

/** The first `maxOps` ops of a trace: every free or realloc in a prefix refers to an id allocated before it. */
export function tracePrefix(trace: Trace, maxOps: number): Trace {
  if (trace.length <= maxOps) return trace;
  const { kind, id, size, count } = trace.columns;
  const b = new TraceBuilder();
  for (let i = 0; i < maxOps; i++) b.push(kind[i]!, id[i]!, size[i]!, count[i]!);
  return b.finish({ ...trace.meta, prefix: String(maxOps) });
}

/** Minimal reader of the native text format, used until @dmm/workloads exports readTrace. */
async function readNativeTrace(path: string): Promise<Trace> {
  const text = readFileSync(path, "utf8");
  const b = new TraceBuilder();
  const meta: Record<string, string> = {};
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s*([\w-]+)\s*[:=]\s*(.*)$/.exec(line);
      if (m) meta[m[1]!] = m[2]!;
      continue;
    }
    const f = line.split(/\s+/);
    const num = (s: string | undefined) => {
      const v = Number(s);
      if (s === undefined || !Number.isInteger(v) || v < 0) throw new Error(`line ${n + 1}: bad field in "${line}"`);
      return v;
    };
    if (f[0] === "a") b.malloc(num(f[1]), num(f[2]));
    else if (f[0] === "c") b.calloc(num(f[1]), num(f[2]), num(f[3]));
    else if (f[0] === "r") b.realloc(num(f[1]), num(f[2]));
    else if (f[0] === "f") b.free(num(f[1]));
    else throw new Error(`line ${n + 1}: unknown op "${f[0]}"`);
  }
  return b.finish(meta);
}
