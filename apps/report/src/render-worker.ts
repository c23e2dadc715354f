/** A render worker (see render.ts renderSvgs): renders the specs it is started with and answers their SVGs. */
import { parentPort, workerData } from "node:worker_threads";
import { type RenderAnswer, type RenderWork, renderSvg } from "./render.js";

async function renderAll(work: RenderWork): Promise<string[]> {
  const svgs: string[] = [];
  for (const spec of work.specs) svgs.push(await renderSvg(spec));
  return svgs;
}

if (parentPort && workerData && (workerData as Partial<RenderWork>).dmmRenderWorker) {
  const port = parentPort;
  renderAll(workerData as RenderWork).then(
    (svgs) => port.postMessage({ svgs } satisfies RenderAnswer),
    (error: Error) => port.postMessage({ error: error.message } satisfies RenderAnswer),
  );
}
