/**
 * SizeBins (best fit's exact-size bins) finds the lowest non-empty bin at or above a size through
 * a bitmap of bins and a summary bit per bitmap word (best fit's 2048 bins: 64 bitmap words, a summary of 2), so
 * a search past thousands of empty bins reads a few words. The summary must follow every bin that fills or
 * empties: a stale set bit would send the search to an empty word, a stale clear one past a non-empty bin.
 * Checked against a plain scan of the bins' counts, with the bins as a random sequence of inserts and removes
 * leaves them, and by check().
 */
import type { StrategyHost } from "@dmm/core";
import fc from "fast-check";
import { expect, it } from "vitest";
import { SizeBins } from "../src/size-bins.js";

const LIMIT = 16384;
const BINS = LIMIT >>> 3;

function binsWithHost(): { bins: SizeBins; words: Int32Array } {
  const words = new Int32Array(1 << 16);
  const bins = new SizeBins(LIMIT);
  bins.attach({ words, marks: new Int32Array(0) } as unknown as StrategyHost);
  return { bins, words };
}

/** The lowest bin >= bin with a block, by counts alone, or -1. */
function scan(bins: SizeBins, bin: number): number {
  for (let b = bin; b < BINS; b++) if (bins.counts[b]! > 0) return b;
  return -1;
}

it("finds the next non-empty bin across empty bitmap words and summary words", () => {
  const { bins, words } = binsWithHost();
  const put = (bin: number, block: number): void => {
    words[block >> 2] = bin << 3; // the header's size: what check() compares with the bin
    bins.insert(bin, block);
  };
  put(3, 800);
  put(40 * 32 + 5, 1600); // bitmap word 40, in the summary's second word
  expect(bins.nextNonEmpty(0)).toBe(3);
  expect(bins.nextNonEmpty(4)).toBe(40 * 32 + 5);
  expect(bins.nextNonEmpty(40 * 32 + 6)).toBe(-1);
  expect(bins.highestNonEmpty()).toBe(40 * 32 + 5);
  bins.remove(40 * 32 + 5, 1600);
  expect(bins.nextNonEmpty(4)).toBe(-1);
  expect(bins.highestNonEmpty()).toBe(3);
  bins.check();
});

it("agrees with a scan of the counts after random inserts and removes", () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ bin: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: BINS - 1 })), remove: fc.boolean() }), { maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: BINS - 1 }), { minLength: 1, maxLength: 20 }),
      (steps, queries) => {
        const { bins, words } = binsWithHost();
        const held: Array<Array<number>> = Array.from({ length: BINS }, () => []);
        let next = 8;
        for (const { bin, remove } of steps) {
          if (remove && held[bin]!.length > 0) bins.remove(bin, held[bin]!.pop()!);
          else {
            const block = (next += 32);
            words[block >> 2] = bin << 3;
            bins.insert(bin, block);
            held[bin]!.push(block);
          }
        }
        bins.check();
        for (const q of queries) expect(bins.nextNonEmpty(q)).toBe(scan(bins, q));
        let highest = -1;
        for (let b = 0; b < BINS; b++) if (bins.counts[b]! > 0) highest = b;
        expect(bins.highestNonEmpty()).toBe(highest);
      },
    ),
    { numRuns: 200 },
  );
});
