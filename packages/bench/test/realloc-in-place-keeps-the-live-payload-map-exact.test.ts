/**
 * A realloc that keeps its block where it was marks (or gives back) only the bytes past the old payload in the map of
 * live payloads the overlap check reads: the grown part is live, the cut-off part is free again, and a realloc
 * that grows onto a live neighbour is still named at its op.
 */
import { ReplayError, replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

function thrown(run: () => unknown): ReplayError {
  try {
    run();
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  throw new Error("the replay did not throw");
}

it("names a realloc that grows its block in place over a live neighbour", () => {
  /** Grows in place whatever lies above: returns the same pointer. */
  class Overgrowing extends ForwardingAllocator {
    override realloc(ptr: number, _size: number): number {
      return ptr;
    }
  }
  const t = new TraceBuilder().malloc(0, 32).malloc(1, 32).realloc(0, 100).free(0).free(1).finish();
  const e = thrown(() => replay(t, new Overgrowing(growableHeap()), { patterns: false }));
  expect(e.code).toBe("POINTER");
  expect(e.opIndex).toBe(2);
  expect(e.ids).toEqual([0, 1]);
  expect(e.message).toMatch(/realloc\(16, 100\) returned 16: its payload \[16, 116\) overlaps the live block of id 1 at \[56, 88\)/);
});

it("counts the part a block grew by in place as live", () => {
  /** After the realloc, hands out the next block inside the part id 0 grew into. */
  class IntoTheGrownPart extends ForwardingAllocator {
    grown = 0;
    override realloc(ptr: number, size: number): number {
      const q = this.inner.realloc(ptr, size);
      this.grown = q;
      return q;
    }
    override malloc(size: number): number {
      const p = this.inner.malloc(size);
      return this.grown !== 0 ? this.grown + 128 : p;
    }
  }
  const t = new TraceBuilder().malloc(0, 16).realloc(0, 400).malloc(1, 16).free(1).free(0).finish();
  const heap = new IntoTheGrownPart(growableHeap());
  const e = thrown(() => replay(t, heap, { patterns: false }));
  expect(heap.grown).toBe(16); // grown in place, at the top of the heap
  expect(e.code).toBe("POINTER");
  expect(e.opIndex).toBe(2);
  expect(e.message).toMatch(/malloc\(16\) returned 144: .* overlaps the live block of id 0 at \[16, 416\)/);
});

it("gives back the part a block shrank by in place, so a block placed there is sound", () => {
  const t = new TraceBuilder().malloc(0, 256).malloc(2, 16).realloc(0, 20).malloc(1, 64).free(1).free(0).free(2).finish();
  const heap = growableHeap();
  const placed: number[] = [];
  const watching = new (class extends ForwardingAllocator {
    override malloc(size: number): number {
      const p = this.inner.malloc(size);
      placed.push(p);
      return p;
    }
  })(heap);
  expect(() => replay(t, watching, { patterns: false })).not.toThrow();
  // id 1 went into the tail id 0 gave back: right above id 0's 24 bytes and the next block's header.
  expect(placed[2]).toBeLessThan(placed[1]!);
  expect(placed[2]).toBeGreaterThan(16);
});
