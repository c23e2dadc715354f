import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";
import { lifo } from "./lifo-strategy.js";

it("a heap reports its policy, coalescing mode, alignment and memory", () => {
  const strategy = firstFit();
  const heap = heapOf({ size: 2048, strategy, coalescing: "deferred", alignment: 16 });
  expect(heap.name).toBe("first-fit");
  expect(heap.strategy).toBe(strategy);
  expect(heap.coalescing).toBe("deferred");
  expect(heap.alignment).toBe(16);
  expect(heap.memory).toBeInstanceOf(Uint8Array);
  expect(heap.memory.length).toBe(2048); // a fixed arena is exactly its size
  expect(heapOf().coalescing).toBe("immediate");
  expect(heapOf().alignment).toBe(8);
});

it("lastSearchCost counts both searches when deferred coalescing retries", () => {
  const heap = heapOf({ size: 104, coalescing: "deferred", strategy: lifo() }); // four 24-byte blocks
  const ptrs = [heap.malloc(16), heap.malloc(16), heap.malloc(16), heap.malloc(16)];
  heap.free(ptrs[0]!);
  heap.free(ptrs[1]!); // the LIFO list: [b, a]
  expect(heap.malloc(40)).toBe(16); // visits b and a (no fit), merges them, then visits the merged block: 3
  expect(heap.lastSearchCost).toBe(3);
  expect(heap.malloc(100)).toBe(0); // an empty list: nothing examined, nothing to merge
  expect(heap.lastSearchCost).toBe(0);
});
