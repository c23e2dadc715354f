/**
 * A malloc rejected because the block its search found has a forged footer (an overflow from the block below)
 * changes no byte, and must change nothing the policy keeps either: after the damage is repaired, the next
 * placements and their search costs are those of a twin heap that never saw the call. Before Strategy.unfind, two
 * policies kept the rejected search: next fit's rover stayed on the block it had found, so the next small request
 * went there instead of to the remainder the rover was on; opposite-ends fit's running mean took in the rejected
 * request's size, so the next request counted as small and was carved from its block's other end; first fit (when it
 * cached its lowest large block) kept the block its search had looked up, so the next search cost less than the
 * twin's; its index now keeps nothing a search changes, and the case stays as a guard. Every registry
 * strategy runs both heaps (the property in rejected-second-step-leaves-heap-unchanged-property.test.ts throws
 * random heaps and faults at every strategy call at the same rule).
 *
 */
import { createHeap, type Heap, HeapError, type Strategy } from "@dmm/core";
import { strategies } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { heapWithHoles } from "./support/holes.js";
import { strategyState } from "./support/strategy-state.js";

interface Case {
  what: string;
  heap: (strategy: Strategy) => Heap;
  /** Requests made on both heaps before the rejected one. */
  before: number[];
  rejected: number;
  /** Requests made on both heaps after it: their pointers and costs must be the same. */
  after: number[];
}

const CASES: Case[] = [
  // The rover rests on the first hole's remainder (160 B); the rejected 180 finds the second hole, and the next 40
  // comes from the remainder again, not from the second hole.
  // Free holes of 208, 208 and 48 bytes (block sizes) between used guards, the rest of the arena used.
  { what: "next fit's rover", heap: (s) => heapWithHoles(s, [208, 208, 48]).heap, before: [40], rejected: 180, after: [40, 40, 100] },
  // A fresh 8 KiB arena. Requests of 100 keep the mean at 108; the rejected 2000 would lift it to ~227, making the next
  // 150 small (carved from the high end) instead of large (from the low end).
  { what: "opposite-ends fit's running mean", heap: (s) => createHeap({ size: 8192, strategy: s }), before: [100, 100, 100], rejected: 2000, after: [150, 150, 40] },
  // Holes of 8192, 8192 and 48 bytes: the 8184 takes the first whole; the rejected 40's search finds the second
  // hole, below the small one, and the next 40's search must cost what the twin's does.
  { what: "first fit's search", heap: (s) => heapWithHoles(s, [8192, 8192, 48]).heap, before: [8184], rejected: 40, after: [40, 40] },
];

describe.each(CASES.map((c) => [c.what, c] as const))("%s", (_, c) => {
  it.each(strategies.map((s) => [s.name, s.create] as const))("%s: the next placements after the rejected malloc are the twin's", (_name, create) => {
    const heap = c.heap(create());
    const twin = c.heap(create());
    // A third heap shows which block the rejected request would get.
    const probe = c.heap(create());
    for (const n of c.before) {
      const q = heap.malloc(n);
      expect(twin.malloc(n)).toBe(q);
      expect(probe.malloc(n)).toBe(q);
    }
    const p = probe.malloc(c.rejected);
    expect(p).not.toBe(0);
    const words = new Int32Array(heap.memory.buffer);
    // The free block that p was carved from: the one around p's block (its low end, or its high end).
    const found = [...heap.walk()].find((b) => b.free && b.offset <= p - 8 && p < b.offset + 8 + b.size)!;
    const footer = (found.offset + found.size + 8 - 4) >> 2;
    const intact = words[footer]!;
    const bytes = heap.memory.slice();
    const state = strategyState(heap.strategy);
    words[footer] = intact + 8; // forged
    expect(() => heap.malloc(c.rejected)).toThrow(HeapError);
    words[footer] = intact; // repaired
    expect(heap.memory.findIndex((b, i) => b !== bytes[i]), "first byte the rejected malloc changed").toBe(-1);
    expect(strategyState(heap.strategy), "the strategy's state").toEqual(state);
    for (const n of c.after) {
      expect(heap.malloc(n), `malloc(${n})`).toBe(twin.malloc(n));
      expect(heap.lastSearchCost, `malloc(${n})'s search cost`).toBe(twin.lastSearchCost);
    }
    heap.check();
  });
});
