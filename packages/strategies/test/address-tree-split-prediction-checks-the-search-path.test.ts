import { HeapError, LINK0 } from "@dmm/core";
import { expect, it } from "vitest";
import { addressTreeOf } from "./support/address-tree-of.js";

/**
 * When a removal takes out the block the search just found, the address tree predicts the split's remainder and
 * does not vet that insert with a walk of its own (address-tree.ts predState): the insert follows the removed
 * block's address path, which the removal checked. That holds only if the search's path, which the removal reuses,
 * is the block's address path. Here it is not: forged maxima hide the root's left subtree from the search, and the
 * root's right child's left link is forged to name a block of that left subtree, so the search reaches it through
 * the right. The block's real address path holds a link forged to name no block. The removal must see that the path
 * is not the block's own, walk the real one and report the forged link as CORRUPTION, changing nothing; taking the
 * search's path on trust, it would remove the block and let the remainder's insert follow the forged link unvetted.
 */
const LEFT = LINK0;
const RIGHT = LINK0 + 1;
const MAX = LINK0 + 2;
const SPACING = 128;
const SMALL = 32;
const BIG = 96;
const NEED = 64;

const treeOf = (count: number, big: number) => addressTreeOf(count, SPACING, (at) => (at === big ? BIG : SMALL));

it("a split's remainder is predicted only when the search's path is the found block's own address path", () => {
  const count = 16;
  // The treap's shape depends on the addresses only: read it, then rebuild with a grandchild of the root, on its
  // left, as the one block that fits.
  const shape = treeOf(count, 0);
  const root = shape.tree.root;
  const left = shape.words[(root >> 2) + LEFT]!;
  const right = shape.words[(root >> 2) + RIGHT]!;
  expect(left !== 0 && right !== 0, "the root has two children").toBe(true);
  const big = shape.words[(left >> 2) + LEFT]! || shape.words[(left >> 2) + RIGHT]!;
  expect(big, "the root's left child has a child").not.toBe(0);

  const { tree, words } = treeOf(count, big);
  expect(tree.root).toBe(root);
  words[(left >> 2) + MAX] = SMALL; // the search skips the root's left subtree
  words[(right >> 2) + MAX] = BIG; // and enters the right one,
  words[(right >> 2) + LEFT] = big; // whose left link is forged to name the big block
  words[(left >> 2) + (big < left ? LEFT : RIGHT)] = big + 8; // the big block's real parent link names no block

  expect(tree.findFrom(NEED, 0)).toBe(big);
  const before = words.slice();
  let caught: unknown = null;
  try {
    tree.remove(big);
    tree.validateInsert(big + NEED); // the heap's vetting of the split's remainder (Heap.removeVetted)
  } catch (e) {
    caught = e;
  }
  expect(caught, "the forged link on the real path is reported").toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  expect([...words.keys()].filter((i) => words[i] !== before[i]).map((i) => i * 4), "words the rejected removal changed").toEqual([]);
});
