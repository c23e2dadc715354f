/**
 * An address-ordered treap of free blocks, augmented with the largest block size in each subtree, kept in
 * the free blocks' own link words (no JS objects). It answers "the lowest-address free block of at least n
 * bytes, at or after address a" in O(log n): descend left while the left subtree's largest block fits.
 * First fit and next fit are both this query; a plain list would scan every smaller block below the fit.
 *
 * Link words: 0 = left child, 1 = right child, 2 = largest block size in the subtree (this block included).
 * Priorities are a hash of the address (a treap with random-looking but reproducible shape), so nothing
 * else needs storing.
 */
import { blockSize, FLAG_MASK, LINK0, type StrategyHost } from "@dmm/core";
import { badLink, misplaced, notIndexed, tooLong } from "./links.js";
import { Journal } from "./journal.js";
import { RemovalLog } from "./removal-log.js";

/** Link words (layout.ts LINK0): 0 = left child, 1 = right child, 2 = the subtree's largest block size. */
const LEFT = LINK0;
const RIGHT = LINK0 + 1;
const MAX = LINK0 + 2;
const SIZE_MASK = ~FLAG_MASK;
const LABEL = "address tree";

/** Priority of a block: a multiplicative hash of its address (Knuth), so the treap is balanced in expectation. */
function priority(block: number): number {
  return Math.imul(block, 0x9e3779b1) >>> 0;
}

export class AddressTree {
  private host!: StrategyHost;
  /** The host's words and block map, read from it at each operation (both are replaced when the heap grows). */
  private words!: Int32Array;
  private marks!: Int32Array;
  root = 0;
  size = 0;
  /** Nodes visited by the most recent search. */
  examined = 0;
  /**
   * Scratch stack of nodes whose subtree changed (insert's split spines, remove's path and merge spine), in
   * visiting order: each node's new children are visited after it, so the reverse order is bottom-up. A search
   * leaves its root-to-answer path here too, for the remove that follows it. Longer than the tree has nodes
   * (insert grows it), so no walk checks its length: each is bounded by the node count before it pushes.
   */
  private touched = new Int32Array(64);
  /**
   * The block the last search returned (0: none) and the length of its path in `touched`, root first: the
   * core removes that block right after the search, and the removal reuses the path instead of descending
   * again. Any insert or remove forgets it.
   */
  private found = 0;
  private foundDepth = 0;
  /** The size the search that found `found` asked for (see predicted). */
  private foundNeed = 0;
  /**
   * A malloc's split, predicted by the removal of the block its search just found (state `predState`, -1: none):
   * the heap's next call vets the remainder's insert at `predBlock + predNeed` (or at `predBlock`, carved at the
   * high end), or a merging free's, by the removal of a neighbour its vetting walked past: the heap vets the merged
   * block's insert at `predBlock` (predNeed 0) again. That insert follows the removed block's search path and the
   * merge spine the removal just walked and checked in full (ranges included), so the vetting has nothing left to
   * check. One call only: any other call forgets it, so it never outlives the operation (user code runs only
   * between operations).
   */
  private predState = -1;
  private predBlock = 0;
  private predNeed = 0;
  /**
   * The prediction's interval: the removal's block's neighbours in address order that remain indexed (its range on
   * its path, narrowed by the last nodes of its two spines). An address strictly inside has exactly the search
   * path the removal left, which it checked.
   */
  private predLo = 0;
  private predHi = 0;
  /**
   * A checked search path held in `touched` (root first, `pathLength` nodes, state `pathState`; -1: none), and the
   * free block the heap is about to make, [pathAt, pathEnd): a merging free vets the insert of the merged block
   * (validateInsert(at, size)), then removes the free neighbours inside it, each of which lies on the path the
   * vetting walked (a block's address neighbours in the tree lie on its search path). So each removal takes its
   * path from the vetting instead of descending again, and after it the path its merge spine left (checked in
   * full) serves the vetting that follows and the second neighbour's removal. Only a removal of a block inside
   * [pathAt, pathEnd) takes it, so a path can serve only the operation that vetted it: the heap makes no such
   * removal without vetting first (any other call drops the path, and every insert or removal changes the state).
   */
  private pathState = -1;
  private pathLength = 0;
  private pathAt = 0;
  private pathEnd = 0;
  /** The last nodes of the spines validateSpine walked (0: that subtree is empty). */
  private spineLeft = 0;
  private spineRight = 0;
  /** Every word a removal writes, so that putting the block back restores them exactly (removal-log.ts). */
  private readonly log = new RemovalLog();
  /** The block validateInsert last passed, and the index's state (log.state) it passed in. */
  private vettedState = -1;
  private vettedBlock = 0;
  /** The strategy's undo journal for the heap's two-step calls (journal.ts), shared with its other structures. */
  private readonly journal: Journal;

