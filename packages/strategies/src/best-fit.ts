import { blockSize, type Strategy, type StrategyHost } from "@dmm/core";
import { SizeTrees } from "./size-tree.js";

/**
 * Best fit: the smallest free block that fits; ties go to the lowest address (Knuth 2.5, Wilson et al. 1995
 * §3.4). The free blocks sit in a treap keyed by (size, address), so the choice is one descent — O(log n) —
 * and equals what an exhaustive scan would pick. Free inserts in O(log n) and never scans.
 */
export function bestFit(): Strategy {
  return new BestFit();
}

class BestFit implements Strategy {
  readonly name = "best-fit";
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
    this.tree.examined = 0;
    const block = this.tree.lowerBound(0, size);
    this.examined = this.tree.examined;
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
