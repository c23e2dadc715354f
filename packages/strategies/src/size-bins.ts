/**
 * Exact-size bins for small free blocks, in front of best fit's and first fit's trees. One bin per block size
 * below `limit` (8 bytes apart: bin = size >>> 3; 24 B -> 3, 1000 B -> 125), and a bitmap of non-empty bins.
 * Every block of a bin has the same size, so the only order left to keep is "ties: lowest address": each bin is
 * a binary min-heap of block addresses in a typed array of its own, so its lowest address is element 0.
 *
 *   summary  ...0 1 1 0...                bit i: bitmap word i is not 0 (so a search skips 32 empty bins a bit)
 *   bitmap   ...0 1 0 0 1 1 0...         bit b: bin b holds a block
 *   bin 3    [  88, 4000,  512, 9000 ]   a min-heap of addresses: 88 <= 4000, 88 <= 512, 4000 <= 9000
 *              ^ lowest-addressed 24-byte block
 *   block 512: link word 0 = 2           each block knows its position, so removing it is O(log k)
 *
 * Why a heap in an array rather than a tree in the blocks: the comparisons read the array (a few cache lines,
 * hot), not the free blocks scattered over the heap; a tree of the same blocks pays a dependent cache miss per
 * level. The blocks are only written (their position word) when the heap moves them.
 *
 * The position word is data a buffer overflow can overwrite: `remove` follows it only after checking that it
 * is in range and that the array holds the block there, and throws a CORRUPTION HeapError otherwise.
 */
