/**
 * index.html: one self-contained page (inline SVG, PNG and CSS, no scripts, no network): the verdict first,
 * then the speed table, every chart with a short "how to read this", the CS:APP utilization table and the heap
 * maps; the command, environment, workloads and cells without results at the end. Nothing in it needs the
 * data files beside it.
 */
import { NATIVE_NAME } from "./backends.js";
import { heapMapSection } from "./heapmap.js";
import type { Chart } from "./specs.js";
import { seriesLabel } from "./specs.js";
import { formatRatio, formatTime, geometricMean, SpeedReferences, THING_NAME } from "./speed.js";
import type { CellResult, RunResult } from "./types.js";
import { QUICK_OPS } from "./workloads.js";
import { type Choice, choiceName, type Verdict, verdicts } from "./verdict.js";

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
  // Only allocators with a heap to measure: glibc (timing only) would be a row of dashes.
  for (const r of run.results) {
    if (!r.metrics) continue;
    const s = seriesLabel(r);
    if (!series.includes(s)) series.push(s);
    cells.set(`${s}\u0000${r.workload}`, r.metrics.utilization);
  }
  // Heap efficiency (live share of a fixed arena at the first failure) is per allocator, not per workload.
  const efficiency = new Map((run.efficiency ?? []).map((e) => [seriesLabel(e), e.mean]));
  const efficiencyHead = efficiency.size > 0 ? "<th>heap efficiency</th>" : "";
  const head = `<tr><th>allocator</th>${workloads.map((w) => `<th>${escape(w)}</th>`).join("")}<th>mean</th>${efficiencyHead}</tr>`;
  const rows = series.map((s) => {
    const values = workloads.map((w) => cells.get(`${s}\u0000${w}`));
    const present = values.filter((v): v is number => v !== undefined);
    const mean = present.length ? present.reduce((a, b) => a + b, 0) / present.length : undefined;
    const td = (v: number | undefined) => `<td>${v === undefined ? "–" : `${(v * 100).toFixed(1)}%`}</td>`;
    return `<tr><th>${escape(s)}</th>${values.map(td).join("")}${td(mean)}${efficiency.size > 0 ? td(efficiency.get(s)) : ""}</tr>`;
  });
  return `<table class="util"><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>`;
}

/**
 * ns/op of every allocator (rows) on every workload (columns), each with its multiple of glibc's ns/op on that
 * workload, then the geometric means × glibc and × thi.ng-malloc over the workloads where both were timed.
 */
export function speedTable(run: RunResult): string {
  const speed = new SpeedReferences(run.results);
  const workloads = run.workloads.map((w) => w.name).filter((w) => run.results.some((r) => r.workload === w && r.latency));
  const series: string[] = [];
  const cells = new Map<string, CellResult>();
  // glibc first: it is the row every other is divided by.
  const ordered = [...run.results.filter((r) => r.allocator === NATIVE_NAME), ...run.results.filter((r) => r.allocator !== NATIVE_NAME)];
  for (const r of ordered) {
    if (!r.latency) continue;
    const s = seriesLabel(r);
    if (!series.includes(s)) series.push(s);
    cells.set(`${s}\u0000${r.workload}`, r);
  }
  const means = [NATIVE_NAME, THING_NAME].filter((ref) => speed.has(ref));
  // Workloads each reference was timed on: a mean over fewer says so in its header, a row over fewer still in its cell.
  const coverage = new Map(means.map((ref) => [ref, workloads.filter((w) => cells.has(`${ref}\u0000${w}`)).length]));
  const over = (n: number) => (n < workloads.length ? ` <span class="times">(${n} of ${workloads.length} workloads)</span>` : "");
  const head = `<tr><th>allocator</th>${workloads.map((w) => `<th>${escape(w)}</th>`).join("")}${means.map((ref) => `<th>geo. mean<br>× ${escape(ref)}${over(coverage.get(ref)!)}</th>`).join("")}</tr>`;
  const rows = series.map((s) => {
    const tds = workloads.map((w) => {
      const r = cells.get(`${s}\u0000${w}`);
      if (!r) return "<td>–</td>";
      const ratio = speed.ratio(r, NATIVE_NAME);
      const times = ratio === null || r.allocator === NATIVE_NAME ? "" : `<br><span class="times">${formatRatio(ratio)} glibc</span>`;
      const noisy = r.latency!.noisy ? ` class="noisy" title="still wider than ±10% after re-measuring"` : "";
      return `<td${noisy}>${formatTime(r.latency!)} ns${r.latency!.noisy ? " ⚠" : ""}${times}</td>`;
    });
    const meanTds = means.map((ref) => {
      const ratios = workloads.map((w) => cells.get(`${s}\u0000${w}`)).map((r) => (r ? speed.ratio(r, ref) : null)).filter((x): x is number => x !== null);
      const mean = geometricMean(ratios);
      const fewer = ratios.length < coverage.get(ref)! ? ` <span class="times">(${ratios.length})</span>` : "";
      return `<td class="mean">${mean === null ? "–" : `${formatRatio(mean)}${fewer}`}</td>`;
    });
    return `<tr><th>${escape(s)}</th>${tds.join("")}${meanTds.join("")}</tr>`;
  });
  return `<table class="speed"><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>`;
}

