/**
 * `dmm compare A B`: what changed between two report folders, cell by cell and metric by metric.
 *
 * A change is significant when it is real: a deterministic metric (peak heap, failures, search cost, …) that
 * differs at all (they are identical from run to run on the same code and trace), or a timing whose 95%
 * intervals in A and B do not overlap. Each metric knows which way is better, so a significant change is
 * "worse", "better" or (for properties of the trace itself, like its op count) "changed".
 */
import { stringify } from "csv-stringify/sync";
import { formatTime } from "./speed.js";
import type { CellResult, DeterministicMetrics, RunResult } from "./types.js";

type Direction = "lower" | "higher" | "neutral";

/** The metrics compared, and which way is better. Timing is nsPerOp; the per-op percentiles have no interval. */
export const COMPARED_METRICS: ReadonlyArray<{ metric: keyof DeterministicMetrics | "nsPerOp"; better: Direction }> = [
  { metric: "ops", better: "neutral" },
  { metric: "peakLiveBytes", better: "neutral" },
  { metric: "peakHeapBytes", better: "lower" },
  { metric: "fragmentation", better: "lower" },
  { metric: "utilization", better: "higher" },
  { metric: "internalFragmentation", better: "lower" },
  { metric: "externalFragmentationAtPeak", better: "lower" },
  { metric: "externalFragmentationMean", better: "lower" },
  { metric: "failuresOutOfMemory", better: "lower" },
  { metric: "failuresFragmented", better: "lower" },
  { metric: "searchCostMean", better: "lower" },
  { metric: "searchCostP99", better: "lower" },
  { metric: "searchCostMax", better: "lower" },
  { metric: "fixedArenaBytes", better: "neutral" },
  { metric: "fixedRequests", better: "neutral" },
  { metric: "fixedFailuresOutOfMemory", better: "lower" },
  { metric: "fixedFailuresFragmented", better: "lower" },
  { metric: "nsPerOp", better: "lower" },
];

export interface CompareRow {
  allocator: string;
  coalescing: string;
  workload: string;
  metric: string;
  /** The value in A and in B; null where the cell (or the metric) is absent from that run. */
  a: number | null;
  b: number | null;
  /** (b − a) / a; null when either is absent or a is 0. */
  change: number | null;
  significant: boolean;
  /** For a significant change: "worse", "better" or "changed" (no better direction); "" otherwise. */
  verdict: "worse" | "better" | "changed" | "";
  /** For timings, the 95% intervals: "120 ±3"; "" for deterministic metrics. */
  aInterval: string;
  bInterval: string;
}

export interface Comparison {
  rows: CompareRow[];
  /** Cells ("allocator (coalescing) on workload") present in one run only. */
  onlyInA: string[];
  onlyInB: string[];
  /** Workloads present in both runs whose trace file content differs (sha256). */
  changedWorkloads: string[];
  worse: number;
  better: number;
}

const cellKey = (r: Pick<CellResult, "allocator" | "coalescing" | "workload">) => `${r.allocator}\u0000${r.coalescing}\u0000${r.workload}`;
const cellName = (r: Pick<CellResult, "allocator" | "coalescing" | "workload">) => `${r.allocator} (${r.coalescing}) on ${r.workload}`;

function value(r: CellResult | undefined, metric: string): number | null {
  if (!r) return null;
  if (metric === "nsPerOp") return r.latency?.nsPerOp ?? null;
  return r.metrics ? (r.metrics[metric as keyof DeterministicMetrics] ?? null) : null;
}

