import type { Strategy } from "@dmm/core";
import { AddressTreeStrategy } from "./address-tree-strategy.js";

/**
 * First fit, address-ordered: the lowest-address free block that fits (Knuth 2.5, Wilson et al. 1995 §3.4).
 * The free blocks sit in an address-ordered treap whose nodes know their subtree's largest block, so the
 * lowest fit is found in O(log n) and free never scans.
 */
export function firstFit(): Strategy {
  return new FirstFit();
}

class FirstFit extends AddressTreeStrategy {
  readonly name = "first-fit";

  find(size: number): number {
    const block = this.tree.findFrom(size, 0);
    this.examined = this.tree.examined;
    return block;
  }
}
