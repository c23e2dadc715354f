/**
 * Renders vega-lite specs to SVG in Node: compile to vega, run a headless View, toSVG(). renderSvgs spreads a
 * report's charts over this thread and worker threads (render-worker.ts), the largest first, so the charts of a
 * big matrix draw on every core (the default matrix's ten charts are about 4 s of CPU in one thread).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { TopLevelSpec } from "vega-lite";
import { workerExecArgv } from "./threads.js";

type Engines = { vega: typeof import("vega"); compile: typeof import("vega-lite").compile };
let engines: Promise<Engines> | null = null;

/**
 * Imports vega and vega-lite (about 0.8 s of CPU), once. Not at start-up: a bench run's workers start that much
 * sooner, and `dmm --help` or a usage error does not pay for it; the CLI calls this once the first cell is done, while
 * this thread only waits for the workers.
 */
export function loadRenderer(): Promise<Engines> {
  engines ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vegaLite]) => ({ vega, compile: vegaLite.compile }));
  return engines;
}

/**
 * The SVG of a spec. Vega numbers gradients across every view of a thread (gradient_0, gradient_1, …); they are
 * renumbered from 0 in order of appearance, so a chart's SVG is the same whichever charts the thread drew before.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadRenderer();
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    const numbers = new Map<string, number>();
    return svg.replace(/\bgradient_(\d+)\b/g, (_, n: string) => {
      if (!numbers.has(n)) numbers.set(n, numbers.size);
      return `gradient_${numbers.get(n)}`;
    });
  } finally {
    view.finalize();
  }
}

/** What a render worker is started with (it imports vega at once), then sent: the specs to draw; it answers their SVGs, in order. */
export interface RenderWork {
  readonly dmmRenderWorker: true;
}
export interface RenderRequest {
  readonly specs: readonly TopLevelSpec[];
  /** Draw them and answer nothing: a warm-up (see Renderer.warm). */
  readonly warmUp?: true;
}
export type RenderAnswer = { readonly svgs: string[] } | { readonly error: string };

/** The compiled render worker next to this module; absent when running from TypeScript sources (tests). */
function renderWorkerFile(): string | null {
  const path = fileURLToPath(new URL("./render-worker.js", import.meta.url));
  return existsSync(path) ? path : null;
}

/** A spec's inline data rows: what its rendering time grows with. */
function dataRows(spec: unknown): number {
  let rows = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "values" && Array.isArray(value)) rows += value.length;
        else visit(value);
      }
    }
  };
  visit(spec);
  return rows;
}

/**
 * Splits specs over `threads` lists, the most data rows first, each to the list with the fewest rows so far
 * (longest processing time first); each list keeps its specs' indexes.
 */
export function splitSpecs(specs: readonly TopLevelSpec[], threads: number): number[][] {
  const lists: number[][] = Array.from({ length: Math.max(1, Math.min(threads, specs.length)) }, () => []);
  const load = lists.map(() => 0);
  const order = specs.map((s, i) => ({ i, rows: dataRows(s) })).sort((a, b) => b.rows - a.rows || a.i - b.i);
  for (const { i, rows } of order) {
    const least = load.indexOf(Math.min(...load));
    lists[least]!.push(i);
    load[least]! += rows + 1;
  }
  return lists.filter((l) => l.length > 0);
}

/**
 * A render worker started before its charts are known: it imports vega (its start and the import are about half a
 * second of CPU) while the caller still computes them, e.g. while a bench run's last cells run.
 */
export interface Renderer {
  /** The SVG of each spec, in order, the same as renderSvg gives; once. The worker ends when it has answered. */
  render(specs: readonly TopLevelSpec[]): Promise<string[]>;
  /** Draws `specs` first and throws them away, so vega's code is compiled before render asks (before render only). */
  warm(specs: readonly TopLevelSpec[]): void;
  /** Ends the worker without drawing (a run that failed); nothing after render. */
  close(): void;
}

/** Starts a render worker (see Renderer); null when there is no compiled worker (running from TypeScript sources). */
export function startRenderer(): Renderer | null {
  const file = renderWorkerFile();
  if (file === null) return null;
  const worker = new Worker(file, { workerData: { dmmRenderWorker: true } satisfies RenderWork, ...workerExecArgv() });
  const answered = new Promise<string[]>((resolve, reject) => {
    worker.once("message", (answer: RenderAnswer) => {
      void worker.terminate();
      if ("error" in answer) reject(new Error(answer.error));
      else resolve(answer.svgs);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`a render worker exited (code ${code}) before answering`)));
  });
  answered.catch(() => {}); // a failure before render is asked for is render's to report
  worker.unref(); // a worker never asked to render does not keep the process alive
  return {
    render(specs) {
      worker.ref();
      worker.postMessage({ specs } satisfies RenderRequest);
      return answered;
    },
    warm(specs) {
      worker.postMessage({ specs, warmUp: true } satisfies RenderRequest);
    },
    close() {
      void worker.terminate();
    },
  };
}

/**
 * The SVG of each spec, in order, the same as renderSvg gives: split over `threads` threads, this one and
 * `threads` − 1 workers (each worker costs its start and vega's import, about half a second of CPU), or all in
 * this thread when there is one thread, one spec, or no compiled worker. This thread's share is drawn after
 * whatever the caller does before awaiting. `threadsUsed` counts the threads that drew.
 */
export async function renderSvgs(specs: readonly TopLevelSpec[], threads: number): Promise<{ svgs: string[]; threadsUsed: number }> {
  const file = renderWorkerFile();
  const lists = file === null ? [specs.map((_, i) => i)] : splitSpecs(specs, threads);
  const inWorkers = lists.slice(1).map((list) => startRenderer()!.render(list.map((i) => specs[i]!)));
  const here: string[] = [];
  try {
    for (const i of lists[0] ?? []) here.push(await renderSvg(specs[i]!));
  } finally {
    // A worker's failure after this thread's own is not left unhandled.
    for (const p of inWorkers) p.catch(() => {});
  }
  const parts = [here, ...(await Promise.all(inWorkers))];
  const svgs: string[] = new Array<string>(specs.length);
  lists.forEach((list, k) => list.forEach((i, j) => (svgs[i] = parts[k]![j]!)));
  return { svgs, threadsUsed: lists.length };
}
