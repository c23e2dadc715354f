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
import { blockSize, type StrategyHost } from "@dmm/core";

const LEFT = 2; // word offsets inside a block: header (0), requested (1), then the link words
const RIGHT = 3;
const MAX = 4;

/** Priority of a block: a multiplicative hash of its address (Knuth), so the treap is balanced in expectation. */
function priority(block: number): number {
  return Math.imul(block, 0x9e3779b1) >>> 0;
}

export class AddressTree {
  private host!: StrategyHost;
  private words!: Int32Array;
  root = 0;
  size = 0;
  /** Nodes visited by the most recent search. */
  examined = 0;
  private splitLeft = 0;
  private splitRight = 0;

  attach(host: StrategyHost): void {
    this.host = host;
    this.root = 0;
    this.size = 0;
  }

  private maxOf(t: number): number {
    return t === 0 ? 0 : this.words[(t >> 2) + MAX]!;
  }

  private update(t: number): void {
    const w = this.words;
    const i = t >> 2;
    let m = w[i]! & ~7;
    const l = w[i + LEFT]!;
    const r = w[i + RIGHT]!;
    if (l !== 0 && w[(l >> 2) + MAX]! > m) m = w[(l >> 2) + MAX]!;
    if (r !== 0 && w[(r >> 2) + MAX]! > m) m = w[(r >> 2) + MAX]!;
    w[i + MAX] = m;
  }

  insert(block: number): void {
    this.words = this.host.words;
    const i = block >> 2;
    this.words[i + LEFT] = 0;
    this.words[i + RIGHT] = 0;
    this.words[i + MAX] = blockSize(this.words, block);
    this.root = this.insertAt(this.root, block, priority(block));
    this.size++;
  }

  private insertAt(t: number, x: number, p: number): number {
    if (t === 0) return x;
    const w = this.words;
    if (p > priority(t)) {
      this.split(t, x);
      w[(x >> 2) + LEFT] = this.splitLeft;
      w[(x >> 2) + RIGHT] = this.splitRight;
      this.update(x);
      return x;
    }
    if (x < t) w[(t >> 2) + LEFT] = this.insertAt(w[(t >> 2) + LEFT]!, x, p);
    else w[(t >> 2) + RIGHT] = this.insertAt(w[(t >> 2) + RIGHT]!, x, p);
    this.update(t);
    return t;
  }

  /** Splits subtree t into keys < key (splitLeft) and keys > key (splitRight). */
  private split(t: number, key: number): void {
    if (t === 0) {
      this.splitLeft = 0;
      this.splitRight = 0;
      return;
    }
    const w = this.words;
    if (t < key) {
      this.split(w[(t >> 2) + RIGHT]!, key);
      w[(t >> 2) + RIGHT] = this.splitLeft;
      this.update(t);
      this.splitLeft = t;
    } else {
      this.split(w[(t >> 2) + LEFT]!, key);
      w[(t >> 2) + LEFT] = this.splitRight;
      this.update(t);
      this.splitRight = t;
    }
  }

  /** Joins two subtrees where every key of a is below every key of b. */
  private merge(a: number, b: number): number {
    if (a === 0) return b;
    if (b === 0) return a;
    const w = this.words;
    if (priority(a) > priority(b)) {
      w[(a >> 2) + RIGHT] = this.merge(w[(a >> 2) + RIGHT]!, b);
      this.update(a);
      return a;
    }
    w[(b >> 2) + LEFT] = this.merge(a, w[(b >> 2) + LEFT]!);
    this.update(b);
    return b;
  }

  remove(block: number): void {
    this.words = this.host.words;
    this.root = this.removeAt(this.root, block);
    this.size--;
  }

  private removeAt(t: number, x: number): number {
    if (t === 0) throw new Error(`block ${x} is not in the address tree`);
    const w = this.words;
    if (t === x) return this.merge(w[(t >> 2) + LEFT]!, w[(t >> 2) + RIGHT]!);
    if (x < t) w[(t >> 2) + LEFT] = this.removeAt(w[(t >> 2) + LEFT]!, x);
    else w[(t >> 2) + RIGHT] = this.removeAt(w[(t >> 2) + RIGHT]!, x);
    this.update(t);
    return t;
  }

  /** The lowest-address block of at least `size` bytes whose address is >= `from`, or 0. */
  findFrom(size: number, from: number): number {
    const w = (this.words = this.host.words);
    this.examined = 0;
    return this.search(this.root, size, from, w);
  }

  private search(t: number, size: number, from: number, w: Int32Array): number {
    // Iterative while the whole subtree is at or after `from`; recursion only along the `from` boundary.
    while (t !== 0) {
      if (w[(t >> 2) + MAX]! < size) return 0;
      this.examined++;
      if (t < from) {
        t = w[(t >> 2) + RIGHT]!;
        continue;
      }
      const l = w[(t >> 2) + LEFT]!;
      if (l !== 0 && w[(l >> 2) + MAX]! >= size) {
        const found = from === 0 ? this.leftmostFit(l, size, w) : this.search(l, size, from, w);
        if (found !== 0) return found;
      }
      if ((w[t >> 2]! & ~7) >= size) return t;
      t = w[(t >> 2) + RIGHT]!;
    }
    return 0;
  }

  /** Lowest-address fit in a subtree known to hold one. */
  private leftmostFit(t: number, size: number, w: Int32Array): number {
    for (;;) {
      this.examined++;
      const l = w[(t >> 2) + LEFT]!;
      if (l !== 0 && w[(l >> 2) + MAX]! >= size) {
        t = l;
        continue;
      }
      if ((w[t >> 2]! & ~7) >= size) return t;
      t = w[(t >> 2) + RIGHT]!;
    }
  }

  largest(): number {
    this.words = this.host.words;
    return this.maxOf(this.root);
  }

  forEach(visit: (block: number) => void): void {
    const w = this.host.words;
    const stack: number[] = [];
    let t = this.root;
    while (t !== 0 || stack.length > 0) {
      while (t !== 0) {
        if (stack.length > this.size) throw new Error("the address tree has a cycle");
        stack.push(t);
        t = w[(t >> 2) + LEFT]!;
      }
      t = stack.pop()!;
      visit(t);
      t = w[(t >> 2) + RIGHT]!;
    }
  }

  /** In-order addresses increase, heap order on priorities, and every subtree maximum is exact. */
  check(): void {
    const w = this.host.words;
    this.words = w;
    let count = 0;
    const walk = (t: number, lo: number, hi: number): number => {
      if (t === 0) return 0;
      if (++count > this.size) throw new Error("the address tree holds more nodes than it counted");
      if (t <= lo || t >= hi) throw new Error(`block ${t} is out of address order`);
      const l = w[(t >> 2) + LEFT]!;
      const r = w[(t >> 2) + RIGHT]!;
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
