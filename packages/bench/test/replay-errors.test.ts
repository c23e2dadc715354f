import { ReplayError, replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

it("checkEvery calls check() every N ops and names the op where it failed", () => {
  class FailsThirdCheck extends ForwardingAllocator {
    checks = 0;
    override check(): void {
      if (++this.checks === 3) throw new Error("invariant broken");
    }
  }
  const b = new TraceBuilder();
  for (let i = 0; i < 6; i++) b.malloc(i, 8);
  const allocator = new FailsThirdCheck(growableHeap());
  expect(() => replay(b.finish(), allocator, { checkEvery: 2 })).toThrow(
    expect.objectContaining({ code: "CHECK", opIndex: 5, ids: [5] }),
  );
});

it("a free of an id that is not live is a TRACE error", () => {
  const trace = new TraceBuilder().malloc(0, 8).free(1).finish();
  expect(() => replay(trace, growableHeap())).toThrow(expect.objectContaining({ code: "TRACE", opIndex: 1, ids: [1] }));
});

it("a malloc of a live id is a TRACE error", () => {
  const trace = new TraceBuilder().malloc(0, 8).malloc(0, 8).finish();
  expect(() => replay(trace, growableHeap())).toThrow(ReplayError);
});

it("an allocator that throws becomes an ALLOCATOR error naming the op", () => {
  class Throws extends ForwardingAllocator {
    override free(): void {
      throw new RangeError("boom");
    }
  }
  const trace = new TraceBuilder().malloc(0, 8).free(0).finish();
  expect(() => replay(trace, new Throws(growableHeap()))).toThrow(expect.objectContaining({ code: "ALLOCATOR", opIndex: 1 }));
});

it("a stats() that throws while sampling becomes an ALLOCATOR error naming the ops done", () => {
  class BrokenStats extends ForwardingAllocator {
    calls = 0;
    override stats() {
      if (++this.calls === 3) throw new Error("walk fell off the heap");
      return this.inner.stats();
    }
  }
  const b = new TraceBuilder();
  for (let i = 0; i < 8; i++) b.malloc(i, 8);
  // Samples after ops 0, 1, 2 ...: the third stats() call is the sample after op 2.
  expect(() => replay(b.finish(), new BrokenStats(growableHeap()))).toThrow(expect.objectContaining({ code: "ALLOCATOR", opIndex: 2 }));
});

it("rejects nonsense options", () => {
  const trace = new TraceBuilder().malloc(0, 8).finish();
  expect(() => replay(trace, growableHeap(), { checkEvery: -1 })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
  expect(() => replay(trace, growableHeap(), { timelinePoints: 1 })).toThrow(expect.objectContaining({ code: "OPTIONS" }));
});
