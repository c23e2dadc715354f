/**
 * index.html: one self-contained page (inline SVG and CSS, no scripts, no network) with every chart, a short
 * "how to read this" for each, the CS:APP utilization table, the environment and the exact command.
 */
import type { Chart } from "./specs.js";
import { seriesLabel } from "./specs.js";
import type { RunResult } from "./types.js";

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Makes an SVG's ids unique in the page (vega numbers clip paths from 1 in every view). */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, "")
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** The malloc-lab table: utilization per allocator (rows) and workload (columns), with the mean. */
export function utilizationTable(run: RunResult): string {
  const workloads = run.workloads.map((w) => w.name).filter((w) => run.results.some((r) => r.workload === w));
  const series: string[] = [];
  const cells = new Map<string, number>();
  for (const r of run.results) {
    const s = seriesLabel(r);
    if (!series.includes(s)) series.push(s);
    if (r.metrics) cells.set(`${s}\u0000${r.workload}`, r.metrics.utilization);
  }
  const head = `<tr><th>allocator</th>${workloads.map((w) => `<th>${escape(w)}</th>`).join("")}<th>mean</th></tr>`;
  const rows = series.map((s) => {
    const values = workloads.map((w) => cells.get(`${s}\u0000${w}`));
    const present = values.filter((v): v is number => v !== undefined);
    const mean = present.length ? present.reduce((a, b) => a + b, 0) / present.length : undefined;
    const td = (v: number | undefined) => `<td>${v === undefined ? "–" : `${(v * 100).toFixed(1)}%`}</td>`;
    return `<tr><th>${escape(s)}</th>${values.map(td).join("")}${td(mean)}</tr>`;
  });
  return `<table class="util"><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>`;
}

/** "7 allocators (…) with coalescing immediate and none, plus …": what this run compared. */
function allocatorSummary(run: RunResult): string {
  const own = [...new Set(run.results.filter((r) => r.allocatorKind === "strategy" || r.allocatorKind === "buddy").map((r) => r.allocator))];
  const modes = [...new Set(run.results.map((r) => r.coalescing).filter((c) => c !== "own"))];
  const others = [...new Set(run.results.filter((r) => r.allocatorKind === "peer" || r.allocatorKind === "native").map((r) => r.allocator))];
  let text = own.length ? `${own.join(", ")} with coalescing ${modes.join(", ")}` : "";
  if (others.length) text += `${text ? "; " : ""}peers ${others.join(", ")} in their own mode`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface RenderedChart {
  chart: Chart;
  svg: string;
}

export function indexHtml(run: RunResult, charts: readonly RenderedChart[]): string {
  const env = run.environment;
  const failed = run.results.filter((r) => r.error);
  const workloadRows = run.workloads
    .map((w) => `<tr><td>${escape(w.name)}</td><td>${escape(w.kind)}</td><td>${escape(w.description)}</td></tr>`)
    .join("");
  const toc = charts.map(({ chart }) => `<li><a href="#${chart.id}">${escape(chart.title)}</a></li>`).join("");
  const sections = charts
    .map(
      ({ chart, svg }) => `<section id="${chart.id}" class="chart">
<h2>${escape(chart.title)}</h2>
<p class="how"><strong>How to read this.</strong> ${escape(chart.howToRead)}</p>
<figure>${scopeSvgIds(svg, chart.id)}</figure>
<p class="files">Spec: <a href="${chart.id}.vl.json">${chart.id}.vl.json</a> · SVG: <a href="${chart.id}.svg">${chart.id}.svg</a></p>
${chart.id === "utilization" ? utilizationTable(run) : ""}
</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dmm bench report</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1em 2em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-top: 1px solid #ddd; padding-top: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; } table.util td { text-align: right; }
code, pre { background: #f4f4f4; padding: 2px 4px; border-radius: 3px; }
pre { padding: 8px; overflow-x: auto; }
figure { margin: 0; overflow-x: auto; } .how { max-width: 60em; } .files { font-size: 13px; color: #666; }
.failed { color: #b00; }
</style>
</head>
<body>
<h1>dmm bench report</h1>
<p>${escape(allocatorSummary(run))}, replayed on the same traces. ${run.results.length} cells${run.shard ? ` (${escape(run.shard)})` : ""} of a ${run.matrixSize}-cell matrix${run.settings.quick ? ", quick run (trace prefixes of at most 20,000 ops, fewer latency samples)" : ""}, in ${(run.elapsedMs / 1000).toFixed(1)} s.</p>
<h3>Command</h3>
<pre>${escape(env.command)}</pre>
<h3>Environment</h3>
<table>
<tr><th>Node</th><td>${escape(env.node)}</td></tr>
<tr><th>CPU</th><td>${escape(env.cpu)} × ${env.cores}</td></tr>
<tr><th>platform</th><td>${escape(env.platform)}</td></tr>
<tr><th>date</th><td>${escape(env.date)}</td></tr>
<tr><th>commit</th><td>${escape(env.commit)}</td></tr>
</table>
<h3>Workloads</h3>
<table><tr><th>name</th><th>kind</th><th>description</th></tr>${workloadRows}</table>
${failed.length ? `<h3 class="failed">Cells without results</h3><ul>${failed.map((r) => `<li class="failed">${escape(`${r.allocator} (${r.coalescing}) on ${r.workload}: ${r.error}`)}</li>`).join("")}</ul>` : ""}
<p>Files: <a href="results.csv">results.csv</a> (one row per cell, every metric) · <a href="timeline.csv">timeline.csv</a> · <a href="results.json">results.json</a>. Deterministic metrics are identical from run to run; only timings vary.</p>
<h3>Charts</h3>
<ol>${toc}</ol>
${sections}
</body>
</html>
`;
}
