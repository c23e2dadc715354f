/**
 * A cell's fixed-arena replay keeps only its failures, so it reads stats() for its two timeline samples, each
 * failure's classification and the end, not at every new peak of live bytes (the growable replay does that).
 */
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { runSpiedCell } from "./spied-cell.js";

it("runCell's fixed arena calls stats() for its samples and failures only", () => {
  // Each malloc of the first loop sets a new peak that the next free ends: hundreds of plateaus.
  const builder = new TraceBuilder();
  let id = 0;
  for (let i = 0; i < 300; i++) builder.malloc(id++, 16 + ((i * 37) % 500)).malloc(id++, 16).free(id - 1);
  for (let i = 0; i < id; i += 2) builder.free(i);
  const trace = builder.finish();
  const calls = { growable: 0, fixed: 0 };
  const result = runSpiedCell(trace, (spec, heap) => {
    const kind = spec.growable ? "growable" : "fixed";
    return (key) => (key === "stats" ? () => (calls[kind]++, heap.stats()) : undefined);
  });
  expect(result.error).toBeNull();
  const failures = result.metrics!.fixedFailuresOutOfMemory + result.metrics!.fixedFailuresFragmented;
  expect(calls.fixed).toBe(2 + failures + 1);
  // The growable replay still captures the heap at its peaks (internal fragmentation at peak comes from there).
  expect(calls.growable).toBeGreaterThan(300);
});