  constructor(journal = new Journal()) {
    this.journal = journal;
  }

  attach(host: StrategyHost): void {
    this.host = host;
    this.words = host.words;
    this.marks = host.marks;
    this.root = 0;
    this.size = 0;
    this.found = 0;
    this.predState = -1;
    this.pathState = -1;
    this.log.changed();
  }

  /** The last search is not followed by its removal (a rejected malloc, Strategy.unfind): its path is dropped. */
  forget(): void {
    this.found = 0;
    this.predState = -1;
    this.pathState = -1;
  }

  /** Link `t`, read from `link` of block `from`: returned when it is 0 or names a free block, else CORRUPTION. */
  private checked(t: number, from: number, link: string): number {
    // links.ts isFreeAt, written out (treap-forest.ts checked says why). Keep the two in step.
    if (t !== 0 && ((t & 7) !== 0 || (this.marks[(t >>> 8) << 1]! & (1 << ((t >>> 3) & 31))) === 0 || (this.words[t >> 2]! & 1) !== 0)) {
      badLink(LABEL, from, link, t);
    }
    return t;
  }

  /** Recomputes the subtree maximum of t from its own size and its children's maxima. */
  private update(t: number): void {
    const w = this.words;
    const i = t >> 2;
    let m = w[i]! & SIZE_MASK;
    const l = w[i + LEFT]!;
    const r = w[i + RIGHT]!;
    if (l !== 0 && w[(l >> 2) + MAX]! > m) m = w[(l >> 2) + MAX]!;
    if (r !== 0 && w[(r >> 2) + MAX]! > m) m = w[(r >> 2) + MAX]!;
    w[i + MAX] = m;
  }

  /** Reads the host's words and block map for an operation. */
  private bind(): Int32Array {
    this.marks = this.host.marks;
    return (this.words = this.host.words);
  }

  /** Keeps `touched` longer than the tree has nodes, for one more (see touched). */
  private reserve(): void {
    if (this.size + 2 > this.touched.length) {
      const grown = new Int32Array(2 * (this.size + 2));
      grown.set(this.touched);
      this.touched = grown;
    }
  }

  private setSlot(slot: number, block: number): void {
    if (slot < 0) this.root = block;
    else this.words[slot] = block;
  }


