/**
 * The report's charts are drawn on several threads (render.ts renderSvgs: this one and worker threads, the specs
 * with the most data rows first); every SVG must be the one a single thread draws, whichever charts a thread drew
 * before it (vega numbers gradients per thread; renderSvg renumbers them from 0).
 */
import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { splitSpecs } from "../src/render.js";
import type { TopLevelSpec } from "vega-lite";
import { buildWorkspace, node, ROOT } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";

beforeAll(buildWorkspace);

const dist = (file: string) => JSON.stringify(pathToFileURL(`${ROOT}apps/report/dist/src/${file}`).href);

it("splitSpecs gives every spec to one thread, the largest first, balancing data rows", () => {
  const spec = (rows: number) => ({ data: { values: Array.from({ length: rows }, (_, i) => ({ i })) }, mark: "point" }) as TopLevelSpec;
  const lists = splitSpecs([spec(10), spec(500), spec(20), spec(480), spec(5)], 2);
  expect(lists).toEqual([[1, 0], [3, 2, 4]]);
  expect(splitSpecs([spec(1)], 4)).toEqual([[0]]);
});

it("the charts of a run drawn on three threads, in another order, or by a warmed-up render worker, are byte for byte the ones one thread draws", () => {
  const { manifest, dir } = tinyWorkspace(400);
  const r = node(
    `import { runBench } from ${dist("index.js")};
     import { buildCharts } from ${dist("specs.js")};
     import { renderSvgs, startRenderer } from ${dist("render.js")};
     const run = await runBench({ manifest: ${JSON.stringify(manifest)}, strategies: ["first-fit", "tlsf", "buddy"], native: ["glibc"], quick: true, jobs: 2 });
     const specs = buildCharts(run).map((c) => c.spec);
     const one = await renderSvgs(specs, 1);
     const three = await renderSvgs(specs, 3);
     const reversed = (await renderSvgs([...specs].reverse(), 1)).svgs.reverse();
     const ahead = startRenderer();
     ahead.warm([...specs].reverse());
     const warmed = await ahead.render(specs);
     // Compared here: one more copy of the SVGs would pass the megabyte node() reads of the output.
     const warmedDiffer = specs.map((_, i) => i).filter((i) => warmed[i] !== one.svgs[i]);
     console.log(JSON.stringify({ charts: specs.length, one, three, reversed, warmedDiffer, gradients: one.svgs.filter((s) => s.includes("gradient_")).length }));`,
    dir,
  );
  expect(r.stderr).toBe("");
  const { charts, one, three, reversed, warmedDiffer, gradients } = JSON.parse(r.stdout) as { charts: number; reversed: string[]; warmedDiffer: number[]; one: { svgs: string[]; threadsUsed: number }; three: { svgs: string[]; threadsUsed: number }; gradients: number };
  expect(charts).toBeGreaterThan(5);
  expect(one.threadsUsed).toBe(1);
  expect(three.threadsUsed).toBe(3);
  expect(gradients).toBeGreaterThan(0);
  expect(three.svgs).toEqual(one.svgs);
  // Drawn in the opposite order on one thread: the same SVGs (a chart's gradients do not depend on the charts before it).
  expect(reversed).toEqual(one.svgs);
  // Drawn by a render worker started ahead (startRenderer) that warmed up on the same charts first: the same SVGs.
  expect(warmedDiffer).toEqual([]);
});