/** Compares two runs; a row per cell present in either and metric measured in either. */
export function compareRuns(a: RunResult, b: RunResult): Comparison {
  const inA = new Map(a.results.map((r) => [cellKey(r), r]));
  const inB = new Map(b.results.map((r) => [cellKey(r), r]));
  const keys = [...new Set([...inA.keys(), ...inB.keys()])];
  const rows: CompareRow[] = [];
  for (const key of keys) {
    const ra = inA.get(key);
    const rb = inB.get(key);
    const cell = (ra ?? rb)!;
    for (const { metric, better } of COMPARED_METRICS) {
      const va = value(ra, metric);
      const vb = value(rb, metric);
      if (va === null && vb === null) continue;
      const timing = metric === "nsPerOp";
      let significant = false;
      if (va !== null && vb !== null) {
        significant = timing ? ra!.latency!.nsPerOpCiHigh < rb!.latency!.nsPerOpCiLow || rb!.latency!.nsPerOpCiHigh < ra!.latency!.nsPerOpCiLow : va !== vb;
      }
      const verdict: CompareRow["verdict"] = !significant ? "" : better === "neutral" ? "changed" : (vb! < va!) === (better === "lower") ? "better" : "worse";
      rows.push({
        allocator: cell.allocator,
        coalescing: cell.coalescing,
        workload: cell.workload,
        metric,
        a: va,
        b: vb,
        change: va !== null && vb !== null && va !== 0 ? (vb - va) / va : null,
        significant,
        verdict,
        aInterval: timing && ra?.latency ? formatTime(ra.latency) : "",
        bInterval: timing && rb?.latency ? formatTime(rb.latency) : "",
      });
    }
  }
  const hashB = new Map(b.workloads.map((w) => [w.name, w.sha256]));
  return {
    rows,
    onlyInA: a.results.filter((r) => !inB.has(cellKey(r))).map(cellName),
    onlyInB: b.results.filter((r) => !inA.has(cellKey(r))).map(cellName),
    changedWorkloads: a.workloads.filter((w) => hashB.has(w.name) && hashB.get(w.name) !== w.sha256).map((w) => w.name),
    worse: rows.filter((r) => r.verdict === "worse").length,
    better: rows.filter((r) => r.verdict === "better").length,
  };
}

export const COMPARE_COLUMNS = ["allocator", "coalescing", "workload", "metric", "a", "b", "change", "significant", "verdict", "aInterval", "bInterval"] as const;

export function compareCsv(c: Comparison): string {
  return stringify([[...COMPARE_COLUMNS], ...c.rows.map((r) => COMPARE_COLUMNS.map((k) => (typeof r[k] === "boolean" ? String(r[k]) : r[k])))]);
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (x: number | null) => (x === null ? "–" : Number.isInteger(x) ? x.toLocaleString("en-US") : x.toPrecision(4));
const pct = (x: number | null) => (x === null ? "" : `${x > 0 ? "+" : ""}${(x * 100).toFixed(1)}%`);

/** The compare page: counts, the significant changes (worse first), cells in one run only, changed traces. */
export function compareHtml(c: Comparison, a: { dir: string; run: RunResult }, b: { dir: string; run: RunResult }): string {
  const significant = c.rows.filter((r) => r.significant).sort((x, y) => ["worse", "changed", "better"].indexOf(x.verdict) - ["worse", "changed", "better"].indexOf(y.verdict));
  const row = (r: CompareRow) =>
    `<tr class="${r.verdict}"><td>${escape(r.workload)}</td><td>${escape(r.allocator)} (${escape(r.coalescing)})</td><td>${escape(r.metric)}</td><td>${escape(r.aInterval || num(r.a))}</td><td>${escape(r.bInterval || num(r.b))}</td><td>${pct(r.change)}</td><td>${r.verdict}</td></tr>`;
  const list = (title: string, items: readonly string[]) => (items.length ? `<h2>${escape(title)}</h2><ul>${items.map((i) => `<li>${escape(i)}</li>`).join("")}</ul>` : "");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dmm compare</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1em 2em; color: #222; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; }
tr.worse td { background: #fde8e8; } tr.better td { background: #e8f6e8; } code { background: #f4f4f4; padding: 2px 4px; }
</style>
</head>
<body>
<h1>dmm compare</h1>
<section id="summary">
<p>A: <code>${escape(a.dir)}</code> (${escape(a.run.environment.date)}, commit ${escape(a.run.environment.commit)}) · B: <code>${escape(b.dir)}</code> (${escape(b.run.environment.date)}, commit ${escape(b.run.environment.commit)})</p>
<p><strong>${significant.length} significant change${significant.length === 1 ? "" : "s"}</strong>: ${c.worse} worse, ${c.better} better, ${significant.length - c.worse - c.better} changed without a better direction; ${c.rows.length} cell × metric pairs compared. Significant means: a deterministic metric that differs at all, or ns/op whose 95% intervals in A and B do not overlap. Every pair is in compare.csv.</p>
</section>
${c.changedWorkloads.length ? `<h2>Traces that changed</h2><p>Same name, different content (sha256 of the trace file): ${c.changedWorkloads.map(escape).join(", ")}. Their cells' changes come from the trace, not the allocator.</p>` : ""}
<h2>Significant changes</h2>
${significant.length ? `<table><thead><tr><th>workload</th><th>allocator</th><th>metric</th><th>A</th><th>B</th><th>change</th><th></th></tr></thead><tbody>${significant.map(row).join("")}</tbody></table>` : "<p>None.</p>"}
${list("Cells only in A", c.onlyInA)}
${list("Cells only in B", c.onlyInB)}
</body>
</html>
`;
}
