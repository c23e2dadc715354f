/**
 * A cell's fixed-arena replay makes every integrity check the growable one makes, payload patterns included: an
 * allocator that scribbles on a live block, or hands out overlapping blocks, only when its arena is fixed (where
 * its full-arena paths run) fails its cell.
 */
import { type Allocator, createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import type { ArenaSpec, JsBackend } from "../src/backends.js";
import { runCell } from "../src/cell.js";
import type { Cell, RunSettings } from "../src/types.js";

const settings: RunSettings = { quick: true, heapMapWorkloads: [] };
const cell: Cell = { index: 0, allocator: "odd", allocatorKind: "plugin", coalescing: "own", workload: { name: "t", file: "t.trace", kind: "file", description: "" } };
const trace = new TraceBuilder().malloc(0, 32).malloc(1, 32).free(1).free(0).finish();

/** First fit on the core heap, with `misbehave` wrapped around its malloc and free when the arena is fixed. */
function backend(misbehave: (heap: Allocator, first: { p: number }) => Partial<Allocator>): JsBackend {
  return {
    name: "odd", kind: "plugin", description: "", coalescing: ["own"], growable: true,
    create: (spec: ArenaSpec) => {
      const heap = createHeap({ size: spec.growable ? 0 : spec.bytes, maxSize: spec.growable ? 1 << 24 : spec.bytes, strategy: firstFit(), coalescing: "immediate" });
      if (spec.growable) return heap;
      const overrides = misbehave(heap, { p: 0 });
      return new Proxy(heap, {
        get(target, key) {
          if (key in overrides) return overrides[key as keyof Allocator];
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
  };
}

it("fails a cell whose allocator scribbles on a live block only in the fixed arena", () => {
  // Flips a byte of the first block, still live, when the second is freed: only the patterns could see it.
  const scribbler = backend((heap, first) => ({
    malloc: (size: number) => {
      const p = heap.malloc(size);
      if (first.p === 0) first.p = p;
      return p;
    },
    free: (p: number) => {
      heap.free(p);
      if (p !== first.p) heap.memory[first.p + 8]! ^= 0xff;
    },
  }));
  const r = runCell(cell, trace, settings, scribbler);
  expect(r.error).toMatch(/INTEGRITY at op 3 .*byte 8 of id 0/);
});

it("still fails a cell whose allocator overlaps blocks only in the fixed arena", () => {
  const overlapper = backend((heap, first) => ({
    malloc: (size: number) => {
      const p = heap.malloc(size);
      if (first.p === 0) return (first.p = p);
      return first.p + 8;
    },
  }));
  const r = runCell(cell, trace, settings, overlapper);
  expect(r.error).toMatch(/POINTER.*overlaps the live block of id 0/);
});