import { HeapError, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";

const POSITION = 2; // word offset inside a block: header (0), requested (1), then link word 0
const NONE = 0x7fffffff; // "no block" in a lowest-address query (every block offset is below 2^30)
/** Every bin's array before its first block: shared, never written (insert replaces it by a real one). */
const EMPTY = new Int32Array(0);

export class SizeBins {
  /** Block sizes below this (bytes) are binned; bins 0 .. limit / 8 - 1. */
  readonly limit: number;
  readonly binCount: number;
  /** Blocks in each bin. */
  readonly counts: Int32Array;
  /** Blocks in all bins. */
  total = 0;
  private heaps: Int32Array[];
  private readonly bitmap: Int32Array;
  /** Bit i: bitmap word i is not 0. */
  private readonly summary: Int32Array;
  private host!: StrategyHost;
  /** The strategy's undo journal for the heap's two-step calls (journal.ts), shared with its other structures. */
  private readonly journal: Journal;

  constructor(limit: number, journal = new Journal()) {
    this.journal = journal;
    this.limit = limit;
    this.binCount = limit >>> 3;
    this.counts = new Int32Array(this.binCount);
    this.bitmap = new Int32Array((this.binCount + 31) >>> 5);
    this.summary = new Int32Array((this.bitmap.length + 31) >>> 5);
    // Made as bins are first used: a heap of small blocks touches a few dozen of the thousands of bins.
    this.heaps = Array.from({ length: this.binCount }, () => EMPTY);
  }

  attach(host: StrategyHost): void {
    this.host = host;
    this.counts.fill(0);
    this.bitmap.fill(0);
    this.summary.fill(0);
    this.total = 0;
  }

  /** The lowest-addressed block of bin `bin`, or 0. */
  lowest(bin: number): number {
    return this.counts[bin] !== 0 ? this.heaps[bin]![0]! : 0;
  }

  /**
   * The lowest non-empty bin >= `bin`, or -1: the lowest set bit of its bitmap word above it, else of the next
   * non-zero bitmap word, which the summary names (its lowest set bit past the word, then the next summary words).
   */
  nextNonEmpty(bin: number): number {
    const bitmap = this.bitmap;
    let i = bin >>> 5;
    if (i >= bitmap.length) return -1;
    let bits = bitmap[i]! & (-1 << (bin & 31));
    if (bits === 0) {
      const summary = this.summary;
      let k = ++i >>> 5;
      if (k >= summary.length) return -1;
      let words = summary[k]! & (-1 << (i & 31));
      while (words === 0) {
        if (++k === summary.length) return -1;
        words = summary[k]!;
      }
      i = (k << 5) + 31 - Math.clz32(words & -words);
      bits = bitmap[i]!;
    }
    return (i << 5) + 31 - Math.clz32(bits & -bits);
  }

  /** The highest non-empty bin, or -1. */
  highestNonEmpty(): number {
    for (let k = this.summary.length - 1; k >= 0; k--) {
      const words = this.summary[k]!;
      if (words !== 0) {
        const i = (k << 5) + 31 - Math.clz32(words);
        return (i << 5) + 31 - Math.clz32(this.bitmap[i]!);
      }
    }
    return -1;
  }

  /** Adds `block` to bin `bin` (sift up: on average O(1) moves for random addresses). */
  insert(bin: number, block: number): void {
    const w = this.host.words;
    const n = this.counts[bin]!;
    let heap = this.heaps[bin]!;
    if (this.journal.recording) this.journalInsert(bin, heap, n, block);
    if (n === heap.length) {
      const grown = new Int32Array(n === 0 ? 4 : n * 2);
      grown.set(heap);
      this.heaps[bin] = heap = grown;
    }
    let i = n;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p < block) break;
      heap[i] = p;
      w[(p >> 2) + POSITION] = i;
      i = parent;
    }
    heap[i] = block;
    w[(block >> 2) + POSITION] = i;
    this.counts[bin] = n + 1;
    if (n === 0) {
      const word = bin >>> 5;
      if (this.bitmap[word] === 0) this.summary[word >>> 5]! |= 1 << (word & 31);
      this.bitmap[word]! |= 1 << (bin & 31);
    }
    this.total++;
  }

  /** Takes `block` out of bin `bin`; a CORRUPTION HeapError if its position word does not lead to it. */
  remove(bin: number, block: number): void {
    const w = this.host.words;
    const n = this.counts[bin]! - 1;
    const heap = this.heaps[bin]!;
    const i = w[(block >> 2) + POSITION]!;
    if (n < 0 || i < 0 || i > n || heap[i] !== block) this.validateRemove(bin, block);
    if (this.journal.recording) this.journalRemove(bin, heap, i, n);
    this.counts[bin] = n;
    this.total--;
    if (n === 0) {
      const word = bin >>> 5;
      if ((this.bitmap[word]! &= ~(1 << (bin & 31))) === 0) this.summary[word >>> 5]! &= ~(1 << (word & 31));
      return;
    }
    if (i === n) return;
    // Move the last element into the hole, then sift it up or down.
    const last = heap[n]!;
    let j = i;
    if (j > 0 && heap[(j - 1) >> 1]! > last) {
      while (j > 0) {
        const parent = (j - 1) >> 1;
        const p = heap[parent]!;
        if (p < last) break;
        heap[j] = p;
        w[(p >> 2) + POSITION] = j;
        j = parent;
      }
    } else {
      for (;;) {
        let c = 2 * j + 1;
        if (c >= n) break;
        let child = heap[c]!;
        if (c + 1 < n && heap[c + 1]! < child) child = heap[++c]!;
        if (child > last) break;
        heap[j] = child;
        w[(child >> 2) + POSITION] = j;
        j = c;
      }
    }
    heap[j] = last;
    w[(last >> 2) + POSITION] = j;
  }

  /**
   * The index's part of a two-step call begins (journal.ts): the total is put back on rollback; each insert and
   * remove logs the array elements and position words it can write, and the bin's count and bitmap word.
   */
  begin(): void {
    this.savedTotal = this.total;
    this.journal.onRollback(this.restore);
  }

  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedTotal = 0;
  private readonly restore = (): void => {
    this.total = this.savedTotal;
  };

  private journalBin(bin: number): void {
    this.journal.element(this.counts, bin);
    this.journal.element(this.bitmap, bin >>> 5);
    this.journal.element(this.summary, bin >>> 10);
  }

  /**
   * Logs what insert(bin, block) can write into a bin of n blocks: the sift-up path from the end of the array and
   * their positions. A full array is about to be replaced by a larger copy: the rollback takes the old one back,
   * untouched, instead of its elements.
   */
  private journalInsert(bin: number, heap: Int32Array, n: number, block: number): void {
    const w = this.host.words;
    const grows = n === heap.length;
    this.journalBin(bin);
    this.journal.word(w, (block >> 2) + POSITION);
    if (grows) {
      this.journal.onRollback(() => {
        this.heaps[bin] = heap;
      });
    }
    for (let i = n; ; i = (i - 1) >> 1) {
      if (!grows) this.journal.element(heap, i);
      if (i < n) this.journal.word(w, (heap[i]! >> 2) + POSITION);
      if (i === 0) break;
    }
  }

  /**
   * Logs what remove can write when it takes the element at `i` out of a bin of n + 1 (checked): the path the
   * last element sifts along from `i` (up or down, the same comparisons as remove's, writing nothing), the
   * elements there and their positions.
   */
  private journalRemove(bin: number, heap: Int32Array, i: number, n: number): void {
    const w = this.host.words;
    const j = this.journal;
    this.journalBin(bin);
    if (n === 0 || i === n) return;
    const last = heap[n]!;
    j.word(w, (last >> 2) + POSITION);
    let k = i;
    j.element(heap, k);
    if (k > 0 && heap[(k - 1) >> 1]! > last) {
      while (k > 0) {
        k = (k - 1) >> 1;
        j.element(heap, k);
        j.word(w, (heap[k]! >> 2) + POSITION);
      }
    } else {
      for (;;) {
        let c = 2 * k + 1;
        if (c >= n) break;
        if (c + 1 < n && heap[c + 1]! < heap[c]!) c++;
        if (heap[c]! > last) break;
        j.word(w, (heap[c]! >> 2) + POSITION);
        k = c;
        j.element(heap, k);
      }
    }
  }

  /**
   * remove's one check, writing nothing: the block's position word leads back to it in its bin; CORRUPTION
   * otherwise (remove tests the same inline and calls this to throw).
   */
  validateRemove(bin: number, block: number): void {
    const n = this.counts[bin]!;
    const i = this.host.words[(block >> 2) + POSITION]!;
    if (i < 0 || i >= n || this.heaps[bin]![i] !== block) {
      throw new HeapError("CORRUPTION", `block at ${block}: its bin position ${i} does not lead back to it (bin ${bin} of ${n} blocks; overwritten link?)`);
    }
  }

  /** Visits every binned block (bin by bin, in heap order). */
  forEach(visit: (block: number) => void): void {
    for (let bin = 0; bin < this.binCount; bin++) {
      const heap = this.heaps[bin]!;
      for (let i = 0; i < this.counts[bin]!; i++) visit(heap[i]!);
    }
  }

  /**
   * Every block is in the bin its header size maps to ("block size indexed in wrong list"), each bin is a
   * min-heap of addresses whose position words point back, the bitmap says which bins are non-empty, and the
   * counts add up.
   */
  check(): void {
    const w = this.host.words;
    let total = 0;
    for (let bin = 0; bin < this.binCount; bin++) {
      const heap = this.heaps[bin]!;
      const n = this.counts[bin]!;
      for (let i = 0; i < n; i++) {
        const b = heap[i]!;
        const size = w[b >> 2]! & ~7;
        if (size >>> 3 !== bin) throw new Error(`block ${b}: block size ${size} indexed in wrong list (bin ${bin} holds ${bin << 3} B)`);
        if (w[(b >> 2) + POSITION] !== i) throw new Error(`block ${b}: its position word says ${w[(b >> 2) + POSITION]}, it is at ${i} of bin ${bin}`);
        if (i > 0 && heap[(i - 1) >> 1]! >= b) throw new Error(`bin ${bin}: block ${b} is below its parent ${heap[(i - 1) >> 1]} (not address-ordered)`);
      }
      const bit = (this.bitmap[bin >>> 5]! >>> (bin & 31)) & 1;
      if (bit !== (n > 0 ? 1 : 0)) throw new Error(`bitmap says bin ${bin} is ${bit ? "non-empty" : "empty"}, it holds ${n} blocks`);
      total += n;
    }
    for (let i = 0; i < this.bitmap.length; i++) {
      const bit = (this.summary[i >>> 5]! >>> (i & 31)) & 1;
      if (bit !== (this.bitmap[i] !== 0 ? 1 : 0)) throw new Error(`the bitmap's summary says word ${i} is ${bit ? "non-zero" : "zero"}, it is ${this.bitmap[i]}`);
    }
    if (total !== this.total) throw new Error(`the bins hold ${total} blocks but ${this.total} were counted`);
  }
}

