export { BenchError, backendByName, backends } from "./backends.js";
export type { ArenaSpec, Backend, BenchErrorCode, JsBackend, NativeBackend, NativeSpec } from "./backends.js";
export { NATIVE_NAMES, resolveNatives } from "./natives.js";
export { checkPlugin, loadPlugins, pluginBackend } from "./plugins.js";
export type { AllocatorPlugin, LoadedPlugin } from "./plugins.js";
export { DETERMINISTIC_COLUMNS, RESULT_COLUMNS, resultsCsv, TIMELINE_COLUMNS, timelineCsv } from "./csv.js";
export { indexHtml } from "./html.js";
export { buildMatrix, parseCoalescing, parseShard, shardCells } from "./matrix.js";
export type { Shard } from "./matrix.js";
export { mergeRuns, readResults, writeOutputs } from "./output.js";
export { renderSvg } from "./render.js";
export { plan, runBench } from "./run.js";
export type { BenchOptions } from "./run.js";
export { buildCharts } from "./specs.js";
export type { Chart } from "./specs.js";
export type {
  AdversaryResult,
  Cell,
  CellResult,
  CoalescingMode,
  DeterministicMetrics,
  Environment,
  LatencyMetrics,
  RunResult,
  RunSettings,
  TimelinePoint,
  WorkloadRef,
} from "./types.js";