/** "7 allocators (…) with coalescing immediate and none, plus …": what this run compared. */
function allocatorSummary(run: RunResult): string {
  const own = [...new Set(run.results.filter((r) => r.allocatorKind === "strategy" || r.allocatorKind === "buddy").map((r) => r.allocator))];
  const modes = [...new Set(run.results.map((r) => r.coalescing).filter((c) => c !== "own"))];
  const peers = [...new Set(run.results.filter((r) => r.allocatorKind === "peer").map((r) => r.allocator))];
  const plugins = [...new Set(run.results.filter((r) => r.allocatorKind === "plugin").map((r) => r.allocator))];
  const native = [...new Set(run.results.filter((r) => r.allocatorKind === "native").map((r) => r.allocator))];
  let text = own.length ? `${own.join(", ")} with coalescing ${modes.join(", ")}` : "";
  if (peers.length) text += `${text ? "; " : ""}the JS peers ${peers.join(", ")} with their own fixed policy ("own")`;
  if (plugins.length) text += `${text ? "; " : ""}the plugin${plugins.length === 1 ? "" : "s"} ${plugins.join(", ")}`;
  if (native.length) text += `${text ? "; " : ""}the native allocators ${native.join(", ")} (C replay: timing and footprint; glibc is the × glibc reference)`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Native allocators' footprint per workload: peak resident bytes of the replay over a baseline taken just before
 * it, ÷ the trace's peak live bytes (@dmm/bench's measureNative); "" when no native cell measured one.
 */
export function footprintTable(run: RunResult): string {
  const rows = run.results.filter((r) => r.allocatorKind === "native" && r.footprint !== null);
  if (rows.length === 0) return "";
  const workloads = run.workloads.map((w) => w.name).filter((w) => rows.some((r) => r.workload === w));
  const allocators = [...new Set(rows.map((r) => r.allocator))];
  const body = allocators.map((a) => {
    const tds = workloads.map((w) => {
      const r = rows.find((x) => x.allocator === a && x.workload === w);
      return `<td>${r ? `${r.footprint!.toFixed(2)}×` : "–"}</td>`;
    });
    return `<tr><th>${escape(a)}</th>${tds.join("")}</tr>`;
  });
  return `<h3 id="footprint">Native footprint: peak resident memory ÷ peak live bytes</h3>
<p class="how"><strong>How to read this.</strong> A native heap's extent cannot be read, so this is what the operating system saw: the peak resident bytes of an untimed replay of the trace (writing every page of every block) minus the resident bytes just before it, divided by the trace's peak live bytes. It includes the allocator's headers, per-thread caches and the pages it keeps; it is not the same measure as the JS heaps' peak heap ÷ peak live. Near 1 is an allocator that reuses memory well; far above 1, one that does not (a never-freeing allocator). results.csv: the footprint column.</p>
<table class="speed"><thead><tr><th>allocator</th>${workloads.map((w) => `<th>${escape(w)}</th>`).join("")}</tr></thead><tbody>${body.join("")}</tbody></table>`;
}

/** A cell left out on purpose (a peer too slow for the trace, no C compiler), not one that went wrong. */
const isSkip = (r: CellResult) => r.error?.startsWith("skipped:") ?? false;

export interface RenderedChart {
  chart: Chart;
  svg: string;
}

