/**
 * First fit's index (first-fit.ts): a bitmap of free-block starts and a tree of maxima over 1 KiB chunks of the
 * address space, covering a power of two of chunks that doubles as the heap grows. What the exhaustive-scan test
 * (placement-matches-exhaustive-scan.test.ts, a fixed 48 KiB arena) does not reach:
 * - a growable heap that grows well past the first tree (1 MiB), so the tree doubles under live blocks: every malloc
 *   still makes the exhaustive scan's choice, and check() (the tree's maxima against the headers) holds;
 * - a two-step call's rollback across two doublings puts back the arrays of `begin`, not the first doubling's;
 * - damage: a header shrunk under the index makes a malloc that relies on it CORRUPTION, never a hang or a wrong
 *   block, and the heap is unchanged; removing or inserting a block the bitmap contradicts is CORRUPTION.
 * fast-check prints its seed on a failure.
 */
import { createHeap, HeapError, type StrategyHost } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { strategyState } from "./support/strategy-state.js";

type Op = { kind: "malloc"; size: number } | { kind: "free"; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("malloc" as const), size: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 100_000 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }) },
);

describe("first fit on a growing heap", () => {
  it("makes the exhaustive scan's choice while its tree doubles", () => {
    // Each run starts with 25 blocks of 100 KB (past 2 MiB: the tree has doubled twice), then frees punch holes
    // across all of it and mallocs fill them.
    const grow: Op[] = Array.from({ length: 25 }, () => ({ kind: "malloc", size: 100_000 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 300 }), (ops) => {
        const heap = createHeap({ size: 0, maxSize: 64 << 20, strategy: firstFit() });
        const live: number[] = [];
        for (const [i, o] of [...grow, ...ops].entries()) {
          if (o.kind === "malloc") {
            const fit = [...heap.walk()].find((b) => b.free && b.size >= o.size);
            const p = heap.malloc(o.size);
            // No fit: the heap grows (at its top, or by extending a free block there).
            if (fit !== undefined && p !== fit.payload) throw new Error(`op ${i}: malloc(${o.size}) returned ${p}, the scan chose ${fit.payload}`);
            live.push(p);
          } else if (live.length > 0) {
            heap.free(live.splice(o.pick % live.length, 1)[0]!);
          }
        }
        heap.check();
        expect(heap.stats().peakHeapBytes).toBeGreaterThan(2 << 20);
      }),
      { numRuns: 30 },
    );
  });
});

/** A host over `words` whose free blocks are `free` (StrategyHost.isFreeBlock by that set). */
function hostOf(words: Int32Array, free: Set<number>): StrategyHost {
  return { words, minBlockSize: 24, alignment: 8, base: 8, top: words.length * 4, marks: new Int32Array(2), isFreeBlock: (b) => free.has(b) };
}

describe("first fit's rollback", () => {
  it("puts back the arrays of begin after a two-step call doubled the tree twice", () => {
    const words = new Int32Array((8 << 20) >> 2); // 8 MiB of address space
    const free = new Set<number>();
    const strategy = firstFit();
    strategy.attach(hostOf(words, free));
    const block = (at: number, size: number) => {
      words[at >> 2] = size;
      free.add(at);
      strategy.insert(at);
    };
    block(8, 48);
    block(4096, 200);
    block(600_000, 1000);
    const before = strategyState(strategy);
    strategy.begin!();
    block(1_500_000, 4000); // past 1 MiB: the tree doubles to 2 MiB
    block(5_000_000, 64); // past 2 MiB: it doubles again, to 8 MiB
    strategy.remove(4096);
    strategy.insert(4096);
    strategy.remove(8);
    expect(strategy.largest!()).toBe(4000);
    strategy.rollback!();
    free.delete(1_500_000);
    free.delete(5_000_000);
    expect(strategyState(strategy)).toEqual(before);
    strategy.check!();
    expect(strategy.largest!()).toBe(1000);
    expect(strategy.find(100)).toBe(4096);
  });
});

describe("first fit meets damage", () => {
  it("a header shrunk under the index: the malloc that relies on it is CORRUPTION and changes nothing", () => {
    const heap = createHeap({ size: 64 * 1024, strategy: firstFit() });
    const a = heap.malloc(2000);
    heap.malloc(16); // a guard
    heap.free(a); // a 2008-byte free block at the bottom
    const words = new Int32Array(heap.memory.buffer);
    const header = (a - 8) >> 2;
    words[header] = (words[header]! & 7) | 24; // an overflow from below writes 24 over its size
    const before = heap.memory.slice();
    let caught: unknown;
    try {
      heap.malloc(1000); // the tree says the bottom chunk holds 2008 bytes; no header there does
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HeapError);
    expect((caught as HeapError).code).toBe("CORRUPTION");
    expect(heap.memory.slice()).toEqual(before);
  });

  it("a removal of a block the bitmap does not hold, and a second insert of one it does, are CORRUPTION", () => {
    const words = new Int32Array(4096);
    const free = new Set<number>([64]);
    const strategy = firstFit();
    strategy.attach(hostOf(words, free));
    words[64 >> 2] = 48;
    strategy.insert(64);
    const before = strategyState(strategy);
    for (const call of [() => strategy.remove(128), () => strategy.validateRemove!(128), () => strategy.insert(64), () => strategy.remove(68)]) {
      expect(call).toThrow(HeapError);
      expect(strategyState(strategy)).toEqual(before);
    }
    strategy.check!();
  });

  it("check() names a maximum the headers do not bear out", () => {
    const words = new Int32Array(4096);
    const strategy = firstFit();
    strategy.attach(hostOf(words, new Set([64, 2048])));
    words[64 >> 2] = 48;
    words[2048 >> 2] = 96;
    strategy.insert(64);
    strategy.insert(2048);
    strategy.check!();
    words[2048 >> 2] = 72; // the size changed while indexed
    expect(() => strategy.check!()).toThrow(/chunk 2's largest free block is 72 B, recorded as 96/);
  });
});
