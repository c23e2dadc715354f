/**
 * Size-keyed treaps with a chain of equal-size blocks hanging off each tree node, kept in the free blocks'
 * own link words — the shape of dlmalloc's tree bins. The tree holds one node per distinct size, so its depth
 * depends on how many distinct sizes a bin can hold (at most its width / 8), not on how many blocks it holds:
 * a bin of 512..639-byte blocks has at most 16 distinct sizes whether it holds 10 blocks or 10 000. Blocks of
 * a size already in the tree go on that node's chain in O(1) after the descent, and leave it in O(1).
 *
 *   tree node (first block of its size to arrive)     chain member (a later block of the same size)
 *     link 0 = left child  (smaller sizes)              link 0 = next member (0 ends the chain)
 *     link 1 = right child (larger sizes)               link 1 = previous member, or the tree node
 *     link 2 = first chain member, or 0                 link 2 = MEMBER (-1): not a tree node
 *
 * Priorities are a bijective hash of the size (mix32), not of the address, so a chain member can
 * replace its tree node in place when the node leaves (same key, same priority: the treap stays valid).
 * Searches return the chain's first member when there is one (the latest arrival, removable in O(1)), else
 * the node: ties among equal sizes go LIFO, with the size's first block served last, as in dlmalloc.
 *
 * One instance holds several independent trees (one per size class); roots, slots and walks: treap-forest.ts.
 */
import { blockSize, FLAG_MASK, LINK0 } from "@dmm/core";
import type { Journal } from "./journal.js";
import { badLink, misplaced, notIndexed, tooLong } from "./links.js";
import { LEFT as LEFT_LINK, RIGHT as RIGHT_LINK, TreapForest, mix32 as mixBinding } from "./treap-forest.js";

// Module-local copies: V8 folds a module's own consts into the code, but reads an imported binding from its cell
// at every use (and checks an imported function's at every call): the descents use these on every step.
const LEFT = LEFT_LINK;
const RIGHT = RIGHT_LINK;
const priority = mixBinding;

const CHAIN = LINK0 + 2; // link word 2 of a tree node
const NEXT = LINK0; // link words 0 and 1, as a chain member uses them
const PREV = LINK0 + 1;
const MEMBER_MARK = LINK0 + 2;
const SIZE_MASK = ~FLAG_MASK;
const MEMBER = -1;

