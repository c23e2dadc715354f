/**
 * The report's charts as vega-lite specs, data inlined, built from a run's results. Each chart comes with a
 * title and a short "how to read this" for the HTML page. Pure functions: same results, same specs.
 */
import type { TopLevelSpec } from "vega-lite";
import type { CellResult, RunResult, TimelinePoint } from "./types.js";
import { verdicts } from "./verdict.js";

/** What the charts read of a run (a run's cells done so far make one too: see the CLI's render warm-up). */
export type ChartedRun = Pick<RunResult, "workloads" | "results" | "adversary" | "efficiency" | "settings">;

export interface Chart {
  /** File stem: `<id>.vl.json`, `<id>.svg`. */
  readonly id: string;
  readonly title: string;
  readonly howToRead: string;
  readonly spec: TopLevelSpec;
}

/**
 * How far, in pixels, a timeline sample left out of an over-time chart's line may lie from the line drawn (timeline.csv
 * and results.json keep every sample; see simplifyLines).
 */
export const LINE_TOLERANCE_PX = 0.5;

const COALESCING_ORDER = ["immediate", "deferred", "none", "own"];
const WIDTH = 220;
const FACET_COLUMNS = 3;

/** "first-fit" for its default mode (immediate, or its own fixed policy), "first-fit · none" otherwise. */
export function seriesLabel(r: Pick<CellResult, "allocator" | "coalescing">): string {
  return r.coalescing === "immediate" || r.coalescing === "own" ? r.allocator : `${r.allocator} · ${r.coalescing}`;
}

const ok = (results: readonly CellResult[]) => results.filter((r) => r.metrics !== null);
/** One line per allocator in its default mode (coalescing on), for charts that would be crowded otherwise. */
const defaultMode = (results: readonly CellResult[]) => ok(results).filter((r) => r.coalescing === "immediate" || r.coalescing === "own");
const allocatorOrder = (results: readonly CellResult[]) => [...new Set(results.map((r) => r.allocator))];
const workloadOrder = (run: ChartedRun) => run.workloads.map((w) => w.name).filter((w) => run.results.some((r) => r.workload === w));

const base = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", background: "white", config: { font: "sans-serif", view: { stroke: "#ddd" } } } as const;

type FacetSpec = Extract<TopLevelSpec, { facet: unknown }>;
/** One panel of a faceted chart: a unit or layer spec without data. */
type Panel = FacetSpec["spec"];
type PanelEncoding = NonNullable<Extract<Panel, { mark: unknown }>["encoding"]>;

/** The parts of a chart with one panel per workload that differ from chart to chart. */
interface FacetedChart {
  readonly id: string;
  readonly title: string;
  readonly howToRead: string;
  readonly values: ReadonlyArray<Record<string, string | number>>;
  /** Which scales and axes each panel gets for itself (e.g. its own y range). */
  readonly resolve?: FacetSpec["resolve"];
  readonly panel: Panel;
}

/** A chart with one panel per workload, in manifest order, FACET_COLUMNS panels a row. */
function facetedChart(run: ChartedRun, chart: FacetedChart): Chart {
  return {
    id: chart.id,
    title: chart.title,
    howToRead: chart.howToRead,
    spec: {
      ...base,
      data: { values: [...chart.values] },
      facet: { field: "workload", type: "nominal", title: null, sort: workloadOrder(run) },
      columns: FACET_COLUMNS,
      ...(chart.resolve ? { resolve: chart.resolve } : {}),
      spec: chart.panel,
    },
  };
}

/** One colour per allocator, the same in every chart (thi.ng-malloc is not blue in one chart and pink in the next). */
function allocatorColors(run: ChartedRun): { domain: string[]; range: string[] } {
  const domain = allocatorOrder(ok(run.results)); // allocators with a heap to chart (not latency-only glibc)
  return { domain, range: palette(domain.length) };
}

const OVER_TIME_HEIGHT = 150;

/** A line chart over the trace's operations, one panel per workload, each with its own x and y ranges. */
function overTimePanel(y: PanelEncoding["y"], color: PanelEncoding["color"]): Panel {
  return {
    width: WIDTH,
    height: OVER_TIME_HEIGHT,
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: { x: { field: "op", type: "quantitative", title: "operation" }, y, color },
  };
}

