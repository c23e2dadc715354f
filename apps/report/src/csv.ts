/** results.csv and timeline.csv: one row per cell with every metric, and one row per timeline sample. */
import { stringify } from "csv-stringify/sync";
import { NATIVE_NAME } from "./backends.js";
import { SpeedReferences, THING_NAME } from "./speed.js";
import type { CellResult, DeterministicMetrics, LatencyMetrics } from "./types.js";

/** A column of results.csv: its header and its value for a cell (`speed` holds the run's reference timings). */
type Column = { header: string; value: (r: CellResult, speed: SpeedReferences) => string | number | null };

const metric = (key: keyof DeterministicMetrics): Column => ({ header: key, value: (r) => r.metrics?.[key] ?? null });
const timing = (key: keyof LatencyMetrics, header: string = key): Column => ({ header, value: (r) => {
  const v = r.latency?.[key];
  return typeof v === "boolean" ? String(v) : v ?? null;
} });

/** The columns of results.csv, in order. Deterministic metrics first, then timings, then the error. */
export const RESULT_COLUMNS: readonly Column[] = [
  { header: "allocator", value: (r) => r.allocator },
  { header: "allocatorKind", value: (r) => r.allocatorKind },
  { header: "coalescing", value: (r) => r.coalescing },
  { header: "workload", value: (r) => r.workload },
  { header: "workloadKind", value: (r) => r.workloadKind },
  metric("ops"),
  metric("peakLiveBytes"),
  metric("peakHeapBytes"),
  { header: "peakHeapOverPeakLive", value: (r) => (r.metrics && r.metrics.peakLiveBytes > 0 ? r.metrics.peakHeapBytes / r.metrics.peakLiveBytes : null) },
  metric("fragmentation"),
  metric("utilization"),
  metric("internalFragmentation"),
  metric("externalFragmentationAtPeak"),
  metric("externalFragmentationMean"),
  metric("failuresOutOfMemory"),
  metric("failuresFragmented"),
  metric("searchCostMean"),
  metric("searchCostP99"),
  metric("searchCostMax"),
  metric("fixedArenaBytes"),
  metric("fixedRequests"),
  metric("fixedFailuresOutOfMemory"),
  metric("fixedFailuresFragmented"),
  timing("nsPerOp"),
  // nsPerOp's 95% confidence interval; noisy: still wider than ±10% after re-measuring within the cell's budget.
  timing("nsPerOpCiLow"),
  timing("nsPerOpCiHigh"),
  timing("rme", "nsPerOpRmePercent"),
  timing("noisy", "nsPerOpNoisy"),
  // ns/op as a multiple of the reference's on the same workload in the same run (see speed.ts); empty where not timed.
  { header: "nsPerOpTimesGlibc", value: (r, speed) => speed.ratio(r, NATIVE_NAME) },
  { header: "nsPerOpTimesThingMalloc", value: (r, speed) => speed.ratio(r, THING_NAME) },
  timing("opsPerSecond"),
  timing("ops", "latencyOps"),
  timing("samples", "latencySamples"),
  timing("mallocP50", "mallocP50Ns"),
  timing("mallocP99", "mallocP99Ns"),
  timing("mallocP999", "mallocP999Ns"),
  timing("mallocMax", "mallocMaxNs"),
  timing("freeP50", "freeP50Ns"),
  timing("freeP99", "freeP99Ns"),
  timing("freeP999", "freeP999Ns"),
  timing("freeMax", "freeMaxNs"),
  // Native rows: peak resident bytes of the replay over a baseline taken just before it, ÷ the trace's peak live bytes.
  { header: "footprint", value: (r) => r.footprint },
  { header: "error", value: (r) => r.error ?? "" },
];

/** Columns whose values must be identical from run to run (everything but timings). */
export const DETERMINISTIC_COLUMNS: readonly string[] = RESULT_COLUMNS.slice(0, RESULT_COLUMNS.findIndex((c) => c.header === "nsPerOp")).map((c) => c.header);

export function resultsCsv(results: readonly CellResult[]): string {
  const speed = new SpeedReferences(results);
  const rows = results.map((r) => RESULT_COLUMNS.map((c) => c.value(r, speed)));
  return stringify([RESULT_COLUMNS.map((c) => c.header), ...rows]);
}

export const TIMELINE_COLUMNS = ["allocator", "coalescing", "workload", "op", "liveBytes", "heapBytes", "freeBytes", "largestFreeBlock", "freeBlocks", "externalFragmentation"] as const;

/**
 * timeline.csv: a row per timeline sample (240 per cell: 160 000 rows for the default matrix). csv-stringify quotes
 * each cell's three names once; the samples' fields are numbers, which CSV never quotes, so they are joined as
 * csv-stringify would write them (the same bytes, in half the time).
 */
export function timelineCsv(results: readonly CellResult[]): string {
  const parts: string[] = [stringify([[...TIMELINE_COLUMNS]])];
  for (const r of results) {
    if (r.timeline.length === 0) continue;
    const names = stringify([[r.allocator, r.coalescing, r.workload]], { record_delimiter: "" });
    for (const p of r.timeline) {
      parts.push(`${names},${p.op},${p.liveBytes},${p.heapBytes},${p.freeBytes},${p.largestFreeBlock},${p.freeBlocks},${p.externalFragmentation}\n`);
    }
  }
  return parts.join("");
}
