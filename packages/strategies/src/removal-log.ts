/**
 * An undo log of a tree index's latest removals, so that putting a removed block back restores the index's words
 * exactly, damaged or not. The heap takes blocks out of the index before it vets the insert that ends an operation
 * against the index as that insert will find it (a merging free, a splitting malloc: the removals restructure the
 * path the insert walks); when that vetting finds damage it inserts the removed blocks again, latest first. A treap
 * whose shape follows from its keys would come back the same from a plain re-insert if it were intact, but a
 * damaged one need not (a forged key or link sends the re-insert elsewhere, or fails its checks): so every word a
 * removal writes is logged with the value it held, and an insert that undoes the latest removal replays the log
 * backwards instead.
 *
 * An insert undoes the latest removal when it puts back the same block with the same header size into the same
 * tree and nothing changed the index since (`state`, an id of the index's contents, is what that removal left).
 * Any other insert forgets the log. The log keeps the last DEPTH removals (a free that merges with both
 * neighbours makes two); older ones are dropped.
 *
 * `state` also names the index's contents for a vetting cache: two equal states are the same words (an undo goes
 * back to the state before the removal; every other change takes a new id).
 */
import { LINK0, LINK_WORDS } from "@dmm/core";

const DEPTH = 4;
/**
 * Fields of a frame: the removed block, its header size, its tree, its first log entry, the states around it, and
 * the block's own link words as they were.
 */
const BLOCK = 0;
const SIZE = 1;
const TREE = 2;
const START = 3;
const BEFORE = 4;
const AFTER = 5;
const LINKS = 6;
const FIELDS = LINKS + LINK_WORDS;

export class RemovalLog {
  /** Id of the index's contents now. */
  state = 0;
  private nextState = 0;
  /** (slot, value before) pairs, oldest first; a slot is a word index (>= 0) or ~tree for a root (< 0). */
  private entries = new Int32Array(64);
  /** Entries in use. A removal may write its entries itself (see reserve), then sets this. */
  n = 0;
  /**
   * States are 31-bit ids that wrap (never -1, the caches' "none"): a vetting cache never outlives an insert, and
   * 2^31 removals in a row cannot happen.
   */
  private readonly frames = new Int32Array(DEPTH * FIELDS);
  private depth = 0;

  /** A change that cannot be undone (an insert, a reattach): forgets the log and gives the contents a new id. */
  changed(): void {
    this.depth = 0;
    this.n = 0;
    this.state = this.nextState = (this.nextState + 1) & 0x7fffffff;
  }

  /**
   * The removal of `block` (`size` bytes by its header) from tree `tree` begins: its writes are logged from here.
   * The block's own link words are kept too: the removal leaves them alone, but whoever gets the block next may
   * overwrite them (so an undo is a correct insert even after the block was allocated and freed again).
   */
  removing(words: Int32Array, block: number, size: number, tree: number): void {
    if (this.depth === DEPTH) {
      this.depth = 0;
      this.n = 0;
    }
    const f = this.frames;
    const i = this.depth++ * FIELDS;
    f[i + BLOCK] = block;
    f[i + SIZE] = size;
    f[i + TREE] = tree;
    f[i + START] = this.n;
    f[i + BEFORE] = this.state;
    this.state = this.nextState = (this.nextState + 1) & 0x7fffffff;
    f[i + AFTER] = this.state;
    const x = (block >> 2) + LINK0;
    f[i + LINKS] = words[x]!;
    f[i + LINKS + 1] = words[x + 1]!;
    f[i + LINKS + 2] = words[x + 2]!;
  }

  /**
   * The entries array with room for `count` more entries after the `n` in use, for a removal that writes them
   * itself (pairs at 2n, 2n + 1, ..., then sets n): a hot loop's stores instead of a call per write.
   */
  reserve(count: number): Int32Array {
    const need = 2 * (this.n + count);
    if (need > this.entries.length) {
      const grown = new Int32Array(Math.max(need, 2 * this.entries.length));
      grown.set(this.entries);
      this.entries = grown;
    }
    return this.entries;
  }

  /** Logs that `slot` held `value` before the removal in progress wrote it. */
  save(slot: number, value: number): void {
    let e = this.entries;
    const n = this.n;
    if (2 * n + 2 > e.length) {
      const grown = new Int32Array(e.length * 2);
      grown.set(e);
      this.entries = e = grown;
    }
    e[2 * n] = slot;
    e[2 * n + 1] = value;
    this.n = n + 1;
  }

  /** Whether inserting `block` (`size` bytes) into tree `tree` now undoes the latest removal. */
  undoes(block: number, size: number, tree: number): boolean {
    if (this.depth === 0) return false;
    const f = this.frames;
    const i = (this.depth - 1) * FIELDS;
    return f[i + BLOCK] === block && f[i + AFTER] === this.state && f[i + SIZE] === size && f[i + TREE] === tree;
  }

  /** Whether `block` left the index in one of the logged removals (so no link may name it). */
  removed(block: number): boolean {
    for (let d = 0; d < this.depth; d++) if (this.frames[d * FIELDS + BLOCK] === block) return true;
    return false;
  }

  /**
   * Visits what the latest removal wrote (for a journal, journal.ts), oldest first: each slot with the value it held
   * before; `links` too: the removed block's own link words, which an undo of it writes (`undo`), with their values now.
   */
  latest(visit: (slot: number, value: number) => void, words: Int32Array, links: boolean): void {
    const i = (this.depth - 1) * FIELDS;
    const e = this.entries;
    for (let k = this.frames[i + START]!; k < this.n; k++) visit(e[2 * k]!, e[2 * k + 1]!);
    if (!links) return;
    const x = (this.frames[i + BLOCK]! >> 2) + LINK0;
    for (let k = 0; k < LINK_WORDS; k++) visit(x + k, words[x + k]!);
  }

  /**
   * Undoes the latest removal (undoes() said so): calls `write(slot, value)` for its log entries, latest first,
   * and goes back to the state before it.
   */
  undo(write: (slot: number, value: number) => void): void {
    const i = --this.depth * FIELDS;
    const start = this.frames[i + START]!;
    const e = this.entries;
    for (let k = this.n - 1; k >= start; k--) write(e[2 * k]!, e[2 * k + 1]!);
    const x = (this.frames[i + BLOCK]! >> 2) + LINK0;
    for (let k = 0; k < LINK_WORDS; k++) write(x + k, this.frames[i + LINKS + k]!);
    this.n = start;
    this.state = this.frames[i + BEFORE]!;
  }
}
