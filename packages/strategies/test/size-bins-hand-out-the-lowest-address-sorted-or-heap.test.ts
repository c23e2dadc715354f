/**
 * SizeBins keeps each bin's blocks in address order two ways (size-bins.ts): a sorted array up to SORTED_MAX
 * blocks, a min-heap past it, and sorted again once a removal leaves SORTED_MAX / 2. Whatever the way, lowest(bin)
 * is the bin's lowest address ("ties: lowest address"), a block can be removed from anywhere, check() passes, and
 * the journal's rollback (the heap's two-step calls) puts a bin back exactly, switches of order included, and every
 * word it wrote inside the blocks (a heap's position words); insert says whether the block became the lowest
 * and remove which block is the lowest after it when it took the lowest. Checked
 * against a model (a set per bin) over random inserts, removals of the lowest and of any block, with counts that
 * cross both thresholds.
 */
import type { StrategyHost } from "@dmm/core";
import fc from "fast-check";
import { expect, it } from "vitest";
import { Journal } from "../src/journal.js";
import { SizeBins, SORTED_MAX } from "../src/size-bins.js";

const LIMIT = 1024;
const BINS = [3, 7]; // two bins: 24 and 56 bytes
type Step = { kind: "insert" | "lowest" | "any"; bin: number; pick: number };
type Run = { grow: number; steps: Step[]; addresses: number[] };
const step: fc.Arbitrary<Step> = fc.record({ kind: fc.constantFrom("insert", "insert", "lowest", "any"), bin: fc.constantFrom(...BINS), pick: fc.nat() });
const run: fc.Arbitrary<Run> = fc.record({
  grow: fc.integer({ min: 0, max: 2 * SORTED_MAX + 10 }),
  steps: fc.array(step, { maxLength: 250 }),
  addresses: fc.array(fc.nat({ max: 1 << 14 }), { minLength: 600, maxLength: 600 }),
});

function binsWithHost(journal?: Journal): { bins: SizeBins; words: Int32Array } {
  const words = new Int32Array(1 << 18);
  const bins = new SizeBins(LIMIT, journal);
  bins.attach({ words, marks: new Int32Array(0) } as unknown as StrategyHost);
  return { bins, words };
}

/** Replays `grow` inserts into the first bin, then `steps`, on `bins` and the model; distinct addresses from `pool`. */
function replay(bins: SizeBins, words: Int32Array, model: Map<number, Set<number>>, r: Run, pool: number[], each: () => void): void {
  const insert = (bin: number): void => {
    const block = pool.pop();
    if (block === undefined) return;
    words[block >> 2] = bin << 3; // the header's size: what check() compares with the bin
    const lowestBefore = Math.min(...model.get(bin)!);
    // insert says whether the block became the bin's lowest (a caller that keeps each bin's lowest address updates it by that)
    expect(bins.insert(bin, block)).toBe(block < lowestBefore);
    model.get(bin)!.add(block);
  };
  for (let i = 0; i < r.grow; i++) {
    insert(BINS[0]!);
    each();
  }
  for (const { kind, bin, pick } of r.steps) {
    const held = [...model.get(bin)!];
    if (kind === "insert" || held.length === 0) insert(bin);
    else {
      const block = kind === "lowest" ? Math.min(...held) : held[pick % held.length]!;
      const lowest = bins.remove(bin, block);
      model.get(bin)!.delete(block);
      // remove gives the bin's new lowest (0: empty) when the block was its lowest, else -1 (for a caller that keeps each bin's lowest address)
      expect(lowest).toBe(block === Math.min(...held) ? (held.length === 1 ? 0 : Math.min(...model.get(bin)!)) : -1);
    }
    each();
  }
}

/** Distinct block addresses (multiples of 32, so a block's words never overlap another's), in random order. */
function poolOf(addresses: number[]): number[] {
  const seen = new Set<number>();
  const pool: number[] = [];
  for (const a of addresses) {
    const block = 32 + a * 32;
    if (!seen.has(block)) {
      seen.add(block);
      pool.push(block);
    }
  }
  return pool;
}

function contents(bins: SizeBins): number[] {
  const all: number[] = [];
  bins.forEach((b) => all.push(b));
  return all.sort((a, b) => a - b);
}

it("hands out each bin's lowest address across the switches between sorted and heap", () => {
  fc.assert(
    fc.property(run, (r) => {
      const { bins, words } = binsWithHost();
      const model = new Map(BINS.map((b) => [b, new Set<number>()]));
      const expectLowest = (): void => {
        for (const bin of BINS) {
          const held = [...model.get(bin)!];
          expect(bins.lowest(bin)).toBe(held.length === 0 ? 0 : Math.min(...held));
          expect(bins.counts[bin]).toBe(held.length);
        }
        bins.check();
      };
      replay(bins, words, model, r, poolOf(r.addresses), expectLowest);
      // Drained lowest first, the bins give their addresses in rising order.
      for (const bin of BINS) {
        const sorted = [...model.get(bin)!].sort((a, b) => a - b);
        for (const block of sorted) {
          expect(bins.lowest(bin)).toBe(block);
          bins.remove(bin, block);
        }
        expect(bins.lowest(bin)).toBe(0);
      }
      bins.check();
    }),
    { numRuns: 150 },
  );
});

