/**
 * A cell whose allocator examines more free blocks than the search budget (machine-independent work, about a
 * second per replay) is skipped with that reason instead of taking minutes: first fit on a LIFO list on a trace that
 * leaves thousands of small holes and then asks for larger blocks. TLSF, whose search is O(1), runs the same trace.
 */
import { TraceBuilder } from "@dmm/workloads";
import { describe, expect, it } from "vitest";
import { backendByName } from "../src/backends.js";
import { runCell, searchBudget } from "../src/cell.js";
import type { Cell, RunSettings } from "../src/types.js";

const settings: RunSettings = { quick: true, heapMapWorkloads: [] };

/** 4000 holes of 64 bytes between live 16-byte guards, then 4000 requests of 128 bytes that no hole serves. */
function holesThenLarger() {
  const b = new TraceBuilder();
  const n = 4000;
  for (let i = 0; i < n; i++) {
    b.malloc(2 * i, 64);
    b.malloc(2 * i + 1, 16);
  }
  for (let i = 0; i < n; i++) b.free(2 * i);
  for (let i = 0; i < n; i++) b.malloc(2 * n + i, 128);
  return b.finish();
}

function cell(allocator: string): Cell {
  return { index: 0, allocator, allocatorKind: "strategy", coalescing: "none", workload: { name: "t", file: "t.trace", kind: "file", description: "" } };
}

describe("the search budget", () => {
  const trace = holesThenLarger();

  it("skips a cell whose search goes past it, saying why", () => {
    // Each of the 4000 larger requests walks the 4000 holes (and more as it goes): 1.6e7 blocks, past the 2e6 of --quick.
    expect(4000 * 4000).toBeGreaterThan(searchBudget(true));
    const r = runCell(cell("first-fit-lifo"), trace, settings, backendByName("first-fit-lifo"));
    expect(r.error).toMatch(/^skipped: the search examined more than 2e\+6 free blocks within the first \d+ ops/);
    expect(r.metrics).toBeNull();
    expect(r.latency).toBeNull();
  });

  it("runs the same trace where the search stays short", () => {
    const r = runCell(cell("tlsf"), trace, settings, backendByName("tlsf"));
    expect(r.error).toBeNull();
    expect(r.metrics?.ops).toBe(trace.length);
  });
});
