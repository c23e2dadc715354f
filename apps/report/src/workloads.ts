/**
 * Which traces the bench runs: the names in workloads/manifest.json, or the user's own trace files in any
 * format @dmm/workloads reads. Loading, and the --quick prefix.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { readTrace, sliceTrace, type Trace } from "@dmm/workloads";
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

/** Loads a workload's trace; a parse error or an empty trace becomes a BenchError naming the file. */
export async function loadTrace(workload: WorkloadRef): Promise<Trace> {
  let trace: Trace;
  try {
    trace = await readTrace(workload.file);
  } catch (error) {
    const message = (error as Error).message;
    throw new BenchError("BAD_TRACE", message.includes(workload.file) ? message : `${workload.file}: ${message}`);
  }
  // Every ratio of an empty trace is 0/0: say so instead of drawing a report of NaN.
  if (trace.length === 0) throw new BenchError("BAD_TRACE", `${workload.file}: the trace has no operations`);
  return trace;
}

/** The first `maxOps` ops of a trace: every free or realloc in a prefix refers to an id allocated before it. */
export function tracePrefix(trace: Trace, maxOps: number): Trace {
  return trace.length <= maxOps ? trace : sliceTrace(trace, maxOps, { ...trace.meta, prefix: String(maxOps) });
}