const OWN_SCALES = { scale: { x: "independent", y: "independent" } } as const;
/** Panels whose x axis is a list of allocators: each panel labels its own bars (not only the bottom row). */
const OWN_Y_AND_X_LABELS = { scale: { y: "independent" }, axis: { x: "independent" } } as const;

/** Fragmentation below this is drawn at it: a log scale has no 0, and 0.1% of the peak is no difference worth a bar. */
export const FRAGMENTATION_FLOOR = 0.001;

/**
 * Fragmentation (peak heap / peak live − 1) per allocator and coalescing mode, one panel per workload, on a
 * log scale: 3% and 7.5% stay apart next to a 70× outlier (on a linear axis both would be a pixel high).
 */
export function fragmentationChart(run: ChartedRun): Chart {
  const values = ok(run.results).map((r) => {
    const ratio = r.metrics!.peakHeapBytes / Math.max(1, r.metrics!.peakLiveBytes);
    return { workload: r.workload, allocator: r.allocator, coalescing: r.coalescing, ratio, fragmentation: Math.max(FRAGMENTATION_FLOOR, ratio - 1) };
  });
  return facetedChart(run, {
    id: "fragmentation",
    title: "Fragmentation: peak heap / peak live − 1",
    howToRead:
      "Each bar is how much more memory an allocator needed than the program ever had live: the largest heap divided by the most bytes live at once, minus 1, on a heap that grows only when no free block fits. 0 is perfect; 25% means a quarter more memory than the program ever used. The scale is logarithmic, so a 70× outlier does not flatten the differences between the allocators near 0; bars below 0.1% are drawn at 0.1%. Colours compare coalescing on (immediate), deferred and off (none) for the same policy; \"own\" marks the peers (thi.ng-malloc, npm-malloc), JS allocators with their own fixed policy. Each panel has its own scale; a missing bar is a cell without a result (listed at the end).",
    values,
    resolve: OWN_Y_AND_X_LABELS,
    panel: {
      width: WIDTH,
      height: 160,
      mark: { type: "bar", tooltip: true },
      encoding: {
        x: { field: "allocator", type: "nominal", title: null, sort: allocatorOrder(run.results), axis: { labelAngle: -40 } },
        xOffset: { field: "coalescing", type: "nominal", sort: COALESCING_ORDER },
        // Bars rise from the floor; `nice` rounds the top up, so the tallest bar is never cut off.
        y: { field: "fragmentation", type: "quantitative", title: "fragmentation (log)", scale: { type: "log", domainMin: FRAGMENTATION_FLOOR, nice: true }, axis: { format: "~%" } },
        y2: { datum: FRAGMENTATION_FLOOR },
        color: { field: "coalescing", type: "nominal", sort: COALESCING_ORDER, title: "coalescing" },
        tooltip: [{ field: "allocator" }, { field: "coalescing" }, { field: "ratio", title: "peak heap / peak live", format: ".3f" }],
      },
    },
  });
}

/**
 * The verdict's chart: memory (peak heap / peak live) against time (ns/op with its 95% interval), one panel
 * per workload; the Pareto front is joined by a line, its points named.
 */
