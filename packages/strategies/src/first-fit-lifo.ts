import { blockSize, getLink, LINK0, setLink, type Strategy, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";
import { notIndexed } from "./links.js";

/** The link word that holds a free block's stamp: its place in the list (see FirstFitLifo). */
const STAMP = 0;
/** Slots of the smallest list (a power of two). */
const MIN_SLOTS = 64;

/**
 * First fit on a LIFO explicit free list: the CS:APP explicit list (Bryant & O'Hallaron §9.9.13) and the shape
 * of tcache-like reuse. A block that becomes free — freed, a split remainder, a merged block — goes to the head
 * of the list, and `find` takes the first block from the head that fits. So the most recently freed block that
 * fits is reused first; `examined` counts the blocks a walk from the head looks at, the chosen one included
 * (all of them when none fits).
 *
 *   head -> [most recently freed] -> [...] -> [freed longest ago]
 *
 * Unlike address-ordered first fit (`first-fit`), the choice depends on the order of frees, not on addresses:
 * Wilson et al. 1995 §3.5 found LIFO lists fragment more than address-ordered ones on real programs.
 *
 * How it is found fast: a walk of the list is O(free blocks) per malloc (a large request walks past every small
 * block). Here the list is an array of slots in insertion order: a block entering it takes the next slot (its
 * stamp, kept in its link word 0), so the head is the highest occupied slot, and leaving it empties its slot. Over
 * the slots sits a tournament tree (an implicit binary tree in one Int32Array) that keeps, for each range of slots,
 * the largest block size in it and how many blocks it holds. The first block from the head that fits is the
 * highest slot whose size fits: from the head's leaf up until the range just below the way up holds a fit, then
 * down it, to its higher half whenever that half's largest block fits. Every range the search passes over holds
 * only blocks too small — exactly the blocks the list walk would have examined before it — so adding up their
 * counts on the way gives `examined`. Insert, remove and find
 * are O(log n); when the slots run out, the list is packed into the low slots of a fresh array (the order kept).
 *
 * A stamp lives in the block's payload, where a buffer overflow can reach it, so remove checks it (the slot it
 * names must hold this block) and reports a forged one as CORRUPTION; nothing else follows a word of the heap,
 * and every loop is bounded by the tree's depth or the slots.
 */
export function firstFitLifo(): Strategy {
  return new FirstFitLifo();
}

class FirstFitLifo implements Strategy {
  readonly name = "first-fit-lifo";
  examined = 0;
  private host!: StrategyHost;
  /** Slots (a power of two): slot s holds the block stamped s, or 0. */
  private cap = MIN_SLOTS;
  private slots = new Int32Array(MIN_SLOTS);
  /**
   * The tournament tree over the slots: node v (1 = root; 2v, 2v + 1 its halves; cap + s the leaf of slot s) keeps
   * the largest block size in its range at 2v and the number of blocks in it at 2v + 1.
   */
  private tree = new Int32Array(4 * MIN_SLOTS);
  /** The stamp the next block gets: one above the head's. */
  private next = 0;
  private count = 0;
  /** The undo journal of the heap's two-step calls (journal.ts). */
  private readonly journal = new Journal();

  attach(host: StrategyHost): void {
    this.host = host;
    this.cap = MIN_SLOTS;
    this.slots = new Int32Array(MIN_SLOTS);
    this.tree = new Int32Array(4 * MIN_SLOTS);
    this.next = 0;
    this.count = 0;
  }

  insert(block: number): void {
    if (this.next === this.cap) this.pack();
    const w = this.host.words;
    const size = blockSize(w, block);
    const s = this.next++;
    const slots = this.slots;
    const tree = this.tree;
    let v = this.cap + s;
    if (this.journal.recording) this.journalPath(block, s, v);
    slots[s] = block;
    setLink(w, block, STAMP, s);
    tree[2 * v] = size;
    tree[2 * v + 1] = 1;
    // Going up, each range gains the block: its count grows, its largest size can only grow.
    for (v >>= 1; v > 0; v >>= 1) {
      if (tree[2 * v]! < size) tree[2 * v] = size;
      tree[2 * v + 1]++;
    }
    this.count++;
  }

  remove(block: number): void {
    const s = this.stampOf(block);
    const slots = this.slots;
    const tree = this.tree;
    let v = this.cap + s;
    if (this.journal.recording) this.journalPath(0, s, v);
    slots[s] = 0;
    tree[2 * v] = 0;
    tree[2 * v + 1] = 0;
    // Going up, each range loses the block; its largest size is recomputed while the block may have been it.
    let stale = true;
    for (v >>= 1; v > 0; v >>= 1) {
      if (stale) {
        const l = tree[4 * v]!;
        const r = tree[4 * v + 2]!;
        const m = l > r ? l : r;
        stale = m !== tree[2 * v];
        tree[2 * v] = m;
      }
      tree[2 * v + 1]--;
    }
    // The head left: its slot is the next one's (the order is the same).
    if (s === this.next - 1) this.next = s;
    this.count--;
  }

  /** The slot `block`'s stamp names, checked: it must hold `block` (a forged stamp is CORRUPTION). */
  private stampOf(block: number): number {
    const s = getLink(this.host.words, block, STAMP);
    if (!(s >= 0 && s < this.next && this.slots[s] === block)) notIndexed(this.name, block, "the free list (its stamp overwritten?)");
    return s;
  }

  /** remove's check, writing nothing. */
  validateRemove(block: number): void {
    this.stampOf(block);
  }

  find(size: number): number {
    const tree = this.tree;
    if (tree[2]! < size) {
      this.examined = this.count; // the walk looks at every block and finds none
      return 0;
    }
    const cap = this.cap;
    // From the head's leaf up (a finger search: a fit near the head, the common case, touches only the recently
    // used part of the tree), until a range just below the way up holds a fit; then down it, to its highest fit.
    let passed = 0;
    let v = cap + this.next - 1;
    if (tree[2 * v]! < size) {
      passed = tree[2 * v + 1]!;
      // (The root holds a fit, so the way up ends below it: the bound is the tree's depth.)
      for (; v > 1; v >>= 1) {
        // v is a right half: its left sibling holds the blocks just below it in the list order.
        if ((v & 1) === 1) {
          if (tree[2 * v - 2]! >= size) break;
          passed += tree[2 * v - 1]!;
        }
      }
      v--;
      while (v < cap) {
        v = 2 * v + 1;
        if (tree[2 * v]! < size) {
          passed += tree[2 * v + 1]!; // newer blocks, all too small: the walk examined them first
          v--;
        }
      }
    }
    this.examined = passed + 1;
    return this.slots[v - cap]!;
  }

  /** The largest free block's size: the root's. */
  largest(): number {
    return this.tree[2]!;
  }

  /** Visits the list from the head. */
  forEach(visit: (block: number) => void): void {
    const slots = this.slots;
    for (let s = this.next - 1; s >= 0; s--) if (slots[s] !== 0) visit(slots[s]!);
  }

  check(): void {
    const { host, slots, tree, cap } = this;
    const w = host.words;
    let n = 0;
    for (let s = 0; s < cap; s++) {
      const b = slots[s]!;
      const leaf = 2 * (cap + s);
      if (b === 0) {
        if (tree[leaf] !== 0 || tree[leaf + 1] !== 0) throw new Error(`the list's empty slot ${s} records a block`);
        continue;
      }
      n++;
      if (s >= this.next) throw new Error(`block ${b} is in slot ${s}, above the head's ${this.next - 1}`);
      if (!host.isFreeBlock(b)) throw new Error(`slot ${s} holds ${b}, not a free block`);
      if (getLink(w, b, STAMP) !== s) throw new Error(`block ${b} in slot ${s} is stamped ${getLink(w, b, STAMP)}`);
      if (tree[leaf] !== blockSize(w, b) || tree[leaf + 1] !== 1) throw new Error(`slot ${s} records size ${tree[leaf]}, block ${b} has ${blockSize(w, b)}`);
    }
    for (let v = cap - 1; v > 0; v--) {
      const m = Math.max(tree[4 * v]!, tree[4 * v + 2]!);
      if (tree[2 * v] !== m || tree[2 * v + 1] !== tree[4 * v + 1]! + tree[4 * v + 3]!) throw new Error(`the list's tree node ${v} is not its halves' sum`);
    }
    if (n !== this.count || tree[3] !== n) throw new Error(`the free list holds ${n} blocks, ${this.count} were inserted`);
  }

  /**
   * Packs the list into the low slots of fresh arrays, in the same order, with room for as many again: the old
   * arrays are left as they were (a two-step call's rollback puts them back). O(slots), once per slots' worth of
   * inserts.
   */
  private pack(): void {
    const w = this.host.words;
    const { slots, cap, count } = this;
    let size = MIN_SLOTS;
    while (size < 2 * (count + 1)) size *= 2;
    const packed = new Int32Array(size);
    const tree = new Int32Array(4 * size);
    let n = 0;
    for (let s = 0; s < this.next; s++) {
      const b = slots[s]!;
      if (b === 0) continue;
      if (this.journal.recording) this.journal.word(w, (b >> 2) + LINK0 + STAMP);
      packed[n] = b;
      setLink(w, b, STAMP, n);
      tree[2 * (size + n)] = blockSize(w, b);
      tree[2 * (size + n) + 1] = 1;
      n++;
    }
    for (let v = size - 1; v > 0; v--) {
      tree[2 * v] = Math.max(tree[4 * v]!, tree[4 * v + 2]!);
      tree[2 * v + 1] = tree[4 * v + 1]! + tree[4 * v + 3]!;
    }
    if (this.journal.recording && !this.savedPacked) {
      // The arrays of begin (never written after this: the journal's entries for them still apply on rollback).
      this.savedPacked = true;
      this.savedSlots = slots;
      this.savedTree = this.tree;
      this.savedCap = cap;
      this.journal.onRollback(this.unpack);
    }
    this.slots = packed;
    this.tree = tree;
    this.cap = size;
    this.next = n;
  }

  /** Logs what an insert (`block`) or a removal (0) at slot `s`, leaf `v`, writes: the slot, the stamp, the path. */
  private journalPath(block: number, s: number, v: number): void {
    const j = this.journal;
    j.element(this.slots, s);
    if (block !== 0) j.word(this.host.words, (block >> 2) + LINK0 + STAMP);
    for (; v > 0; v >>= 1) {
      j.element(this.tree, 2 * v);
      j.element(this.tree, 2 * v + 1);
    }
  }

  /** The heap's two-step calls (journal.ts): the count, the next stamp and the arrays are put back on rollback. */
  begin(): void {
    this.journal.begin();
    this.savedNext = this.next;
    this.savedCount = this.count;
    this.savedPacked = false;
    this.journal.onRollback(this.restore);
  }

  commit(): void {
    this.journal.commit();
  }

  rollback(): void {
    this.journal.rollback(this.host.words);
  }

  /** What begin saved, and the actions that put it back (made once: opening the journal allocates nothing). */
  private savedNext = 0;
  private savedCount = 0;
  private savedPacked = false;
  private savedSlots = this.slots;
  private savedTree = this.tree;
  private savedCap = MIN_SLOTS;
  private readonly restore = (): void => {
    this.next = this.savedNext;
    this.count = this.savedCount;
  };
  private readonly unpack = (): void => {
    this.slots = this.savedSlots;
    this.tree = this.savedTree;
    this.cap = this.savedCap;
  };
}
