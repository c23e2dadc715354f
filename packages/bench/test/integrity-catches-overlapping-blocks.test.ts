import { ReplayError, replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

/** Hands out its second block 8 bytes into the first: the worst allocator bug. */
class OverlappingAllocator extends ForwardingAllocator {
  private first = 0;
  private calls = 0;
  override malloc(size: number): number {
    const p = this.inner.malloc(size);
    if (this.calls++ === 0) this.first = p;
    return this.calls === 2 ? this.first + 8 : p;
  }
}

const trace = new TraceBuilder().malloc(0, 32).malloc(1, 32).free(0).free(1).finish();

it("names the op that returned the overlapping block, and both ids", () => {
  let error: unknown;
  try {
    replay(trace, new OverlappingAllocator(growableHeap()));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ReplayError);
  const e = error as ReplayError;
  expect(e.code).toBe("POINTER");
  expect(e.opIndex).toBe(1); // the malloc that returned it, not the free of id 0 that would find its bytes changed
  expect(e.ids).toEqual([1, 0]);
  expect(e.message).toMatch(/malloc\(32\) returned 24: its payload \[24, 56\) overlaps the live block of id 0 at \[16, 48\)/);
});

it("names it at the same op with integrity off: the overlap check is not the payload patterns", () => {
  let error: unknown;
  try {
    replay(trace, new OverlappingAllocator(growableHeap()), { integrity: false });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ReplayError);
  expect((error as ReplayError).code).toBe("POINTER");
  expect((error as ReplayError).opIndex).toBe(1);
  expect((error as ReplayError).ids).toEqual([1, 0]);
});

it("catches a block whose bytes change while it is live (a write through a stale pointer)", () => {
  class Scribbler extends ForwardingAllocator {
    override free(ptr: number): void {
      this.inner.free(ptr);
      this.memory[16 + 8] ^= 0xff; // id 0's byte 8, while id 0 is live
    }
  }
  const t = new TraceBuilder().malloc(0, 32).malloc(1, 32).free(1).free(0).finish();
  expect(() => replay(t, new Scribbler(growableHeap()))).toThrow(expect.objectContaining({ code: "INTEGRITY", opIndex: 3, ids: [0] }));
});

it("catches a realloc that moves a block without copying it", () => {
  class ForgetfulRealloc extends ForwardingAllocator {
    override realloc(ptr: number, size: number): number {
      const q = this.inner.malloc(size);
      this.inner.free(ptr);
      return q;
    }
  }
  const t = new TraceBuilder().malloc(0, 64).malloc(1, 8).realloc(0, 512).free(0).free(1).finish();
  expect(() => replay(t, new ForgetfulRealloc(growableHeap()))).toThrow(
    expect.objectContaining({ code: "INTEGRITY", opIndex: 2, ids: [0] }),
  );
});

it("catches a calloc that does not zero", () => {
  class DirtyCalloc extends ForwardingAllocator {
    override calloc(count: number, size: number): number {
      const p = this.inner.malloc(count * size);
      this.memory.fill(0xaa, p, p + count * size);
      return p;
    }
  }
  const t = new TraceBuilder().calloc(0, 4, 4).free(0).finish();
  expect(() => replay(t, new DirtyCalloc(growableHeap()))).toThrow(expect.objectContaining({ code: "INTEGRITY", opIndex: 0 }));
});