export function balanceChart(run: ChartedRun): Chart {
  const values: Array<Record<string, string | number>> = [];
  for (const v of verdicts(run.results, workloadOrder(run))) {
    const onFront = new Set(v.front);
    const all = [...v.front, ...v.leastMemory, ...v.fastest];
    for (const r of run.results) {
      if (r.workload !== v.workload || !r.metrics || !r.latency || r.metrics.peakLiveBytes <= 0) continue;
      const c = all.find((x) => x.allocator === r.allocator && x.coalescing === r.coalescing);
      const front = c !== undefined && onFront.has(c);
      values.push({
        workload: v.workload,
        series: seriesLabel(r),
        ratio: r.metrics.peakHeapBytes / r.metrics.peakLiveBytes,
        ns: Math.max(0.1, r.latency.nsPerOp),
        // A log axis has no 0: an interval reaching below a tenth of its value is drawn from there.
        low: Math.max(0.1, r.latency.nsPerOp / 10, r.latency.nsPerOpCiLow),
        high: Math.max(0.1, r.latency.nsPerOpCiHigh),
        place: front ? "Pareto front" : "dominated",
        order: front ? v.front.indexOf(c) : -1,
      });
    }
  }
  const place = { field: "place", type: "nominal", title: null, scale: { domain: ["Pareto front", "dominated"], range: ["#d62728", "#9e9e9e"] } } as const;
  return facetedChart(run, {
    id: "balance",
    title: "Memory against time: the Pareto front",
    howToRead:
      "Each dot is an allocator with a coalescing mode on this workload: to the left uses less memory (peak heap / peak live, 1 = no overhead), lower is faster (ns/op, with its 95% confidence interval as a vertical bar, cut at a tenth of the value). Red dots, joined in order, are the Pareto front: for each of them no other choice uses no more memory and is significantly faster (intervals apart). Anything grey is beaten on both counts by a red dot. Both axes are logarithmic; each panel has its own.",
    values,
    resolve: OWN_SCALES,
    panel: {
      width: WIDTH,
      height: 170,
      encoding: {
        x: { field: "ratio", type: "quantitative", title: "peak heap / peak live (log)", scale: { type: "log", nice: false } },
        y: { field: "ns", type: "quantitative", title: "ns/op (log)", scale: { type: "log" } },
      },
      layer: [
        { mark: { type: "rule", opacity: 0.6 }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color: place } },
        { transform: [{ filter: "datum.order >= 0" }], mark: { type: "line", color: "#d62728", strokeWidth: 1 }, encoding: { order: { field: "order", type: "quantitative" } } },
        { mark: { type: "point", filled: true, size: 40, tooltip: true }, encoding: { color: place } },
        { transform: [{ filter: "datum.order >= 0" }], mark: { type: "text", dx: 6, align: "left", fontSize: 9 }, encoding: { text: { field: "series", type: "nominal" } } },
      ],
    },
  });
}

/** Utilization (peak live / peak heap) as a table-like heat map: allocators × workloads. */
export function utilizationChart(run: ChartedRun): Chart {
  const values = ok(run.results).map((r) => ({ workload: r.workload, series: seriesLabel(r), utilization: r.metrics!.utilization }));
  return {
    id: "utilization",
    title: "Utilization (CS:APP): peak live / peak heap",
    howToRead:
      "The malloc-lab figure: the share of the heap's high-water mark that held live data at the program's peak. Higher is better; 100% would mean no headers, no alignment padding and no unusable holes. Rows are allocators (with their coalescing mode when it is not the default), columns workloads.",
    spec: {
      ...base,
      data: { values },
      encoding: {
        x: { field: "workload", type: "nominal", sort: workloadOrder(run), title: null, axis: { orient: "top", labelAngle: -30 } },
        y: { field: "series", type: "nominal", title: null, sort: [...new Set(values.map((v) => v.series))] },
      },
      layer: [
        { mark: "rect", encoding: { color: { field: "utilization", type: "quantitative", scale: { scheme: "greens", domain: [0, 1] }, legend: { format: ".0%" } } } },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: {
            text: { field: "utilization", type: "quantitative", format: ".1%" },
            color: { condition: { test: "datum.utilization > 0.7", value: "white" }, value: "black" },
          },
        },
      ],
      width: { step: 70 },
      height: { step: 16 },
    } as TopLevelSpec,
  };
}

/** One line of an over-time chart: the panel (workload) it is drawn in, and its samples' ops and values. */
export interface Line {
  readonly panel: string;
  readonly op: ArrayLike<number>;
  readonly y: ArrayLike<number>;
}

/**
 * Of each line's samples, the indexes worth drawing, in op order. Each panel maps its lines' op and y ranges onto
 * its WIDTH × OVER_TIME_HEIGHT pixels (y as log(y) on a `log` axis); each line keeps its first and last sample and,
 * by Douglas–Peucker, every sample farther than LINE_TOLERANCE_PX from the segment joining the samples kept around
 * it. The panel's axes span at least its lines' ranges (vega adds zero and rounds outwards), so on the drawn chart
 * a sample left out lies within LINE_TOLERANCE_PX of its line: the chart looks the same as with every sample, in a
 * fraction of the points (the quick default matrix's heap-over-time: about a fifth).
 */
