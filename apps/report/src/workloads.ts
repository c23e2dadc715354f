/**
 * Which traces the bench runs: the names in workloads/manifest.json, or the user's own trace files in any
 * format @dmm/workloads reads. Loading, and the --quick prefix.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, isAbsolute, resolve } from "node:path";
import { findWorkloadsDir, loadManifest, manifestFile, readTrace, sliceTrace, type Trace } from "@dmm/workloads";
import { BenchError } from "./backends.js";
import type { WorkloadRef } from "./types.js";

/** Ops of the trace prefix a --quick run replays. */
export const QUICK_OPS = 10_000;

/**
 * The manifest a run uses when none is given: the nearest workloads/manifest.json at or above `from` (a clone),
 * else the one @dmm/default-workloads ships (an install), else null.
 */
export function findManifest(from: string = process.cwd()): string | null {
  const dir = findWorkloadsDir(from);
  if (dir !== null) return manifestFile(dir);
  try {
    return createRequire(import.meta.url).resolve("@dmm/default-workloads/manifest.json");
  } catch {
    return null;
  }
}

/** The manifest's workloads, read and checked by @dmm/workloads' loadManifest; its errors become BAD_TRACE. */
export function readManifest(manifestPath: string): WorkloadRef[] {
  try {
    return loadManifest(manifestPath).map((w) => ({ name: w.name, file: w.path, kind: w.kind, description: w.description }));
  } catch (error) {
    throw new BenchError("BAD_TRACE", `workload manifest ${manifestPath}: ${(error as Error).message}`);
  }
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
