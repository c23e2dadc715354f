import { blockSize, type Strategy } from "@dmm/core";
import { JournaledStrategy } from "./journaled-strategy.js";
import { SizeTrees } from "./size-tree.js";

/**
 * A policy that indexes every free block in one treap keyed by (size, address) (worst fit; best fit keeps only
 * its large blocks there, best-fit.ts): everything but `find` (the binding and the journal: journaled-strategy.ts).
 */
export abstract class SizeTreeStrategy extends JournaledStrategy<SizeTrees> implements Strategy {
  abstract readonly name: string;
  protected readonly tree = new SizeTrees(1, "size tree", this.journal);

  insert(block: number): void {
    this.tree.insert(0, block, blockSize(this.host.words, block));
  }
  remove(block: number): void {
    this.tree.remove(0, block);
  }
  validateInsert(block: number, size: number): void {
    this.tree.validateInsert(0, block, size);
  }
  validateRemove(block: number): void {
    this.tree.validateRemove(0, block);
  }
  abstract find(size: number): number;
  forEach(visit: (block: number) => void): void {
    this.tree.forEach(0, visit);
  }
  check(): void {
    this.tree.check(0);
  }
  largest(): number {
    return this.tree.largestKey(0);
  }
}
