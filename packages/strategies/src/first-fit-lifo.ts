import { blockSize, getLink, setLink, type Strategy, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";
import { badLink, notIndexed, tooLong } from "./links.js";

const NEXT = 0;
const PREV = 1;

/**
 * First fit on a LIFO explicit free list: the CS:APP explicit list (Bryant & O'Hallaron §9.9.13) and the shape
 * of tcache-like reuse. Free blocks form one doubly linked list through their payload (link 0 next, link 1
 * previous); a block that becomes free — freed, a split remainder, a merged block — is pushed at the head, and
 * `find` walks from the head and takes the first block that fits. So the most recently freed block that fits
 * is reused first: O(1) insert and remove, O(n) find in the worst case.
 *
 *   head -> [most recently freed] <-> [...] <-> [freed longest ago] -> 0
 *
 * Unlike address-ordered first fit (`first-fit`), the choice depends on the order of frees, not on addresses:
 * Wilson et al. 1995 §3.5 found LIFO lists fragment more than address-ordered ones on real programs.
 * Every link is checked (links.ts) before it is followed or written through, and every walk is bounded by the
 * number of blocks the list holds: a link overwritten by a buffer overflow is CORRUPTION, never a loop.
 */
export function firstFitLifo(): Strategy {
  return new FirstFitLifo();
}

class FirstFitLifo implements Strategy {
  readonly name = "first-fit-lifo";
  examined = 0;
  private host!: StrategyHost;
  private head = 0;
  private count = 0;
  /** largest()'s answer: exact unless `maxStale` (a block of that size left the list since it was computed). */
  private max = 0;
  private maxStale = false;
  /** The undo journal of the heap's two-step calls (journal.ts). */
  private readonly journal = new Journal();

  attach(host: StrategyHost): void {
    this.host = host;
    this.head = 0;
    this.count = 0;
    this.max = 0;
    this.maxStale = false;
  }

  insert(block: number): void {
    const w = this.host.words;
    if (this.journal.recording) this.journal.push(w, block, this.head);
    setLink(w, block, NEXT, this.head);
    setLink(w, block, PREV, 0);
    if (this.head !== 0) setLink(w, this.head, PREV, block);
    this.head = block;
    this.count++;
    const size = blockSize(w, block);
    if (size >= this.max) (this.max = size), (this.maxStale = false);
  }

  remove(block: number): void {
    const w = this.host.words;
    if (this.journal.recording) this.journal.unlink(w, block);
    const next = getLink(w, block, NEXT);
    const prev = getLink(w, block, PREV);
    this.validateRemove(block);
    if (blockSize(w, block) >= this.max) this.maxStale = true;
    if (prev !== 0) setLink(w, prev, NEXT, next);
    else this.head = next;
    if (next !== 0) setLink(w, next, PREV, prev);
    this.count--;
  }

  /** The heap's two-step calls (journal.ts): the head, the count and largest()'s cache are put back on rollback. */
  begin(): void {
    this.savedHead = this.head;
    this.savedCount = this.count;
    this.savedMax = this.max;
    this.savedMaxStale = this.maxStale;
    this.journal.begin();
    this.journal.onRollback(this.restore);
  }

  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedHead = 0;
  private savedCount = 0;
  private savedMax = 0;
  private savedMaxStale = false;
  private readonly restore = (): void => {
    this.head = this.savedHead;
    this.count = this.savedCount;
    this.max = this.savedMax;
    this.maxStale = this.savedMaxStale;
  };

  commit(): void {
    this.journal.commit();
  }

  rollback(): void {
    this.journal.rollback(this.host.words);
  }

  /** remove's checks, writing nothing: both links checked, and each must link back; with no previous link, the head. */
  validateRemove(block: number): void {
    const host = this.host;
    const w = host.words;
    const next = getLink(w, block, NEXT);
    const prev = getLink(w, block, PREV);
    if (next !== 0 && (!host.isFreeBlock(next) || getLink(w, next, PREV) !== block)) badLink(this.name, block, "next", next);
    if (prev !== 0) {
      if (!host.isFreeBlock(prev) || getLink(w, prev, NEXT) !== block) badLink(this.name, block, "previous", prev);
    } else if (this.head !== block) notIndexed(this.name, block, "the free list");
  }

  /** The next link of `b`, checked (a free block or 0). */
  private follow(w: Int32Array, b: number): number {
    const next = getLink(w, b, NEXT);
    if (next !== 0 && !this.host.isFreeBlock(next)) badLink(this.name, b, "next", next);
    return next;
  }

  find(size: number): number {
    const w = this.host.words;
    let examined = 0;
    let found = 0;
    for (let b = this.head; b !== 0; b = this.follow(w, b)) {
      if (++examined > this.count) tooLong(this.name, "a search", this.count);
      if (blockSize(w, b) >= size) {
        found = b;
        break;
      }
    }
    this.examined = examined;
    return found;
  }

  /**
   * The largest free block's size, so that stats() need not walk the whole heap: kept by insert, and recomputed
   * by one walk of the free list (bounded and checked like every walk) only after a block of that size left it.
   */
  largest(): number {
    if (this.maxStale) {
      const w = this.host.words;
      let max = 0;
      this.forEach((b) => {
        const size = blockSize(w, b);
        if (size > max) max = size;
      });
      this.max = max;
      this.maxStale = false;
    }
    return this.max;
  }

  forEach(visit: (block: number) => void): void {
    const w = this.host.words;
    let seen = 0;
    for (let b = this.head; b !== 0; b = this.follow(w, b)) {
      if (++seen > this.count) tooLong(this.name, "a walk", this.count);
      visit(b);
    }
  }

  check(): void {
    const w = this.host.words;
    let prev = 0;
    let n = 0;
    for (let b = this.head; b !== 0; prev = b, b = this.follow(w, b)) {
      if (++n > this.count) throw new Error("the free list has a cycle");
      if (getLink(w, b, PREV) !== prev) throw new Error(`block ${b}'s back link is ${getLink(w, b, PREV)}, not ${prev}`);
    }
    if (n !== this.count) throw new Error(`the free list holds ${n} blocks, ${this.count} were inserted`);
  }
}