  /**
   * Iterative treap insert. Going down, every ancestor's maximum can only grow to include the new size, so it
   * is raised in passing (no child reads). Where x's priority wins, the subtree is split around x's address;
   * only the nodes on the two split spines lose part of their subtree and are recomputed, bottom-up.
   */
  insert(block: number): void {
    const w = this.bind();
    this.found = 0;
    this.pathState = -1;
    this.reserve();
    const x = block >> 2;
    const size = w[x]! & SIZE_MASK;
    // Putting back the block the latest removal took out (the heap's rollback): its logged words, exactly.
    if (this.log.undoes(block, size, 0)) {
      this.predState = -1;
      if (this.journal.recording) this.log.latest(this.journalSlot, w, true);
      this.log.undo(this.writeSlot);
      this.size++;
      return;
    }
    const p = priority(block);
    // Every node on the way is checked before it is written (the maxima raised in passing too): the walk first,
    // then the writes, so a smashed link is reported with the tree unchanged. The heap often vets an insert just
    // before it makes it: with the index unchanged since (same state), that walk is this one and is not repeated.
    this.validateInsert(block, 0, true);
    this.predState = -1;
    if (this.journal.recording) this.journalInsert(block);
    this.log.changed();
    let slot = -1; // the root
    let t = this.root;
    while (t !== 0 && priority(t) > p) {
      if (w[(t >> 2) + MAX]! < size) w[(t >> 2) + MAX] = size;
      slot = block < t ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
      t = w[slot]!;
    }
    this.setSlot(slot, block);
    const touched = this.touched;
    let n = 0;
    let leftSlot = x + LEFT;
    let rightSlot = x + RIGHT;
    while (t !== 0) {
      touched[n++] = t;
      if (t < block) {
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
    while (n > 0) this.update(touched[--n]!);
    this.update(block);
    this.size++;
  }

  /** Whether insert(block) now puts back the block the latest removal took out, exactly (removal-log.ts). */
  undoes(block: number): boolean {
    return this.log.undoes(block, this.host.words[block >> 2]! & SIZE_MASK, 0);
  }

  /**
   * Checks, writing nothing, every link insert(block) follows: the search path from the root to a leaf (the
   * insert's descent and its split spines both lie on it). Each link must name a free block whose address lies
   * in the range the tree's order allows there, so a link overwritten with another free block's address is
   * caught too. Throws CORRUPTION where insert would.
   */
  validateInsert(block: number, size = 0, inserting = false): void {
    // Vetted already, with the index unchanged since (the heap vets again after removals that may not touch it).
    if (this.vettedState === this.log.state && block === this.vettedBlock) return;
    if (this.predState !== -1) {
      // The split or the merge the removal just made predicted (see predState): its path is checked.
      const predicted =
        this.predState === this.log.state &&
        (block === this.predBlock + this.predNeed || block === this.predBlock) &&
        block > this.predLo &&
        block < this.predHi;
      this.predState = -1;
      if (predicted) {
        this.vettedState = this.log.state;
        this.vettedBlock = block;
        return;
      }
    }
    const w = this.bind();
    const marks = this.marks;
    const touched = this.touched;
    this.vettedState = -1;
    this.pathState = -1;
    this.found = 0; // the walk writes its path where the search left its own
    // The loop only breaks at damage and the errors are raised after it: with no call inside, TurboFan keeps the
    // arrays' pointers and lengths in registers (the calls in the loop cost ~3x the instructions per node).
    const limit = this.size;
    let steps = 0;
    let lo = 0;
    let hi = 0x7fffffff;
    let met = 0;
    let fault = 0;
    let from = 0;
    let t = this.root;
    while (t !== 0) {
      if (++steps > limit) {
        fault = 1;
        break;
      }
      if (t <= lo || t >= hi) {
        fault = 2;
        break;
      }
      touched[steps - 1] = t;
      if (t === block) met = from;
      from = t;
      if (block < t) {
        hi = t;
        t = w[(t >> 2) + LEFT]!;
      } else {
        lo = t;
        t = w[(t >> 2) + RIGHT]!;
      }
      // checked(), written out.
      if (t !== 0 && ((t & 7) !== 0 || (marks[(t >>> 8) << 1]! & (1 << ((t >>> 3) & 31))) === 0 || (w[t >> 2]! & 1) !== 0)) {
        fault = 3;
        break;
      }
    }
    // Inserting a block the tree already links to would close a cycle (a forged link to it, or a double insert):
    // so would a link to a block just removed. A vetting before the block leaves (inserting false) may meet it.
    if (met !== 0 || (block === this.root && block !== 0)) {
      if (inserting || this.log.removed(block)) misplaced(LABEL, met, "child", block);
    }
    if (fault === 1) tooLong(LABEL, "an insert", limit);
    if (fault === 2) misplaced(LABEL, from, "child", t);
    if (fault === 3) badLink(LABEL, from, block < from ? "left" : "right", t);
    if (size > 0) {
      this.pathState = this.log.state;
      this.pathLength = steps;
      this.pathAt = block;
      this.pathEnd = block + size;
    }
    if (met === 0 && block !== this.root) {
      this.vettedState = this.log.state;
      this.vettedBlock = block;
    }
  }

  /** Checks, writing nothing, what remove(block) follows: the path to it and its children's merge spine. */
  validateRemove(block: number): void {
    const w = this.bind();
    this.predState = -1;
    this.pathState = -1;
    let steps = 0;
    for (let t = this.root; t !== block; t = this.checked(w[(t >> 2) + (block < t ? LEFT : RIGHT)]!, t, "child")) {
      if (t === 0) notIndexed(LABEL, block, "the address tree");
      if (++steps > this.size) tooLong(LABEL, "a removal", this.size);
    }
    this.validateSpine(block, steps, 0, 0x7fffffff);
  }

  /**
   * The inner spines of `block`'s two subtrees (the left one's right spine, the right one's left spine), checked
   * to their ends before remove writes (`steps`: the path walked so far). remove merges along them; walking them
   * to the end also covers the path a later insert at `block`'s address takes through the merged subtree, which
   * runs on down the longer spine. The left spine's addresses must rise and stay below `block`, the right one's
   * fall and stay above it: so the spines share no node and neither leads back to `block`, and the merge, which
   * writes the links it then follows, cannot close a cycle (a link forged to name another free block).
   */
  private validateSpine(block: number, steps: number, lo: number, hi: number): void {
    const w = this.words;
    const marks = this.marks;
    let a = this.checked(w[(block >> 2) + LEFT]!, block, "left");
    let b = this.checked(w[(block >> 2) + RIGHT]!, block, "right");
    // Inside the range of the block's place too (lo, hi: its path's bounds, when known), as the spines rise or fall from there.
    if (a >= block || (a !== 0 && a <= lo)) misplaced(LABEL, block, "left", a);
    if (b !== 0 && (b <= block || b >= hi)) misplaced(LABEL, block, "right", b);
    this.spineLeft = a;
    this.spineRight = b;
    while (a !== 0 || b !== 0) {
      if (++steps > this.size) tooLong(LABEL, "a removal", this.size);
      const left = b === 0 || (a !== 0 && priority(a) > priority(b));
      const from = left ? a : b;
      const n = left ? w[(a >> 2) + RIGHT]! : w[(b >> 2) + LEFT]!;
      if (n !== 0) {
        // checked(), written out.
        if ((n & 7) !== 0 || (marks[(n >>> 8) << 1]! & (1 << ((n >>> 3) & 31))) === 0 || (w[n >> 2]! & 1) !== 0) {
          badLink(LABEL, from, left ? "right" : "left", n);
        }
        if (left ? n <= a || n >= block : n >= b || n <= block) misplaced(LABEL, from, left ? "right" : "left", n);
      }
      if (left) {
        a = n;
        if (n !== 0) this.spineLeft = n;
      } else {
        b = n;
        if (n !== 0) this.spineRight = n;
      }
    }
  }

  /**
   * Iterative treap remove: find x (remembering the path), merge its children into its slot (recomputing the
   * merge spine bottom-up), then fix the path's maxima bottom-up — stopping at the first ancestor whose
   * maximum does not change, since nothing above it can change either.
   */
  remove(block: number): void {
    const w = this.bind();
    const touched = this.touched;
    this.predState = -1;
    let n = 0;
    let slot = -1;
    // Whether the path to `block` was checked in this operation as the search path of its address, ranges included
    // (the one the search just took, verified here, or a merging free's vetting walk), so that the insert that
    // follows can be predicted (predState); lo and hi are then the bounds of `block`'s place.
    let vetted = false;
    let lo = 0;
    let hi = 0x7fffffff;
    // Whether the path is a merging free's vetting walk (see pathState).
    const merging = this.pathState === this.log.state && block >= this.pathAt && block < this.pathEnd;
    this.pathState = -1;
    if (block === this.found) {
      // The path the search just took (touched[0..foundDepth-1], the block last): no descent. Each link the search
      // followed was checked; here each step must also be the one `block`'s address takes, inside its range (a node
      // reached the other way lies outside: the search's path is a chain of the links it read in this operation).
      n = this.foundDepth - 1;
      vetted = true;
      for (let i = 0; i < n; i++) {
        const t = touched[i]!;
        if (t <= lo || t >= hi) {
          vetted = false;
          break;
        }
        if (block < t) {
          slot = (t >> 2) + LEFT;
          hi = t;
        } else {
          slot = (t >> 2) + RIGHT;
          lo = t;
        }
      }
      if (block <= lo || block >= hi) vetted = false;
      if (!vetted) slot = -2; // descend instead
    } else if (merging) {
      // The vetting's walk (touched[0..pathLength-1], ranges checked) passed `block`: the nodes before it are its path.
      const length = this.pathLength;
      let k = 0;
      while (k < length && touched[k] !== block) {
        const t = touched[k++]!;
        if (block < t) {
          slot = (t >> 2) + LEFT;
          hi = t;
        } else {
          slot = (t >> 2) + RIGHT;
          lo = t;
        }
      }
      n = k;
      vetted = k < length;
      if (!vetted) slot = -2;
    }
    if (slot === -2 || (slot < 0 ? this.root : w[slot]) !== block) {
      const marks = this.marks;
      n = 0;
      slot = -1;
      vetted = false;
      lo = 0;
      hi = 0x7fffffff;
      let t = this.root;
      while (t !== block) {
        if (t === 0) notIndexed(LABEL, block, "the address tree");
        if (n >= this.size) tooLong(LABEL, "a removal", this.size);
        touched[n++] = t;
        slot = block < t ? (t >> 2) + LEFT : (t >> 2) + RIGHT;
        const next = w[slot]!;
        // checked(), written out.
        if (next !== 0 && ((next & 7) !== 0 || (marks[(next >>> 8) << 1]! & (1 << ((next >>> 3) & 31))) === 0 || (w[next >> 2]! & 1) !== 0)) {
          badLink(LABEL, t, "child", next);
        }
        t = next;
      }
    }
    this.found = 0;
    const pathLength = n;
    // The merge spine is walked and checked before the first write; every write is logged.
    this.validateSpine(block, n, lo, hi);
    const size = w[block >> 2]! & SIZE_MASK;
    const log = this.log;
    log.removing(w, block, size, 0);
    // The writes logged inline (a call per write cost more than its work): each write's slot and the value it
    // overwrote go to the log's entries, room for all of them made first (a link per merge step and the last one,
    // a maximum per node of the merge spine and the path: the spine and the path, which validateSpine bounded by
    // the tree's nodes, twice, plus one).
    const entries = log.reserve(2 * this.size + 2);
    let e = 2 * log.n;
    let a = w[(block >> 2) + LEFT]!;
    let b = w[(block >> 2) + RIGHT]!;
    while (a !== 0 && b !== 0) {
      const up = priority(a) > priority(b);
      const next = up ? a : b;
      entries[e++] = slot;
      if (slot < 0) {
        entries[e++] = this.root;
        this.root = next;
      } else {
        entries[e++] = w[slot]!;
        w[slot] = next;
      }
      touched[n++] = next;
      if (up) {
        slot = (a >> 2) + RIGHT;
        a = w[slot]!;
      } else {
        slot = (b >> 2) + LEFT;
        b = w[slot]!;
      }
    }
    entries[e++] = slot;
    if (slot < 0) {
      entries[e++] = this.root;
      this.root = a !== 0 ? a : b;
    } else {
      entries[e++] = w[slot]!;
      w[slot] = a !== 0 ? a : b;
    }
    const mergeEnd = n;
    while (n > pathLength) {
      const u = touched[--n]!;
      entries[e++] = (u >> 2) + MAX;
      entries[e++] = w[(u >> 2) + MAX]!;
      this.update(u);
    }
    while (n > 0) {
      const u = touched[--n]!;
      const before = w[(u >> 2) + MAX]!;
      if (before !== size) break; // the removed block was not this subtree's maximum
      entries[e++] = (u >> 2) + MAX;
      entries[e++] = before;
      this.update(u);
      if (w[(u >> 2) + MAX] === before) break; // another block of that size remains below
    }
    log.n = e >> 1;
    this.size--;
    if (this.journal.recording) this.log.latest(this.journalWritten, w, false);
    if (!vetted) return;
    // The neighbours that remain: an address strictly between them takes the path this removal left.
    this.predLo = this.spineLeft !== 0 ? this.spineLeft : lo;
    this.predHi = this.spineRight !== 0 ? this.spineRight : hi;
    if (merging) {
      // The merged block's vetting comes next, and the other neighbour's removal may: the path the removal left for
      // the addresses between the neighbours is `block`'s path, its merge spine, then the rest of the longer spine
      // (checked by validateSpine, unchanged by the merge).
      let m = mergeEnd;
      const rightward = a !== 0;
      for (let t = rightward ? a : b; t !== 0; t = w[(t >> 2) + (rightward ? RIGHT : LEFT)]!) touched[m++] = t;
      this.pathState = this.log.state;
      this.pathLength = m;
      this.predState = this.log.state;
      this.predBlock = this.pathAt;
      this.predNeed = 0;
      return;
    }
    const need = this.foundNeed;
    if (need > 0 && size - need >= this.host.minBlockSize) {
      this.predState = this.log.state;
      this.predBlock = block;
      this.predNeed = need;
    }
  }

  /**
   * The index's part of a two-step call begins (journal.ts): the root, the count and the caches are put back on
   * rollback; the words are logged by each insert and remove.
   */
  begin(): void {
    this.savedRoot = this.root;
    this.savedSize = this.size;
    this.journal.onRollback(this.restore);
  }

  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedRoot = 0;
  private savedSize = 0;
  private readonly restore = (): void => {
    this.root = this.savedRoot;
    this.size = this.savedSize;
    this.found = 0;
    this.vettedState = -1;
    this.log.changed();
  };

  /** Logs a slot a change will write (the root is put back by begin's action). Made once, as the two below. */
  private readonly journalSlot = (slot: number): void => {
    if (slot >= 0) this.journal.word(this.words, slot);
  };

  /** Logs a slot the removal just made wrote, with its value before (a removal log's entry). */
  private readonly journalWritten = (slot: number, value: number): void => {
    if (slot >= 0) this.journal.wordWas(slot, value);
  };

  private readonly writeSlot = (slot: number, block: number): void => this.setSlot(slot, block);

  /**
   * Logs every word insert(block) can write, after its vetting: the block's link words and those of each node on
   * the search path for its address (the descent raises their maxima, the split re-links and recomputes them).
   */
  private journalInsert(block: number): void {
    const w = this.words;
    const j = this.journal;
    for (let k = 0; k < 3; k++) j.word(w, (block >> 2) + LEFT + k);
    for (let t = this.root, steps = 0; t !== 0 && steps <= this.size; steps++) {
      const x = t >> 2;
      j.word(w, x + LEFT);
      j.word(w, x + RIGHT);
      j.word(w, x + MAX);
      t = block < t ? w[x + LEFT]! : w[x + RIGHT]!;
    }
  }

  /**
   * The lowest-address block of at least `size` bytes whose address is >= `from`, or 0, in one iterative
   * descent. Walking down towards `from`, each node t at or above `from` that the walk leaves to the left
   * offers a fallback — t itself, then its right subtree — that comes after everything at or above `from` in
   * its left subtree, and the deeper the fallback the lower its addresses. So the walk goes left while the left
   * subtree's maximum fits (right while below `from`), then takes the deepest fallback that holds a fit: t if
   * it fits, else the leftmost fit of its right subtree. With from = 0 this is the plain leftmost-fit descent,
   * and the right subtrees' maxima are read only for the fallbacks actually tried. The path to the answer is
   * kept in `touched` for the remove that follows.
   */
  findFrom(size: number, from: number): number {
    const w = this.bind();
    const marks = this.marks;
    const touched = this.touched;
    this.found = 0;
    this.predState = -1;
    this.pathState = -1;
    let n = 0;
    let seen = 0;
    let t = this.root;
    // Enter a node only when its subtree's maximum fits (read once per node, as the child of the last one).
    if (t !== 0 && w[(t >> 2) + MAX]! >= size) {
      for (;;) {
        if (++seen > this.size) tooLong(LABEL, "a search", this.size);
        touched[n++] = t;
        const next = t < from ? w[(t >> 2) + RIGHT]! : w[(t >> 2) + LEFT]!;
        if (next === 0) break;
        // checked(), written out.
        if ((next & 7) !== 0 || (marks[(next >>> 8) << 1]! & (1 << ((next >>> 3) & 31))) === 0 || (w[next >> 2]! & 1) !== 0) {
          badLink(LABEL, t, "child", next);
        }
        if (w[(next >> 2) + MAX]! < size) break;
        t = next;
      }
    }
    // The fallbacks, deepest first: path nodes at or above `from` (the walk left each of them to the left).
    for (let i = n - 1; i >= 0; i--) {
      t = touched[i]!;
      if (t < from) continue;
      if ((w[t >> 2]! & SIZE_MASK) < size) {
        t = this.checked(w[(t >> 2) + RIGHT]!, t, "right");
        if (t === 0 || w[(t >> 2) + MAX]! < size) continue;
        // The leftmost fit of a subtree known to hold one.
        n = i + 1;
        for (let depth = n; ; ) {
          seen++;
          if (++depth > this.size) tooLong(LABEL, "a search", this.size);
          touched[n++] = t;
          const l = this.checked(w[(t >> 2) + LEFT]!, t, "left");
          if (l !== 0 && w[(l >> 2) + MAX]! >= size) t = l;
          else if ((w[t >> 2]! & SIZE_MASK) >= size) break;
          else t = this.checked(w[(t >> 2) + RIGHT]!, t, "right");
          // Only a header overwritten under the tree (a cached maximum no block has) gets here: report no fit
          // rather than walk off the tree; the heap's checks name the damage.
          if (t === 0) {
            this.examined = seen;
            return 0;
          }
        }
      } else {
        n = i + 1;
      }
      this.examined = seen;
      this.found = t;
      this.foundDepth = n;
      this.foundNeed = size;
      return t;
    }
    this.examined = seen;
    return 0;
  }

  largest(): number {
    this.bind();
    const root = this.root;
    return root === 0 ? 0 : this.words[(root >> 2) + MAX]!;
  }

  forEach(visit: (block: number) => void): void {
    const w = this.bind();
    this.predState = -1;
    const stack: number[] = [];
    let t = this.root;
    let visited = 0;
    while (t !== 0 || stack.length > 0) {
      while (t !== 0) {
        if (stack.length + visited >= this.size) tooLong(LABEL, "a walk", this.size);
        stack.push(t);
        t = this.checked(w[(t >> 2) + LEFT]!, t, "left");
      }
      t = stack.pop()!;
      visited++;
      visit(t);
      t = this.checked(w[(t >> 2) + RIGHT]!, t, "right");
    }
  }

  /** In-order addresses increase, heap order on priorities, and every subtree maximum is exact. */
  check(): void {
    const w = this.bind();
    this.predState = -1;
    let count = 0;
    const walk = (t: number, lo: number, hi: number): number => {
      if (t === 0) return 0;
      if (++count > this.size) throw new Error("the address tree holds more nodes than it counted");
      if (t <= lo || t >= hi) throw new Error(`block ${t} is out of address order`);
      const l = this.checked(w[(t >> 2) + LEFT]!, t, "left");
      const r = this.checked(w[(t >> 2) + RIGHT]!, t, "right");
      if ((l !== 0 && priority(l) > priority(t)) || (r !== 0 && priority(r) > priority(t))) {
        throw new Error(`block ${t} breaks the treap's priority order`);
      }
      const m = Math.max(blockSize(w, t), walk(l, lo, t), walk(r, t, hi));
      if (w[(t >> 2) + MAX] !== m) throw new Error(`block ${t} records subtree maximum ${w[(t >> 2) + MAX]}, actual ${m}`);
      return m;
    };
    walk(this.root, -1, Infinity);
    if (count !== this.size) throw new Error(`the address tree counted ${this.size} nodes but holds ${count}`);
  }
}