export class SizeChainTrees extends TreapForest {
  /** Nodes the last slotOf walked (a removal's bound on its merge spine continues from there). */
  private slotSteps = 0;
  /** The insert validateInsert last passed, and the index's state (log.state) it passed in (-1: none). */
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
    this.vettedState = -1;
  }

  /** Adds `block` (of `size` bytes) to tree `r`. Every link it follows is checked before its first write. */
  insert(r: number, block: number, size: number): void {
    // Putting back the block the latest removal took out (the heap's rollback): its logged words, exactly.
    if (this.log.undoes(block, size, r)) {
      this.undoRemoval(r);
      return;
    }
    this.validateInsert(r, block, size, true);
    this.log.changed();
    const w = (this.words = this.host.words);
    if (this.journal.recording) this.journalInsert(r, block, size);
    const x = block >> 2;
    const p = priority(size);
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== 0) {
      const kt = w[t >> 2]! & SIZE_MASK;
      if (kt === size) {
        // Push onto the node's chain, right after the node.
        const first = w[(t >> 2) + CHAIN]!;
        w[x + NEXT] = first;
        w[x + PREV] = t;
        w[x + MEMBER_MARK] = MEMBER;
        if (first !== 0) w[(first >> 2) + PREV] = block;
        w[(t >> 2) + CHAIN] = block;
        this.counts[r]!++;
        return;
      }
      // A node of lower priority cannot have this size below it (its priority would be p > the node's).
      if (priority(kt) < p) break;
      slot = size < kt ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = w[slot]!;
    }
    this.setSlot(slot, block);
    w[x + CHAIN] = 0;
    let leftSlot = x + LEFT;
    let rightSlot = x + RIGHT;
    while (t !== 0) {
      if ((w[t >> 2]! & SIZE_MASK) < size) {
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
   * Checks, writing nothing, every link insert(r, block, size) follows: the search path for `size` down to the node
   * of that size (then the first link of its chain) or, when there is none, to a leaf. Each link must name a free
   * block whose size lies in the range the tree's order allows there, so a link overwritten with another free
   * block's address is caught too. Throws CORRUPTION where insert would.
   */
  validateInsert(r: number, block: number, size: number, inserting = false): void {
    // Vetted already, with the index unchanged since (the heap vets again after removals that may not touch it: a
    // small bin's, a neighbour's in another tree).
    if (this.vettedState === this.log.state && block === this.vettedBlock && size === this.vettedSize && r === this.vettedTree) return;
    const w = (this.words = this.host.words);
    this.vettedState = -1;
    let met = false;
    const limit = this.counts[r]!;
    let steps = 0;
    let lo = -1;
    let hi = 0x7fffffff;
    for (let t = this.roots[r]!, from = 0; t !== 0; ) {
      if (++steps > limit) this.tooDeep(r);
      const kt = w[t >> 2]! & SIZE_MASK;
      // A link to the block itself would close a cycle (a forged link, a double insert, a block just removed).
      const cycle = t === block && (inserting || this.log.removed(block));
      if (t === block) met = true;
      if (kt <= lo || kt >= hi || w[(t >> 2) + MEMBER_MARK] === MEMBER || cycle) misplaced(this.label, from, "child", t);
      if (kt === size) {
        if (this.firstMember(t) === block) {
          if (inserting || this.log.removed(block)) misplaced(this.label, t, "chain", block);
          met = true;
        }
        break;
      }
      from = t;
      if (kt < size) {
        lo = kt;
        t = this.checked(w[(t >> 2) + RIGHT]!, t, "right");
      } else {
        hi = kt;
        t = this.checked(w[(t >> 2) + LEFT]!, t, "left");
      }
    }
    // Not cached when the walk met the block itself: an insert (inserting) must reject that.
    this.vettedState = met ? -1 : this.log.state;
    this.vettedTree = r;
    this.vettedBlock = block;
    this.vettedSize = size;
  }

  /** Takes `block` out of tree `r`; throws if it is not there. Everything it follows is checked before it writes. */
  remove(r: number, block: number): void {
    const w = (this.words = this.host.words);
    const x = block >> 2;
    if (w[x + MEMBER_MARK] === MEMBER) {
      const prev = this.validateMember(block);
      const next = w[x + NEXT]!;
      this.log.removing(w, block, w[x]! & SIZE_MASK, r);
      this.logSet((prev >> 2) + (w[(prev >> 2) + MEMBER_MARK] === MEMBER ? NEXT : CHAIN), next);
      if (next !== 0) this.logSet((next >> 2) + PREV, prev);
      this.counts[r]!--;
      if (this.journal.recording) this.journalRemoval(r);
      return;
    }
    const slot = this.slotOf(r, block);
    this.validateNodeRemoval(r, block);
    // Every write logged (removal-log.ts).
    this.log.removing(w, block, w[x]! & SIZE_MASK, r);
    const first = w[x + CHAIN]!;
    if (first !== 0) {
      // The chain's first member takes the node's place: same size, same priority.
      const m = first >> 2;
      const rest = w[m + NEXT]!;
      this.logSet(m + LEFT, w[x + LEFT]!);
      this.logSet(m + RIGHT, w[x + RIGHT]!);
      this.logSet(m + CHAIN, rest);
      if (rest !== 0) this.logSet((rest >> 2) + PREV, first);
      this.logSet(slot, first);
    } else {
      let s = slot;
      let a = w[x + LEFT]!;
      let b = w[x + RIGHT]!;
      while (a !== 0 && b !== 0) {
        if (priority(w[a >> 2]! & SIZE_MASK) > priority(w[b >> 2]! & SIZE_MASK)) {
          this.logSet(s, a);
          s = (a >> 2) + RIGHT;
          a = w[s]!;
        } else {
          this.logSet(s, b);
          s = (b >> 2) + LEFT;
          b = w[s]!;
        }
      }
      this.logSet(s, a !== 0 ? a : b);
    }
    this.counts[r]!--;
    if (this.journal.recording) this.journalRemoval(r);
  }

  /**
   * Logs every word insert(r, block, size) can write, after its vetting: the block's link words and, down the
   * search path for its size, each node's children (the split re-links them) or, at the node of that size, its
   * chain word and its first member's back link (the push).
   */
  private journalInsert(r: number, block: number, size: number): void {
    const w = this.words;
    const j = this.journal;
    this.journalTree(r);
    for (let k = 0; k < 3; k++) j.word(w, (block >> 2) + LINK0 + k);
    for (let t = this.roots[r]!, steps = 0; t !== 0 && steps <= this.counts[r]!; steps++) {
      const x = t >> 2;
      const kt = w[x]! & SIZE_MASK;
      if (kt === size) {
        j.word(w, x + CHAIN);
        const first = w[x + CHAIN]!;
        if (first !== 0) j.word(w, (first >> 2) + PREV);
        return;
      }
      j.word(w, x + LEFT);
      j.word(w, x + RIGHT);
      t = size < kt ? w[x + LEFT]! : w[x + RIGHT]!;
    }
  }

  /** Checks, writing nothing, everything remove(r, block) follows; throws CORRUPTION where it would. */
  validateRemove(r: number, block: number): void {
    const w = (this.words = this.host.words);
    if (w[(block >> 2) + MEMBER_MARK] === MEMBER) {
      this.validateMember(block);
      return;
    }
    this.slotOf(r, block);
    this.validateNodeRemoval(r, block);
  }

  /** A chain member's links: both must name free blocks that link back to it. Returns its previous link. */
  private validateMember(block: number): number {
    const w = this.words;
    const x = block >> 2;
    const prev = w[x + PREV]!;
    const next = w[x + NEXT]!;
    if (!this.host.isFreeBlock(prev)) badLink(this.label, block, "previous", prev);
    const prevIsMember = w[(prev >> 2) + MEMBER_MARK] === MEMBER;
    if (w[(prev >> 2) + (prevIsMember ? NEXT : CHAIN)] !== block) badLink(this.label, block, "previous", prev);
    if (next !== 0 && (!this.host.isFreeBlock(next) || w[(next >> 2) + PREV] !== block)) badLink(this.label, block, "next", next);
    return prev;
  }

  /** The slot that points at the tree node `block` in tree `r`, every link checked; throws if it is not there. */
  private slotOf(r: number, block: number): number {
    const w = this.words;
    const size = w[block >> 2]! & SIZE_MASK;
    const limit = this.counts[r]!;
    let steps = 0;
    let slot = ~r;
    let t = this.roots[r]!;
    while (t !== block) {
      if (t === 0) notIndexed(this.label, block, `tree ${r}`);
      if (++steps > limit) this.tooDeep(r);
      slot = size < (w[t >> 2]! & SIZE_MASK) ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = this.checked(w[slot]!, t, "child");
    }
    this.slotSteps = steps;
    return slot;
  }

  /** What removing the tree node `block` follows: its chain's first two members, or its children's merge spine. */
  private validateNodeRemoval(r: number, block: number): void {
    const w = this.words;
    const x = block >> 2;
    const first = this.firstMember(block);
    if (first !== 0) {
      const rest = this.checked(w[(first >> 2) + NEXT]!, first, "next");
      if (rest !== 0 && w[(rest >> 2) + PREV] !== first) badLink(this.label, first, "next", rest);
      return;
    }
    const limit = this.counts[r]!;
    const size = w[x]! & SIZE_MASK;
    let steps = this.slotSteps;
    let a = this.checked(w[x + LEFT]!, block, "left");
    let b = this.checked(w[x + RIGHT]!, block, "right");
    if (a !== 0 && (w[a >> 2]! & SIZE_MASK) >= size) misplaced(this.label, block, "left", a);
    if (b !== 0 && (w[b >> 2]! & SIZE_MASK) <= size) misplaced(this.label, block, "right", b);
    // The inner spines to their ends: the merge runs along them, a later insert of a size between them down the
    // longer one (address-tree.ts validateSpine). Sizes rise along the left one and fall along the right one, all
    // on their side of `block`'s: so the spines share no node and the merge cannot close a cycle.
    while (a !== 0 || b !== 0) {
      if (++steps > limit) this.tooDeep(r);
      if (b === 0 || (a !== 0 && priority(w[a >> 2]! & SIZE_MASK) > priority(w[b >> 2]! & SIZE_MASK))) {
        const n = this.checked(w[(a >> 2) + RIGHT]!, a, "right");
        if (n !== 0 && ((w[n >> 2]! & SIZE_MASK) <= (w[a >> 2]! & SIZE_MASK) || (w[n >> 2]! & SIZE_MASK) >= size)) misplaced(this.label, a, "right", n);
        a = n;
      } else {
        const n = this.checked(w[(b >> 2) + LEFT]!, b, "left");
        if (n !== 0 && ((w[n >> 2]! & SIZE_MASK) >= (w[b >> 2]! & SIZE_MASK) || (w[n >> 2]! & SIZE_MASK) <= size)) misplaced(this.label, b, "left", n);
        b = n;
      }
    }
  }

  /** Serve from node t: its chain's first member if any, else t itself. */
  private pick(t: number): number {
    const first = this.firstMember(t);
    return first !== 0 ? first : t;
  }

  /**
   * The first member of node t's chain (0: none), checked: a free block marked as a member, of t's size, whose
   * previous link leads back to t — so a chain link overwritten with another free block's address is caught.
   */
  private firstMember(t: number): number {
    const w = this.words;
    const first = this.checked(w[(t >> 2) + CHAIN]!, t, "chain");
    if (first !== 0 && (w[(first >> 2) + MEMBER_MARK] !== MEMBER || w[(first >> 2) + PREV] !== t || (w[first >> 2]! & SIZE_MASK) !== (w[t >> 2]! & SIZE_MASK))) {
      badLink(this.label, t, "chain", first);
    }
    return first;
  }

  /** A block of the smallest size >= `size` in tree `r`, or 0. */
  lowerBound(r: number, size: number): number {
    const w = (this.words = this.host.words);
    const limit = this.counts[r]!;
    let t = this.roots[r]!;
    let best = 0;
    let seen = 0;
    while (t !== 0) {
      if (++seen > limit) this.tooDeep(r);
      if ((w[t >> 2]! & SIZE_MASK) >= size) {
        best = t;
        t = this.checked(w[(t >> 2) + LEFT]!, t, "left");
      } else {
        t = this.checked(w[(t >> 2) + RIGHT]!, t, "right");
      }
    }
    this.examined += seen;
    return best === 0 ? 0 : this.pick(best);
  }

  /** A block of the smallest size in tree `r`, or 0. */
  first(r: number): number {
    const t = this.leftmost(r);
    return t === 0 ? 0 : this.pick(t);
  }

  /** The largest size in tree `r`, or 0. */
  largestSize(r: number): number {
    const t = this.rightmost(r);
    return t === 0 ? 0 : this.words[t >> 2]! & SIZE_MASK;
  }

  /** Visits tree `r`: nodes in size order, each followed by its chain. */
  forEach(r: number, visit: (block: number) => void): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    let seen = 0;
    this.walkNodes(r, (t) => {
      visit(t);
      for (let m = this.checked(w[(t >> 2) + CHAIN]!, t, "chain"); m !== 0; m = this.checked(w[(m >> 2) + NEXT]!, m, "next")) {
        if (++seen > limit) tooLong(this.label, `a chain of tree ${r}`, limit);
        visit(m);
      }
    });
  }

  /**
   * Tree `r`: node sizes strictly increase in order, priorities form a heap, node sizes lie in
   * [minSize, maxSize], every chain member has its node's size and consistent links, and the count matches.
   */
  check(r: number, minSize = 0, maxSize = Infinity): void {
    const w = this.host.words;
    const limit = this.counts[r]!;
    let count = 0;
    let prevSize = -1;
    this.walkNodes(r, (t) => {
      if (++count > limit) throw new Error(`size tree ${r} holds more blocks than the ${limit} it counted`);
      if (w[(t >> 2) + MEMBER_MARK] === MEMBER) throw new Error(`block ${t} is marked as a chain member but sits in the tree`);
      const l = w[(t >> 2) + LEFT]!;
      const rt = w[(t >> 2) + RIGHT]!;
      const pt = priority(blockSize(w, t));
      if ((l !== 0 && priority(blockSize(w, l)) > pt) || (rt !== 0 && priority(blockSize(w, rt)) > pt)) {
        throw new Error(`block ${t} breaks the treap's priority order`);
      }
      const size = blockSize(w, t);
      if (size < minSize || size > maxSize) throw new Error(`block size ${size} indexed in wrong list (bin holds ${minSize}..${maxSize})`);
      if (size <= prevSize) throw new Error(`block ${t} (size ${size}) is out of size order`);
      prevSize = size;
      let prev = t;
      for (let m = this.checked(w[(t >> 2) + CHAIN]!, t, "chain"); m !== 0; m = this.checked(w[(m >> 2) + NEXT]!, m, "next")) {
        if (++count > limit) throw new Error(`size tree ${r} holds more blocks than the ${limit} it counted`);
        if (w[(m >> 2) + MEMBER_MARK] !== MEMBER) throw new Error(`block ${m} on the chain of ${t} is not marked as a member`);
        if (w[(m >> 2) + PREV] !== prev) throw new Error(`block ${m}: previous link disagrees with the chain of ${t}`);
        if (blockSize(w, m) !== size) throw new Error(`block ${m} of size ${blockSize(w, m)} is chained under size ${size}`);
        prev = m;
      }
    });
    if (count !== limit) throw new Error(`size tree ${r} counted ${limit} blocks but holds ${count}`);
  }
}
