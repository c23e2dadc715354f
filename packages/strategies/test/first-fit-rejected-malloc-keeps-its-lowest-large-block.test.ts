/**
 * First fit remembers the lowest address in its treap (largeLowest), so a small request that no bin serves takes
 * that block without a descent; when that block leaves, the cache says "unknown" and the next such search descends
 * to find it again. A splitting malloc takes the block out, then vets its remainder's insert against the treap as
 * the removal left it. Here the removed block's right link was forged to name a free block above its parent: the
 * removal's checks accept it (a free block, above the removed one), the merge puts it in the removed block's place,
 * and the remainder's vetting meets it out of order. The malloc is rejected and the treap comes back word for word
 * (its removal log) — but the cache stayed "unknown", so the rejected call changed what the next search costs. It
 * must not: the return of the lowest block through the treap's undo restores the cache too.
 *
 * The heap (64 KiB): [pad 64] A u Q u b u rest, all used; b zeroed, then Q, A, b freed (A = 8192 bytes, the lowest
 * large block, below Q = 8400 in the treap; b = 32 bytes, in a bin).
 */
import { createHeap, type Heap, HeapError } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { strategyState } from "./support/strategy-state.js";

function build(): { heap: Heap; at: Record<string, number> } {
  const heap = createHeap({ size: 1 << 16, strategy: firstFit() });
  const at: Record<string, number> = {};
  for (const [name, bytes] of [["pad", 64], ["A", 8192], ["u0", 64], ["Q", 8400], ["u1", 64], ["b", 32], ["u2", 64]] as const) {
    at[name] = heap.malloc(bytes - 8);
  }
  heap.malloc(heap.stats().largestFreeBlock);
  heap.memory.fill(0, at.b!, at.b! + 24);
  for (const name of ["Q", "A", "b"]) heap.free(at[name]!);
  return { heap, at };
}

describe("first fit: a rejected splitting malloc", () => {
  it("leaves the bytes, the index and the next search's cost as they were", () => {
    const { heap, at } = build();
    const words = new Int32Array(heap.memory.buffer);
    const right = ((at.A! - 8) >> 2) + 3; // A's link word 1: its right child
    expect(words[right]).toBe(0);
    words[right] = at.b! - 8;
    const bytes = heap.memory.slice();
    const state = strategyState(heap.strategy);
    let caught: unknown = null;
    try {
      heap.malloc(40);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HeapError);
    expect((caught as HeapError).code).toBe("CORRUPTION");
    expect(heap.memory.findIndex((b, i) => b !== bytes[i]), "first byte the rejected malloc changed").toBe(-1);
    expect(strategyState(heap.strategy)).toEqual(state);
    words[right] = 0; // repaired

    // The same heap that never met the damage: the next malloc finds the same block at the same cost.
    const twin = build().heap;
    expect(heap.malloc(40)).toBe(twin.malloc(40));
    expect(heap.lastSearchCost).toBe(twin.lastSearchCost);
    heap.check();
  });
});
