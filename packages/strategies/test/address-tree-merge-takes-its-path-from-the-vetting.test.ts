import { HeapError, LINK0 } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { addressTreeOf } from "./support/address-tree-of.js";

/**
 * A merging free vets the merged block's insert (validateInsert(at, size)) before it removes the free neighbours
 * inside [at, at + size); each neighbour lies on the path that vetting walked, so its removal takes that path instead
 * of descending again, and the path its merge left serves the vetting after it (address-tree.ts pathState). These
 * tests pin the three rules that keep that sound: the path serves only removals inside the vetted block (a removal
 * elsewhere descends and checks every link); a removal checks its spines against its place's range, not only
 * against the block; and a vetting after a removal is predicted only for an address strictly between the remaining
 * neighbours (a block still in the tree is not).
 */
const LEFT = LINK0;
const RIGHT = LINK0 + 1;
const SPACING = 128;
const SMALL = 32;

const treeOf = (count: number) => addressTreeOf(count, SPACING, () => SMALL);

/** The nodes from the root to `block`, by the tree's links. */
function pathTo(words: Int32Array, root: number, block: number): number[] {
  const path: number[] = [];
  for (let t = root; t !== 0; t = words[(t >> 2) + (block < t ? LEFT : RIGHT)]!) {
    path.push(t);
    if (t === block) break;
  }
  return path;
}

function rejected(words: Int32Array, run: () => void): string[] {
  const before = words.slice();
  let caught: unknown = null;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, "the damage is reported").toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  expect([...words.keys()].filter((i) => words[i] !== before[i]).map((i) => i * 4), "words the rejected call changed").toEqual([]);
  return [(caught as HeapError).message];
}

describe("address tree: a merge's removal and the vetting's path", () => {
  it("a removal outside the vetted block does not take the vetting's path: it descends and meets a link forged since", () => {
    const count = 16;
    const { tree, words } = treeOf(count);
    // A block at depth >= 2, so that a link above its parent can be forged.
    let x = 0;
    for (let k = 1; k <= count && x === 0; k++) if (pathTo(words, tree.root, k * SPACING).length >= 3) x = k * SPACING;
    expect(x, "a block at depth 2 or more").not.toBe(0);
    const root = tree.root;
    // The vetting of an 8-byte block just above x: its walk passes x (its predecessor), but x is not inside it.
    tree.validateInsert(x + 8, 8);
    words[(root >> 2) + (x < root ? LEFT : RIGHT)] = x + 8; // the root's link towards x now names no block
    rejected(words, () => tree.remove(x));
  });

  it("a removal's spine that leaves the range of its place is CORRUPTION, with nothing changed", () => {
    const count = 16;
    // A block whose path has a lower bound (a right child somewhere on it) and whose left link can be forged to
    // name a free block below that bound: the smallest block, a leaf of the leftmost path.
    const probe = treeOf(count);
    let x = 0;
    for (let k = count; k >= 2 && x === 0; k--) {
      const at = k * SPACING;
      const path = pathTo(probe.words, probe.tree.root, at);
      if (path.slice(0, -1).some((t) => t < at) && probe.words[(at >> 2) + LEFT] === 0) x = at;
    }
    expect(x, "a block with a lower bound on its path and no left child").not.toBe(0);
    for (const via of ["the search's path", "a merging free's vetting"]) {
      const { tree, words } = treeOf(count);
      const low = SPACING; // the lowest block: below every lower bound on x's path
      expect(low).toBeLessThan(x);
      words[(x >> 2) + LEFT] = low;
      const message = rejected(words, () => {
        if (via === "the search's path") expect(tree.findFrom(SMALL, x)).toBe(x);
        else tree.validateInsert(x, SMALL);
        tree.remove(x);
      });
      expect(message[0], via).toMatch(/out of the tree's order/);
    }
  });

  it("after a neighbour's removal, a vetting of a block still in the tree is walked, so inserting it again is refused", () => {
    const count = 16;
    const { tree, words } = treeOf(count);
    const p = 5 * SPACING;
    const n = 6 * SPACING;
    // A free between p and n merges both: the heap vets the merged block at p, removes n (the larger neighbour
    // when it is), vets again, and would remove p. Here the caller inserts p again instead: a double insert.
    tree.validateInsert(p, 2 * SPACING);
    tree.remove(n);
    tree.validateInsert(p, 2 * SPACING);
    rejected(words, () => tree.insert(p));
  });
});
