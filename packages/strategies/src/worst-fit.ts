import { blockSize, type Strategy, type StrategyHost } from "@dmm/core";
import { SizeTrees } from "./size-tree.js";

/**
 * Worst fit: the largest free block; ties go to the lowest address (Knuth 2.5 ex. 7, Wilson et al. 1995).
 * The idea is that the remainder stays large enough to be useful; in practice it splinters the big blocks.
 * The free blocks sit in a treap keyed by (size, address): the rightmost node gives the largest size S and a
 * descent for the leftmost key (S, ·) gives its lowest address — two O(log n) descents, no scan.
 */
export function worstFit(): Strategy {
  return new WorstFit();
}

class WorstFit implements Strategy {
  readonly name = "worst-fit";
  examined = 0;
  private host!: StrategyHost;
  private readonly tree = new SizeTrees(1);

  attach(host: StrategyHost): void {
    this.host = host;
    this.tree.attach(host);
  }
  insert(block: number): void {
    this.tree.insert(0, block, blockSize(this.host.words, block));
  }
  remove(block: number): void {
    this.tree.remove(0, block);
  }
  find(size: number): number {
    const tree = this.tree;
    tree.examined = 0;
    let block = tree.last(0);
    if (block !== 0) {
      const largest = tree.keyOf(block);
      block = largest < size ? 0 : tree.lowerBound(0, largest);
    }
    this.examined = tree.examined;
    return block;
  }
  forEach(visit: (block: number) => void): void {
    this.tree.forEach(0, visit);
  }
  check(): void {
    this.tree.check(0);
  }
  largest(): number {
    const block = this.tree.last(0);
    return block === 0 ? 0 : this.tree.keyOf(block);
  }
}
