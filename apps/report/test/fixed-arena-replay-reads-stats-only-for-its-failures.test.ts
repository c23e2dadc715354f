/**
 * A cell's fixed-arena replay keeps only its failures, so it reads stats() for its two timeline samples, each
 * failure's classification and the end, not at every new peak of live bytes (the growable replay does that).
 */
import { type Allocator, createHeap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import type { JsBackend } from "../src/backends.js";
import { runCell } from "../src/cell.js";
import type { Cell, RunSettings } from "../src/types.js";

it("runCell's fixed arena calls stats() for its samples and failures only", () => {
  // Each malloc of the first loop sets a new peak that the next free ends: hundreds of plateaus.
  const builder = new TraceBuilder();
  let id = 0;
  for (let i = 0; i < 300; i++) builder.malloc(id++, 16 + ((i * 37) % 500)).malloc(id++, 16).free(id - 1);
  for (let i = 0; i < id; i += 2) builder.free(i);
  const trace = builder.finish();
  const calls = { growable: 0, fixed: 0 };
  const backend: JsBackend = {
    name: "counted", kind: "plugin", description: "", coalescing: ["own"], growable: true,
    create: (spec) => {
      const heap = createHeap({ size: spec.growable ? 0 : spec.bytes, maxSize: spec.growable ? 1 << 24 : spec.bytes, strategy: tlsf(), coalescing: "immediate" });
      const kind = spec.growable ? "growable" : "fixed";
      return new Proxy(heap, {
        get(target, key) {
          if (key === "stats") return () => (calls[kind]++, target.stats());
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }) as Allocator;
    },
  };
  const settings: RunSettings = { quick: true, heapMapWorkloads: [] };
  const cell: Cell = { index: 0, allocator: "counted", allocatorKind: "plugin", coalescing: "own", workload: { name: "t", file: "t.trace", kind: "file", description: "" } };
  const result = runCell(cell, trace, settings, backend);
  expect(result.error).toBeNull();
  const failures = result.metrics!.fixedFailuresOutOfMemory + result.metrics!.fixedFailuresFragmented;
  expect(calls.fixed).toBe(2 + failures + 1);
  // The growable replay still captures the heap at its peaks (internal fragmentation at peak comes from there).
  expect(calls.growable).toBeGreaterThan(300);
});
