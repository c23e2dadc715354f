/**
 * Size-ordered treaps of free blocks, kept in the free blocks' own link words (no JS objects). The key is the
 * pair (size, address), so equal sizes are ordered by address and every key is unique: the leftmost node of
 * size >= n is the smallest block that fits and, among blocks of that size, the lowest-addressed one. That
 * is exactly best fit's decision; worst fit asks for the lowest address among the largest size.
 *
 * Link words: 0 = left child, 1 = right child, 2 = the key's size, copied at insert so that removal and the
 * checker do not depend on a header a buffer overflow might have overwritten (check() compares the two).
 * Priorities are a bijective hash of the address (mix32), so the treap is balanced in expectation and needs
 * no priority word. Insert and remove are iterative (split / merge with "slots", see treap-forest.ts): no
 * recursion and no allocation per operation.
 *
 * The core removes the block a search found right after the search; a search therefore remembers the slot
 * that points at its answer, and that removal skips its descent (one root-to-leaf walk, i.e. a dozen or more
 * cache misses in a large heap, saved per malloc). Any other insert or remove forgets the slot.
 */
import { blockSize, FLAG_MASK, LINK0 } from "@dmm/core";
import type { Journal } from "./journal.js";
import { misplaced, notIndexed } from "./links.js";
import { LEFT as LEFT_LINK, RIGHT as RIGHT_LINK, TreapForest, mix32 as mixBinding } from "./treap-forest.js";

// Module-local copies: V8 folds a module's own consts into the code, but reads an imported binding from its cell
// at every use (and checks an imported function's at every call): the descents use these on every step.
const LEFT = LEFT_LINK;
const RIGHT = RIGHT_LINK;
const mix32 = mixBinding;
const SIZE_MASK = ~FLAG_MASK;

/** Link word 2: the size key. */
const KEY = LINK0 + 2;

/** Whether key (size1, block1) comes before (size2, block2) in the tree's order. */
function precedes(size1: number, block1: number, size2: number, block2: number): boolean {
  return size1 < size2 || (size1 === size2 && block1 < block2);
}

export class SizeTrees extends TreapForest {
  /** The block the last search returned and the slot pointing at it (found = 0: none remembered). */
  private found = 0;
  private foundSlot = 0;
  /** Nodes the last slotOf walked (remove's bound on its merge spine continues from there). */
  private slotSteps = 0;
  /** The key validateInsert last passed, and the index's state (log.state) it passed in. */
  private vettedState = -1;
  private vettedTree = 0;
  private vettedBlock = 0;
  private vettedSize = 0;

  constructor(trees = 1, label = "size tree", journal?: Journal) {
    super(trees, label, journal);
  }

  override attach(host: Parameters<TreapForest["attach"]>[0]): void {
    super.attach(host);
    this.forget();
  }

  protected override forget(): void {
    this.found = 0;
    this.vettedState = -1;
  }

  /** The size key a node was inserted with. */
  keyOf(block: number): number {
    return this.host.words[(block >> 2) + KEY]!;
  }

