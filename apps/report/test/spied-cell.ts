/** One quick cell of a plugin backend whose allocators (tlsf core heaps) are seen through a spy, for tests of what runCell does with them. */
import { type Allocator, createHeap, type Heap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import type { Trace } from "@dmm/workloads";
import type { ArenaSpec, JsBackend } from "../src/backends.js";
import { runCell } from "../src/cell.js";
import type { Cell, CellResult, RunSettings } from "../src/types.js";

/**
 * For each allocator the cell makes, `spy(spec, heap)` gives what replaces a property read (a function or value),
 * or undefined for the heap's own. Returns the cell's result.
 */
export function runSpiedCell(trace: Trace, spy: (spec: ArenaSpec, heap: Heap) => (key: string | symbol) => unknown): CellResult {
  const backend: JsBackend = {
    name: "counted", kind: "plugin", description: "", coalescing: ["own"], growable: true,
    create: (spec) => {
      const heap = createHeap({ size: spec.growable ? 0 : spec.bytes, maxSize: spec.growable ? 1 << 24 : spec.bytes, strategy: tlsf(), coalescing: "immediate" });
      const replace = spy(spec, heap);
      return new Proxy(heap, {
        get(target, key) {
          const replaced = replace(key);
          if (replaced !== undefined) return replaced;
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }) as Allocator;
    },
  };
  const settings: RunSettings = { quick: true, heapMapWorkloads: [] };
  const cell: Cell = { index: 0, allocator: "counted", allocatorKind: "plugin", coalescing: "own", workload: { name: "t", file: "t.trace", kind: "file", description: "" } };
  return runCell(cell, trace, settings, backend);
}
