import { expect, it } from "vitest";
import { resultsCsv } from "../src/csv.js";
import { footprintTable, speedTable } from "../src/html.js";
import { summaryTable } from "../src/summary.js";
import type { CellResult } from "../src/types.js";
import { parseCsv, runOf } from "./fixtures.js";

function native(index: number, allocator: string, workload: string, nsPerOp: number, footprint: number): CellResult {
  return {
    index, allocator, allocatorKind: "native", coalescing: "own", workload, workloadKind: "randomized", error: null, metrics: null,
    latency: {
      nsPerOp, nsPerOpCiLow: nsPerOp - 1, nsPerOpCiHigh: nsPerOp + 2, noisy: false, rme: 5, opsPerSecond: 1e9 / nsPerOp, ops: 10, samples: 15,
      mallocP50: null, mallocP99: null, mallocP999: null, mallocMax: null, freeP50: null, freeP99: null, freeP999: null, freeMax: null,
    },
    timeline: [], searchCostHistogram: [], heapMap: null, footprint, elapsedMs: 1,
  };
}

const results = [native(0, "glibc", "w1", 20, 1.1), native(1, "jemalloc", "w1", 10, 1.3), native(2, "libneverfree.so", "w1", 60, 31.5)];
const run = runOf(["w1"], results);

it("results.csv gives native rows their footprint, interval and × glibc", () => {
  const rows = parseCsv(resultsCsv(results));
  const never = rows.find((r) => r.allocator === "libneverfree.so")!;
  expect(never.allocatorKind).toBe("native");
  expect(Number(never.footprint)).toBe(31.5);
  expect(Number(never.nsPerOpTimesGlibc)).toBe(3);
  expect([Number(never.nsPerOpCiLow), Number(never.nsPerOpCiHigh)]).toEqual([59, 62]);
});

it("the report's footprint table and speed table list every native allocator", () => {
  const table = footprintTable(run);
  expect(table).toContain(`id="footprint"`);
  expect(table).toMatch(/<th>libneverfree\.so<\/th><td>31\.50×<\/td>/);
  expect(table).toMatch(/<th>glibc<\/th><td>1\.10×<\/td>/);
  expect(speedTable(run)).toMatch(/libneverfree\.so<\/th><td>60 ±2 ns<br><span class="times">3\.0× glibc/);
  expect(summaryTable(results)).toMatch(/libneverfree\.so: 60 ±2 ns\/op \(native, 3\.0× glibc, footprint 31\.50× peak live\)/);
});

it("there is no footprint table when no native cell measured one", () => {
  expect(footprintTable(runOf(["w1"], [{ ...results[0]!, footprint: null }]))).toBe("");
});
