import { blockSize, FLAG_MASK, LINK0, type Strategy, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";
import * as links from "./links.js";
import { SizeChainTrees } from "./size-chain-tree.js";

/**
 * Segregated fit with dlmalloc-style bins (Doug Lea, "A Memory Allocator", 1996; Wilson et al. 1995 §3.6).
 *
 * Size classes, by block size in bytes (header included):
 *   - exact "small bins" every 8 bytes below 4 KiB (SMALL_BIN_LIMIT): class = size >> 3 (24 B → 3, 200 B → 25,
 *     1000 B → 125, 4088 B → 511). Every block in a small bin has the same size, so any of them is a best fit: a
 *     doubly linked list, LIFO. (dlmalloc stops its small bins at 256 B; here they go on to 4 KiB, past the
 *     speed goal's mixed trace's 256..1024 B requests, which a tree bin cost a treap descent each: 1428 → ~1030
 *     instructions/op on that trace. 512 list heads and a 19-word bitmap are the price.)
 *   - "range bins" from 4 KiB up: four classes per power of two, by the two bits after the leading one:
 *     class = 512 + 4·(log2(size) − 12) + ((size >> (log2(size) − 2)) & 3).
 *     4096..5119 → 512, 5120..6143 → 513, 6144..7167 → 514, 7168..8191 → 515, 8192..10239 → 516, ...
 *     up to 2^30 → 584. Each range bin is a tree bin, as in dlmalloc: a treap with one node per distinct size and
 *     the blocks of that size chained off the node (size-chain-tree.ts). Best fit within the bin is one descent
 *     whose depth is bounded by the bin's distinct sizes (width / 8: 128 for 4096..5119), not by how many blocks
 *     it holds — so the cost stays flat as the heap fills with free blocks.
 *
 * find(n): look in n's own class (small bin: its head; range bin: the smallest block >= n); if that fails,
 * the next non-empty class above comes from a bitmap of non-empty bins (Math.clz32 on the lowest set bit),
 * and its smallest block is the answer — every block there is larger than anything in n's class. So the
 * choice is a best fit; ties among equal sizes go LIFO (in tree bins: the chain first, the size's first
 * block last), as in dlmalloc. (With the small bins to 4 KiB, equal sizes from 256 B to 4 KiB now tie LIFO in a
 * list, where a tree bin handed out its node's chain first and the node last.)
 * `examined` counts the bins looked at plus the tree nodes visited.
 *
 * Link words: small bins use 0 = next, 1 = previous; range bins use the tree bin's three words.
 */
export function segregatedFit(): Strategy {
  return new SegregatedFit();
}

// Module-local copies: an imported function's binding is loaded and checked at each call (and TurboFan left
// isFreeAt, called through it, out of line); a module's own const is folded. (The never-returning ones typed, so
// that TypeScript's control flow still sees that they throw.)
const isFreeAt = links.isFreeAt;
const badLink: typeof links.badLink = links.badLink;
const notIndexed: typeof links.notIndexed = links.notIndexed;
const tooLong: typeof links.tooLong = links.tooLong;

/**
 * Whether the link `link` of `block` names a free block (isFreeAt) whose link word `back` (NEXT or PREV) names
 * `block` again: a list link that is safe to unlink through (glibc's "corrupted double-linked list").
 */
const linksBack = (w: Int32Array, marks: Int32Array, link: number, back: number, block: number): boolean =>
  isFreeAt(w, marks, link) && w[(link >> 2) + back] === block;

/** Block sizes below this (bytes) have exact small bins. */
const SMALL_LIMIT = 4096;
// Exported under its name; the code here uses the module-local constant, which V8 folds into the code (an exported
// binding is read from its cell at every use, even in its own module: find, insert and take read it on every call).
export const SMALL_BIN_LIMIT = SMALL_LIMIT;
const SMALL_BINS = SMALL_LIMIT >> 3;
/** The small bins, then four range bins per power of two from 2^12 to 2^29, one for 2^30 (the largest heap), unused up to a whole bitmap word. */
const BINS = 608;
const BITMAP_WORDS = BINS >> 5;
const NEXT = LINK0; // small bins: link words 0 and 1
const PREV = LINK0 + 1;
/** The size bits of a header word (layout.ts FLAG_MASK), module-local so V8 folds it. */
const SIZE_MASK = ~FLAG_MASK;

/**
 * The size class of a block size (or request) in bytes. A const, not a function declaration: V8 folds a module's
 * const bindings into the code, but loads and checks an exported function's binding at every call.
 */
const classOf = (size: number): number => {
  if (size < SMALL_LIMIT) return size >> 3;
  const log2 = 31 - Math.clz32(size);
  return SMALL_BINS + ((log2 - 12) << 2) + ((size >>> (log2 - 2)) & 3);
};
export const sizeClass: (size: number) => number = classOf;

/** Smallest block size that falls in class `c` (for the checker and the docs). */
export function classMinSize(c: number): number {
  if (c < SMALL_BINS) return c << 3;
  const k = c - SMALL_BINS;
  const log2 = (k >> 2) + 12;
  return (1 << log2) + ((k & 3) << (log2 - 2));
}

class SegregatedFit implements Strategy {
  readonly name = "segregated-fit";
  examined = 0;
  private host!: StrategyHost;
  /** Head of each small bin's list (0 = empty); unused for range bins. */
  private readonly heads = new Int32Array(SMALL_BINS);
  /** Bit c set when bin c holds a block. */
  private readonly nonEmpty = new Int32Array(BITMAP_WORDS);
  private count = 0;
  /** The undo journal of the heap's two-step calls (journal.ts), shared with the tree bins. */
  private readonly journal = new Journal();
  /** One tree bin per range class (indices below SMALL_BINS stay empty). */
  private readonly trees = new SizeChainTrees(BINS, "segregated-fit tree bin", this.journal);

  attach(host: StrategyHost): void {
    this.host = host;
    this.heads.fill(0);
    this.nonEmpty.fill(0);
    this.trees.attach(host);
    this.count = 0;
  }

  insert(block: number): void {
    const w = this.host.words;
    const size = w[block >> 2]! & SIZE_MASK;
    const c = classOf(size);
    if (this.journal.recording) this.journalBin(w, block, c, c < SMALL_BINS ? this.heads[c]! : -1);
    if (c < SMALL_BINS) {
      const head = this.heads[c]!;
      w[(block >> 2) + NEXT] = head;
      w[(block >> 2) + PREV] = 0;
      if (head !== 0) w[(head >> 2) + PREV] = block;
      this.heads[c] = block;
    } else {
      this.trees.insert(c, block, size);
    }
    this.nonEmpty[c >> 5]! |= 1 << (c & 31);
    this.count++;
  }

  remove(block: number): void {
    const w = this.host.words;
    const c = classOf(w[block >> 2]! & SIZE_MASK);
    if (this.journal.recording) this.journalBin(w, block, c, -2);
    let empty: boolean;
    if (c < SMALL_BINS) {
      // Both links checked, and each must link back, before either is written through.
      // linksBack (isFreeAt and the link back) written out for both links: TurboFan left the call un-inlined here
      // (28 instructions/op on the 2M-op mixed trace for the next link, 7.5 for the previous one, which a block
      // inside its bin has: a merging free's neighbour).
      const marks = this.host.marks;
      const next = w[(block >> 2) + NEXT]!;
      const prev = w[(block >> 2) + PREV]!;
      if (next !== 0 && ((next & 7) !== 0 || (marks[(next >>> 8) << 1]! & (1 << ((next >>> 3) & 31))) === 0 || (w[next >> 2]! & 1) !== 0 || w[(next >> 2) + PREV] !== block)) {
        badLink(this.name, block, "next", next);
      }
      if (prev !== 0) {
        if ((prev & 7) !== 0 || (marks[(prev >>> 8) << 1]! & (1 << ((prev >>> 3) & 31))) === 0 || (w[prev >> 2]! & 1) !== 0 || w[(prev >> 2) + NEXT] !== block) {
          badLink(this.name, block, "previous", prev);
        }
        w[(prev >> 2) + NEXT] = next;
      } else if (this.heads[c] === block) this.heads[c] = next;
      else notIndexed(this.name, block, `small bin ${c}`);
      if (next !== 0) w[(next >> 2) + PREV] = prev;
      empty = this.heads[c] === 0;
    } else {
      this.trees.remove(c, block);
      empty = this.trees.roots[c] === 0;
    }
    if (empty) this.nonEmpty[c >> 5]! &= ~(1 << (c & 31));
    this.count--;
  }

  /** The heap's two-step calls (journal.ts): the count is put back on rollback, the tree bins' state by theirs. */
  begin(): void {
    this.savedCount = this.count;
    this.journal.begin();
    this.trees.begin();
    this.journal.onRollback(this.restore);
  }

  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedCount = 0;
  private readonly restore = (): void => {
    this.count = this.savedCount;
  };

  commit(): void {
    this.journal.commit();
  }

  rollback(): void {
    this.journal.rollback(this.host.words);
  }

  /**
   * Logs what an insert or remove of `block` in bin `c` can write: the bitmap word, and for a small bin its head
   * and the list links (head >= 0: pushing onto it; -2: unlinking). A tree bin logs its own.
   */
  private journalBin(w: Int32Array, block: number, c: number, head: number): void {
    this.journal.element(this.nonEmpty, c >> 5);
    if (c >= SMALL_BINS) return;
    this.journal.element(this.heads, c);
    if (head >= 0) this.journal.push(w, block, head);
    else this.journal.unlink(w, block);
  }

  /** remove's checks, writing nothing (a tree bin's: size-chain-tree.ts). */
  validateRemove(block: number): void {
    const c = classOf(blockSize(this.host.words, block));
    if (c < SMALL_BINS) this.validateSmall(c, block);
    else this.trees.validateRemove(c, block);
  }

  /** A tree bin's insert follows links (size-chain-tree.ts); a small bin's is a list push and follows none. */
  validateInsert(block: number, size: number): void {
    const c = classOf(size);
    if (c >= SMALL_BINS) this.trees.validateInsert(c, block, size);
  }

  /**
   * The small-bin block's links, as remove checks them inline (its hot path; keep the two in step): both name free
   * blocks that link back, and with no previous link the block heads its bin.
   */
  private validateSmall(c: number, block: number): void {
    const w = this.host.words;
    const marks = this.host.marks;
    const next = w[(block >> 2) + NEXT]!;
    const prev = w[(block >> 2) + PREV]!;
    if (next !== 0 && !linksBack(w, marks, next, PREV, block)) badLink(this.name, block, "next", next);
    if (prev !== 0) {
      if (!linksBack(w, marks, prev, NEXT, block)) badLink(this.name, block, "previous", prev);
    } else if (this.heads[c] !== block) notIndexed(this.name, block, `small bin ${c}`);
  }

  find(size: number): number {
    let c = classOf(size);
    let block = 0;
    if (c < SMALL_BINS) {
      // The common case, an exact small bin that holds a block: its head, without touching the tree bins.
      block = this.heads[c]!;
      if (block !== 0) {
        this.examined = 1;
        return block;
      }
    }
    const trees = this.trees;
    trees.examined = 0;
    let bins = 1;
    if (c >= SMALL_BINS && trees.roots[c] !== 0) block = trees.lowerBound(c, size);
    if (block === 0) {
      c = this.nextNonEmpty(c + 1);
      if (c >= 0) {
        bins++;
        block = c < SMALL_BINS ? this.heads[c]! : trees.first(c);
      }
    }
    this.examined = bins + trees.examined;
    return block;
  }

  /** The next link of the small-bin block `b`, checked (a free block or 0). */
  private follow(w: Int32Array, b: number): number {
    const next = w[(b >> 2) + NEXT]!;
    if (next !== 0 && !this.host.isFreeBlock(next)) badLink(this.name, b, "next", next);
    return next;
  }

  /** The lowest non-empty bin >= c, or -1: the lowest set bit of the masked bitmap words. */
  private nextNonEmpty(c: number): number {
    for (let i = c >> 5; i < BITMAP_WORDS; i++) {
      let bits = this.nonEmpty[i]!;
      if (i === c >> 5) bits &= -1 << (c & 31);
      if (bits !== 0) return (i << 5) + 31 - Math.clz32(bits & -bits);
    }
    return -1;
  }

  forEach(visit: (block: number) => void): void {
    const w = this.host.words;
    for (let c = 0; c < SMALL_BINS; c++) {
      let steps = 0;
      for (let b = this.heads[c]!; b !== 0; b = this.follow(w, b)) {
        if (++steps > this.count) tooLong(this.name, `small bin ${c}`, this.count);
        visit(b);
      }
    }
    for (let c = SMALL_BINS; c < BINS; c++) this.trees.forEach(c, visit);
  }

  check(): void {
    const w = this.host.words;
    let total = 0;
    for (let c = 0; c < BINS; c++) {
      let n = 0;
      if (c < SMALL_BINS) {
        let prev = 0;
        for (let b = this.heads[c]!; b !== 0; b = this.follow(w, b)) {
          if (++n > this.count) tooLong(this.name, `small bin ${c}`, this.count);
          if (w[(b >> 2) + PREV] !== prev) throw new Error(`block ${b}: previous link disagrees with small bin ${c}'s order`);
          if (classOf(blockSize(w, b)) !== c) throw new Error(`block size ${blockSize(w, b)} indexed in wrong list (small bin ${c})`);
          prev = b;
        }
      } else {
        this.trees.check(c, classMinSize(c), c + 1 < BINS ? classMinSize(c + 1) - 1 : Infinity);
        n = this.trees.counts[c]!;
      }
      const bit = (this.nonEmpty[c >> 5]! >>> (c & 31)) & 1;
      if (bit !== (n > 0 ? 1 : 0)) throw new Error(`bitmap says bin ${c} is ${bit ? "non-empty" : "empty"}, it holds ${n} blocks`);
      total += n;
    }
    if (total !== this.count) throw new Error(`the bins hold ${total} blocks but ${this.count} were counted`);
  }

  largest(): number {
    for (let i = BITMAP_WORDS - 1; i >= 0; i--) {
      const bits = this.nonEmpty[i]!;
      if (bits === 0) continue;
      const c = (i << 5) + 31 - Math.clz32(bits);
      if (c < SMALL_BINS) return blockSize(this.host.words, this.heads[c]!);
      return this.trees.largestSize(c);
    }
    return 0;
  }
}
