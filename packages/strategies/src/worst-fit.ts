import type { Strategy } from "@dmm/core";
import { SizeTreeStrategy } from "./size-tree-strategy.js";

/**
 * Worst fit: the largest free block; ties go to the lowest address (Knuth 2.5 ex. 7, Wilson et al. 1995).
 * The idea is that the remainder stays large enough to be useful; in practice it splinters the big blocks.
 * The free blocks sit in a treap keyed by (size, address): the right spine gives the largest size S, and the
 * lowest address of size S lies below the spine's first node of that size — one O(log n) descent, no scan.
 */
export function worstFit(): Strategy {
  return new WorstFit();
}

class WorstFit extends SizeTreeStrategy {
  readonly name = "worst-fit";

  find(size: number): number {
    const tree = this.tree;
    tree.examined = 0;
    const block = tree.lowestOfLargest(0);
    this.examined = tree.examined;
    return block !== 0 && tree.keyOf(block) >= size ? block : 0;
  }
}
