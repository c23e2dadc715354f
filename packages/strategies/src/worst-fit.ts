import type { Strategy } from "@dmm/core";
import { BestFit } from "./best-fit.js";

/**
 * Worst fit: the largest free block; ties go to the lowest address (Knuth 2.5 ex. 7, Wilson et al. 1995).
 * The idea is that the remainder stays large enough to be useful; in practice it splinters the big blocks.
 * The free blocks sit in best fit's index (best-fit.ts): exact-size bins below 16 KiB, a (size, address) treap
 * above. Every tree block is larger than every binned one, so the largest block is the tree's when the tree holds
 * any (its right spine gives the largest size S, and the lowest address of size S lies below the spine's first
 * node of that size: one O(log n) descent), else the lowest address of the highest non-empty bin (the bitmap's
 * summary words, then one bitmap word and the bin's first element): worst fit splinters its blocks into many
 * small ones, so that is most finds, and none of them walks a tree.
 */
export function worstFit(): Strategy {
  return new WorstFit();
}

class WorstFit extends BestFit {
  override readonly name = "worst-fit";

  override find(size: number): number {
    const tree = this.tree;
    if (tree.counts[0] !== 0) {
      tree.examined = 0;
      const block = tree.lowestOfLargest(0);
      this.examined = tree.examined;
      return tree.keyOf(block) >= size ? block : 0;
    }
    const bin = this.bins.highestNonEmpty();
    this.examined = 1;
    return bin >= 0 && bin << 3 >= size ? this.bins.lowest(bin) : 0;
  }
}
