/**
 * What the size-keyed treaps (size-tree.ts, size-chain-tree.ts) have in common: one instance holds several
 * independent trees (one root and one count per tree, so segregated fit can keep one per size class), nodes
 * are free blocks whose link words 0 and 1 are the left and right child, and walks are iterative.
 *
 * Each subclass keeps its own insert / remove / search loops: they differ in what the key is (a copied size
 * and the address, or the header's size) and are the hot paths, so they stay straight-line code with no
 * callback or virtual call per node.
 *
 * A "slot" is where a child pointer lives: a word index into `words` (>= 0), or ~r for root r (< 0).
 */
import { LINK0, type StrategyHost } from "@dmm/core";
import { badLink, tooLong } from "./links.js";
import { Journal } from "./journal.js";
import { RemovalLog } from "./removal-log.js";

/** Link words 0 and 1 (layout.ts LINK0): the left and right child. */
const LEFT_WORD = LINK0;
const RIGHT_WORD = LINK0 + 1;
// Exported under their names for the trees; the code uses module-local consts, which V8 folds into the code (an
// exported or imported binding is read from its cell at every use, an imported function's checked at every call;
// the trees import them once into consts of their own for the same reason).
export const LEFT = LEFT_WORD;
export const RIGHT = RIGHT_WORD;

/**
 * A bijection on 32-bit integers (murmur3's fmix32): distinct inputs get distinct, well-mixed outputs, so a
 * treap prioritised by it is balanced in expectation and needs no priority word.
 */
