/** Runs cells in worker threads (one per job), or in this thread when jobs is 1. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Trace } from "@dmm/workloads";
import { BenchError } from "./backends.js";
import { runCell } from "./cell.js";
import type { Cell, CellResult, RunSettings } from "./types.js";
import { type CellReply, cellTrace } from "./worker.js";

export type OnCellDone = (result: CellResult, done: number, total: number) => void;

/** The compiled worker next to this module; absent when running from TypeScript sources (tests). */
function workerFile(): string | null {
  const url = new URL("./worker.js", import.meta.url);
  const path = fileURLToPath(url);
  return path.endsWith(".js") && existsSync(path) ? path : null;
}

/** Runs every cell and returns the results in cell order. */
export async function runCells(cells: readonly Cell[], settings: RunSettings, jobs: number, onDone: OnCellDone): Promise<CellResult[]> {
  const file = workerFile();
  const results = jobs > 1 && file && cells.length > 1 ? await runInWorkers(file, cells, settings, jobs, onDone) : await runInProcess(cells, settings, onDone);
  return results.sort((a, b) => a.index - b.index);
}

async function runInProcess(cells: readonly Cell[], settings: RunSettings, onDone: OnCellDone): Promise<CellResult[]> {
  const cache = new Map<string, Promise<Trace>>();
  const out: CellResult[] = [];
  for (const cell of cells) {
    const trace = await cellTrace(cell, settings, cache);
    out.push(runCell(cell, trace, settings));
    onDone(out[out.length - 1]!, out.length, cells.length);
    await new Promise((r) => setImmediate(r)); // let the progress bar draw
  }
  return out;
}

function runInWorkers(file: string, cells: readonly Cell[], settings: RunSettings, jobs: number, onDone: OnCellDone): Promise<CellResult[]> {
  return new Promise((resolve, reject) => {
    const out: CellResult[] = [];
    const workers: Worker[] = [];
    let next = 0;
    let failed = false;
    const finish = (error?: Error) => {
      if (failed) return;
      if (error) failed = true;
      if (error || out.length === cells.length) {
        for (const w of workers) void w.terminate();
        if (error) reject(error);
        else resolve(out);
      }
    };
    const feed = (worker: Worker) => {
      if (next < cells.length) worker.postMessage({ cell: cells[next++]!, settings });
    };
    for (let j = 0; j < Math.min(jobs, cells.length); j++) {
      const worker = new Worker(file);
      workers.push(worker);
      worker.on("message", (reply: CellReply) => {
        if (!reply.ok) return finish(new BenchError("BAD_TRACE", reply.error));
        out.push(reply.result);
        onDone(reply.result, out.length, cells.length);
        feed(worker);
        finish();
      });
      worker.on("error", (error) => finish(error));
      feed(worker);
    }
  });
}
