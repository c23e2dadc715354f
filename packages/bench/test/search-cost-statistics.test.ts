import { replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

/** Reports a search cost equal to the request size in 8-byte units: costs 1..100 for the trace below. */
class KnownCost extends ForwardingAllocator {
  lastSearchCost = 0;
  override malloc(size: number): number {
    this.lastSearchCost = size / 8;
    return this.inner.malloc(size);
  }
}

it("mean, p99 (nearest rank) and max of lastSearchCost per malloc", () => {
  const b = new TraceBuilder();
  for (let i = 0; i < 100; i++) b.malloc(i, 8 * (i + 1));
  const result = replay(b.finish(), new KnownCost(growableHeap()));
  expect(result.searchCost).toEqual({ count: 100, mean: 50.5, p99: 99, max: 100 });
});

it("is null when the allocator does not expose lastSearchCost", () => {
  const result = replay(new TraceBuilder().malloc(0, 8).free(0).finish(), new ForwardingAllocator(growableHeap()));
  expect(result.searchCost).toBeNull();
});
