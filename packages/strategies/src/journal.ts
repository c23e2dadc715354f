/**
 * The undo journal behind Strategy.begin / commit / rollback: the index's part of the heap's two-step calls (a
 * moving realloc — a malloc, then the free of the old block; a deferred malloc — a merge pass, then the fit). When
 * the second step is rejected, the first must be undone exactly, damage or not; putting blocks back through insert
 * and remove does not do that (a list pushes a block back at its head, a min-heap array may end in another order,
 * a tree re-walks a smashed path or recomputes a maximum from a smashed header). So while the heap records, every
 * structure of the index logs, before each change, the words that change can write — in the heap's words or in
 * its own arrays — with the values they hold, and registers what puts back its scalars; `rollback` replays the log
 * latest first, so every word ends with the value it had at `begin`, following no link.
 *
 * One journal per strategy, shared by all its structures (a block's link words may be a bin's at one moment and a
 * tree's at the next), so the log is one chronological sequence. Outside a two-step call `recording` is false and
 * an insert or remove pays one test of it; all logging is on the rare path.
 */
import { LINK0 } from "@dmm/core";

/** A doubly linked free list's link words (tlsf, segregated fit's small bins, first-fit-lifo): next, previous. */
const NEXT = LINK0;
const PREV = LINK0 + 1;

export class Journal {
  /** A two-step call is on: every change is to be logged before it is made. */
  recording = false;
  /**
   * The log, entry k < n: where[k] (null: the heap's words, else the structure's own array, or an action), at[k]
   * (the index) and old[k] (the value before). Kept across calls and overwritten, never cleared, so opening and
   * closing the journal allocate nothing and cost two stores.
   */
  private readonly where: Array<Int32Array | null | (() => void)> = [];
  private at = new Int32Array(64);
  private old = new Int32Array(64);
  private n = 0;

  /** Starts recording, with an empty log. */
  begin(): void {
    this.n = 0;
    this.recording = true;
  }

  /** Stops recording, keeping every change. */
  commit(): void {
    this.n = 0;
    this.recording = false;
  }

  /**
   * Logs the heap word `words[index]` a change may write. An index outside the words (a smashed link the change's
   * own checks will reject before writing through it) is not a word the change can write, and is skipped.
   */
  word(words: Int32Array, index: number): void {
    if (index >= 0 && index < words.length) this.add(null, index, words[index]!);
  }

  /** Logs that the heap word at `index` held `value` before a change already made (a removal log's entry). */
  wordWas(index: number, value: number): void {
    this.add(null, index, value);
  }

  /** Logs element `index` of a structure's own array, which a change may write. */
  element(array: Int32Array, index: number): void {
    this.add(array, index, array[index]!);
  }

  /** Logs that element `index` of a structure's own array held `value` before a change already made. */
  elementWas(array: Int32Array, index: number, value: number): void {
    this.add(array, index, value);
  }

  /** Logs what pushing `block` onto a doubly linked list headed by `head` writes: its links, the head's back link. */
  push(words: Int32Array, block: number, head: number): void {
    this.word(words, (block >> 2) + NEXT);
    this.word(words, (block >> 2) + PREV);
    if (head !== 0) this.word(words, (head >> 2) + PREV);
  }

  /** Logs what unlinking `block` from a doubly linked list writes: its neighbours' links to it (as its links name them). */
  unlink(words: Int32Array, block: number): void {
    const next = words[(block >> 2) + NEXT]!;
    const prev = words[(block >> 2) + PREV]!;
    if (next !== 0) this.word(words, (next >> 2) + PREV);
    if (prev !== 0) this.word(words, (prev >> 2) + NEXT);
  }

  /**
   * Logs an action that puts back what no word holds (scalars, a replaced array); it runs in its turn. Pass a
   * function made once (a field), with what it puts back saved in fields, not a closure made per call.
   */
  onRollback(undo: () => void): void {
    this.add(undo, 0, 0);
  }

  /** Puts back everything logged since `begin`, latest first, into `words` (the heap's words now), and stops. */
  rollback(words: Int32Array): void {
    const { where, at, old } = this;
    for (let k = this.n - 1; k >= 0; k--) {
      const w = where[k]!;
      if (w === null) words[at[k]!] = old[k]!;
      else if (typeof w === "function") w();
      else w[at[k]!] = old[k]!;
    }
    this.commit();
  }

  private add(where: Int32Array | null | (() => void), index: number, value: number): void {
    const n = this.n;
    if (n === this.at.length) {
      const at = new Int32Array(2 * n);
      const old = new Int32Array(2 * n);
      at.set(this.at);
      old.set(this.old);
      this.at = at;
      this.old = old;
    }
    if (n === this.where.length) this.where.push(where);
    else this.where[n] = where;
    this.at[n] = index;
    this.old[n] = value;
    this.n = n + 1;
  }
}
