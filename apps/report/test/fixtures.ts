/** Small traces and manifests written to a temporary folder for the report's tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RESULTS_FORMAT } from "../src/run.js";
import type { CellResult, RunResult } from "../src/types.js";

/** A seeded random native-format trace: mixed sizes, about `live` objects alive, `ops` operations. */
export function randomTraceText(ops: number, seed: number, live = 200): string {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const lines = ["# name: random", `# seed: ${seed}`];
  const alive: number[] = [];
  let next = 0;
  for (let i = 0; i < ops; i++) {
    if (alive.length > 0 && (rnd() < 0.45 || alive.length > live)) {
      const j = Math.floor(rnd() * alive.length);
      lines.push(`f ${alive[j]}`);
      alive[j] = alive[alive.length - 1]!;
      alive.pop();
    } else {
      const r = rnd();
      const size = r < 0.7 ? 8 + Math.floor(rnd() * 56) : r < 0.95 ? 64 + Math.floor(rnd() * 960) : 1024 + Math.floor(rnd() * 8000);
      lines.push(`a ${next} ${size}`);
      alive.push(next++);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A folder with workloads/manifest.json naming two small traces ("tiny-a", "tiny-b"). */
export function tinyWorkspace(ops = 1500): { dir: string; manifest: string } {
  const dir = mkdtempSync(join(tmpdir(), "dmm-report-"));
  mkdirSync(join(dir, "workloads"));
  writeFileSync(join(dir, "workloads", "a.trace"), randomTraceText(ops, 1));
  writeFileSync(join(dir, "workloads", "b.trace"), randomTraceText(ops, 2, 50));
  const manifest = join(dir, "workloads", "manifest.json");
  writeFileSync(
    manifest,
    JSON.stringify({
      workloads: [
        { name: "tiny-a", file: "a.trace", kind: "randomized", description: "mixed sizes, ~200 live" },
        { name: "tiny-b", file: "b.trace", kind: "randomized", description: "mixed sizes, ~50 live" },
      ],
    }),
  );
  return { dir, manifest };
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes) into records keyed by the header row. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), (field = "");
    else if (ch === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else if (ch !== "\r") field += ch;
  }
  if (field !== "" || row.length > 0) row.push(field), rows.push(row);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

/** A whole run around `results` (workloads named in order, every one "randomized"), for tests of what reads a run. */
export function runOf(workloads: readonly string[], results: CellResult[]): RunResult {
  return {
    format: RESULTS_FORMAT,
    environment: { node: "v20", platform: "linux", cpu: "cpu", cores: 2, date: "2026-01-01T00:00:00.000Z", commit: "abc", command: "pnpm bench" },
    settings: { quick: true, heapMapWorkloads: [] },
    matrixSize: results.length, shard: null,
    matrix: { allocators: [...new Set(results.map((r) => r.allocator))], coalescing: [...new Set(results.map((r) => r.coalescing))] },
    workloads: workloads.map((name) => ({ name, file: name, kind: "randomized", description: "" })),
    results,
    adversary: [], elapsedMs: 1,
  };
}