export function simplifyLines(lines: readonly Line[], log: boolean): number[][] {
  const value = log ? Math.log : (y: number) => y;
  const ranges = new Map<string, { x0: number; x1: number; y0: number; y1: number }>();
  for (const line of lines) {
    let r = ranges.get(line.panel);
    if (!r) ranges.set(line.panel, (r = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity }));
    for (let i = 0; i < line.op.length; i++) {
      const x = line.op[i]!, y = value(line.y[i]!);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      r.x0 = Math.min(r.x0, x);
      r.x1 = Math.max(r.x1, x);
      r.y0 = Math.min(r.y0, y);
      r.y1 = Math.max(r.y1, y);
    }
  }
  return lines.map((line) => {
    const n = line.op.length;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => line.op[a]! - line.op[b]! || a - b); // vega draws a line in x order
    if (n <= 2) return order;
    const { x0, x1, y0, y1 } = ranges.get(line.panel)!;
    const sx = x1 > x0 ? WIDTH / (x1 - x0) : 0;
    const sy = y1 > y0 ? OVER_TIME_HEIGHT / (y1 - y0) : 0;
    const px = new Float64Array(n), py = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      px[k] = (line.op[order[k]!]! - x0) * sx;
      py[k] = (value(line.y[order[k]!]!) - y0) * sy;
    }
    const keep = new Uint8Array(n);
    keep[0] = keep[n - 1] = 1;
    // Segments still to split, as [first, last] pairs; each split keeps one more sample, so at most n pops.
    const stack: number[] = [0, n - 1];
    while (stack.length > 0) {
      const b = stack.pop()!, a = stack.pop()!;
      const dx = px[b]! - px[a]!, dy = py[b]! - py[a]!;
      const squared = dx * dx + dy * dy;
      let worst = -1, at = -1;
      for (let i = a + 1; i < b; i++) {
        const ex = px[i]! - px[a]!, ey = py[i]! - py[a]!;
        // Distance to the segment (to its nearer end past either end); a sample that is not a finite number is kept.
        const t = squared > 0 ? (ex * dx + ey * dy) / squared : 0;
        const d = t <= 0 ? Math.hypot(ex, ey) : t >= 1 ? Math.hypot(px[i]! - px[b]!, py[i]! - py[b]!) : Math.abs(ex * dy - ey * dx) / Math.sqrt(squared);
        const distance = Number.isFinite(d) ? d : Infinity;
        if (distance > worst) {
          worst = distance;
          at = i;
        }
      }
      if (worst > LINE_TOLERANCE_PX) {
        keep[at] = 1;
        stack.push(a, at, at, b);
      }
    }
    return order.filter((_, k) => keep[k] === 1);
  });
}

/** Heap extent of each allocator and the live bytes, over the trace. */
export function heapOverTimeChart(run: ChartedRun): Chart {
  const lines: Array<Line & { series: string }> = [];
  const seenLive = new Set<string>();
  const line = (r: CellResult, series: string, y: (p: TimelinePoint) => number) => ({ panel: r.workload, series, op: r.timeline.map((p) => p.op), y: r.timeline.map(y) });
  for (const r of defaultMode(run.results)) {
    lines.push(line(r, r.allocator, (p) => p.heapBytes));
    if (!seenLive.has(r.workload)) {
      seenLive.add(r.workload);
      lines.push(line(r, "live bytes", (p) => p.liveBytes));
    }
  }
  const values = simplifyLines(lines, false).flatMap((kept, k) => kept.map((i) => ({ workload: lines[k]!.panel, series: lines[k]!.series, op: lines[k]!.op[i]!, bytes: lines[k]!.y[i]! })));
  const colors = allocatorColors(run);
  return facetedChart(run, {
    id: "heap-over-time",
    title: "Heap extent vs live bytes over time",
    howToRead:
      "The black line is what the program had live; each coloured line is an allocator's heap extent (coalescing on). The gap between a coloured line and the black one is fragmentation plus overhead at that moment; a line that keeps climbing while live bytes are flat is a policy that cannot reuse its holes.",
    values,
    resolve: OWN_SCALES,
    panel: overTimePanel(
      { field: "bytes", type: "quantitative", title: "bytes", axis: { format: "~s" } },
      { field: "series", type: "nominal", title: null, scale: { domain: [...colors.domain, "live bytes"], range: [...colors.range, "black"] } },
    ),
  });
}

