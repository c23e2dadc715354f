/**
 * The real-browser check: Debian's chromium (through playwright-core) opens index.html from disk, and every
 * chart must have drawn marks, with no console errors and no request other than file: URLs.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeOutputs } from "../src/output.js";
import { runBench } from "../src/run.js";
import { tinyWorkspace } from "./fixtures.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("index.html in a real browser", () => {
  const { dir, manifest } = tinyWorkspace(1200);
  const out = join(dir, "report");
  let chartIds: string[] = [];

  beforeAll(async () => {
    const run = await runBench({ manifest, strategies: ["first-fit", "best-fit", "buddy"], coalescing: ["on", "off"], quick: true, jobs: 1 });
    const files = await writeOutputs(run, out);
    chartIds = files.filter((f) => f.endsWith(".vl.json")).map((f) => f.slice(0, -".vl.json".length));
  });

  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  afterAll(async () => {
    await context?.close();
  });

  it("renders every chart from file:// with no console errors and no network", async () => {
    expect(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`).toBe(true);
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "dmm-chromium-")), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(msg.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => requests.push(request.url()));

    await page.goto(pathToFileURL(join(out, "index.html")).href, { waitUntil: "load" });

    expect(chartIds).toEqual(expect.arrayContaining(["fragmentation", "utilization", "heap-over-time", "latency", "search-cost", "failures", "heap-map", "adversary"]));
    const marks = await page.$$eval("section.chart", (sections) =>
      sections.map((s) => ({ id: s.id, marks: s.querySelectorAll("figure svg .role-mark path, figure svg .role-mark rect").length })),
    );
    expect(marks.map((m) => m.id).sort()).toEqual([...chartIds].sort());
    for (const m of marks) expect(m.marks, `chart ${m.id} drew no marks`).toBeGreaterThan(0);
    expect(await page.locator("table.util tbody tr").count()).toBeGreaterThan(0);

    await page.screenshot({ path: join(out, "screenshot.png"), fullPage: false });
    expect(existsSync(join(out, "screenshot.png"))).toBe(true);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("file:"))).toEqual([]);
  });
});
