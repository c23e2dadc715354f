/**
 * A cell disposes of (Allocator.dispose) every allocator it makes — the metric replay's, the fixed arena's, the
 * per-op timing's and each timed replay's — once, when that replay is done, so the core heap's next replay of
 * the cell grows into the memory of the last instead of fresh pages.
 */
import { type Allocator, createHeap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import type { ArenaSpec, JsBackend } from "../src/backends.js";
import { runCell } from "../src/cell.js";
import type { Cell, RunSettings } from "../src/types.js";

it("runCell disposes of each allocator it made once, and uses none after its dispose", () => {
  const builder = new TraceBuilder();
  for (let i = 0; i < 300; i++) builder.malloc(i, 16 + ((i * 37) % 3000));
  for (let i = 0; i < 300; i += 2) builder.free(i);
  const trace = builder.finish();
  const made: Array<{ spec: ArenaSpec; disposed: number }> = [];
  const backend: JsBackend = {
    name: "counted", kind: "plugin", description: "", coalescing: ["own"], growable: true,
    create: (spec) => {
      const heap = createHeap({ size: spec.growable ? 0 : spec.bytes, maxSize: spec.growable ? 1 << 24 : spec.bytes, strategy: tlsf(), coalescing: "immediate" });
      const record = { spec, disposed: 0 };
      made.push(record);
      return new Proxy(heap, {
        get(target, key) {
          if (key === "dispose") return () => (record.disposed++, target.dispose!());
          if (record.disposed > 0 && (key === "malloc" || key === "free")) expect.fail(`a ${spec.growable ? "growable" : "fixed"} allocator used after its dispose`);
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
  // The metric replay, the fixed arena, the per-op timing, a warm-up and at least 3 timed replays.
  expect(made.length).toBeGreaterThanOrEqual(7);
  expect(made.filter((m) => !m.spec.growable)).toHaveLength(1);
  expect(made.map((m) => m.disposed)).toEqual(made.map(() => 1));
});
