/**
 * first-fit-lifo's list lives in slots handed out in insertion order; when they run out it packs the list into
 * fresh arrays. A two-step call (Strategy.begin / rollback) that packs on the way must still be undone exactly:
 * the arrays of begin come back, with every slot, count and stamp as it was, and the list orders its blocks (and so
 * chooses) as before.
 */
import { firstFitLifo } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { heapWithHoles } from "./support/holes.js";
import { strategyState } from "./support/strategy-state.js";

describe("first-fit-lifo's rollback", () => {
  it("puts back the slots, the tree and the stamps after a pack (two of them) since begin", () => {
    const sizes = Array.from({ length: 40 }, (_, i) => 104 + 8 * (i % 5));
    const strategy = firstFitLifo();
    const { heap, holes } = heapWithHoles(strategy, sizes, sizes.map((_, i) => (i * 7) % 40));
    const state = strategyState(strategy);
    const bytes = heap.memory.slice();
    strategy.begin!();
    // 40 blocks in 64 slots: re-entering them one by one runs out of slots twice (each insert takes the next one).
    for (let round = 0; round < 3; round++) {
      for (const h of holes) {
        strategy.remove(h);
        strategy.insert(h);
      }
    }
    expect(strategyState(strategy)).not.toEqual(state);
    strategy.rollback!();
    expect(strategyState(strategy)).toEqual(state);
    expect(heap.memory).toEqual(bytes);
    heap.check();
    // The list's order is the one of the frees: the last freed hole that fits comes first.
    expect(heap.malloc(96) - 8).toBe(holes[(39 * 7) % 40]);
  });
});
