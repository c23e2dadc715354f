/**
 * Exact-size bins for small free blocks, in front of best fit's tree. One bin per block size
 * below `limit` (8 bytes apart: bin = size >>> 3; 24 B -> 3, 1000 B -> 125), and a bitmap of non-empty bins.
 * Every block of a bin has the same size, so the only order left to keep is "ties: lowest address". Each bin is
 * an array of block addresses of its own, in one of two orders:
 *
 *   summary  ...0 1 1 0...                bit i: bitmap word i is not 0 (so a search skips 32 empty bins a bit)
 *   bitmap   ...0 1 0 0 1 1 0...         bit b: bin b holds a block
 *   bin 3    [ 9000, 4000,  512,  88 ]   sorted (up to SORTED_MAX blocks): addresses falling, the lowest last
 *   bin 5    [  88, 4000,  512, 9000, ...]  a min-heap (past SORTED_MAX): 88 <= 4000, 88 <= 512, 4000 <= 9000
 *   block 512 of bin 5: link word 0 = 2    in a heap each block knows its position, so removing it is O(log k)
 *
 * A sorted bin hands out its lowest block by shortening the array (malloc's removal: no sifting, no write into
 * any block), takes a block by moving the lower addresses up one place, and finds a block to remove by binary
 * search; it reads and writes nothing inside the free blocks. On the speed goal's mixed trace (~800 free blocks,
 * ~25 in a bin at a removal) a min-heap's removal of its root sifts down ~5 levels, choosing between two random
 * addresses at each (half of those branches mispredict) and writing the position word of each block it moves:
 * the sorted bins cut best fit's time there by about a tenth. A bin that grows past SORTED_MAX becomes a min-heap
 * (its falling array reversed is one; positions written), so that no operation costs more than O(log k) plus a
 * constant (a sorted insert moves at most SORTED_MAX addresses); it becomes sorted again when a removal would
 * leave it at SORTED_MAX / 2 or fewer, so a bin whose count goes up and down around one size does not switch at
 * every operation (a switch costs O(SORTED_MAX^2) moves at most, after SORTED_MAX / 2 operations at least). At 256
 * the mixed trace's busiest bin (24-byte blocks, ~140) stays sorted: 0.955 of the time it took as a heap past 64.
 *
 * Why arrays rather than a tree in the blocks: the comparisons read the array (a few cache lines, hot), not the
 * free blocks scattered over the heap; a tree of the same blocks pays a dependent cache miss per level.
 *
 * A heap's position word is data a buffer overflow can overwrite: `remove` follows it only after checking that it
 * is in range and that the array holds the block there, and throws a CORRUPTION HeapError otherwise. A sorted
 * bin's binary search that does not find the block throws the same.
 */
