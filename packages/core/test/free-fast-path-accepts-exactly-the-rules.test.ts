import { createHeap, HeapError, type Heap } from "@dmm/core";
import { firstFit, tlsf } from "@dmm/strategies";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSameBytes } from "./helpers.js";

/**
 * free's fused fast path (inline in heap.ts free) and the full rules (validate.ts freeable) must agree on every
 * pointer and every damage: the fast path may not accept what the rules reject (that would free a damaged
 * block), nor reject what they accept (the contract is "exactly"; a miss would only cost time). So one heap
 * frees with the fast path and a twin with it turned off: both throw the same HeapError, or both succeed with
 * the same bytes and stats — and then the fast path took it (no free went to the full rules). Damage: one word
 * around the block flipped or replaced, or a header forged to span the block above with a matching request word
 * (the silent-damage case the start bitmap exists for); pointers: live, interior, wild.
 */
interface Internals {
  fastFree: boolean;
  slowFrees: number;
}
const WORDS = ["header", "requested", "nextHeader", "nextSecond", "afterHeader", "footerBelow", "prevHeader"] as const;

function build(strategy: "tlsf" | "first-fit", sizes: number[], frees: number[]): { heap: Heap; live: number[] } {
  const heap = createHeap({ size: 0, maxSize: 1 << 16, strategy: strategy === "tlsf" ? tlsf() : firstFit() });
  const live = sizes.map((size) => heap.malloc(size)).filter((p) => p !== 0);
  for (const f of frees) {
    if (live.length < 2) break;
    heap.free(live.splice(f % live.length, 1)[0]!);
  }
  return { heap, live };
}

function target(view: DataView, top: number, ptr: number, word: (typeof WORDS)[number]): number {
  const block = ptr - 8;
  const next = block + (view.getInt32(block, true) & ~7);
  const after = next < top ? next + (view.getInt32(next, true) & ~7) : top;
  switch (word) {
    case "header": return block;
    case "requested": return block + 4;
    case "nextHeader": return next < top ? next : -1;
    case "nextSecond": return next < top ? (view.getInt32(next, true) & 1 ? next + 4 : after - 4) : -1;
    case "afterHeader": return after < top ? after : -1;
    case "footerBelow": return view.getInt32(block, true) & 2 ? block - 4 : -1;
    case "prevHeader": return view.getInt32(block, true) & 2 ? block - view.getInt32(block - 4, true) : -1;
  }
}

function damage(heap: Heap, victim: number, d: Damage): void {
  const view = new DataView(heap.memory.buffer);
  const top = heap.stats().heapBytes;
  if (d.kind === "bit" || d.kind === "value") {
    const at = target(view, top, victim, d.word);
    if (at >= 0) view.setInt32(at, d.kind === "bit" ? view.getInt32(at, true) ^ (1 << d.bit) : d.value, true);
  } else if (d.kind === "span") {
    // The victim's size rewritten to swallow the block above, its request word set to match.
    const block = victim - 8;
    const header = view.getInt32(block, true);
    const next = block + (header & ~7);
    if (next < top) {
      const spanned = (header & ~7) + (view.getInt32(next, true) & ~7);
      view.setInt32(block, spanned | (header & 7), true);
      view.setInt32(block + 4, spanned - 8 - d.slack, true);
    }
  }
}

type Damage =
  | { kind: "none" }
  | { kind: "bit"; word: (typeof WORDS)[number]; bit: number }
  | { kind: "value"; word: (typeof WORDS)[number]; value: number }
  | { kind: "span"; slack: number };

/** stats(), or the CORRUPTION it reports when the damage sits where it reads (a free block's header). */
function statsOf(heap: Heap): unknown {
  try {
    return heap.stats();
  } catch (e) {
    if (!(e instanceof HeapError)) throw e;
    return e.message;
  }
}

function outcome(heap: Heap, ptr: number): string {
  try {
    heap.free(ptr);
    return "freed";
  } catch (e) {
    if (!(e instanceof HeapError)) throw e;
    return e.message;
  }
}

describe.each(["tlsf", "first-fit"] as const)("free's fast path (%s)", (strategy) => {
  it("accepts exactly the pointers the full rules accept, on sound and damaged heaps", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 40 }),
        fc.array(fc.nat(100), { maxLength: 20 }),
        fc.nat(100),
        fc.oneof<[fc.Arbitrary<Damage>, ...fc.Arbitrary<Damage>[]]>(
          fc.constant({ kind: "none" as const }),
          fc.record({ kind: fc.constant("bit" as const), word: fc.constantFrom(...WORDS), bit: fc.integer({ min: 0, max: 31 }) }),
          fc.record({ kind: fc.constant("value" as const), word: fc.constantFrom(...WORDS), value: fc.integer() }),
          fc.record({ kind: fc.constant("span" as const), slack: fc.integer({ min: 0, max: 7 }) }),
        ),
        fc.oneof(fc.constant(0), fc.integer({ min: -16, max: 16 }), fc.integer()),
        (sizes, frees, pick, d, offset) => {
          const { heap, live } = build(strategy, sizes, frees);
          const twin = build(strategy, sizes, frees).heap;
          if (live.length === 0) return;
          const victim = live[pick % live.length]!;
          damage(heap, victim, d);
          damage(twin, victim, d);
          (twin as unknown as Internals).fastFree = false;
          const ptr = offset === 0 ? victim : victim + offset;
          const fast = outcome(heap, ptr);
          expect(fast, `free(${ptr}) with and without the fast path, damage ${JSON.stringify(d)}`).toBe(outcome(twin, ptr));
          expectSameBytes(heap.memory, twin.memory);
          expect(statsOf(heap)).toEqual(statsOf(twin));
          if (fast === "freed") expect((heap as unknown as Internals).slowFrees, "the fast path turned down a free the rules accept").toBe(0);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
