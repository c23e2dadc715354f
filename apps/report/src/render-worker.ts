/** A render worker (see render.ts startRenderer): imports vega at once, then draws the specs it is sent and answers their SVGs. */
import { parentPort, workerData } from "node:worker_threads";
import { loadRenderer, type RenderAnswer, type RenderRequest, type RenderWork, renderSvg } from "./render.js";

async function renderAll(specs: RenderRequest["specs"]): Promise<string[]> {
  const svgs: string[] = [];
  for (const spec of specs) svgs.push(await renderSvg(spec));
  return svgs;
}

if (parentPort && workerData && (workerData as Partial<RenderWork>).dmmRenderWorker) {
  const port = parentPort;
  loadRenderer().catch(() => {}); // while the specs are still being computed; a failure is renderSvg's to report
  // Requests are drawn one after the other, in the order they came.
  let queue: Promise<unknown> = Promise.resolve();
  port.on("message", (request: RenderRequest) => {
    queue = queue.then(() =>
      renderAll(request.specs).then(
        (svgs) => void (request.warmUp ? undefined : port.postMessage({ svgs } satisfies RenderAnswer)),
        (error: Error) => void (request.warmUp ? undefined : port.postMessage({ error: error.message } satisfies RenderAnswer)),
      ),
    );
  });
}