/**
 * The lowest address over a range of bins, for first fit: a segment tree of each bin's lowest address (leaf
 * `size + bin`; node k holds the minimum of nodes 2k and 2k + 1; an empty bin is NONE), so "the lowest block in
 * bins >= b" is O(log bins) reads of one small array and a bin whose lowest block changed is O(log bins) writes.
 */
export class LowestOfBins {
  private readonly size: number;
  private readonly tree: Int32Array;
  /** The strategy's undo journal for the heap's two-step calls (journal.ts). */
  private readonly journal: Journal;

  constructor(bins: number, journal = new Journal()) {
    this.journal = journal;
    let size = 1;
    while (size < bins) size <<= 1;
    this.size = size;
    this.tree = new Int32Array(2 * size).fill(NONE);
  }

  clear(): void {
    this.tree.fill(NONE);
  }

  /** Bin `bin`'s lowest address is now `block` (0: the bin is empty). */
  set(bin: number, block: number): void {
    const t = this.tree;
    let k = this.size + bin;
    if (this.journal.recording) for (let u = k; u >= 1; u >>= 1) this.journal.element(t, u);
    let v = block === 0 ? NONE : block;
    t[k] = v;
    while (k > 1) {
      const sibling = t[k ^ 1]!;
      if (sibling < v) v = sibling;
      k >>= 1;
      if (t[k] === v) return;
      t[k] = v;
    }
  }

  /** The lowest address in bins `bin` .. the last, or 0. */
  lowestFrom(bin: number): number {
    const t = this.tree;
    let best = NONE;
    // The standard bottom-up range query for [bin, size): only left edges can cut the range.
    for (let l = this.size + bin, r = 2 * this.size; l < r; l >>= 1, r >>= 1) {
      if (l & 1) {
        const v = t[l++]!;
        if (v < best) best = v;
      }
    }
    return best === NONE ? 0 : best;
  }

  /** Every leaf holds its bin's lowest address (`lowest(bin)`) and every node the minimum of its children. */
  check(lowest: (bin: number) => number, bins: number): void {
    const t = this.tree;
    for (let bin = 0; bin < this.size; bin++) {
      const want = bin < bins ? lowest(bin) : 0;
      if (t[this.size + bin] !== (want === 0 ? NONE : want)) throw new Error(`bin ${bin}'s lowest address is recorded as ${t[this.size + bin]}, it is ${want}`);
    }
    for (let k = this.size - 1; k >= 1; k--) {
      if (t[k] !== Math.min(t[2 * k]!, t[2 * k + 1]!)) throw new Error(`node ${k} of the bins' lowest-address tree is not the minimum of its children`);
    }
  }
}
