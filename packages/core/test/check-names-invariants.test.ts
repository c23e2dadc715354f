import { type Strategy } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectHeapError, heapOf } from "./helpers.js";

const view = (heap: ReturnType<typeof heapOf>) => new DataView(heap.memory.buffer);

it("two adjacent free blocks under immediate coalescing: 'blocks should have coalesced'", () => {
  const heap = heapOf();
  const a = heap.malloc(16); // [8, 32)
  const b = heap.malloc(16); // [32, 56)
  const c = heap.malloc(16); // [56, 80)
  heap.free(a);
  // Forge b as a free block, consistently: header 24 | PREV_FREE (a is free), footer 24, and c's PREV_FREE set.
  view(heap).setInt32(b - 8, 24 | 2, true);
  view(heap).setInt32(b + 12, 24, true);
  view(heap).setInt32(c - 8, 24 | 2 | 1, true);
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("blocks should have coalesced");
});

it("a USED bit that contradicts the PREV_FREE bit above it (a one-bit overflow)", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  heap.malloc(200);
  heap.memory[a + 16] &= ~1; // clear the USED bit of the block above a: its footer slot may hold a stale size
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toMatch(/block at 32: its USED bit says free but the PREV_FREE bit above it says used/);
});

it("a PREV_FREE bit that contradicts the block below", () => {
  const heap = heapOf();
  heap.malloc(16);
  const b = heap.malloc(16);
  view(heap).setInt32(b - 8, 24 | 1 | 2, true); // b claims a is free
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("PREV_FREE");
});

function wrapped(override: Partial<Strategy>): Strategy {
  const inner = firstFit();
  return {
    name: "leaky",
    get examined() {
      return inner.examined;
    },
    set examined(v) {
      inner.examined = v;
    },
    attach: (h) => inner.attach(h),
    insert: (b) => inner.insert(b),
    remove: (b) => inner.remove(b),
    find: (s) => inner.find(s),
    forEach: (v) => inner.forEach(v),
    ...override,
  };
}

it("a free block the strategy does not hold: 'missing from <name>'s index'", () => {
  const heap = heapOf({ strategy: wrapped({ forEach: () => {} }) });
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("free block missing from leaky's index");
});

it("a strategy holding a used block: 'indexes a block that is not a free block'", () => {
  const heap = heapOf({ strategy: wrapped({ forEach: (visit) => visit(8) }) });
  heap.malloc(16);
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("indexes a block that is not a free block");
});

it("a strategy whose own check or enumeration throws is reported as CORRUPTION naming it", () => {
  const heap = heapOf({ strategy: wrapped({ check: () => { throw new Error("bin 3 out of order"); } }) });
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("leaky index: bin 3 out of order");
  const cyclic = heapOf({ strategy: wrapped({ forEach: () => { throw new Error("the list has a cycle"); } }) });
  expect(expectHeapError(() => cyclic.check(), "CORRUPTION").message).toContain("the list has a cycle");
});
