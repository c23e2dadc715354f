import type { StrategyHost } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { AddressTree } from "../src/address-tree.js";
import { Journal } from "../src/journal.js";

/**
 * An address tree's insert raises, on its way down, the subtree maximum of every node it passes when the new block
 * is larger (address-tree.ts). Inside a two-step call (journal.ts) those raised maxima must be logged too: the
 * rollback then puts every word back, the maxima included. Here the tree holds three free blocks and a block larger
 * than all three goes in with the journal open, then the journal rolls back.
 */
function hostOf(words: Int32Array, free: Set<number>, marks: Int32Array): StrategyHost {
  return {
    words,
    minBlockSize: 16,
    alignment: 8,
    base: 8,
    top: words.length * 4,
    marks,
    isFreeBlock: (offset: number) => free.has(offset),
  };
}

/** Sets or clears the START bit of `offset` in the block map, as StrategyHost.marks documents its layout. */
function mark(marks: Int32Array, offset: number, start: boolean): void {
  const bit = 1 << ((offset >>> 3) & 31);
  const i = (offset >>> 8) << 1;
  marks[i] = start ? marks[i]! | bit : marks[i]! & ~bit;
}

describe("address tree rollback", () => {
  it("puts back the maxima an insert raised on its way down", () => {
    const words = new Int32Array(1024); // 4 KiB
    const free = new Set<number>();
    const journal = new Journal();
    const tree = new AddressTree(journal);
    const marks = new Int32Array(((words.length * 4) >>> 8) << 1);
    tree.attach(hostOf(words, free, marks));
    const block = (at: number, size: number) => {
      words[at >> 2] = size; // a free block's header: its size, no USED bit
      free.add(at);
      mark(marks, at, true);
    };
    for (const [at, size] of [[64, 64], [512, 128], [1024, 96]] as const) {
      block(at, size);
      tree.insert(at);
    }
    tree.check();
    block(2048, 1024);
    const before = words.slice();
    journal.begin();
    tree.begin();
    tree.insert(2048);
    expect(tree.largest()).toBe(1024);
    journal.rollback(words);
    const changed = [...words.keys()].filter((i) => words[i] !== before[i]).map((i) => i * 4);
    expect(changed, "bytes whose word the rollback left changed").toEqual([]);
    expect(tree.largest()).toBe(128);
    free.delete(2048);
    mark(marks, 2048, false);
    tree.check();
  });
});
