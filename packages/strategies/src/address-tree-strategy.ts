import type { Strategy, StrategyHost } from "@dmm/core";
import { AddressTree } from "./address-tree.js";
import { Journal } from "./journal.js";

/**
 * A policy that indexes every free block in the address-ordered treap with subtree maxima (next fit; first fit
 * keeps only its large blocks there, first-fit.ts) and differs only in where the search starts: everything but
 * `find`.
 */
export abstract class AddressTreeStrategy implements Strategy {
  abstract readonly name: string;
  examined = 0;
  protected host!: StrategyHost;
  /** The undo journal of the heap's two-step calls (journal.ts). */
  protected readonly journal = new Journal();
  protected readonly tree = new AddressTree(this.journal);

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
    this.tree.insert(block);
  }
  remove(block: number): void {
    this.tree.remove(block);
  }
  validateInsert(block: number): void {
    this.tree.validateInsert(block);
  }
  validateRemove(block: number): void {
    this.tree.validateRemove(block);
  }
  abstract find(size: number): number;
  forEach(visit: (block: number) => void): void {
    this.tree.forEach(visit);
  }
  check(): void {
    this.tree.check();
  }
  largest(): number {
    return this.tree.largest();
  }
}
