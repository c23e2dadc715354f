/**
 * The terminal summary: per workload, allocators ranked by fragmentation and by latency (overlapping 95%
 * intervals tie), each ns/op with its ± and as a multiple of glibc's and thi.ng-malloc's on that workload; then
 * each allocator's geometric mean × glibc; then the verdicts, the same as index.html's and results.json's.
 */
import { NATIVE_NAME } from "./backends.js";
import { formatRatio, formatTime, geometricMean, SpeedReferences, THING_NAME } from "./speed.js";
import type { CellResult } from "./types.js";
import { choiceName, latencyRanks, namesWithTies, type Verdict, verdicts } from "./verdict.js";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

export function summaryTable(results: readonly CellResult[]): string {
  const out: string[] = [];
  const workloads = [...new Set(results.map((r) => r.workload))];
  const speed = new SpeedReferences(results);
  const times = (r: CellResult, reference: string) => {
    const ratio = speed.ratio(r, reference);
    return ratio === null ? "-" : formatRatio(ratio);
  };
  for (const w of workloads) {
    const rows = results.filter((r) => r.workload === w && r.metrics);
    const errors = results.filter((r) => r.workload === w && r.error);
    const byFrag = [...rows].sort((a, b) => a.metrics!.fragmentation - b.metrics!.fragmentation || a.index - b.index);
    const table: string[][] = [["rank", "allocator (coalescing)", "heap/live", "util", "fixed fails", "ns/op ±95%", "× glibc", "× thi.ng", "latency rank"]];
    const ranks = latencyRanks(byFrag.map((r) => r.latency));
    byFrag.forEach((r, i) => {
      const m = r.metrics!;
      table.push([
        String(i + 1),
        `${r.allocator} (${r.coalescing})`,
        (m.peakHeapBytes / Math.max(1, m.peakLiveBytes)).toFixed(3),
        pct(m.utilization),
        String(m.fixedFailuresFragmented + m.fixedFailuresOutOfMemory),
        r.latency ? `${formatTime(r.latency)}${r.latency.noisy ? " noisy" : ""}` : "-",
        times(r, NATIVE_NAME),
        times(r, THING_NAME),
        ranks[i] === null ? "-" : String(ranks[i]),
      ]);
    });
    out.push(`\n${w}  (ranked by fragmentation: peak heap / peak live; lower is better)`);
    out.push(pad(table));
    for (const r of results.filter((x) => x.workload === w && !x.metrics && x.latency)) {
      const ratio = speed.ratio(r, NATIVE_NAME);
      const what =
        r.allocator === NATIVE_NAME
          ? "native C malloc, the × glibc reference"
          : r.allocatorKind === "native"
            ? `native${ratio === null ? "" : `, ${formatRatio(ratio)} glibc`}`
            : "latency only";
      const footprint = r.footprint === null ? "" : `, footprint ${r.footprint.toFixed(2)}× peak live`;
      out.push(`  ${r.allocator}: ${formatTime(r.latency!)} ns/op (${what}${footprint})`);
    }
    for (const e of errors) out.push(`  ${e.allocator} (${e.coalescing}): no result: ${e.error}`);
  }
  out.push("  (latency rank: 1 + the cells significantly faster; cells whose 95% intervals overlap share a rank)");
  const overall = speedOverWorkloads(results, speed);
  if (overall) out.push(`\n${overall}`);
  const answer = verdictLines(verdicts(results));
  if (answer) out.push(`\n${answer}`);
  return out.join("\n");
}

/** The verdicts as terminal lines: per workload, least memory, fastest and best balance, ties named with "=". */
export function verdictLines(list: readonly Verdict[]): string {
  if (list.length === 0) return "";
  const lines = ["verdict (per workload; \"=\" is a tie: equal memory, or ns/op intervals that overlap):"];
  for (const v of list) {
    const m = v.leastMemory[0]!;
    const f = v.fastest[0]!;
    lines.push(`  ${v.workload}`);
    lines.push(`    least memory: ${namesWithTies(v.leastMemory)}  (peak heap ${m.peakHeapOverPeakLive.toFixed(3)} × peak live)`);
    lines.push(`    fastest:      ${namesWithTies(v.fastest)}  (${formatTime(f)} ns/op)`);
    lines.push(`    best balance: ${namesWithTies(v.balance)}  (front: ${v.front.map(choiceName).join(" → ")})`);
  }
  return lines.join("\n");
}

/** "speed vs glibc (geometric mean of ns/op × glibc over N workloads): tlsf 3.1×, …", fastest first; "" without glibc. */
function speedOverWorkloads(results: readonly CellResult[], speed: SpeedReferences): string {
  if (!speed.has(NATIVE_NAME)) return "";
  const byAllocator = new Map<string, number[]>();
  for (const r of results) {
    const ratio = speed.ratio(r, NATIVE_NAME);
    if (ratio === null || r.allocator === NATIVE_NAME || (r.coalescing !== "immediate" && r.coalescing !== "own")) continue;
    byAllocator.set(r.allocator, [...(byAllocator.get(r.allocator) ?? []), ratio]);
  }
  const rows = [...byAllocator].map(([allocator, ratios]) => ({ allocator, mean: geometricMean(ratios)!, n: ratios.length })).sort((a, b) => a.mean - b.mean);
  const parts = rows.map((x) => `${x.allocator} ${formatRatio(x.mean)}${x.n < Math.max(...rows.map((y) => y.n)) ? ` (${x.n} workload${x.n === 1 ? "" : "s"})` : ""}`);
  return `speed vs native glibc malloc, geometric mean of ns/op ÷ glibc's over the workloads (coalescing on; lower is faster):\n  ${parts.join(", ")}`;
}
