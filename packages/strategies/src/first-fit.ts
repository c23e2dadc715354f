import { HeapError, type Strategy, type StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";
import { notIndexed } from "./links.js";

/**
 * First fit, address-ordered: the lowest-address free block that fits (Knuth 2.5, Wilson et al. 1995 §3.4).
 * The index is two arrays beside the heap, a bitmap and a tree of maxima over the address space; it reads block
 * headers and writes nothing inside the free blocks (no link a buffer overflow could smash):
 *
 *   bits     one bit per 8-byte granule: a free block starts there (word w: bytes [256w, 256w + 256))
 *   max      an implicit binary tree over chunks of 1 KiB (4 bitmap words): leaf L + c is chunk c, node i has
 *            children 2i and 2i + 1, and each node holds the largest size among the free blocks that start in
 *            its chunks (0: none)
 *
 *   chunks   0: [8: 48 B]   1: [ ]   2: [2056: 24 B, 2400: 200 B]   3: [3100: 96 B]
 *   leaves   48  0  200  96      node 2 = 48, node 3 = 200, root = 200
 *   find(64) root 200 >= 64; of its grandchildren (the leaves here) the first that fits is chunk 2; in it the
 *            lowest block of at least 64 B is 2400 (2056's header says 24 B): the chunk's bits in address order.
 *
 * The descent takes two levels a step, branch-free: of a node's four grandchildren (one cache line) the first
 * whose maximum fits, from the signs of their differences to the request, so a step waits for one load. An insert
 * sets its bit and raises the maxima above it while they are below its size; a removal clears its bit, recomputes
 * its chunk's maximum from the headers of the chunk's other free blocks (a few at most: immediate coalescing leaves
 * none adjacent, and most chunks hold none) and lowers the maxima above while they change. The tree covers L
 * chunks, a power of two that doubles (arrays rebuilt, O(L)) when a block starts past them. Every value is a
 * function of the set of free blocks, so a block's return restores the index exactly, and a two-step call's
 * rollback replays the journal's log of the words it changed (journal.ts). On the speed goal's mixed trace (15 MB,
 * ~800 free blocks) the tree has 16 Ki leaves (128 KiB), a find reads 7 groups of it and one header or a few, and
 * an op raises or lowers ~4 maxima. 256-byte chunks (one bitmap word) measured 1324 instructions/op against 1256
 * here, 2 KiB ones 1310; a descent of one level a step 1256 against 1242, three levels (8 children) 1331.
 */
export function firstFit(): Strategy {
  return new FirstFit();
}

/** A bitmap word covers 256 bytes (32 granules of 8); a chunk (a leaf of the tree) 2^SPAN words. */
const SPAN = 2;
const CHUNK_SHIFT = 8 + SPAN;
const WORDS = 1 << SPAN;
/** Leaves of a new tree (a 1 MiB heap); doubled as blocks start beyond them. */
const FIRST_LEAVES = 1024;

class FirstFit implements Strategy {
  readonly name = "first-fit";
  examined = 0;
  private host!: StrategyHost;
  /** The undo journal of the heap's two-step calls (journal.ts). */
  private readonly journal = new Journal();
  /** Chunks the tree covers (a power of two): leaf `leaves + c` is chunk c. */
  private leaves = FIRST_LEAVES;
  /** Bit g of word c: a free block starts at byte (32c + g) * 8. */
  private bits = new Int32Array(FIRST_LEAVES << SPAN);
  /** The tree of maxima: node 1 the root, leaves at [leaves, 2 * leaves); element 0 unused. */
  private max = new Int32Array(2 * FIRST_LEAVES);

  attach(host: StrategyHost): void {
    this.host = host;
    this.leaves = FIRST_LEAVES;
    this.bits = new Int32Array(FIRST_LEAVES << SPAN);
    this.max = new Int32Array(2 * FIRST_LEAVES);
  }

  begin(): void {
    this.journal.begin();
    this.covered = false;
  }

  commit(): void {
    this.journal.commit();
    this.covered = false;
  }

  rollback(): void {
    this.journal.rollback(this.host.words);
    this.covered = false;
  }

  insert(block: number): void {
    const size = this.host.words[block >> 2]! & ~7;
    const w = block >>> 8;
    const chunk = w >>> SPAN;
    if (chunk >= this.leaves) this.cover(chunk);
    const bits = this.bits;
    const bit = 1 << ((block >>> 3) & 31);
    if ((block & 7) !== 0 || (bits[w]! & bit) !== 0) {
      throw new HeapError("CORRUPTION", `first-fit: block ${block} is already indexed (or not a block offset)`);
    }
    if (this.journal.recording) this.logPath(w);
    bits[w] = bits[w]! | bit;
    const max = this.max;
    for (let i = this.leaves + chunk; i !== 0 && max[i]! < size; i >>>= 1) max[i] = size;
  }

  remove(block: number): void {
    const w = block >>> 8;
    const chunk = w >>> SPAN;
    const bits = this.bits;
    const bit = 1 << ((block >>> 3) & 31);
    if ((block & 7) !== 0 || chunk >= this.leaves || (bits[w]! & bit) === 0) notIndexed(this.name, block, "the first-fit bitmap");
    if (this.journal.recording) this.logPath(w);
    bits[w] = bits[w]! & ~bit;
    const max = this.max;
    let i = this.leaves + chunk;
    const largest = this.chunkMax(chunk);
    if (max[i] === largest) return;
    max[i] = largest;
    // Up while a node's value changes: the larger of its two children, the one just written (m) and its sibling.
    for (let m = largest; i > 1; i >>>= 1) {
      const sibling = max[i ^ 1]!;
      if (sibling > m) m = sibling;
      if (max[i >>> 1] === m) return;
      max[i >>> 1] = m;
    }
  }

  /** A removal needs no vetting beyond its own first check, made before it writes: the block's bit. */
  validateRemove(block: number): void {
    if ((block & 7) !== 0 || block >>> CHUNK_SHIFT >= this.leaves || (this.bits[block >>> 8]! & (1 << ((block >>> 3) & 31))) === 0) {
      notIndexed(this.name, block, "the first-fit bitmap");
    }
  }

  find(size: number): number {
    const max = this.max;
    const leaves = this.leaves;
    if (max[1]! < size) {
      this.examined = 1;
      return 0;
    }
    // The leftmost leaf whose maximum fits, two levels a step: of node i's four grandchildren (4i .. 4i + 3, one
    // cache line) the first that fits, i.e. the number of leading ones below the request (sizes and maxima are
    // below 2^31, so a difference's sign bit is that comparison; node i fits, so one of them does). No branch and
    // one load latency per two levels; an odd depth takes its first level alone.
    let i = (31 - Math.clz32(leaves)) & 1 ? 2 + ((max[2]! - size) >>> 31) : 1;
    while (i < leaves) {
      const g = 4 * i;
      const a0 = (max[g]! - size) >>> 31;
      const a1 = a0 & ((max[g + 1]! - size) >>> 31);
      i = g + a0 + a1 + (a1 & ((max[g + 2]! - size) >>> 31));
    }
    const chunk = i - leaves;
    const words = this.host.words;
    const bits = this.bits;
    let examined = 1;
    for (let w = chunk << SPAN, end = w + WORDS; w < end; w++) {
      for (let rest = bits[w]!; rest !== 0; rest &= rest - 1) {
        const block = (w << 8) | ((31 - Math.clz32(rest & -rest)) << 3);
        if ((words[block >> 2]! & ~7) >= size) {
          this.examined = examined;
          return block;
        }
        examined++;
      }
    }
    throw new HeapError("CORRUPTION", `first-fit: the index holds a free block of at least ${size} bytes at [${chunk << CHUNK_SHIFT}, ${(chunk + 1) << CHUNK_SHIFT}), but no header there says so (overwritten by a buffer overflow?)`);
  }

  forEach(visit: (block: number) => void): void {
    const bits = this.bits;
    for (let w = 0; w < bits.length; w++) {
      for (let rest = bits[w]!; rest !== 0; rest &= rest - 1) visit((w << 8) | ((31 - Math.clz32(rest & -rest)) << 3));
    }
  }

  check(): void {
    const { bits, max, leaves } = this;
    this.forEach((block) => {
      if (!this.host.isFreeBlock(block)) throw new Error(`first-fit: block ${block} is indexed but not a free block`);
    });
    for (let chunk = 0; chunk < leaves; chunk++) {
      const want = this.chunkMax(chunk);
      if (max[leaves + chunk] !== want) throw new Error(`first-fit: chunk ${chunk}'s largest free block is ${want} B, recorded as ${max[leaves + chunk]}`);
    }
    for (let i = leaves - 1; i >= 1; i--) {
      const want = Math.max(max[2 * i]!, max[2 * i + 1]!);
      if (max[i] !== want) throw new Error(`first-fit: node ${i} of the tree of maxima holds ${max[i]}, its children's largest is ${want}`);
    }
    if (bits.length !== leaves << SPAN) throw new Error(`first-fit: the bitmap has ${bits.length} words for ${leaves} chunks`);
  }

  largest(): number {
    return this.max[1]!;
  }

  /** The largest size among the free blocks whose bits are set in `chunk` (0: none). */
  private chunkMax(chunk: number): number {
    const words = this.host.words;
    const bits = this.bits;
    let largest = 0;
    for (let w = chunk << SPAN, end = w + WORDS; w < end; w++) {
      for (let rest = bits[w]!; rest !== 0; rest &= rest - 1) {
        const size = words[((w << 8) | ((31 - Math.clz32(rest & -rest)) << 3)) >> 2]! & ~7;
        if (size > largest) largest = size;
      }
    }
    return largest;
  }

  /** Logs (for a rollback) what an insert or a removal at bitmap word `w` may write: that word and the maxima above it. */
  private logPath(w: number): void {
    this.journal.element(this.bits, w);
    for (let i = this.leaves + (w >>> SPAN); i !== 0; i >>>= 1) this.journal.element(this.max, i);
  }

  /** Doubles the tree until it covers `chunk`: new arrays, the leaves copied, the maxima above them recomputed. */
  private cover(chunk: number): void {
    if (chunk << CHUNK_SHIFT >= this.host.top) throw new HeapError("CORRUPTION", `first-fit: a block at ${chunk << CHUNK_SHIFT} or above is past the heap's top, ${this.host.top}`);
    let leaves = this.leaves;
    while (leaves <= chunk) leaves *= 2;
    const bits = new Int32Array(leaves << SPAN);
    bits.set(this.bits);
    const max = new Int32Array(2 * leaves);
    max.set(this.max.subarray(this.leaves), leaves);
    for (let i = leaves - 1; i >= 1; i--) max[i] = Math.max(max[2 * i]!, max[2 * i + 1]!);
    if (this.journal.recording && !this.covered) {
      // The arrays at begin (a second cover in the same call replaces arrays the first one made).
      this.covered = true;
      this.savedLeaves = this.leaves;
      this.savedBits = this.bits;
      this.savedMax = this.max;
      this.journal.onRollback(this.uncover);
    }
    this.leaves = leaves;
    this.bits = bits;
    this.max = max;
  }

  /** What the first cover during a two-step call replaced, and the action that puts it back (made once). */
  private covered = false;
  private savedLeaves = 0;
  private savedBits = new Int32Array(0);
  private savedMax = new Int32Array(0);
  private readonly uncover = (): void => {
    this.leaves = this.savedLeaves;
    this.bits = this.savedBits;
    this.max = this.savedMax;
  };
}
