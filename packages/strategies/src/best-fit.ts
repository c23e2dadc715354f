import type { Strategy } from "@dmm/core";
import { SizeTreeStrategy } from "./size-tree-strategy.js";

/**
 * Best fit: the smallest free block that fits; ties go to the lowest address (Knuth 2.5, Wilson et al. 1995
 * §3.4). The free blocks sit in a treap keyed by (size, address), so the choice is one descent — O(log n) —
 * and equals what an exhaustive scan would pick. Free inserts in O(log n) and never scans.
 */
export function bestFit(): Strategy {
  return new BestFit();
}

class BestFit extends SizeTreeStrategy {
  readonly name = "best-fit";

  find(size: number): number {
    const tree = this.tree;
    tree.examined = 0;
    const block = tree.lowerBound(0, size);
    this.examined = tree.examined;
    return block;
  }
}
