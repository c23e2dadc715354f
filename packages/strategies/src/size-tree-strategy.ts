import { blockSize, type Strategy, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";
import { SizeTrees } from "./size-tree.js";

/**
 * A policy that indexes every free block in one treap keyed by (size, address) (worst fit; best fit keeps only
 * its large blocks there, best-fit.ts): everything but `find`.
 */
export abstract class SizeTreeStrategy implements Strategy {
  abstract readonly name: string;
  examined = 0;
  protected host!: StrategyHost;
  /** The undo journal of the heap's two-step calls (journal.ts). */
  protected readonly journal = new Journal();
  protected readonly tree = new SizeTrees(1, "size tree", this.journal);

  attach(host: StrategyHost): void {
    this.host = host;
    this.tree.attach(host);
  }
  begin(): void {
    this.journal.begin();
    this.tree.begin();
  }
  commit(): void {
    this.journal.commit();
  }
  rollback(): void {
    this.journal.rollback(this.host.words);
  }
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