function palette(n: number): string[] {
  const tableau = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#17becf", "#bcbd22"];
  return Array.from({ length: n }, (_, i) => tableau[i % tableau.length]!);
}

/** heapBytes / liveBytes over time: fragmentation as it develops, not only at the peak. */
export function fragmentationOverTimeChart(run: ChartedRun): Chart {
  const lines = defaultMode(run.results).map((r) => {
    const sampled = r.timeline.filter((p) => p.liveBytes > 0);
    return { panel: r.workload, allocator: r.allocator, op: sampled.map((p) => p.op), y: sampled.map((p) => p.heapBytes / p.liveBytes) };
  });
  const values = simplifyLines(lines, true).flatMap((kept, k) => kept.map((i) => ({ workload: lines[k]!.panel, allocator: lines[k]!.allocator, op: lines[k]!.op[i]!, ratio: lines[k]!.y[i]! })));
  return facetedChart(run, {
    id: "fragmentation-over-time",
    title: "Fragmentation over time: heap extent / live bytes",
    howToRead:
      "The same ratio as the fragmentation bars, sampled along the trace (coalescing on). Early spikes are normal (few live bytes); watch the right-hand part, where a good policy settles near 1 and a poor one drifts up. Log scale.",
    values,
    resolve: OWN_SCALES,
    panel: overTimePanel({ field: "ratio", type: "quantitative", title: "heap / live (log)", scale: { type: "log" } }, { field: "allocator", type: "nominal", title: null, scale: allocatorColors(run) }),
  });
}

/** ns/op (whole-trace replays) with per-op malloc p50 / p99 / p99.9 on a log scale. */
export function latencyChart(run: ChartedRun): Chart {
  const values: Array<Record<string, string | number>> = [];
  for (const r of run.results) {
    if (!r.latency || (r.coalescing !== "immediate" && r.coalescing !== "own")) continue;
    const l = r.latency;
    const add = (measure: string, ns: number | null, interval: Record<string, number> = {}) => {
      if (ns !== null) values.push({ workload: r.workload, allocator: r.allocator, measure, ns: Math.max(1, ns), ...interval });
    };
    add("ns/op (mean)", l.nsPerOp, { low: Math.max(1, l.nsPerOpCiLow), high: Math.max(1, l.nsPerOpCiHigh) });
    add("malloc p50", l.mallocP50);
    add("malloc p99", l.mallocP99);
    add("malloc p99.9", l.mallocP999);
  }
  const measures = ["ns/op (mean)", "malloc p50", "malloc p99", "malloc p99.9"];
  // One colour scale for bars and dots, so the legend names the bars too.
  const color = { field: "measure", type: "nominal", title: null, sort: measures, scale: { domain: measures, range: ["#9ecae9", "#2ca02c", "#ff7f0e", "#d62728"] } } as const;
  return facetedChart(run, {
    id: "latency",
    title: "Latency: ns per operation, malloc p50 / p99 / p99.9",
    howToRead:
      "Bars: mean nanoseconds per trace operation over whole-trace replays on fresh heaps (tinybench-style, integrity checks off), with its 95% confidence interval as a dark line; glibc is the C library's malloc replaying the same trace natively (bar only). Dots: per-malloc percentiles timed around each call with the timer's own cost subtracted, so the tail (p99.9) shows the worst searches. Log scale; lower is better. Timings vary from run to run; the search cost chart shows the same effect without noise, and the speed table below gives each mean as a multiple of glibc's.",
    values,
    resolve: OWN_Y_AND_X_LABELS,
    panel: {
      width: WIDTH,
      height: 160,
      encoding: {
        x: { field: "allocator", type: "nominal", title: null, sort: allocatorOrder(run.results), axis: { labelAngle: -40 } },
        y: { field: "ns", type: "quantitative", title: "ns (log scale)", stack: null, scale: { type: "log" } },
        color,
      },
      layer: [
        { transform: [{ filter: "datum.measure === 'ns/op (mean)'" }], mark: { type: "bar", tooltip: true } },
        // The mean's 95% confidence interval.
        {
          transform: [{ filter: "datum.measure === 'ns/op (mean)'" }],
          mark: { type: "rule", color: "#1f3b57", strokeWidth: 1.5 },
          encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color: { value: "#1f3b57" } },
        },
        { transform: [{ filter: "datum.measure !== 'ns/op (mean)'" }], mark: { type: "point", filled: true, size: 30, opacity: 1, tooltip: true } },
      ],
    },
  });
}