  /** Adds `block` (of `size` bytes) to tree `r`. Every link it follows is checked before its first write. */
  insert(r: number, block: number, size: number): void {
    this.found = 0;
    // Putting back the block the latest removal took out (the heap's rollback): its logged words, exactly.
    if (this.log.undoes(block, size, r)) {
      this.undoRemoval(r);
      return;
    }
    // The heap often vets an insert just before it makes it: with the index unchanged since (same state), the
    // path checked is the path this insert walks, and validateInsert returns at once.
    this.validateInsert(r, block, size, true);
    this.log.changed();
    const w = (this.words = this.host.words);
    if (this.journal.recording) this.journalInsert(r, block, size);
    const x = block >> 2;
    const p = mix32(block);
    // Descend to the first node of lower priority: x takes its place and that subtree is split around x.
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== 0 && mix32(t) > p) {
      const kt = w[(t >> 2) + KEY]!;
      slot = size < kt || (size === kt && block < t) ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = w[slot]!;
    }
    w[x + KEY] = size;
    this.setSlot(slot, block);
    let leftSlot = x + LEFT; // where the next node smaller than x hangs
    let rightSlot = x + RIGHT; // where the next node larger than x hangs
    while (t !== 0) {
      const kt = w[(t >> 2) + KEY]!;
      if (kt < size || (kt === size && t < block)) {
        w[leftSlot] = t;
        leftSlot = (t >> 2) + RIGHT;
        t = w[leftSlot]!;
      } else {
        w[rightSlot] = t;
        rightSlot = (t >> 2) + LEFT;
        t = w[rightSlot]!;
      }
    }
    w[leftSlot] = 0;
    w[rightSlot] = 0;
    this.counts[r]!++;
  }

  /**
   * Checks, writing nothing, every link insert(r, block, size) follows: the search path for the key (size, block)
   * from the root to a leaf (the insert's descent and its split spine both lie on it). Each link must name a free
   * block whose key lies in the range the tree's order allows there, so a link overwritten with another free
   * block's address is caught too. Throws CORRUPTION where insert would.
   */
  validateInsert(r: number, block: number, size: number, inserting = false): void {
    // Vetted already, with the index unchanged since (the heap vets again after removals that may not touch it).
    if (this.vettedState === this.log.state && block === this.vettedBlock && size === this.vettedSize && r === this.vettedTree) return;
    const w = (this.words = this.host.words);
    this.vettedState = -1;
    const limit = this.counts[r]!;
    let steps = 0;
    let loKey = -1;
    let loAt = -1;
    let hiKey = 0x7fffffff;
    let hiAt = 0x7fffffff;
    let met = false;
    for (let t = this.roots[r]!, from = 0; t !== 0; ) {
      if (++steps > limit) this.tooDeep(r);
      const kt = w[(t >> 2) + KEY]!;
      if (kt < loKey || (kt === loKey && t <= loAt) || kt > hiKey || (kt === hiKey && t >= hiAt)) misplaced(this.label, from, "child", t);
      // Inserting a block the tree already links to would close a cycle (a forged link to it, or a double insert):
      // so would a link to a block just removed. A vetting before the block leaves (inserting false) may meet it.
      if (t === block) {
        if (inserting || this.log.removed(block)) misplaced(this.label, from, "child", t);
        met = true;
      }
      from = t;
      if (kt < size || (kt === size && t < block)) {
        loKey = kt;
        loAt = t;
        t = this.checked(w[(t >> 2) + RIGHT]!, t, "right");
      } else {
        hiKey = kt;
        hiAt = t;
        t = this.checked(w[(t >> 2) + LEFT]!, t, "left");
      }
    }
    this.vettedState = met ? -1 : this.log.state;
    this.vettedTree = r;
    this.vettedBlock = block;
    this.vettedSize = size;
  }

  /** Takes `block` out of tree `r`; throws if it is not there. Everything it follows is checked before it writes. */
  remove(r: number, block: number): void {
    const w = (this.words = this.host.words);
    let slot = this.foundSlot;
    let steps = 0;
    if (block !== this.found || (slot < 0 ? this.roots[~slot] : w[slot]) !== block) {
      slot = this.slotOf(r, block);
      steps = this.slotSteps;
    }
    this.found = 0;
    this.validateSpine(r, block, steps);
    // Merge the two children into the vacated slot, higher priority on top; every write logged.
    this.log.removing(w, block, w[block >> 2]! & SIZE_MASK, r);
    let a = w[(block >> 2) + LEFT]!;
    let b = w[(block >> 2) + RIGHT]!;
    while (a !== 0 && b !== 0) {
      if (mix32(a) > mix32(b)) {
        this.logSet(slot, a);
        slot = (a >> 2) + RIGHT;
        a = w[slot]!;
      } else {
        this.logSet(slot, b);
        slot = (b >> 2) + LEFT;
        b = w[slot]!;
      }
    }
    this.logSet(slot, a !== 0 ? a : b);
    this.counts[r]!--;
    if (this.journal.recording) this.journalRemoval(r);
  }

  /**
   * Logs every word insert(r, block, size) can write, after its vetting: the block's link words and the children
   * of each node on the search path for its key (the split re-links them).
   */
  private journalInsert(r: number, block: number, size: number): void {
    const w = this.words;
    const j = this.journal;
    this.journalTree(r);
    for (let k = 0; k < 3; k++) j.word(w, (block >> 2) + LEFT + k);
    for (let t = this.roots[r]!, steps = 0; t !== 0 && steps <= this.counts[r]!; steps++) {
      const x = t >> 2;
      j.word(w, x + LEFT);
      j.word(w, x + RIGHT);
      const kt = w[x + KEY]!;
      t = size < kt || (size === kt && block < t) ? w[x + LEFT]! : w[x + RIGHT]!;
    }
  }

  /** Checks, writing nothing, what remove(r, block) follows: the path to it and its children's merge spine. */
  validateRemove(r: number, block: number): void {
    this.words = this.host.words;
    this.slotOf(r, block);
    this.validateSpine(r, block, this.slotSteps);
  }

  /** The slot that points at `block` in tree `r`, found by its size key with every link checked; throws if absent. */
  private slotOf(r: number, block: number): number {
    const w = this.words;
    const limit = this.counts[r]!;
    const size = w[(block >> 2) + KEY]!;
    let steps = 0;
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== block) {
      if (t === 0) notIndexed(this.label, block, `tree ${r}`);
      if (++steps > limit) this.tooDeep(r);
      const kt = w[(t >> 2) + KEY]!;
      slot = size < kt || (size === kt && block < t) ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = this.checked(w[slot]!, t, "child");
    }
    this.slotSteps = steps;
    return slot;
  }

  /**
   * The inner spines of `block`'s two subtrees (the left one's right spine, the right one's left spine), every link
   * checked to their ends (`steps`: nodes walked so far): remove merges along them, and a later insert whose key
   * falls where `block` was runs on down the longer one (address-tree.ts validateSpine). The left spine's keys must
   * rise and stay below `block`'s, the right one's fall and stay above it: so the two spines share no node and
   * neither leads back to `block`, and the merge, which writes the links it then follows, cannot close a cycle.
   */
  private validateSpine(r: number, block: number, steps: number): void {
    const w = this.words;
    const limit = this.counts[r]!;
    const key = w[(block >> 2) + KEY]!;
    let a = this.checked(w[(block >> 2) + LEFT]!, block, "left");
    let b = this.checked(w[(block >> 2) + RIGHT]!, block, "right");
    if (a !== 0 && !precedes(w[(a >> 2) + KEY]!, a, key, block)) misplaced(this.label, block, "left", a);
    if (b !== 0 && !precedes(key, block, w[(b >> 2) + KEY]!, b)) misplaced(this.label, block, "right", b);
    while (a !== 0 || b !== 0) {
      if (++steps > limit) this.tooDeep(r);
      if (b === 0 || (a !== 0 && mix32(a) > mix32(b))) {
        const n = this.checked(w[(a >> 2) + RIGHT]!, a, "right");
        if (n !== 0 && (!precedes(w[(a >> 2) + KEY]!, a, w[(n >> 2) + KEY]!, n) || !precedes(w[(n >> 2) + KEY]!, n, key, block))) misplaced(this.label, a, "right", n);
        a = n;
      } else {
        const n = this.checked(w[(b >> 2) + LEFT]!, b, "left");
        if (n !== 0 && (!precedes(w[(n >> 2) + KEY]!, n, w[(b >> 2) + KEY]!, b) || !precedes(key, block, w[(n >> 2) + KEY]!, n))) misplaced(this.label, b, "left", n);
        b = n;
      }
    }
  }

  /** The smallest block of at least `size` bytes in tree `r` (lowest address among equals), or 0. */
  lowerBound(r: number, size: number): number {
    return this.lowerBoundBelow(r, ~r, size, 0, 0);
  }

  /**
   * The lowest-addressed block among the largest size in tree `r`, or 0. One descent: walking the right
   * spine finds the largest size S, and the first spine node of size S heads a subtree holding every block
   * of size S (those at lower addresses are in its left subtree), so the search for the lowest one starts
   * there rather than at the root.
   */
  lowestOfLargest(r: number): number {
    const w = (this.words = this.host.words);
    let slot = ~r;
    let t = this.roots[r]!;
    if (t === 0) return 0;
    let head = t;
    let headSlot = slot;
    let headKey = w[(t >> 2) + KEY]!;
    let seen = 1;
    for (;;) {
      const s = (t >> 2) + RIGHT;
      const n = this.checked(w[s]!, t, "right");
      if (n === 0) break;
      if (++seen > this.counts[r]!) this.tooDeep(r);
      const kn = w[(n >> 2) + KEY]!;
      if (kn !== headKey) {
        head = n;
        headSlot = s;
        headKey = kn;
      }
      slot = s;
      t = n;
    }
    this.examined += seen;
    return this.lowerBoundBelow(r, (head >> 2) + LEFT, headKey, head, headSlot);
  }

  /**
   * Lower bound of `size` in the subtree hanging from `slot`, falling back to `best` (held in `bestSlot`)
   * when nothing there is large enough; remembers the answer's slot for the removal that follows.
   */
  private lowerBoundBelow(r: number, slot: number, size: number, best: number, bestSlot: number): number {
    const w = (this.words = this.host.words);
    const limit = this.counts[r]!;
    let t = slot < 0 ? this.roots[~slot]! : this.checked(w[slot]!, best, "left");
    let seen = 0;
    while (t !== 0) {
      if (++seen > limit) this.tooDeep(r);
      const from = t;
      if (w[(t >> 2) + KEY]! >= size) {
        best = t;
        bestSlot = slot;
        slot = (t >> 2) + LEFT;
      } else {
        slot = (t >> 2) + RIGHT;
      }
      t = this.checked(w[slot]!, from, "child");
    }
    this.examined += seen;
    this.found = best;
    this.foundSlot = bestSlot;
    return best;
  }

  /** The smallest block of tree `r` (lowest address among equals), or 0. */
  first(r: number): number {
    return this.leftmost(r);
  }

  /** The largest size in tree `r`, or 0. */
  largestKey(r: number): number {
    const t = this.rightmost(r);
    return t === 0 ? 0 : this.words[(t >> 2) + KEY]!;
  }

  /** Visits tree `r` in key order. */
  forEach(r: number, visit: (block: number) => void): void {
    this.walkNodes(r, visit);
  }

  /**
   * Tree `r`: keys strictly increase in order, priorities form a heap, every key equals its block's header
   * size and lies in [minSize, maxSize], and the node count matches.
   */
  check(r: number, minSize = 0, maxSize = Infinity): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    let count = 0;
    let prevKey = -1;
    let prev = -1;
    this.walkNodes(r, (t) => {
      if (++count > limit) throw new Error(`size tree ${r} holds more nodes than the ${limit} it counted`);
      const l = w[(t >> 2) + LEFT]!;
      const rt = w[(t >> 2) + RIGHT]!;
      if ((l !== 0 && mix32(l) > mix32(t)) || (rt !== 0 && mix32(rt) > mix32(t))) {
        throw new Error(`block ${t} breaks the treap's priority order`);
      }
      const key = w[(t >> 2) + KEY]!;
      if (key !== blockSize(w, t)) throw new Error(`block ${t} is filed under size ${key} but its header says ${blockSize(w, t)}`);
      if (key < minSize || key > maxSize) throw new Error(`block size ${key} indexed in wrong list (bin holds ${minSize}..${maxSize})`);
      if (key < prevKey || (key === prevKey && t <= prev)) throw new Error(`block ${t} is out of (size, address) order`);
      prevKey = key;
      prev = t;
    });
    if (count !== limit) throw new Error(`size tree ${r} counted ${limit} nodes but holds ${count}`);
  }
}
