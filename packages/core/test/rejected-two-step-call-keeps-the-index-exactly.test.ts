import { createHeap } from "@dmm/core";
import { strategies } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { expectHeapError, expectSameBytes, fill } from "./helpers.js";
import { rejectsInsertAfter } from "./second-step-rejection.js";

/**
 * The undo of a rejected two-step call puts the index back word for word, list order included, through the
 * strategy's journal (Strategy begin / commit / rollback). Undone through remove and insert instead, the same free
 * blocks come back but a list strategy pushes each piece back at its list's head: tlsf's, segregated fit's and
 * first-fit-lifo's lists came out in another order.
 *
 * The heap (1 KiB, deferred coalescing): five 48-byte blocks a..e at 8, 56, 104, 152, 200 and the rest used; b, d,
 * c freed in that order, so the 48-byte list is c -> d -> b and b, c are a run for the pass.
 */
const OPTIONS = { size: 1024, coalescing: "deferred" as const };

function fiveBlocks(heap: ReturnType<typeof createHeap>): number[] {
  const p = [0, 1, 2, 3, 4].map(() => heap.malloc(40));
  expect(p).toEqual([16, 64, 112, 160, 208]);
  heap.malloc(1024 - 8 - 5 * 48 - 8);
  for (const i of [1, 3, 2]) heap.free(p[i]!);
  return p;
}

describe.each(strategies.map((s) => [s.name, s.create] as const))("%s", (_, create) => {
  it("a deferred malloc rejected after its pass merged b and c leaves every byte as it was", () => {
    let mallocing = false;
    let finds = 0;
    // The pass merges b and c into [56, 152); the fit carves 64 bytes and the remainder's insert, at 120 (at 56 when
    // the strategy carves the high end), is rejected.
    const inner = create();
    const strategy = rejectsInsertAfter(inner, () => (inner.carveHigh === true ? 56 : 120), () => mallocing && finds >= 1, true);
    const find = strategy.find;
    strategy.find = (size: number) => {
      if (mallocing) finds++;
      return find(size);
    };
    const heap = createHeap({ ...OPTIONS, strategy });
    fiveBlocks(heap);
    const before = { bytes: heap.memory.slice(), stats: heap.stats() };
    mallocing = true;
    expectHeapError(() => heap.malloc(56), "CORRUPTION");
    mallocing = false;
    expect(strategy.rejected).toBe(1);
    expect(heap.stats()).toEqual(before.stats);
    expectSameBytes(heap.memory, before.bytes);
    heap.check();
  });

  it("a moving realloc whose free is rejected after its malloc's pass leaves every byte as it was", () => {
    let armed = false;
    let reallocating = false;
    // realloc(e, 80) must move (the block above e is used): its malloc misses, the pass merges b and c into [56,
    // 152), the malloc carves 88 bytes from it, and the free of e (its insert, at 200) is rejected.
    const strategy = rejectsInsertAfter(create(), () => 200, () => armed, true);
    const find = strategy.find;
    strategy.find = (size: number) => {
      if (reallocating) armed = true;
      return find(size);
    };
    const heap = createHeap({ ...OPTIONS, strategy });
    const e = fiveBlocks(heap)[4]!;
    fill(heap, e, 40, 7);
    const before = { bytes: heap.memory.slice(), stats: heap.stats() };
    reallocating = true;
    expectHeapError(() => heap.realloc(e, 80), "CORRUPTION");
    reallocating = false;
    expect(strategy.rejected).toBe(1);
    expect(heap.stats()).toEqual(before.stats);
    expectSameBytes(heap.memory, before.bytes);
    heap.check();
  });
});