/** Distribution of free blocks examined per malloc: share of mallocs in each cost bucket. */
export function searchCostChart(run: ChartedRun): Chart {
  const values: Array<Record<string, string | number>> = [];
  const buckets: string[] = [];
  for (const r of defaultMode(run.results)) {
    const total = r.searchCostHistogram.reduce((s, [, n]) => s + n, 0);
    r.searchCostHistogram.forEach(([bucket, n], i) => {
      if (!buckets.includes(bucket) && i >= buckets.length) buckets.push(bucket);
      if (n > 0) values.push({ workload: r.workload, allocator: r.allocator, examined: bucket, share: n / total });
    });
  }
  return facetedChart(run, {
    id: "search-cost",
    title: "Search cost: free blocks examined per malloc",
    howToRead:
      "How many free blocks (or bins) each policy looked at to serve a malloc, as a share of all mallocs: a machine-independent view of algorithmic latency. Dark cells far to the right mean long searches (a list scan); constant-time policies keep everything in the first columns. The peers do not count their searches, so they are absent.",
    values,
    resolve: { axis: { x: "independent" } },
    panel: {
      // Wide enough for the bucket labels ("65-128") to stand level, side by side.
      width: 260,
      height: { step: 14 },
      mark: { type: "rect", tooltip: true },
      encoding: {
        x: { field: "examined", type: "ordinal", sort: buckets, title: "blocks examined per malloc", axis: { labelAngle: 0, labelFontSize: 9, labelOverlap: false } },
        y: { field: "allocator", type: "nominal", title: null, sort: allocatorOrder(run.results) },
        color: { field: "share", type: "quantitative", title: "share of mallocs", scale: { scheme: "blues", type: "sqrt", domain: [0, 1] }, legend: { format: ".0%" } },
      },
    },
  });
}

/** Failed requests in a fixed arena, split into fragmented (enough free bytes, no block) and out of memory. */
export function failuresChart(run: ChartedRun): Chart {
  const values: Array<Record<string, string | number>> = [];
  for (const r of ok(run.results)) {
    const m = r.metrics!;
    const mallocs = Math.max(1, m.fixedRequests);
    values.push({ workload: r.workload, series: seriesLabel(r), failure: "fragmented", share: m.fixedFailuresFragmented / mallocs, count: m.fixedFailuresFragmented, arena: m.fixedArenaBytes });
    values.push({ workload: r.workload, series: seriesLabel(r), failure: "out of memory", share: m.fixedFailuresOutOfMemory / mallocs, count: m.fixedFailuresOutOfMemory, arena: m.fixedArenaBytes });
  }
  const arena = run.settings.fixedArena;
  return facetedChart(run, {
    id: "failures",
    title: "Failures in a fixed arena: fragmented vs out of memory",
    howToRead: `Each allocator replays the trace in an arena that cannot grow (${arena ? `${arena} bytes` : "1.25 × the workload's peak live bytes"}). Bars are failed requests (malloc, calloc, growing realloc) as a share of all such requests; each panel has its own scale. A failure is "fragmented" when the arena had enough free bytes in total but no single block could serve it, and "out of memory" when it did not. Shorter is better; a fragmented failure is the policy's fault.`,
    values,
    resolve: { scale: { x: "independent" } },
    panel: {
      width: WIDTH,
      height: { step: 11 },
      mark: { type: "bar", tooltip: true },
      encoding: {
        y: { field: "series", type: "nominal", title: null, sort: [...new Set(values.map((v) => v.series as string))] },
        // "~%" prints each tick exactly (0.05%, 0.1%), where ".0%" would print 0% 0% 0% 1% 1% on a small range.
        x: { field: "share", type: "quantitative", title: "failed requests", axis: { format: "~%", tickCount: 4 }, stack: "zero" },
        color: { field: "failure", type: "nominal", title: null, scale: { domain: ["fragmented", "out of memory"], range: ["#e15759", "#bab0ac"] } },
      },
    },
  });
}

