/**
 * replay's searchBudget bounds the free blocks an allocator may examine in all (lastSearchCost over mallocs and the
 * reallocs that moved): past it the replay stops with ReplayError BUDGET, at most 1/1000 of the trace later.
 */
import { createHeap } from "@dmm/core";
import { ReplayError, replay } from "@dmm/bench";
import { firstFitLifo } from "@dmm/strategies";
import { TraceBuilder } from "@dmm/workloads";
import { describe, expect, it } from "vitest";

const heap = () => createHeap({ size: 0, maxSize: 1 << 24, strategy: firstFitLifo(), coalescing: "none" });

/** 500 holes of 64 bytes between live guards; then `then` adds the requests that walk them. */
function holes(then: (b: TraceBuilder) => void) {
  const b = new TraceBuilder();
  for (let i = 0; i < 500; i++) {
    b.malloc(2 * i, 64);
    b.malloc(2 * i + 1, 16);
  }
  for (let i = 0; i < 500; i++) b.free(2 * i);
  then(b);
  return b.finish();
}

function budgetError(run: () => unknown): ReplayError {
  try {
    run();
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  throw new Error("the replay did not stop");
}

describe("searchBudget", () => {
  // 500 mallocs of 128 bytes, each walking the 500 holes (and the ones before it): over 250 000 blocks examined.
  const mallocs = holes((b) => {
    for (let i = 0; i < 500; i++) b.malloc(1000 + i, 128);
  });

  it("stops the replay once the allocator has examined more blocks than it allows", () => {
    const e = budgetError(() => replay(mallocs, heap(), { searchBudget: 10_000 }));
    expect(e.code).toBe("BUDGET");
    expect(e.message).toMatch(/first-fit-lifo examined \d+ free blocks in the first \d+ ops, more than the search budget of 10000/);
    expect(e.opIndex).toBeLessThan(1500 + 50);
  });

  it("lets a replay within it run to the end, with the same metrics as without one", () => {
    const within = replay(mallocs, heap(), { searchBudget: 1e9 });
    const without = replay(mallocs, heap());
    expect(within.searchCost).toEqual(without.searchCost);
    expect(within.peakHeapBytes).toBe(without.peakHeapBytes);
  });

  it("counts the search of a realloc that moves its block", () => {
    // One object grown 500 times, a live 4096-byte guard (larger than any hole, so it lands at the top) allocated
    // above it after each move: every growth moves it, and the search walks the holes and the blocks it left.
    const reallocs = holes((b) => {
      b.malloc(1000, 16);
      b.malloc(1001, 16);
      for (let i = 1; i <= 500; i++) {
        b.realloc(1000, 64 + 8 * i);
        b.malloc(2000 + i, 4096);
      }
    });
    const full = replay(reallocs, heap());
    // A budget the mallocs alone stay within (by 1000 blocks; each realloc walks about 500).
    const mallocs = Math.round(full.searchCost!.count * full.searchCost!.mean);
    expect(budgetError(() => replay(reallocs, heap(), { searchBudget: mallocs + 1000 })).code).toBe("BUDGET");
  });

  it("refuses a budget that is not a number >= 0", () => {
    expect(budgetError(() => replay(mallocs, heap(), { searchBudget: -1 })).code).toBe("OPTIONS");
  });
});
