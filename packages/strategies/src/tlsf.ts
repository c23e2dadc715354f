import { FLAG_MASK, LINK0, type Strategy, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";
import { badLink, isFreeAt, notIndexed, tooLong } from "./links.js";

/**
 * Two-level segregated fit (Masmano, Ripoll, Crespo, Real: "TLSF: a New Dynamic Memory Allocator for Real-Time
 * Systems", ECRTS 2004; layout of the lists after mattconte/tlsf). O(1) find, insert and remove.
 *
 * Size classes, by block size in bytes (header included):
 *   - first level fl = floor(log2(size)) (Math.clz32), so class fl holds [2^fl, 2^(fl+1));
 *   - second level: each first-level class is cut into SL_COUNT = 32 equal lists by the 5 bits after the
 *     leading one: sl = (size >> (fl - 5)) - 32. E.g. 1000 = 0b1111101000: fl = 9, sl = 0b11110 = 30,
 *     the list [992, 1008); 4096: fl = 12, sl = 0, the list [4096, 4224).
 *   - sizes below SMALL_BLOCK = 256 go to one linear first class (index 0) of 32 lists, 8 bytes apart:
 *     sl = size >> 3, so every small list holds one exact size (24 B -> sl 3, 248 B -> sl 31).
 *   Class indices: fl index 0 is the linear class; fl index f >= 1 is [2^(f+7), 2^(f+8)), so 1000 is in
 *   list (2, 30) and 4096 in (5, 0). Sizes up to 2^30 (the core's largest heap) need fl indices 0..23.
 *
 * Bitmaps: bit f of `flBitmap` is set when some list of first-level index f is non-empty; bit s of
 * `slBitmaps[f]` when list (f, s) is. The heads of the 24 x 32 lists live in one Int32Array.
 *
 * find(n) is good fit (mapping_search): n is rounded up to the next list boundary, n + 2^(fl - 5) - 1, so that
 * *every* block of the list found fits, and the head is taken without a scan; the first non-empty list at or
 * above the rounded one comes from the bitmaps (lowest set bit, Math.clz32). Rounding can miss a fitting block
 * that sits in n's own list above n; when no larger list holds anything, find scans that one list (so find
 * fails only when no free block fits) — the only case where `examined` exceeds the one list it otherwise is.
 *
 * Link words in each free block: 0 = next in its list, 1 = previous (0 ends the list).
 */
export function tlsf(): Strategy {
  return new Tlsf();
}

const SL_INDEX_COUNT_LOG2 = 5;
const SL_INDEX_COUNT = 1 << SL_INDEX_COUNT_LOG2;
const ALIGN_SIZE_LOG2 = 3;
/** log2 of the smallest size on a logarithmic first level. */
const FL_INDEX_SHIFT = SL_INDEX_COUNT_LOG2 + ALIGN_SIZE_LOG2;
/** Sizes below this are in the linear first class, in lists 8 bytes apart. */
const SMALL_BLOCK = 1 << FL_INDEX_SHIFT;
/** First-level indices: the linear class, then one per power of two from 2^8 to 2^30. */
const FL_INDEX_COUNT = 30 - FL_INDEX_SHIFT + 2;
// Exported under their tlsf names; the code below uses the module-local constants, which V8 folds into the
// code (an exported binding is read from its cell at every use, even in its own module).
export const TLSF_SMALL_BLOCK = SMALL_BLOCK;
export const TLSF_FL_INDEX_COUNT = FL_INDEX_COUNT;
export const TLSF_SL_INDEX_COUNT = SL_INDEX_COUNT;

// Word offsets inside a block (layout.ts LINK0, FLAG_MASK), as module-local constants: the hot paths index `words`
// directly rather than through getLink/setLink/blockSize, since calls through imported bindings measured 5-10
// ns/op slower on the 2M-op mixed trace (same process, alternated runs).
const NEXT = LINK0;
const PREV = LINK0 + 1;
const SIZE_MASK = ~FLAG_MASK;
/** largest()'s cache holds nothing: no block size is this large, so no insert or remove compares above it. */
const NO_LARGEST = 0x7fffffff;

/** The list a free block of `size` bytes is kept in (mapping_insert): [first-level index, second-level index]. */
export function tlsfMapping(size: number): [fl: number, sl: number] {
  if (size < SMALL_BLOCK) return [0, size >>> ALIGN_SIZE_LOG2];
  const log2 = 31 - Math.clz32(size);
  return [log2 - FL_INDEX_SHIFT + 1, (size >>> (log2 - SL_INDEX_COUNT_LOG2)) ^ SL_INDEX_COUNT];
}

/** The first list whose every block fits a request of `size` bytes (mapping_search: round up, then map). */
export function tlsfSearchMapping(size: number): [fl: number, sl: number] {
  if (size < SMALL_BLOCK) return tlsfMapping(size);
  return tlsfMapping(size + (1 << (31 - Math.clz32(size) - SL_INDEX_COUNT_LOG2)) - 1);
}

/** Smallest block size kept in list (fl, sl). */
export function tlsfListMinSize(fl: number, sl: number): number {
  if (fl === 0) return sl << ALIGN_SIZE_LOG2;
  const log2 = fl + FL_INDEX_SHIFT - 1;
  return (1 << log2) + (sl << (log2 - SL_INDEX_COUNT_LOG2));
}

/**
 * Flat list index of a block size (mapping_insert), fl * 32 + sl. A const, not a function declaration: V8 folds a
 * module's const bindings into the code, but checks a function declaration's (mutable) binding at every call.
 */
const listOf = (size: number): number => {
  if (size < SMALL_BLOCK) return size >>> ALIGN_SIZE_LOG2;
  const log2 = 31 - Math.clz32(size);
  return ((log2 - FL_INDEX_SHIFT + 1) << SL_INDEX_COUNT_LOG2) | ((size >>> (log2 - SL_INDEX_COUNT_LOG2)) ^ SL_INDEX_COUNT);
};

class Tlsf implements Strategy {
  readonly name = "tlsf";
  examined = 0;
  private host: StrategyHost | null = null;
  private flBitmap = 0;
  private readonly slBitmaps = new Int32Array(FL_INDEX_COUNT);
  private readonly heads = new Int32Array(FL_INDEX_COUNT * SL_INDEX_COUNT);
  private count = 0;
  /** The undo journal of the heap's two-step calls (journal.ts). */
  private readonly journal = new Journal();
  /**
   * largest()'s answer, kept until an insert or a remove of a block at least that large (the only calls that can
   * change it; a rollback puts back the one kept at begin); NO_LARGEST: none kept. largestBlock is a block of that size, checked on each use.
   */
  private largestSize = NO_LARGEST;
  private largestBlock = 0;

  attach(host: StrategyHost): void {
    this.host = host;
    this.flBitmap = 0;
    this.slBitmaps.fill(0);
    this.heads.fill(0);
    this.count = 0;
    this.largestSize = NO_LARGEST;
  }

  insert(block: number): void {
    const w = this.host!.words;
    const i = block >> 2;
    const size = w[i]! & SIZE_MASK;
    if (size >= this.largestSize) this.largestSize = NO_LARGEST;
    const list = listOf(size);
    const head = this.heads[list]!;
    if (this.journal.recording) this.journalList(w, block, list, head);
    w[i + NEXT] = head;
    w[i + PREV] = 0;
    if (head !== 0) w[(head >> 2) + PREV] = block;
    this.heads[list] = block;
    const fl = list >>> SL_INDEX_COUNT_LOG2;
    this.flBitmap |= 1 << fl;
    this.slBitmaps[fl]! |= 1 << (list & (SL_INDEX_COUNT - 1));
    this.count++;
  }

  remove(block: number): void {
    const host = this.host!;
    const w = host.words;
    const i = block >> 2;
    // The header once: the list of the head case and largest()'s test both use its size.
    const size = w[i]! & SIZE_MASK;
    if (this.journal.recording) this.journalList(w, block, listOf(size), -1);
    const next = w[i + NEXT]!;
    const prev = w[i + PREV]!;
    // Both links are checked before either is written through, and each must link back (glibc's "corrupted
    // double-linked list"): a smashed link is reported, never followed.
    // isFreeAt (links.ts) written out: TurboFan left the call un-inlined here, where most lists hold one block.
    if (next !== 0 && ((next & 7) !== 0 || (host.marks[(next >>> 8) << 1]! & (1 << ((next >>> 3) & 31))) === 0 || (w[next >> 2]! & 1) !== 0 || w[(next >> 2) + PREV] !== block)) {
      badLink(this.name, block, "next", next);
    }
    if (prev !== 0) {
      // Inside its list: the previous link checked too (isFreeAt written out, as for next), then both unlinked. Here,
      // not in a method of its own: that kept remove under TurboFan's 460-byte limit for inlining, but on the speed
      // bench remove is not inlined anyway (findBlock's cumulative budget of 920 bytes goes to find, miss, take and
      // the fallback first), and the call cost 12 instructions/op.
      if ((prev & 7) !== 0 || (host.marks[(prev >>> 8) << 1]! & (1 << ((prev >>> 3) & 31))) === 0 || (w[prev >> 2]! & 1) !== 0 || w[(prev >> 2) + NEXT] !== block) {
        badLink(this.name, block, "previous", prev);
      }
      w[(prev >> 2) + NEXT] = next;
      if (next !== 0) w[(next >> 2) + PREV] = prev;
    } else {
      // The head of its list (every block find returns): the list's head moves on.
      const list = listOf(size);
      if (this.heads[list] !== block) notIndexed(this.name, block, "the head of its list");
      this.heads[list] = next;
      if (next !== 0) w[(next >> 2) + PREV] = 0;
      else {
        const fl = list >>> SL_INDEX_COUNT_LOG2;
        const slMap = this.slBitmaps[fl]! & ~(1 << (list & (SL_INDEX_COUNT - 1)));
        this.slBitmaps[fl] = slMap;
        if (slMap === 0) this.flBitmap &= ~(1 << fl);
      }
    }
    // After the checks: a rejected remove leaves the kept answer too (stats() answers as before the call).
    if (size >= this.largestSize) this.largestSize = NO_LARGEST;
    this.count--;
  }

  /**
   * remove's checks, writing nothing (api.ts validateRemove): both links name free blocks that link back, and a
   * block with no previous link heads its list. remove makes the same checks inline, interleaved with its writes
   * as its hot path needs (a call there measured in instruction counts); keep the two in step.
   */
  validateRemove(block: number): void {
    const host = this.host!;
    const w = host.words;
    const marks = host.marks;
    const i = block >> 2;
    const next = w[i + NEXT]!;
    const prev = w[i + PREV]!;
    if (next !== 0 && (!isFreeAt(w, marks, next) || w[(next >> 2) + PREV] !== block)) badLink(this.name, block, "next", next);
    if (prev !== 0) {
      if (!isFreeAt(w, marks, prev) || w[(prev >> 2) + NEXT] !== block) badLink(this.name, block, "previous", prev);
    } else if (this.heads[listOf(w[i]! & SIZE_MASK)] !== block) notIndexed(this.name, block, "the head of its list");
  }

  /**
   * The heap's two-step calls (journal.ts): the bitmap word, the count and largest()'s kept answer (exact again once
   * the index is as it was) are put back on rollback.
   */
  begin(): void {
    this.savedFlBitmap = this.flBitmap;
    this.savedCount = this.count;
    this.savedLargestSize = this.largestSize;
    this.savedLargestBlock = this.largestBlock;
    this.journal.begin();
    this.journal.onRollback(this.restore);
  }

  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedFlBitmap = 0;
  private savedCount = 0;
  private savedLargestSize = NO_LARGEST;
  private savedLargestBlock = 0;
  private readonly restore = (): void => {
    this.flBitmap = this.savedFlBitmap;
    this.count = this.savedCount;
    this.largestSize = this.savedLargestSize;
    this.largestBlock = this.savedLargestBlock;
  };

  commit(): void {
    this.journal.commit();
  }

  rollback(): void {
    this.journal.rollback(this.host!.words);
  }

  /** Logs what an insert (pushing onto `head`) or a remove (head -1: unlinking) of `block` in `list` can write. */
  private journalList(w: Int32Array, block: number, list: number, head: number): void {
    if (head >= 0) this.journal.push(w, block, head);
    else this.journal.unlink(w, block);
    this.journal.element(this.heads, list);
    this.journal.element(this.slBitmaps, list >>> SL_INDEX_COUNT_LOG2);
  }

  find(size: number): number {
    let fl: number;
    let sl: number;
    if (size < SMALL_BLOCK) {
      fl = 0;
      sl = size >>> ALIGN_SIZE_LOG2;
    } else {
      const rounded = size + (1 << (31 - Math.clz32(size) - SL_INDEX_COUNT_LOG2)) - 1;
      const log2 = 31 - Math.clz32(rounded);
      fl = log2 - FL_INDEX_SHIFT + 1;
      sl = (rounded >>> (log2 - SL_INDEX_COUNT_LOG2)) ^ SL_INDEX_COUNT;
      if (fl >= FL_INDEX_COUNT) return this.exactListFallback(size);
    }
    let slMap = this.slBitmaps[fl]! & (-1 << sl);
    if (slMap === 0) {
      // fl + 1 can be 32 only for absurd sizes, filtered above; `-1 << 32` would be -1.
      const flMap = this.flBitmap & (-1 << (fl + 1));
      if (flMap === 0) return this.exactListFallback(size);
      fl = 31 - Math.clz32(flMap & -flMap);
      slMap = this.slBitmaps[fl]!;
    }
    sl = 31 - Math.clz32(slMap & -slMap);
    this.examined = 1;
    return this.heads[(fl << SL_INDEX_COUNT_LOG2) | sl]!;
  }

  /**
   * No list above the rounded request holds a block: the only blocks that may still fit are in the request's
   * own list (mapping_insert of `size`), above `size`. Scans that list; first fit within it.
   */
  private exactListFallback(size: number): number {
    const list = listOf(size);
    const host = this.host!;
    const w = host.words;
    let examined = 1;
    let found = 0;
    if (list < this.heads.length) {
      for (let b = this.heads[list]!; b !== 0; b = this.follow(w, b)) {
        if (examined++ > this.count) tooLong(this.name, `list ${list >> SL_INDEX_COUNT_LOG2}/${list & (SL_INDEX_COUNT - 1)}`, this.count);
        if ((w[b >> 2]! & SIZE_MASK) >= size) {
          found = b;
          break;
        }
      }
    }
    this.examined = examined;
    return found;
  }

  /** The next link of the free block `b`, checked (a free block or 0). */
  private follow(w: Int32Array, b: number): number {
    const next = w[(b >> 2) + NEXT]!;
    if (next !== 0 && !this.host!.isFreeBlock(next)) badLink(this.name, b, "next", next);
    return next;
  }

  /**
   * Size of the largest free block: the highest non-empty list, scanned (its blocks differ by < 1/32), every link
   * checked. The answer is kept until an insert or a remove that can change it (the fixed-arena replay asks on every
   * failed malloc, and a nearly full arena's highest list is long); a kept answer is given only while the block it
   * came from is still a free block of that size, so a scribble over that header is seen as the scan would see it.
   */
  largest(): number {
    const host = this.host!;
    const w = host.words;
    const kept = this.largestSize;
    if (kept !== NO_LARGEST) {
      const b = this.largestBlock;
      if (kept === 0 || (host.isFreeBlock(b) && (w[b >> 2]! & SIZE_MASK) === kept)) return kept;
    }
    let max = 0;
    let maxBlock = 0;
    if (this.flBitmap !== 0) {
      const fl = 31 - Math.clz32(this.flBitmap);
      const sl = 31 - Math.clz32(this.slBitmaps[fl]!);
      let steps = 0;
      for (let b = this.heads[(fl << SL_INDEX_COUNT_LOG2) | sl]!; b !== 0; b = this.follow(w, b)) {
        if (++steps > this.count) tooLong(this.name, `list ${fl}/${sl}`, this.count);
        const s = w[b >> 2]! & SIZE_MASK;
        if (s > max) {
          max = s;
          maxBlock = b;
        }
      }
    }
    this.largestSize = max;
    this.largestBlock = maxBlock;
    return max;
  }

  forEach(visit: (block: number) => void): void {
    const w = this.host!.words;
    for (let list = 0; list < this.heads.length; list++) {
      let steps = 0;
      for (let b = this.heads[list]!; b !== 0; b = this.follow(w, b)) {
        if (++steps > this.count) tooLong(this.name, `list ${list >> SL_INDEX_COUNT_LOG2}/${list & (SL_INDEX_COUNT - 1)}`, this.count);
        visit(b);
      }
    }
  }

  /**
   * The bitmaps say exactly which lists are non-empty; every block sits in the list its size maps to ("block
   * size indexed in wrong list", as tlsf_check); links go both ways; the count is right.
   */
  check(): void {
    const w = this.host!.words;
    let total = 0;
    for (let fl = 0; fl < FL_INDEX_COUNT; fl++) {
      const slMap = this.slBitmaps[fl]!;
      if (((this.flBitmap >>> fl) & 1) !== (slMap !== 0 ? 1 : 0)) {
        throw new Error(`first-level bitmap bit ${fl} disagrees with its second-level bitmap`);
      }
      for (let sl = 0; sl < SL_INDEX_COUNT; sl++) {
        const list = (fl << SL_INDEX_COUNT_LOG2) | sl;
        const head = this.heads[list]!;
        if (((slMap >>> sl) & 1) !== (head !== 0 ? 1 : 0)) {
          throw new Error(`second-level bitmap bit ${fl}/${sl} says the list is ${head !== 0 ? "empty" : "non-empty"}, but it is not`);
        }
        let prev = 0;
        for (let b = head; b !== 0; b = this.follow(w, b)) {
          if (++total > this.count) throw new Error(`the lists hold more blocks than the ${this.count} inserted (a cycle?)`);
          if (listOf(w[b >> 2]! & SIZE_MASK) !== list) {
            throw new Error(`block ${b}: block size ${w[b >> 2]! & SIZE_MASK} indexed in wrong list ${fl}/${sl}`);
          }
          if (w[(b >> 2) + PREV] !== prev) throw new Error(`block ${b}: previous link disagrees in list ${fl}/${sl}`);
          prev = b;
        }
      }
    }
    if (total !== this.count) throw new Error(`the lists hold ${total} blocks, ${this.count} were inserted`);
  }
}
