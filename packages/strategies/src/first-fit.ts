import type { Strategy, StrategyHost } from "@dmm/core";
import { AddressTree } from "./address-tree.js";

/**
 * First fit, address-ordered: the lowest-address free block that fits (Knuth 2.5, Wilson et al. 1995 §3.4).
 * The free blocks sit in an address-ordered treap whose nodes know their subtree's largest block, so the
 * lowest fit is found in O(log n) and free never scans.
 */
export function firstFit(): Strategy {
  return new FirstFit();
}

class FirstFit implements Strategy {
  readonly name = "first-fit";
  examined = 0;
  private readonly tree = new AddressTree();

  attach(host: StrategyHost): void {
    this.tree.attach(host);
  }
  insert(block: number): void {
    this.tree.insert(block);
  }
  remove(block: number): void {
    this.tree.remove(block);
  }
  find(size: number): number {
    const block = this.tree.findFrom(size, 0);
    this.examined = this.tree.examined;
    return block;
  }
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