/** Ties listed by name in a verdict cell; the rest are counted (all are in results.json's verdicts). */
const MAX_TIES_SHOWN = 4;

/** "tlsf (immediate)<br>= best-fit (none)": a verdict's pick and its ties. */
function picks(choices: readonly Choice[], detail: (c: Choice) => string): string {
  const shown = choices.slice(0, MAX_TIES_SHOWN + 1).map((c, i) => `${i === 0 ? "" : "= "}<strong>${escape(choiceName(c))}</strong> <span class="times">${escape(detail(c))}</span>`);
  const more = choices.length - shown.length;
  return [...shown, ...(more > 0 ? [`<span class="times">= and ${more} more within noise</span>`] : [])].join("<br>");
}

/** The verdict table: per workload, least memory, fastest, best balance, and the front. */
export function verdictTable(list: readonly Verdict[]): string {
  const memory = (c: Choice) => `${c.peakHeapOverPeakLive.toFixed(3)} × live`;
  const time = (c: Choice) => `${formatTime(c)} ns/op${c.noisy ? " (noisy)" : ""}`;
  const rows = list.map(
    (v) =>
      `<tr><th>${escape(v.workload)}</th><td>${picks(v.leastMemory, memory)}</td><td>${picks(v.fastest, time)}</td><td>${picks(v.balance, (c) => `${memory(c)}, ${time(c)}`)}</td><td class="front">${v.front.map((c) => escape(choiceName(c))).join(" → ")}</td></tr>`,
  );
  return `<table class="verdict"><thead><tr><th>workload</th><th>least memory<br><span class="times">peak heap / peak live</span></th><th>fastest<br><span class="times">ns/op ± 95% interval</span></th><th>best balance</th><th>Pareto front, least memory first</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

export function indexHtml(run: RunResult, charts: readonly RenderedChart[]): string {
  const env = run.environment;
  const failed = run.results.filter((r) => r.error);
  const workloadRows = run.workloads
    .map((w) => `<tr><td>${escape(w.name)}</td><td>${escape(w.kind)}</td><td>${escape(w.description)}</td></tr>`)
    .join("");
  const balance = charts.find(({ chart }) => chart.id === "balance");
  const rest = charts.filter(({ chart }) => chart.id !== "balance");
  const heapMaps = heapMapSection(run);
  const toc = [...rest.map(({ chart }) => `<li><a href="#${chart.id}">${escape(chart.title)}</a></li>`), ...(heapMaps ? [`<li><a href="#heap-map">Heap map: address × time</a></li>`] : [])].join("");
  const figure = ({ chart, svg }: RenderedChart) => `<p class="how"><strong>How to read this.</strong> ${escape(chart.howToRead)}</p>
<figure>${scopeSvgIds(svg, chart.id)}</figure>
<p class="files">Spec: <a href="${chart.id}.vl.json">${chart.id}.vl.json</a> · SVG: <a href="${chart.id}.svg">${chart.id}.svg</a></p>`;
  const sections = rest
    .map(
      (rendered) => `<section id="${rendered.chart.id}" class="chart">
<h2>${escape(rendered.chart.title)}</h2>
${figure(rendered)}
${rendered.chart.id === "utilization" ? utilizationTable(run) : ""}
</section>`,
    )
    .join("\n");
  const list = verdicts(run.results, run.workloads.map((w) => w.name));
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
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; } table.util td, table.speed td { text-align: right; }
table.speed td, table.speed tbody th { white-space: nowrap; } .times { color: #666; font-size: 12px; } td.mean { font-weight: 600; }
td.noisy { background: #fff4e0; } table.verdict td.front { font-size: 12px; max-width: 24em; }
code, pre { background: #f4f4f4; padding: 2px 4px; border-radius: 3px; }
pre { padding: 8px; overflow-x: auto; }
figure { margin: 0; overflow-x: auto; } .how { max-width: 60em; } .files { font-size: 13px; color: #666; }
.heapmaps { display: flex; flex-wrap: wrap; gap: 12px; } figure.heapmap { overflow: visible; text-align: center; font-size: 12px; }
figure.heapmap img { image-rendering: pixelated; border: 1px solid #ddd; display: block; }
.failed { color: #b00; } .skipped { color: #666; }
</style>
</head>
<body>
<h1>dmm bench report</h1>
<section id="verdict">
<h2>Verdict</h2>
<p class="how">Per workload: the allocator and coalescing mode that needed the <strong>least memory</strong> (peak heap on a growable heap), the <strong>fastest</strong> (ns per operation, with its 95% confidence interval), and the <strong>best balance</strong>: of the Pareto front (the choices no other beats on both memory and time), the one whose memory × time, each relative to the best, is smallest. "=" names a tie: equal memory, or time intervals that overlap, i.e. a difference within the noise of this run. Only the allocators dmm replays itself take part (like for like); native C malloc is in the speed table.</p>
${list.length ? verdictTable(list) : `<p class="failed">No cell has both a heap and a timing, so there is no verdict (see "Cells without results" at the end).</p>`}
${balance ? `<h3>${escape(balance.chart.title)}</h3>\n${figure(balance)}` : ""}
</section>
<h2 id="speed">Speed: ns per operation, and as a multiple of native glibc malloc</h2>
<p class="how"><strong>How to read this.</strong> Mean nanoseconds per trace operation (malloc, calloc, realloc or free) over whole-trace replays with integrity checks off, measured in this run on this machine, ± the half-width of its 95% confidence interval (Student's t over the repeated replays; for glibc, the interval of the median of its native repetitions). A cell whose interval was wider than ±10% was re-measured within a time budget; one still wider is shaded and marked ⚠. Under each time: how many times glibc's malloc took on the same trace (the C library, replayed by a small C program compiled with cc -O2): 3.0× glibc means three times as slow as C malloc. The last columns are geometric means of those ratios over the workloads (and of the ratios to @thi.ng/malloc, a JS allocator, where it was timed; it skips traces where its O(live blocks) free would take minutes). Lower is faster. results.csv has the intervals in nsPerOpCiLow and nsPerOpCiHigh and the ratios in nsPerOpTimesGlibc and nsPerOpTimesThingMalloc.</p>
${run.results.some((r) => r.allocator === NATIVE_NAME && r.latency) ? "" : `<p class="failed">glibc was not measured in this run (see "Cells without results"), so there are no × glibc ratios.</p>`}
${speedTable(run)}
${footprintTable(run)}
<h3>Charts</h3>
<ol>${toc}</ol>
${sections}
${heapMaps}
<h2 id="about">About this run</h2>
<p>${escape(allocatorSummary(run))}, replayed on the same traces. ${run.results.length} cells${run.shard ? ` (${escape(run.shard)})` : ""} of a ${run.matrixSize}-cell matrix${run.settings.quick ? `, quick run (trace prefixes of at most ${QUICK_OPS.toLocaleString("en-US")} ops, fewer latency samples)` : ""}, in ${(run.elapsedMs / 1000).toFixed(1)} s.</p>
<h3>Command</h3>
<pre>${escape(env.command)}</pre>
<h3>Environment</h3>
<table>
<tr><th>Node</th><td>${escape(env.node)}${env.timingFlags?.length ? ` ${escape(env.timingFlags.join(" "))}` : ""}</td></tr>
<tr><th>CPU</th><td>${escape(env.cpu)} × ${env.cores}</td></tr>
<tr><th>platform</th><td>${escape(env.platform)}</td></tr>
<tr><th>date</th><td>${escape(env.date)}</td></tr>
<tr><th>commit</th><td>${escape(env.commit)}</td></tr>
</table>
<h3>Workloads</h3>
<table><tr><th>name</th><th>kind</th><th>description</th></tr>${workloadRows}</table>
${failed.length ? `<h3${failed.some((r) => !isSkip(r)) ? ` class="failed"` : ""}>Cells without results</h3><ul>${failed.map((r) => `<li class="${isSkip(r) ? "skipped" : "failed"}">${escape(`${r.allocator} (${r.coalescing}) on ${r.workload}: ${r.error}`)}</li>`).join("")}</ul>` : ""}
<p>Files: <a href="results.csv">results.csv</a> (one row per cell, every metric) · <a href="timeline.csv">timeline.csv</a> · <a href="results.json">results.json</a> (with the verdicts). Deterministic metrics are identical from run to run; only timings vary. This page needs none of them: every chart and table is inside it.</p>
</body>
</html>
`;
}