it("a rollback puts the bins back exactly, switches of order included", () => {
  fc.assert(
    fc.property(run, run, (before, during) => {
      const journal = new Journal();
      const { bins, words } = binsWithHost(journal);
      const model = new Map(BINS.map((b) => [b, new Set<number>()]));
      const pool = poolOf([...before.addresses, ...during.addresses]);
      replay(bins, words, model, before, pool, () => {});
      const kept = contents(bins);
      const lowest = BINS.map((b) => bins.lowest(b));
      journal.begin();
      replay(bins, words, model, during, pool, () => {});
      journal.rollback(words);
      bins.check();
      expect(contents(bins)).toEqual(kept);
      expect(BINS.map((b) => bins.lowest(b))).toEqual(lowest);
    }),
    { numRuns: 150 },
  );
});

it("a rollback puts back a heap that became sorted, and a sorted bin that became a heap", () => {
  const journal = new Journal();
  const { bins, words } = binsWithHost(journal);
  const bin = BINS[0]!;
  // Scrambled addresses, so that the heap's array order is not the sorted one.
  const blocks = Array.from({ length: SORTED_MAX + 5 }, (_, i) => 32 + ((i * 37) % (SORTED_MAX + 5)) * 32);
  for (const block of blocks) {
    words[block >> 2] = bin << 3;
    bins.insert(bin, block);
  }
  // A heap of SORTED_MAX / 2 + 1 blocks (the removals sift its order further from the sorted one): the first
  // removal in the two-step call makes it sorted.
  for (let i = 0; i < 4; i++) bins.remove(bin, blocks[10 + 7 * i]!);
  while (bins.counts[bin]! > SORTED_MAX / 2 + 1) bins.remove(bin, bins.lowest(bin));
  bins.check();
  const kept = contents(bins);
  const keptWords = words.slice();
  journal.begin();
  for (let i = 0; i < 5; i++) bins.remove(bin, bins.lowest(bin));
  bins.check();
  journal.rollback(words);
  bins.check();
  expect(contents(bins)).toEqual(kept);
  expect(words).toEqual(keptWords); // the blocks' words too: a rejected call changes no byte of the heap
  // And the other way: a sorted bin of SORTED_MAX blocks that an insert makes a heap.
  while (bins.counts[bin]! > SORTED_MAX) bins.remove(bin, bins.lowest(bin));
  while (bins.counts[bin]! > SORTED_MAX / 2) bins.remove(bin, bins.lowest(bin)); // down to sorted, then
  while (bins.counts[bin]! < SORTED_MAX) {
    const block = 32 * 1000 + bins.counts[bin]! * 32;
    words[block >> 2] = bin << 3;
    bins.insert(bin, block);
  }
  const sorted = contents(bins);
  const sortedWords = words.slice();
  journal.begin();
  words[(32 * 5000) >> 2] = bin << 3;
  bins.insert(bin, 32 * 5000);
  words[(32 * 5001) >> 2] = bin << 3;
  bins.insert(bin, 32 * 5001);
  bins.check();
  journal.rollback(words);
  bins.check();
  // (the two inserted blocks' headers, written by this test, put back by hand: the bins wrote their position words)
  words[(32 * 5000) >> 2] = sortedWords[(32 * 5000) >> 2]!;
  words[(32 * 5001) >> 2] = sortedWords[(32 * 5001) >> 2]!;
  expect(contents(bins)).toEqual(sorted);
  expect(words).toEqual(sortedWords);
  expect(bins.lowest(bin)).toBe(sorted[0]);
});

it("a sorted bin whose array a heap had grown still becomes a heap at SORTED_MAX + 1 blocks", () => {
  // insert's fast path (a sorted bin with room in its array) must not fill a bin past SORTED_MAX: an array that
  // grew while the bin was a heap has room past it once the bin is sorted again.
  const { bins, words } = binsWithHost();
  const bin = BINS[0]!;
  const add = (block: number): void => {
    words[block >> 2] = bin << 3;
    bins.insert(bin, block);
  };
  for (let i = 0; i < SORTED_MAX + 5; i++) add(32 * 5000 + i * 32); // a heap (its array: 2 * SORTED_MAX long)
  while (bins.counts[bin]! > SORTED_MAX / 2) bins.remove(bin, bins.lowest(bin)); // sorted again, the array kept
  // Each block below all the others: the place the fast path serves (at the end, nothing moves).
  for (let block = 32 * 4999; bins.counts[bin]! <= SORTED_MAX; block -= 32) {
    add(block);
    expect(bins.lowest(bin)).toBe(block);
    bins.check(); // a sorted bin of SORTED_MAX + 1 blocks would be "bin 3 holds 257 blocks as a sorted array"
  }
});
