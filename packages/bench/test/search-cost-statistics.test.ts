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
  expect(result.searchCost).toEqual({ count: 100, mean: 50.5, p99: 99, max: 100, histogram: Array.from({ length: 100 }, (_, i) => [i + 1, 1]) });
});

it("the histogram counts the mallocs at each cost, ascending, leaving out costs nobody paid", () => {
  const b = new TraceBuilder();
  for (let i = 0; i < 6; i++) b.malloc(i, i < 4 ? 8 : 40);
  const result = replay(b.finish(), new KnownCost(growableHeap()));
  expect(result.searchCost!.histogram).toEqual([[1, 4], [5, 2]]);
});

it("the snapshot hook runs after every `every` ops and after the last, between ops", () => {
  const b = new TraceBuilder();
  for (let i = 0; i < 10; i++) b.malloc(i, 16);
  const seen: Array<[number, number]> = [];
  replay(b.finish(), growableHeap(), { snapshot: { every: 4, take: (op, allocator) => void seen.push([op, allocator.stats().usedBlocks]) } });
  expect(seen).toEqual([[4, 4], [8, 8], [10, 10]]);
});

it("is null when the allocator does not expose lastSearchCost", () => {
  const result = replay(new TraceBuilder().malloc(0, 8).free(0).finish(), new ForwardingAllocator(growableHeap()));
  expect(result.searchCost).toBeNull();
});
