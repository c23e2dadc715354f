/** The terminal summary: per workload, allocators ranked by fragmentation and by latency. */
import type { CellResult } from "./types.js";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}

export function summaryTable(results: readonly CellResult[]): string {
  const out: string[] = [];
  const workloads = [...new Set(results.map((r) => r.workload))];
  for (const w of workloads) {
    const rows = results.filter((r) => r.workload === w && r.metrics);
    const errors = results.filter((r) => r.workload === w && r.error);
    const byFrag = [...rows].sort((a, b) => a.metrics!.fragmentation - b.metrics!.fragmentation || a.index - b.index);
    const table: string[][] = [["rank", "allocator (coalescing)", "heap/live", "util", "fixed fails", "ns/op", "latency rank"]];
    const byLatency = [...rows].sort((a, b) => (a.latency?.nsPerOp ?? Infinity) - (b.latency?.nsPerOp ?? Infinity));
    byFrag.forEach((r, i) => {
      const m = r.metrics!;
      table.push([
        String(i + 1),
        `${r.allocator} (${r.coalescing})`,
        (m.peakHeapBytes / Math.max(1, m.peakLiveBytes)).toFixed(3),
        pct(m.utilization),
        String(m.fixedFailuresFragmented + m.fixedFailuresOutOfMemory),
        r.latency ? r.latency.nsPerOp.toFixed(0) : "-",
        String(byLatency.indexOf(r) + 1),
      ]);
    });
    out.push(`\n${w}  (ranked by fragmentation: peak heap / peak live; lower is better)`);
    out.push(pad(table));
    for (const r of results.filter((x) => x.workload === w && !x.metrics && x.latency)) {
      out.push(`  ${r.allocator} (${r.coalescing}): ${r.latency!.nsPerOp.toFixed(0)} ns/op (reference: latency only)`);
    }
    for (const e of errors) out.push(`  ${e.allocator} (${e.coalescing}): no result: ${e.error}`);
  }
  return out.join("\n");
}