/** The adaptive adversary's heap extent / M against Robson's bound. */
export function adversaryChart(run: ChartedRun): Chart {
  const values = run.adversary.map((a) => ({ series: seriesLabel(a), ratio: a.ratio, bound: a.boundRatio, n: a.n, M: a.M }));
  const first = run.adversary[0];
  return {
    id: "adversary",
    title: "Robson's adaptive adversary: heap extent / M",
    howToRead: `An adversary plays against each allocator live: it reads the addresses it gets back and frees blocks so that every hole is too small for the next size (sizes 1, 2, 4 … n units, a unit being the allocator's smallest block, never more than M units live${first ? `; here n = ${first.n}, M = ${first.M}` : ""}). Bars show the heap extent it forced, as a multiple of M; the red line is Robson's worst-case bound M(1 + ½·log2 n) − n + 1 for any allocator. Nobody can do better than the bound against the best adversary; this construction leaves no hole any policy could use, so every policy reaches 1 + ½·log2 n. The trap-best-fit and trap-first-fit workloads are the adversaries that tell policies apart.`,
    spec: {
      ...base,
      data: { values },
      width: { step: 22 },
      height: 200,
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: {
            x: { field: "series", type: "nominal", title: null, sort: values.map((v) => v.series), axis: { labelAngle: -40 } },
            y: { field: "ratio", type: "quantitative", title: "heap extent / M" },
            color: { value: "#4e79a7" },
          },
        },
        { mark: { type: "rule", color: "#d62728", strokeWidth: 2, strokeDash: [6, 3] }, encoding: { y: { aggregate: "max", field: "bound", type: "quantitative" } } },
      ],
    } as TopLevelSpec,
  };
}

/** Heap efficiency: the live share of a fixed arena when the first request fails (rlsf's and talc's measure). */
export function efficiencyChart(run: ChartedRun): Chart {
  const rows = run.efficiency ?? [];
  const values = rows.map((e) => ({ series: seriesLabel(e), mean: e.mean, min: e.min, max: e.max }));
  const first = rows[0];
  return {
    id: "efficiency",
    title: "Heap efficiency: live share of a fixed arena at the first failure",
    howToRead: `Each allocator gets a fixed arena${first ? ` of ${first.arenaBytes / 1024} KiB` : ""} and random actions (allocate log-uniform sizes from 8 B to 4 KiB, free, reallocate) until a request first fails; the bar is the share of the arena then holding live data, the mean over ${first ? first.trials : "several"} seeded trials, the line its range. What is missing to 100% is headers and rounding plus the free space too scattered to serve the request (the measure rlsf and talc publish). Higher is better.`,
    spec: {
      ...base,
      data: { values },
      width: { step: 22 },
      height: 200,
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: {
            x: { field: "series", type: "nominal", title: null, sort: values.map((v) => v.series), axis: { labelAngle: -40 } },
            y: { field: "mean", type: "quantitative", title: "live / arena at first failure", axis: { format: "%" }, scale: { domain: [0, 1] } },
            color: { value: "#59a14f" },
          },
        },
        {
          mark: { type: "rule", color: "#333" },
          encoding: { x: { field: "series", type: "nominal", sort: values.map((v) => v.series) }, y: { field: "min", type: "quantitative" }, y2: { field: "max" } },
        },
      ],
    } as TopLevelSpec,
  };
}

/**
 * Every chart the run has data for, in report order: the verdict's chart first. The heap maps are not among
 * them: at 128 address bins × 100 moments they are drawn as images (see heapmap.ts), which stay small.
 * A new chart is one function above and one entry here.
 */
export function buildCharts(run: ChartedRun): Chart[] {
  const charts: Chart[] = [];
  if (run.results.some((r) => r.metrics && r.latency)) charts.push(balanceChart(run));
  charts.push(fragmentationChart(run), utilizationChart(run), heapOverTimeChart(run), fragmentationOverTimeChart(run), latencyChart(run), searchCostChart(run), failuresChart(run));
  if (run.adversary.length > 0) charts.push(adversaryChart(run));
  if ((run.efficiency ?? []).length > 0) charts.push(efficiencyChart(run));
  return charts;
}