import { HeapError, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";

const POSITION = 2; // word offset inside a block: header (0), requested (1), then link word 0
/** Every bin's array before its first block: shared, never written (insert replaces it by a real one). */
const EMPTY = new Int32Array(0);
/** Blocks a bin holds as a sorted array; past this it is a min-heap, until a removal leaves SORTED_MAX / 2. */
export const SORTED_MAX = 256;
const SORTED_LIMIT = SORTED_MAX; // module-local: V8 folds it into the code (see best-fit.ts)
/**
 * The most addresses a sorted bin's insert or removal moves one by one (TurboFan's loop costs ~25 instructions an
 * element: it reloads the array's map, base and length every turn); more go in one copyWithin (~300 instructions).
 */
const SHORT_MOVES = 16;
const HEAP = 1; // modes[bin]: 0 = sorted (falling addresses), 1 = min-heap with position words

export class SizeBins {
  /** Block sizes below this (bytes) are binned; bins 0 .. limit / 8 - 1. */
  readonly limit: number;
  readonly binCount: number;
  /** Blocks in each bin. */
  readonly counts: Int32Array;
  private heaps: Int32Array[];
  /** Each bin's order: 0 sorted, HEAP a min-heap. */
  private readonly modes: Int32Array;
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
    this.modes = new Int32Array(this.binCount);
    this.bitmap = new Int32Array((this.binCount + 31) >>> 5);
    this.summary = new Int32Array((this.bitmap.length + 31) >>> 5);
    // Made as bins are first used: a heap of small blocks touches a few dozen of the thousands of bins. Pushed one by
    // one (a packed array, 12 us for 2048 bins): Array.from({ length }, fn) took 150 us, and the report makes a heap
    // per replay (0.45 s of a quick run's CPU).
    this.heaps = [];
    for (let bin = 0; bin < this.binCount; bin++) this.heaps.push(EMPTY);
  }

  attach(host: StrategyHost): void {
    this.host = host;
    this.counts.fill(0);
    this.modes.fill(0);
    this.bitmap.fill(0);
    this.summary.fill(0);
  }

  /** The lowest-addressed block of bin `bin`, or 0. */
  lowest(bin: number): number {
    const n = this.counts[bin]!;
    if (n === 0) return 0;
    return this.modes[bin] === 0 ? this.heaps[bin]![n - 1]! : this.heaps[bin]![0]!;
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

  /**
   * Adds `block` to bin `bin`: into a sorted bin below the higher addresses (those lower move up one place), into
   * a heap by sifting up (on average O(1) moves for random addresses). The SORTED_MAX + 1st block makes the bin a heap.
   * Returns whether `block` is now the bin's lowest (for a caller that keeps each bin's lowest address): so that no caller needs a
   * lowest() after it.
   */
  insert(bin: number, block: number): boolean {
    const n = this.counts[bin]!;
    const heap = this.heaps[bin]!;
    // free's insert, outside a two-step call: a sorted bin with room, the block going among its last SHORT_MOVES
    // addresses. Kept this small so that TurboFan inlines it into the heap's free (the whole of insert is past
    // TurboFan's 460-byte bytecode limit for an inlinee, and its call cost ~45 instructions a free).
    if (
      n < heap.length && this.modes[bin] === 0 && n < SORTED_LIMIT &&
      (n <= SHORT_MOVES || heap[n - SHORT_MOVES - 1]! > block) && !this.journal.recording
    ) {
      // The lower addresses move up one place (at most SHORT_MOVES of them: the one before them is higher).
      let i = n;
      while (i > 0) {
        const p = heap[i - 1]!;
        if (p > block) break;
        heap[i] = p;
        i--;
      }
      heap[i] = block;
      this.added(bin, n);
      return i === n;
    }
    return this.insertAny(bin, block, n);
  }

  /** insert's general case: a far place in a sorted bin, a full array, a heap bin, or while the journal records. */
  private insertAny(bin: number, block: number, n: number): boolean {
    const w = this.host.words;
    let heap = this.heaps[bin]!;
    if (this.journal.recording) this.journalInsert(bin, heap, n, block);
    if (n === heap.length) {
      const grown = new Int32Array(n === 0 ? 4 : n * 2);
      grown.set(heap);
      this.heaps[bin] = heap = grown;
    }
    if (this.modes[bin] === 0) {
      if (n < SORTED_LIMIT) {
        // The lower addresses move up one place: the last SHORT_MOVES one by one, any beyond them (found by binary
        // search) with one copyWithin, a memmove of ~300 instructions against ~25 an element in this loop.
        let i = n;
        const stop = n > SHORT_MOVES ? n - SHORT_MOVES : 0;
        while (i > stop) {
          const p = heap[i - 1]!;
          if (p > block) break;
          heap[i] = p;
          i--;
        }
        if (i === stop && stop > 0 && heap[stop - 1]! < block) {
          let lo = 0;
          let hi = stop - 1; // heap[hi] < block: the first such element is at hi or before it
          while (lo < hi) {
            const m = (lo + hi) >> 1;
            if (heap[m]! > block) lo = m + 1;
            else hi = m;
          }
          heap.copyWithin(lo + 1, lo, stop);
          i = lo;
        }
        heap[i] = block;
        this.added(bin, n);
        return i === n;
      }
      this.toHeap(bin, heap, n);
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
    this.added(bin, n);
    return i === 0;
  }

  /** insert's count and bitmap, for a bin that held `n` blocks. */
  private added(bin: number, n: number): void {
    this.counts[bin] = n + 1;
    if (n === 0) {
      const word = bin >>> 5;
      if (this.bitmap[word] === 0) this.summary[word >>> 5]! |= 1 << (word & 31);
      this.bitmap[word]! |= 1 << (bin & 31);
    }
  }

  /** A sorted bin of `n` blocks becomes a min-heap: its falling addresses reversed are one; positions written. */
  private toHeap(bin: number, heap: Int32Array, n: number): void {
    const w = this.host.words;
    for (let i = 0, j = n - 1; i < j; i++, j--) {
      const t = heap[i]!;
      heap[i] = heap[j]!;
      heap[j] = t;
    }
    for (let i = 0; i < n; i++) w[(heap[i]! >> 2) + POSITION] = i;
    this.modes[bin] = HEAP;
  }

  /** A heap bin of `n` blocks becomes sorted (falling addresses; insertion sort: n <= SORTED_MAX / 2 + 1). */
  private toSorted(bin: number, heap: Int32Array, n: number): void {
    for (let i = 1; i < n; i++) {
      const b = heap[i]!;
      let j = i;
      while (j > 0 && heap[j - 1]! < b) {
        heap[j] = heap[j - 1]!;
        j--;
      }
      heap[j] = b;
    }
    this.modes[bin] = 0;
  }

  /** Where `block` is in the sorted bin `bin` of `n` blocks (binary search over falling addresses), or -1. */
  private sortedIndex(heap: Int32Array, n: number, block: number): number {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (heap[m]! > block) lo = m + 1;
      else hi = m;
    }
    return n > 0 && heap[lo] === block ? lo : -1;
  }

  /**
   * Takes `block` out of bin `bin`; a CORRUPTION HeapError if the bin does not hold it (a sorted bin's search does
   * not find it, a heap's position word does not lead to it). A heap that this leaves at SORTED_MAX / 2 or fewer
   * becomes sorted first. Returns the bin's new lowest block (0: the bin is now empty) when `block` was its lowest,
   * else -1 (a caller that keeps each bin's lowest address updates it only in the first case): so that no caller needs lowest() around it.
   */
  remove(bin: number, block: number): number {
    const n = this.counts[bin]! - 1;
    // malloc's removal, outside a two-step call: a sorted bin's lowest block, its last element. Kept this small so
    // that TurboFan inlines it into the heap's take (a call and its frame were ~60 of the ~125 instructions it cost).
    const heap = this.heaps[bin]!;
    if (n >= 0 && this.modes[bin] === 0 && heap[n] === block && !this.journal.recording) {
      this.removed(bin, n);
      return n > 0 ? heap[n - 1]! : 0;
    }
    return this.removeAny(bin, block, n);
  }

  /** remove's general case: a block anywhere in a sorted bin, any block of a heap bin, or while the journal records. */
  private removeAny(bin: number, block: number, n: number): number {
    const heap = this.heaps[bin]!;
    if (this.modes[bin] === 0 || this.heapToSorted(bin, heap, n, block)) {
      // The lowest block (malloc's) is the last: no search, nothing moves.
      const i = n >= 0 && heap[n] === block ? n : this.sortedIndex(heap, n + 1, block);
      if (i < 0) this.validateRemove(bin, block);
      if (this.journal.recording) this.journalSorted(bin, heap, i, n);
      if (n - i > SHORT_MOVES) heap.copyWithin(i, i + 1, n + 1);
      else for (let k = i; k < n; k++) heap[k] = heap[k + 1]!;
      this.removed(bin, n);
      return i < n ? -1 : n > 0 ? heap[n - 1]! : 0;
    }
    const w = this.host.words;
    const i = w[(block >> 2) + POSITION]!;
    if (this.journal.recording) this.journalRemove(bin, heap, i, n);
    this.counts[bin] = n;
    // (A heap bin keeps more than SORTED_MAX / 2 blocks: n > 0, and the last element is not the root.)
    if (i === n) return -1;
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
        if (c + 1 < n) {
          // The smaller child without a branch (which of two random addresses is lower mispredicts half the time):
          // d = -1 when the right one is lower (addresses are below 2^30, so the difference cannot overflow).
          const right = heap[c + 1]!;
          const d = (right - child) >> 31;
          c -= d;
          child = (right & d) | (child & ~d);
        }
        if (child > last) break;
        heap[j] = child;
        w[(child >> 2) + POSITION] = j;
        j = c;
      }
    }
    heap[j] = last;
    w[(last >> 2) + POSITION] = j;
    return i === 0 ? heap[0]! : -1;
  }

  /** remove's count and bitmap, for a bin left with `n` blocks. */
  private removed(bin: number, n: number): void {
    this.counts[bin] = n;
    if (n === 0) {
      const word = bin >>> 5;
      if ((this.bitmap[word]! &= ~(1 << (bin & 31))) === 0) this.summary[word >>> 5]! &= ~(1 << (word & 31));
    }
  }

  /**
   * remove's check of a heap bin (its position word leads to `block`; CORRUPTION otherwise), then, when the removal
   * leaves `n` <= SORTED_MAX / 2 blocks, the bin becomes sorted: true, and remove goes on as in a sorted bin.
   */
  private heapToSorted(bin: number, heap: Int32Array, n: number, block: number): boolean {
    const i = this.host.words[(block >> 2) + POSITION]!;
    if (n < 0 || i < 0 || i > n || heap[i] !== block) this.validateRemove(bin, block);
    if (n > SORTED_LIMIT >> 1) return false;
    if (this.journal.recording) {
      this.journal.element(this.modes, bin);
      for (let k = 0; k <= n; k++) this.journal.element(heap, k);
    }
    this.toSorted(bin, heap, n + 1);
    return true;
  }

  private journalBin(bin: number): void {
    this.journal.element(this.counts, bin);
    this.journal.element(this.modes, bin);
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
    if (grows) {
      this.journal.onRollback(() => {
        this.heaps[bin] = heap;
      });
    }
    if (this.modes[bin] === 0) {
      // A sorted bin writes elements from the block's place to n (the addresses below it move up one); the one that
      // becomes a heap writes elements 0..n, and every block's position word. Only what can change is logged: the
      // deferred merge pass is a two-step call, and logging whole bins there cost worst fit's deferred cells.
      let from = 0;
      if (n < SORTED_LIMIT) {
        from = n;
        while (from > 0 && heap[from - 1]! < block) from--;
      }
      if (!grows) for (let i = from; i <= n; i++) this.journal.element(heap, i);
      if (n >= SORTED_LIMIT) {
        for (let i = 0; i < n; i++) this.journal.word(w, (heap[i]! >> 2) + POSITION);
        this.journal.word(w, (block >> 2) + POSITION);
      }
      return;
    }
    this.journal.word(w, (block >> 2) + POSITION);
    for (let i = n; ; i = (i - 1) >> 1) {
      if (!grows) this.journal.element(heap, i);
      if (i < n) this.journal.word(w, (heap[i]! >> 2) + POSITION);
      if (i === 0) break;
    }
  }

  /**
   * Logs what a sorted bin's removal of its element `from` (leaving `n` blocks) can write: the bin's fields and
   * elements from..n (the ones above `from` move down one; those below it stay).
   */
  private journalSorted(bin: number, heap: Int32Array, from: number, n: number): void {
    this.journalBin(bin);
    for (let i = from; i <= n; i++) this.journal.element(heap, i);
  }

  /**
   * Logs what remove can write when it takes the element at `i` out of a heap bin of n + 1 (checked): the path the
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
    if (this.modes[bin] === 0) {
      if (this.sortedIndex(this.heaps[bin]!, n, block) < 0) {
        throw new HeapError("CORRUPTION", `block at ${block} is not in its bin (bin ${bin} of ${n} blocks; overwritten header?)`);
      }
      return;
    }
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
   * Every block is in the bin its header size maps to ("block size indexed in wrong list"), each sorted bin falls
   * and each heap bin is a min-heap of addresses whose position words point back, and the bitmap and its summary
   * say which bins and words are non-empty.
   */
  check(): void {
    const w = this.host.words;
    for (let bin = 0; bin < this.binCount; bin++) {
      const heap = this.heaps[bin]!;
      const n = this.counts[bin]!;
      const sorted = this.modes[bin] === 0;
      if (sorted ? n > SORTED_MAX : n <= SORTED_MAX >> 1) throw new Error(`bin ${bin} holds ${n} blocks as a ${sorted ? "sorted array" : "heap"}`);
      for (let i = 0; i < n; i++) {
        const b = heap[i]!;
        const size = w[b >> 2]! & ~7;
        if (size >>> 3 !== bin) throw new Error(`block ${b}: block size ${size} indexed in wrong list (bin ${bin} holds ${bin << 3} B)`);
        if (sorted) {
          if (i > 0 && heap[i - 1]! <= b) throw new Error(`bin ${bin}: block ${b} is not below the block before it, ${heap[i - 1]} (not address-ordered)`);
          continue;
        }
        if (w[(b >> 2) + POSITION] !== i) throw new Error(`block ${b}: its position word says ${w[(b >> 2) + POSITION]}, it is at ${i} of bin ${bin}`);
        if (i > 0 && heap[(i - 1) >> 1]! >= b) throw new Error(`bin ${bin}: block ${b} is below its parent ${heap[(i - 1) >> 1]} (not address-ordered)`);
      }
      const bit = (this.bitmap[bin >>> 5]! >>> (bin & 31)) & 1;
      if (bit !== (n > 0 ? 1 : 0)) throw new Error(`bitmap says bin ${bin} is ${bit ? "non-empty" : "empty"}, it holds ${n} blocks`);
    }
    for (let i = 0; i < this.bitmap.length; i++) {
      const bit = (this.summary[i >>> 5]! >>> (i & 31)) & 1;
      if (bit !== (this.bitmap[i] !== 0 ? 1 : 0)) throw new Error(`the bitmap's summary says word ${i} is ${bit ? "non-zero" : "zero"}, it is ${this.bitmap[i]}`);
    }
  }
}
