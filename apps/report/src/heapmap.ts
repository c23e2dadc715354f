/**
 * The heap maps of index.html: for each mapped workload and allocator (coalescing on), a raster of used
 * fraction per address bin (rows, high addresses at the top) and moment (columns), as an inline PNG — at
 * 128 bins × 100 moments each map is a few kilobytes this way, against about a megabyte of SVG rectangles.
 */
import { encodePng } from "./png.js";
import type { HeapMap, RunResult } from "./types.js";

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Free (0) to full (1): light lavender to dark purple, as vega's "purples" scheme; unclaimed heap is white. */
function colour(used: number): [number, number, number] {
  if (used < 0) return [255, 255, 255];
  const from = [239, 237, 245];
  const to = [63, 0, 125];
  return [0, 1, 2].map((i) => Math.round(from[i]! + (to[i]! - from[i]!) * Math.min(1, used))) as [number, number, number];
}

/** The map as PNG bytes: width = moments, height = address bins, the top row the highest bin. */
export function heapMapPng(map: HeapMap): Buffer {
  const width = map.times.length;
  const height = map.bins;
  const rgb = new Uint8Array(width * height * 3);
  for (let t = 0; t < width; t++) {
    const row = map.used[t]!;
    for (let b = 0; b < height; b++) {
      const [r, g, bl] = colour(row[b] ?? -1);
      const at = ((height - 1 - b) * width + t) * 3;
      rgb[at] = r;
      rgb[at + 1] = g;
      rgb[at + 2] = bl;
    }
  }
  return encodePng(width, height, rgb);
}

/** The page's heap map section (empty without maps). */
export function heapMapSection(run: RunResult): string {
  const mapped = run.results.filter((r) => r.heapMap && r.heapMap.times.length > 0 && (r.coalescing === "immediate" || r.coalescing === "own"));
  if (mapped.length === 0) return "";
  const workloads = [...new Set(mapped.map((r) => r.workload))];
  const first = mapped[0]!.heapMap!;
  const rows = workloads.map((w) => {
    const figures = mapped
      .filter((r) => r.workload === w)
      .map((r) => {
        const map = r.heapMap!;
        const src = `data:image/png;base64,${heapMapPng(map).toString("base64")}`;
        const extent = map.binBytes * map.bins;
        return `<figure class="heapmap"><img src="${src}" width="${map.times.length * 2}" height="${map.bins * 2}" alt="heap map of ${escape(r.allocator)} on ${escape(w)}"><figcaption>${escape(r.allocator)}<br><span class="times">0 – ${extent.toLocaleString("en-US")} B</span></figcaption></figure>`;
      });
    return `<h3>${escape(w)}</h3><div class="heapmaps">${figures.join("")}</div>`;
  });
  return `<section id="heap-map" class="heap-map">
<h2>Heap map: address × time</h2>
<p class="how"><strong>How to read this.</strong> Time runs left to right (${first.times.length} moments evenly spaced over the trace), addresses bottom to top (${first.bins} bins up to the allocator's peak heap extent); each pixel is an address range at one moment, dark when it is full of live blocks and light when free. White is heap not yet claimed. Holes that stay light for a long time are the fragmentation the other charts measure. Coalescing on; pick the workloads with --heap-map.</p>
${rows.join("\n")}
</section>`;
}
