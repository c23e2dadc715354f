/** A worker thread of the pool: runs the cells it is sent, keeping each workload's trace once loaded. */
import { parentPort } from "node:worker_threads";
import type { Trace } from "@dmm/workloads";
import { runCell } from "./cell.js";
import { loadTrace, QUICK_OPS, tracePrefix } from "./workloads.js";
import type { Cell, CellResult, RunSettings } from "./types.js";

export interface CellRequest {
  cell: Cell;
  settings: RunSettings;
}

export type CellReply = { ok: true; result: CellResult } | { ok: false; error: string };

const traces = new Map<string, Promise<Trace>>();

/** The trace a cell replays: loaded once per file, cut to QUICK_OPS in a quick run. */
export function cellTrace(cell: Cell, settings: RunSettings, cache: Map<string, Promise<Trace>> = traces): Promise<Trace> {
  const key = `${cell.workload.file}\u0000${settings.quick}`;
  let trace = cache.get(key);
  if (!trace) {
    trace = loadTrace(cell.workload).then((t) => (settings.quick ? tracePrefix(t, QUICK_OPS) : t));
    cache.set(key, trace);
  }
  return trace;
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (request: CellRequest) => {
    cellTrace(request.cell, request.settings).then(
      (trace) => port.postMessage({ ok: true, result: runCell(request.cell, trace, request.settings) } satisfies CellReply),
      (error: Error) => port.postMessage({ ok: false, error: error.message } satisfies CellReply),
    );
  });
}
