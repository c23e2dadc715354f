/**
 * The real-browser check: Chromium (through playwright-core) opens index.html from disk, and every chart must
 * have drawn marks and every heap map image decoded, with no console errors and no request other than file:
 * URLs. It runs on the system browser when there is one AND always on the Chromium inside @sparticuz/chromium,
 * so the path a fresh machine takes (no browser installed) is tested everywhere, and never skipped.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { writeOutputs } from "../src/output.js";
import { runBench } from "../src/run.js";
import { type Browser, bundledBrowser, systemBrowser } from "./browser.js";
import { tinyWorkspace } from "./fixtures.js";

const system = systemBrowser();
const browsers: Array<[string, () => Promise<Browser>]> = [
  ...(system ? [[`system browser (${system.executablePath})`, async () => system] as [string, () => Promise<Browser>]] : []),
  ["the Chromium in @sparticuz/chromium (what a machine without a browser uses)", bundledBrowser],
];

describe("index.html in a real browser", () => {
  const { dir, manifest } = tinyWorkspace(1200);
  const out = join(dir, "report");
  let chartIds: string[] = [];

  beforeAll(async () => {
    const run = await runBench({ manifest, strategies: ["first-fit", "best-fit", "buddy"], coalescing: ["on", "off"], quick: true, jobs: 1 });
    const files = await writeOutputs(run, out);
    chartIds = files.filter((f) => f.endsWith(".vl.json")).map((f) => f.slice(0, -".vl.json".length));
  });

  for (const [name, find] of browsers) {
    it(`renders every chart from file:// with no console errors and no network, in ${name}`, async () => {
      const found = await find();
      const browser = await chromium.launch({ executablePath: found.executablePath, args: found.args, headless: true });
      try {
        const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on("console", (msg) => {
          if (msg.type() === "error") errors.push(msg.text());
        });
        page.on("pageerror", (error) => errors.push(error.message));
        page.on("request", (request) => requests.push(request.url()));

        await page.goto(pathToFileURL(join(out, "index.html")).href, { waitUntil: "load" });

        expect(chartIds).toEqual(expect.arrayContaining(["balance", "fragmentation", "utilization", "heap-over-time", "latency", "search-cost", "failures", "adversary"]));
        // The verdict comes right after the title, with its chart; the other charts follow.
        expect(await page.$eval("h1", (h) => h.nextElementSibling?.id)).toBe("verdict");
        expect(await page.locator("#verdict table.verdict tbody tr").count()).toBe(2);
        const marks = await page.$$eval("section.chart, #verdict", (sections) =>
          sections.map((s) => ({ id: s.id, marks: s.querySelectorAll("figure svg .role-mark path, figure svg .role-mark rect, figure svg .role-mark line").length })),
        );
        expect(marks.map((m) => (m.id === "verdict" ? "balance" : m.id)).sort()).toEqual([...chartIds].sort());
        for (const m of marks) expect(m.marks, `chart ${m.id} drew no marks`).toBeGreaterThan(0);
        expect(await page.locator("table.util tbody tr").count()).toBeGreaterThan(0);
        // Heap maps are inline PNGs: each decodes to 100 moments × 128 address bins.
        const maps = await page.$$eval("#heap-map img", (imgs) => imgs.map((i) => [(i as unknown as { naturalWidth: number }).naturalWidth, (i as unknown as { naturalHeight: number }).naturalHeight]));
        expect(maps.length).toBeGreaterThan(0);
        for (const size of maps) expect(size).toEqual([100, 128]);
        // Every time in the speed table carries its interval.
        const times = await page.$$eval("table.speed tbody td:not(.mean)", (tds) => tds.map((td) => td.textContent ?? "").filter((t) => / ns/.test(t)));
        expect(times.length).toBeGreaterThan(0);
        for (const t of times) expect(t).toMatch(/\d ±\d/);

        await page.screenshot({ path: join(out, "screenshot.png"), fullPage: false });
        expect(existsSync(join(out, "screenshot.png"))).toBe(true);
        expect(errors).toEqual([]);
        expect(requests.filter((url) => !url.startsWith("file:") && !url.startsWith("data:"))).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }
});