export const mix32 = (x: number): number => {
  let h = x;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

export abstract class TreapForest {
  protected host!: StrategyHost;
  protected words: Int32Array = new Int32Array(0);
  /** Root block of each tree, 0 when empty. */
  readonly roots: Int32Array;
  /** Blocks in each tree. */
  readonly counts: Int32Array;
  /** Nodes visited by searches since the caller last reset it. */
  examined = 0;

  /** Every word a removal writes, so that putting the block back restores them exactly (removal-log.ts). */
  protected readonly log = new RemovalLog();

  /** Names the index in CORRUPTION messages, e.g. "size tree". */
  protected readonly label: string;
  /** The strategy's undo journal for the heap's two-step calls (journal.ts), shared with its other structures. */
  protected readonly journal: Journal;

  constructor(trees: number, label: string, journal = new Journal()) {
    this.roots = new Int32Array(trees);
    this.counts = new Int32Array(trees);
    this.label = label;
    this.journal = journal;
  }

  /**
   * The index's part of a two-step call begins (journal.ts): each insert and remove logs the words it writes and
   * its tree's root and count (journalTree), so opening the journal copies nothing; the caches are dropped on
   * rollback (an action made once).
   */
  begin(): void {
    this.journal.onRollback(this.afterRollback);
  }

  private readonly afterRollback = (): void => {
    this.log.changed();
    this.forget();
  };

  /** Logs tree `r`'s root and count, which the change about to be made may write. */
  protected journalTree(r: number): void {
    this.journal.element(this.roots, r);
    this.journal.element(this.counts, r);
  }

  /** Drops what a subclass remembers between calls (a search's answer, a vetting), after a rollback. */
  protected forget(): void {}

  /** Logs a slot a change will write: a word, or a root (~r). */
  private readonly journalSlot = (slot: number): void => {
    if (slot >= 0) this.journal.word(this.words, slot);
    else this.journal.element(this.roots, ~slot);
  };

  /** Logs a slot the removal just made wrote, with its value before (a removal log's entry). */
  private readonly journalWritten = (slot: number, value: number): void => {
    if (slot >= 0) this.journal.wordWas(slot, value);
    else this.journal.elementWas(this.roots, ~slot, value);
  };

  /**
   * Logs what the removal from tree `r` just made wrote, from its removal log (every word and root it wrote, with
   * the value before), and the count it took one from.
   */
  protected journalRemoval(r: number): void {
    this.log.latest(this.journalWritten, this.words, false);
    this.journal.elementWas(this.counts, r, this.counts[r]! + 1);
  }

  /**
   * Link `t`, read from `link` of block `from`: returned when it is 0 or names a free block, reported as CORRUPTION
   * otherwise. Every descent checks each child with this before it reads or writes the child's words.
   */
  protected checked(t: number, from: number, link: string): number {
    // links.ts isFreeAt, written out: TurboFan inlined neither host.isFreeBlock nor isFreeAt here (a call per link
    // checked, ~35 instructions per op on best fit's mixed trace). Keep the two in step.
    if (t !== 0 && ((t & 7) !== 0 || (this.host.marks[(t >>> 8) << 1]! & (1 << ((t >>> 3) & 31))) === 0 || (this.host.words[t >> 2]! & 1) !== 0)) {
      badLink(this.label, from, link, t);
    }
    return t;
  }

  /** A descent of tree `r` took more steps than the tree holds nodes: a cycle through smashed links. */
  protected tooDeep(r: number): never {
    tooLong(this.label, `a walk of tree ${r}`, this.counts[r]!);
  }

  attach(host: StrategyHost): void {
    this.host = host;
    this.words = host.words;
    this.roots.fill(0);
    this.counts.fill(0);
    this.examined = 0;
    this.log.changed();
  }

  private readonly writeSlot = (slot: number, block: number): void => this.setSlot(slot, block);

  protected setSlot(slot: number, block: number): void {
    if (slot < 0) this.roots[~slot] = block;
    else this.words[slot] = block;
  }

  /** setSlot for a removal: the slot's value before is logged. */
  protected logSet(slot: number, block: number): void {
    this.log.save(slot, slot < 0 ? this.roots[~slot]! : this.words[slot]!);
    if (slot < 0) this.roots[~slot] = block;
    else this.words[slot] = block;
  }

  /** Puts back the block the latest removal took out of tree `r`, every word as it was (log.undoes said so). */
  protected undoRemoval(r: number): void {
    this.words = this.host.words;
    if (this.journal.recording) {
      this.log.latest(this.journalSlot, this.words, true);
      this.journal.element(this.counts, r);
    }
    this.log.undo(this.writeSlot);
    this.counts[r]!++;
  }

  /** The leftmost (smallest-keyed) node of tree `r`, or 0; counts the nodes visited. */
  protected leftmost(r: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    if (t === 0) return 0;
    let seen = 1;
    for (let l = w[(t >> 2) + LEFT_WORD]!; l !== 0; l = w[(t >> 2) + LEFT_WORD]!) {
      t = this.checked(l, t, "left");
      if (++seen > this.counts[r]!) this.tooDeep(r);
    }
    this.examined += seen;
    return t;
  }

  /** The rightmost (largest-keyed) node of tree `r`, or 0; not counted (no search asks for it). */
  protected rightmost(r: number): number {
    const w = (this.words = this.host.words);
    let t = this.roots[r]!;
    if (t === 0) return 0;
    let seen = 1;
    for (let n = w[(t >> 2) + RIGHT_WORD]!; n !== 0; n = w[(t >> 2) + RIGHT_WORD]!) {
      t = this.checked(n, t, "right");
      if (++seen > this.counts[r]!) this.tooDeep(r);
    }
    return t;
  }

  /**
   * Visits the nodes of tree `r` in key order (an explicit stack, no recursion), throwing if the walk goes
   * deeper than the tree's count allows (a cycle, or links overwritten by a buffer overflow).
   */
  protected walkNodes(r: number, visit: (node: number) => void): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    const stack: number[] = [];
    let t = this.roots[r]!;
    let visited = 0;
    while (t !== 0 || stack.length > 0) {
      while (t !== 0) {
        if (stack.length + visited >= limit) this.tooDeep(r);
        stack.push(t);
        t = this.checked(w[(t >> 2) + LEFT_WORD]!, t, "left");
      }
      t = stack.pop()!;
      visited++;
      visit(t);
      t = this.checked(w[(t >> 2) + RIGHT_WORD]!, t, "right");
    }
  }
}
