import type { Strategy } from "@dmm/core";
import { AddressTree } from "./address-tree.js";
import { JournaledStrategy } from "./journaled-strategy.js";

/**
 * A policy that indexes every free block in the address-ordered treap with subtree maxima (next fit) and differs only in where the search starts: everything but
 * `find` (the binding and the journal: journaled-strategy.ts).
 */
export abstract class AddressTreeStrategy extends JournaledStrategy<AddressTree> implements Strategy {
  abstract readonly name: string;
  protected readonly tree = new AddressTree(this.journal);

  insert(block: number): void {
    this.tree.insert(block);
  }
  remove(block: number): void {
    this.tree.remove(block);
  }
  validateInsert(block: number, size: number): void {
    this.tree.validateInsert(block, size);
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
