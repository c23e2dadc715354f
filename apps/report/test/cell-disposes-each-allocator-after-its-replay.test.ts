/**
 * A cell disposes of (Allocator.dispose) every allocator it makes — the metric replay's, the fixed arena's, the
 * per-op timing's and each timed replay's — once, when that replay is done, so the core heap's next replay of
 * the cell grows into the memory of the last instead of fresh pages.
 */
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import type { ArenaSpec } from "../src/backends.js";
import { runSpiedCell } from "./spied-cell.js";

it("runCell disposes of each allocator it made once, and uses none after its dispose", () => {
  const builder = new TraceBuilder();
  for (let i = 0; i < 300; i++) builder.malloc(i, 16 + ((i * 37) % 3000));
  for (let i = 0; i < 300; i += 2) builder.free(i);
  const trace = builder.finish();
  const made: Array<{ spec: ArenaSpec; disposed: number }> = [];
  const result = runSpiedCell(trace, (spec, heap) => {
    const record = { spec, disposed: 0 };
    made.push(record);
    return (key) => {
      if (key === "dispose") return () => (record.disposed++, heap.dispose!());
      if (record.disposed > 0 && (key === "malloc" || key === "free")) expect.fail(`a ${spec.growable ? "growable" : "fixed"} allocator used after its dispose`);
      return undefined;
    };
  });
  expect(result.error).toBeNull();
  // The metric replay, the fixed arena, the per-op timing, a warm-up and at least 3 timed replays.
  expect(made.length).toBeGreaterThanOrEqual(7);
  expect(made.filter((m) => !m.spec.growable)).toHaveLength(1);
  expect(made.map((m) => m.disposed)).toEqual(made.map(() => 1));
});
