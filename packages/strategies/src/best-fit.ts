import type { Strategy, StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";
import { SizeBins } from "./size-bins.js";
import { SizeTrees } from "./size-tree.js";

/**
 * Best fit: the smallest free block that fits; ties go to the lowest address (Knuth 2.5, Wilson et al. 1995
 * §3.4). Blocks below BIN_LIMIT bytes (16 KiB: every request of the speed goal's mixed trace, and most of the
 * free blocks its heap holds) sit in exact-size bins with a bitmap over them and a summary bit per bitmap word
 * (size-bins.ts): the smallest size that fits is the lowest non-empty bin at or above the request's, and the bin
 * hands out its lowest address — a few bitmap words and one array read, no tree descent. Larger blocks sit in a
 * treap keyed by (size, address) (size-tree.ts): one O(log n) descent. A request that no bin serves takes the
 * tree's smallest block, which is larger than every binned size. Either way the choice equals an exhaustive scan's.
 */
export function bestFit(): Strategy {
  return new BestFit();
}

/**
 * Block sizes below this are binned (2048 bins, 8 bytes apart); the rest go to the tree. At 4 KiB the tree took
 * a remove, an insert and a vetting walk on one op in seven of the mixed trace (its 1-16 KiB requests and the
 * remainders they leave): 1148 instructions/op against ~1050 here; 64 KiB measured no better.
 */
const BIN_LIMIT = 16384;
// Exported under its name; the code here uses the module-local constant, which V8 folds into the code (an exported
// binding is read from its cell at every use, even in its own module).
export const BEST_FIT_BIN_LIMIT = BIN_LIMIT;

/** Exported so that policies over best fit's index (opposite-ends-fit, worst-fit) reuse it. */
export class BestFit implements Strategy {
  readonly name: string = "best-fit";
  examined = 0;
  private host!: StrategyHost;
  /** The undo journal of the heap's two-step calls (journal.ts), shared by the bins and the tree. */
  protected readonly journal = new Journal();
  protected readonly bins = new SizeBins(BIN_LIMIT, this.journal);
  protected readonly tree = new SizeTrees(1, "size tree", this.journal);

  attach(host: StrategyHost): void {
    this.host = host;
    this.bins.attach(host);
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
    const size = this.host.words[block >> 2]! & ~7;
    if (size < BIN_LIMIT) this.bins.insert(size >>> 3, block);
    else this.tree.insert(0, block, size);
  }

  remove(block: number): void {
    const size = this.host.words[block >> 2]! & ~7;
    if (size < BIN_LIMIT) this.bins.remove(size >>> 3, block);
    else this.tree.remove(0, block);
  }

  /** A bin insert follows no link: only the tree's is checked. */
  validateInsert(block: number, size: number): void {
    if (size >= BIN_LIMIT) this.tree.validateInsert(0, block, size);
  }

  validateRemove(block: number): void {
    const size = this.host.words[block >> 2]! & ~7;
    if (size < BIN_LIMIT) this.bins.validateRemove(size >>> 3, block);
    else this.tree.validateRemove(0, block);
  }

  find(size: number): number {
    if (size < BIN_LIMIT) {
      const bin = this.bins.nextNonEmpty(size >>> 3);
      if (bin >= 0) {
        this.examined = 1;
        return this.bins.lowest(bin);
      }
    }
    const tree = this.tree;
    if (tree.counts[0] === 0) {
      this.examined = 1;
      return 0;
    }
    tree.examined = 0;
    const block = tree.lowerBound(0, size);
    this.examined = 1 + tree.examined;
    return block;
  }

  forEach(visit: (block: number) => void): void {
    this.bins.forEach(visit);
    this.tree.forEach(0, visit);
  }

  check(): void {
    this.bins.check();
    this.tree.check(0, BIN_LIMIT);
  }

  largest(): number {
    if (this.tree.counts[0] !== 0) return this.tree.largestKey(0);
    const bin = this.bins.highestNonEmpty();
    return bin < 0 ? 0 : bin << 3;
  }
}
