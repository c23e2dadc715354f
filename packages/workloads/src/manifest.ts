/**
 * workloads/manifest.json: the default bench set. Each entry names a trace file (relative to the manifest's
 * folder) and, for generated traces, the generator call that reproduces it byte for byte.
 *
 *   { "workloads": [ { "name": "mixed", "file": "generated/mixed.trace.gz", "kind": "randomized",
 *                      "description": "…", "generator": { "name": "mixed", "params": { "ops": 100000, "seed": 1 } } } ] }
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TraceError } from "./errors.js";
import { generate } from "./generators/registry.js";
import type { Trace } from "./trace.js";

export type WorkloadKind = "randomized" | "adversarial" | "real";

export interface ManifestEntry {
  /** Unique name, used on the bench's command line and in the report. */
  readonly name: string;
  /** The trace file as written in the manifest: relative to the manifest's folder. */
  readonly file: string;
  /** Absolute path of the trace file. */
  readonly path: string;
  readonly kind: WorkloadKind;
  readonly description: string;
  /** For generated traces: generate(generator.name, generator.params) reproduces the file. */
  readonly generator?: { readonly name: string; readonly params: Readonly<Record<string, number | string>> };
  /** For recorded traces: how it was recorded. */
  readonly source?: string;
}

const KINDS: ReadonlyArray<string> = ["randomized", "adversarial", "real"];

/** The manifest file for `dirOrFile`: a folder holding manifest.json, or the JSON file itself. */
export function manifestFile(dirOrFile: string): string {
  const p = resolve(dirOrFile);
  return existsSync(p) && statSync(p).isDirectory() ? resolve(p, "manifest.json") : p;
}

/**
 * The repository's workloads/ folder: the nearest one at or above `from` (default: this module's own folder,
 * so it works from src/ and from dist/src/), or null.
 */
export function findWorkloadsDir(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(resolve(dir, "workloads", "manifest.json"))) return resolve(dir, "workloads");
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Reads and checks a manifest; entries come back with absolute `path`s. Schema errors are BAD_MANIFEST. */
export function loadManifest(dirOrFile: string): ManifestEntry[] {
  const file = manifestFile(dirOrFile);
  const bad = (message: string): never => {
    throw new TraceError("BAD_MANIFEST", message, { file });
  };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    bad(`cannot read: ${(e as Error).message}`);
  }
  const list = (json as { workloads?: unknown }).workloads;
  if (!Array.isArray(list)) bad(`no "workloads" array`);
  const seen = new Set<string>();
  return (list as unknown[]).map((raw, i) => {
    const e = raw as Record<string, unknown>;
    const str = (key: string): string => {
      if (typeof e[key] !== "string" || e[key] === "") bad(`workloads[${i}].${key} must be a non-empty string`);
      return e[key] as string;
    };
    const name = str("name");
    if (seen.has(name)) bad(`workloads[${i}]: duplicate name "${name}"`);
    seen.add(name);
    const kind = str("kind");
    if (!KINDS.includes(kind)) bad(`workloads[${i}].kind must be one of ${KINDS.join(", ")}, got "${kind}"`);
    const entry: ManifestEntry = {
      name,
      file: str("file"),
      path: resolve(dirname(file), str("file")),
      kind: kind as WorkloadKind,
      description: typeof e.description === "string" ? e.description : "",
      ...(typeof e.source === "string" && { source: e.source }),
    };
    if (e.generator !== undefined) {
      const g = e.generator as { name?: unknown; params?: unknown };
      if (typeof g.name !== "string" || typeof g.params !== "object" || g.params === null)
        bad(`workloads[${i}].generator needs a "name" and a "params" object`);
      return { ...entry, generator: { name: g.name as string, params: g.params as Record<string, number | string> } };
    }
    return entry;
  });
}

/** The trace a generated manifest entry describes, named after the entry. */
export function generateEntry(entry: ManifestEntry): Trace {
  if (!entry.generator) throw new TraceError("BAD_MANIFEST", `workload "${entry.name}" has no generator`);
  const trace = generate(entry.generator.name, entry.generator.params);
  trace.meta.name = entry.name;
  return trace;
}
