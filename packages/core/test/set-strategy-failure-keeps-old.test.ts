import { type Strategy } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectHeapError, heapOf } from "./helpers.js";

it("a strategy that fails while indexing is rejected and the heap keeps its old policy intact", () => {
  const heap = heapOf({ size: 4096 });
  const ptrs = Array.from({ length: 10 }, () => heap.malloc(40));
  for (let i = 0; i < 10; i += 2) heap.free(ptrs[i]!);
  const old = heap.strategy;
  const inner = firstFit();
  let inserts = 0;
  const flaky: Strategy = {
    name: "flaky",
    examined: 0,
    attach: (h) => inner.attach(h),
    insert: (b) => {
      if (++inserts === 3) throw new Error("out of bins");
      inner.insert(b); // writes its links into the free blocks, over the old strategy's
    },
    remove: (b) => inner.remove(b),
    find: (s) => inner.find(s),
    forEach: (v) => inner.forEach(v),
  };
  const before = heap.dump();
  expect(expectHeapError(() => heap.setStrategy(flaky), "INVALID_OPTIONS").message).toContain("out of bins");
  expect(heap.strategy).toBe(old);
  expect(heap.dump()).toBe(before);
  heap.check();
  expect(heap.malloc(40)).toBe(ptrs[0]);
  heap.check();
});
