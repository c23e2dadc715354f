/**
 * Property: on every strategy, after random calls, a call of two steps — a realloc (it moves when the request
 * outgrows the block: a malloc, then the free) or, under deferred coalescing, a malloc (a miss runs a merge pass,
 * then the fit) — rejected at any of its strategy calls leaves every byte of the heap and its counters as they
 * were. The rejection is injected: the n-th call of the strategy that can fail for real (remove, validateRemove,
 * validateInsert, and an insert the strategy could have vetted but was not asked to) throws CORRUPTION, writing
 * nothing, as damage on its path would; an insert just vetted, or the return of a block the call took out (an
 * undo), is never refused. So the call is rejected in its
 * first step or, after the first step changed the index, in its second, which the heap undoes through the
 * strategy's journal (journal.ts): a word the journal misses where the rejection lands fails it (a bin removal's
 * sift path left out of the journal does). The named heaps of rejected-moving-realloc- and
 * rejected-deferred-malloc-leaves-heap-unchanged.test.ts hold the trees' and lists' journals under real damage.
 * fast-check prints its seed.
 */
import { createHeap, HeapError, type Strategy } from "@dmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { strategies } from "../src/index.js";
import { apply, type Live, step } from "./support/damage.js";

/** `inner`, whose `fault.at`-th failing-capable call while `fault.on` throws CORRUPTION (see above). */
function faulty(inner: Strategy, fault: { on: boolean; at: number; calls: number; removed: Set<number>; vetted: Set<number> }): Strategy {
  const fail = (what: string, block: number) => {
    if (fault.on && ++fault.calls === fault.at) throw new HeapError("CORRUPTION", `test: ${what} of block ${block} meets damage`);
  };
  const vets = typeof inner.validateInsert === "function";
  return {
    name: inner.name,
    get examined() {
      return inner.examined;
    },
    set examined(v) {
      inner.examined = v;
    },
    get carveHigh() {
      return inner.carveHigh;
    },
    attach: (host) => inner.attach(host),
    insert: (b) => {
      if (vets && !fault.removed.has(b) && !fault.vetted.has(b)) fail("the insert", b);
      inner.insert(b);
    },
    remove: (b) => {
      fail("the removal", b);
      inner.remove(b);
      if (fault.on) fault.removed.add(b);
    },
    find: (s) => inner.find(s),
    forEach: (v) => inner.forEach(v),
    ...(vets && {
      validateInsert: (b: number, size: number) => {
        fail("the insert", b);
        inner.validateInsert!(b, size);
        if (fault.on) fault.vetted.add(b);
      },
    }),
    validateRemove: (b) => {
      fail("the removal", b);
      inner.validateRemove?.(b);
    },
    begin: () => inner.begin!(),
    commit: () => inner.commit!(),
    rollback: () => inner.rollback!(),
    check: () => inner.check?.(),
  };
}

describe.each(strategies.map((s) => [s.name, s.create] as const))("%s", (_, create) => {
  it("a two-step call rejected at any strategy call leaves the heap exactly as it was", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 5, maxLength: 60 }),
        fc.constantFrom("immediate" as const, "deferred" as const),
        fc.boolean(),
        fc.nat(1000),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 8 }),
        (steps, coalescing, growable, pick, size, at) => {
          const fault = { on: false, at, calls: 0, removed: new Set<number>(), vetted: new Set<number>() };
          const heap = createHeap({ size: growable ? 0 : 4096, maxSize: 4096, coalescing, strategy: faulty(create(), fault) });
          const lives: Live[] = [];
          let stamp = 1;
          for (const s of steps) apply(heap, lives, s, stamp++);
          const p = lives.length > 0 ? lives[pick % lives.length]!.ptr : 0;
          const before = { bytes: heap.memory.slice(), stats: heap.stats() };
          fault.on = true;
          let threw: unknown = null;
          try {
            if (p !== 0) heap.realloc(p, size);
            else heap.malloc(size);
          } catch (e) {
            threw = e;
          }
          fault.on = false;
          if (threw === null) return; // the fault fell after the call's last strategy call
          expect(threw).toBeInstanceOf(HeapError);
          expect(heap.stats()).toEqual(before.stats);
          const changed = heap.memory.findIndex((b, i) => b !== before.bytes[i]);
          expect(changed, "first byte changed by the rejected call").toBe(-1);
          heap.check();
        },
      ),
      { numRuns: 300 },
    );
  });
});
