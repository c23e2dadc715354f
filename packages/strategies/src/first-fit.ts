import type { Strategy, StrategyHost } from "@dmm/core";
import { AddressTree } from "./address-tree.js";
import { Journal } from "./journal.js";
import { LowestOfBins, SizeBins } from "./size-bins.js";

/**
 * First fit, address-ordered: the lowest-address free block that fits (Knuth 2.5, Wilson et al. 1995 §3.4).
 * Small blocks (below BIN_LIMIT bytes) sit in exact-size bins, each of which knows its lowest address
 * (size-bins.ts), and a segment tree over the bins gives the lowest address in all bins that fit — O(log bins)
 * reads of one small array. Larger blocks sit in an address-ordered treap whose nodes know their subtree's
 * largest block (address-tree.ts), so the lowest large fit is one O(log n) descent. A small request fits every
 * large block, so its answer is the lower of the bins' answer and the lowest large block (remembered, and found
 * again only after it leaves); a large request asks the treap alone. The choice equals an exhaustive scan's.
 */
export function firstFit(): Strategy {
  return new FirstFit();
}

/** Block sizes below this are binned (512 bins, 8 bytes apart); the rest go to the treap. */
export const FIRST_FIT_BIN_LIMIT = 4096;

class FirstFit implements Strategy {
  readonly name = "first-fit";
  examined = 0;
  private host!: StrategyHost;
  /** The undo journal of the heap's two-step calls (journal.ts), shared by the bins, their lowest-address tree and the treap. */
  private readonly journal = new Journal();
  private readonly bins = new SizeBins(FIRST_FIT_BIN_LIMIT, this.journal);
  private readonly lowestOf = new LowestOfBins(this.bins.binCount, this.journal);
  private readonly tree = new AddressTree(this.journal);
  /** The lowest address in the treap: 0 when it is empty, -1 when not known since it left. */
  private largeLowest = 0;
  /**
   * The block a treap removal took out when it was the lowest (largeLowest), else 0: until a later removal of that
   * same block (a removal of another block keeps it, as a rejected free's second removal does: its undo comes first).
   */
  private lowestGone = 0;

  attach(host: StrategyHost): void {
    this.host = host;
    this.bins.attach(host);
    this.lowestOf.clear();
    this.tree.attach(host);
    this.largeLowest = 0;
    this.lowestGone = 0;
  }

  begin(): void {
    this.journal.begin();
    this.tree.begin();
    this.savedLargeLowest = this.largeLowest;
    this.savedLowestBeforeFind = this.lowestBeforeFind;
    this.journal.onRollback(this.restore);
  }

  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedLargeLowest = 0;
  private savedLowestBeforeFind = 0;
  private readonly restore = (): void => {
    this.largeLowest = this.savedLargeLowest;
    this.lowestBeforeFind = this.savedLowestBeforeFind;
  };

  /** largeLowest before the last find, for unfind: a rejected malloc's search leaves the lowest as unknown as it was. */
  private lowestBeforeFind = 0;
  unfind(): void {
    this.largeLowest = this.lowestBeforeFind;
    this.tree.forget();
  }

  commit(): void {
    this.journal.commit();
  }

  rollback(): void {
    this.journal.rollback(this.host.words);
  }

  insert(block: number): void {
    const size = this.host.words[block >> 2]! & ~7;
    if (size < FIRST_FIT_BIN_LIMIT) {
      const bin = size >>> 3;
      if (this.bins.insert(bin, block)) this.lowestOf.set(bin, block);
    } else {
      // The return of the block the treap's latest removal took out (the heap's undo of a rejected call) restores
      // the treap exactly (its removal log), and the lowest address with it when that block was the lowest.
      const undo = block === this.lowestGone && this.tree.undoes(block);
      this.tree.insert(block);
      if (undo || this.largeLowest === 0 || (this.largeLowest > 0 && block < this.largeLowest)) this.largeLowest = block;
    }
  }

  remove(block: number): void {
    const size = this.host.words[block >> 2]! & ~7;
    if (size < FIRST_FIT_BIN_LIMIT) {
      const bin = size >>> 3;
      const lowest = this.bins.remove(bin, block);
      if (lowest >= 0) this.lowestOf.set(bin, lowest);
    } else {
      this.tree.remove(block);
      if (block === this.largeLowest) {
        this.largeLowest = this.tree.size === 0 ? 0 : -1;
        this.lowestGone = block;
      } else if (block === this.lowestGone) this.lowestGone = 0;
    }
  }

  /** A bin insert follows no link: only the treap's is checked. */
  validateInsert(block: number, size: number): void {
    if (size >= FIRST_FIT_BIN_LIMIT) this.tree.validateInsert(block, size);
  }

  validateRemove(block: number): void {
    const size = this.host.words[block >> 2]! & ~7;
    if (size < FIRST_FIT_BIN_LIMIT) this.bins.validateRemove(size >>> 3, block);
    else this.tree.validateRemove(block);
  }

  find(size: number): number {
    const tree = this.tree;
    this.lowestBeforeFind = this.largeLowest;
    if (size >= FIRST_FIT_BIN_LIMIT) {
      const block = tree.findFrom(size, 0);
      this.examined = tree.examined;
      return block;
    }
    let examined = 1;
    // The leftmost node; the search leaves its path for the remove that follows when this block is chosen.
    if (this.largeLowest < 0) {
      this.largeLowest = tree.findFrom(0, 0);
      examined += tree.examined;
    }
    this.examined = examined;
    const small = this.lowestOf.lowestFrom(size >>> 3);
    const large = this.largeLowest;
    return small !== 0 && (large === 0 || small < large) ? small : large;
  }

  forEach(visit: (block: number) => void): void {
    this.bins.forEach(visit);
    this.tree.forEach(visit);
  }

  check(): void {
    this.bins.check();
    this.tree.check();
    this.lowestOf.check((bin) => this.bins.lowest(bin), this.bins.binCount);
    let lowest = 0;
    this.tree.forEach((b) => {
      if (lowest === 0) lowest = b;
      if ((this.host.words[b >> 2]! & ~7) < FIRST_FIT_BIN_LIMIT) throw new Error(`block ${b}: block size ${this.host.words[b >> 2]! & ~7} indexed in wrong list (the treap holds >= ${FIRST_FIT_BIN_LIMIT} B)`);
    });
    if (this.largeLowest >= 0 && this.largeLowest !== lowest) throw new Error(`the treap's lowest block is ${lowest}, recorded as ${this.largeLowest}`);
  }

  largest(): number {
    const large = this.tree.largest();
    if (large !== 0) return large;
    const bin = this.bins.highestNonEmpty();
    return bin < 0 ? 0 : bin << 3;
  }
}
