/**
 * A binary buddy system (Knowlton 1965; Knuth 2.5 "the buddy system"; Linux mm/page_alloc.c): every block is
 * 2^k bytes and starts at a multiple of 2^k from the arena's start, so the block a free block may merge with
 * (its buddy) is found by arithmetic alone. It is a different mechanism from @dmm/core's boundary-tag heap,
 * with its own layout over its own ArrayBuffer, behind the same Allocator interface.
 *
 * The layout, drawn once (offsets in bytes; the arena is the whole buffer, from offset 0: a payload is always
 * at block + 8 >= 8, so NULL = 0 is never a payload, and a link uses NIL = -1 for "none"):
 *
 *            used block of order k                    free block of order k
 *   block -> +---------------------------+  block -> +---------------------------+
 *            | TAG        |U| order      |           | TAG        |0| order      |  word 0: HEADER
 *            +---------------------------+           +---------------------------+
 *            | bytes requested           |           | (unused)                  |  word 1: REQUESTED
 *  payload-> +---------------------------+  payload->+---------------------------+
 *            | user data ...             |           | next free block of order k|  word 2: NEXT (-1 ends)
 *            |                           |           | previous free block       |  word 3: PREV (-1 at the head)
 *            |                           |           | ...                       |
 *            +---------------------------+           +---------------------------+
 *            block + 2^k                             block + 2^k
 *
 *   TAG (bits 16..31) is a constant; a header without it was overwritten (a buffer overflow from below).
 *   U (bit 8): the block is allocated. order (bits 0..5): k, the block is 2^k bytes, MIN_ORDER <= k <= 30.
 *   Smallest block: 16 bytes (header + two link words); usable size of a block of order k is 2^k - 8.
 *
 * Beside the buffer, a side table holds one byte per 16-byte granule of the arena: START | USED | order at the
 * granule where a block starts, 0 inside a block (like Linux's struct page flags). Pointers are validated
 * against it, never against bytes the user may have overwritten; the header is checked against it to find
 * overwrites. The index, drawn once:
 *
 *   freeMask  bit k set <=> heads[k] !== NIL      e.g. 0b0110_0000 : orders 5 and 6 have free blocks
 *   heads[k]  first free block of order k  ->  NEXT  ->  NEXT  ->  NIL   (PREV links back; the head's is NIL)
 *
 * The arena need not be a power of two: [0, n) is tiled by its binary decomposition into aligned blocks
 * (n = 992 is 512 + 256 + 128 + 64 + 32), and a block whose buddy would lie past the arena's end does not
 * merge. A growable allocator extends the arena by the aligned chunks a request needs, each chunk released
 * like a freed block (so it merges with a free buddy below it). heapBytes is the arena: the size of a fixed
 * arena (rounded down to 16), the extent grown so far for a growable one — there is no base outside it.
 */
import { type Allocator, assertSize, type BlockInfo, giveBackBuffer, HeapError, type HeapStats, type Ptr, refuseCallsAfterDispose, takeSideArray, takeSpareBuffer } from "@dmm/core";

/** Options of createBuddyAllocator. */
export interface BuddyOptions {
  /** Bytes of the arena at start; rounded down to a multiple of 16. Integer from 0 to 2^30. */
  size: number;
  /** The arena may grow up to this many bytes (rounded down to a multiple of 16). @defaultValue size */
  maxSize?: number;
  /** "immediate": a freed block merges with its free buddy, repeatedly; "none": never merge. @defaultValue "immediate" */
  coalescing?: "immediate" | "none";
}

const HEADER_BYTES = 8;
// The hot paths use these module-private constants: V8 folds them, where an exported binding is a checked load.
const MIN_ORDER = 4;
const MAX_ORDER = 30;
/** Smallest block: 2^4 = 16 bytes (header and the two link words). */
export const BUDDY_MIN_ORDER = MIN_ORDER;
/** Largest block and arena: 2^30 bytes. */
export const BUDDY_MAX_ORDER = MAX_ORDER;
const MAX_ARENA = 1 << MAX_ORDER;
/** Largest request: the payload of the largest block. */
const MAX_REQUEST = MAX_ARENA - HEADER_BYTES;
/** Largest request a block of MIN_ORDER holds. */
const MIN_PAYLOAD = (1 << MIN_ORDER) - HEADER_BYTES;
const GRANULE_SHIFT = MIN_ORDER;
const GRANULE_MASK = (1 << GRANULE_SHIFT) - 1;
/** "No block" in a link word and in heads (0 is the first block of the arena). */
const NIL = -1;

// Header word 0.
const TAG = 0x42440000; // "BD"
const USED_BIT = 0x100;
const ORDER_MASK = 0x3f;
// Word offsets inside a block.
const REQUESTED = 1;
const NEXT = 2;
const PREV = 3;
// Side table byte.
const START = 0x80;
const META_USED = 0x40;
const LIVE = START | META_USED;

// What freeFault found wrong with a free block (0: nothing).
const SOUND = 0;
const BAD_HEADER = 1;
const BAD_LINKS = 2;
const BAD_LIST = 3;

/** Smallest backing buffer of a growable allocator; it doubles as the arena grows. */
const MIN_CAPACITY = 1 << 16;

/** The order of the smallest block that holds `size` payload bytes: ceil(log2(size + 8)), at least 4. */
export function buddyOrderFor(size: number): number {
  return orderFor(size);
}

// Helpers as const arrows: a call through a const binding is folded; through a function declaration it is checked.
const orderFor = (size: number): number => (size <= MIN_PAYLOAD ? MIN_ORDER : 32 - Math.clz32(size + HEADER_BYTES - 1));

/**
 * The buddy of the block at arena-relative offset `offset` with order `order`: offset XOR 2^order.
 * Worked example (as Linux __find_buddy_pfn): the block at 64 of order 5 (64..95) has buddy 64 ^ 32 = 96
 * (96..127); together they form the order-6 block at min(64, 96) = 64 = 64 & ~32. The block at 96 of order 5
 * has buddy 96 ^ 32 = 64, the same pair seen from the right. The order-6 block at 64 has buddy 64 ^ 64 = 0:
 * merged they are the order-7 block at 0. A block at 32 of order 4 has buddy 32 ^ 16 = 48, not 16: 16..31
 * belongs with 0..15, since only blocks that were split from one parent may merge back.
 */
export function buddyOf(offset: number, order: number): number {
  return offset ^ (1 << order);
}

/** A binary buddy allocator with its own layout and buffer, implementing the Allocator interface. */
export function createBuddyAllocator(options: BuddyOptions): Allocator {
  return new BuddyAllocator(options);
}

/** Count of trailing zeros; -1 for 0. */
const ctz = (x: number): number => 31 - Math.clz32(x & -x);

const log2Floor = (x: number): number => 31 - Math.clz32(x);

class BuddyAllocator implements Allocator {
  readonly name = "buddy";
  readonly coalescing: "immediate" | "none";
  private readonly immediate: boolean;
  /** Merging stops below this order: MAX_ORDER with immediate coalescing, 0 (never) with none — a number, not a
   * boolean, so free's hot path tests it with one compare. */
  private readonly mergeLimit: number;
  private readonly maxArena: number;

  private bytes: Uint8Array;
  private words: Int32Array;
  /** One byte per 16-byte granule of the arena: START | USED | order where a block starts, else 0. */
  private meta: Uint8Array;
  /** Arena bytes the buffer can hold. */
  private capacity: number;
  /**
   * Bytes of the buffer from here on may hold what a spare buffer's last owner left (see takeBuffer); extendTo zeroes
   * them as the arena reaches them, so every byte of the arena reads as in a zero-filled buffer.
   */
  private zeroedTo = 0;
  /** Arena bytes in blocks: [0, arena). */
  private arena = 0;

  /** Free list heads per order (NIL = empty) and a bitmask of the non-empty orders. */
  private readonly heads = new Int32Array(MAX_ORDER + 1).fill(NIL);
  private freeMask = 0;

  lastSearchCost = 0;
  private peakHeapBytes = 0;
  private liveBytes = 0;
  private peakLiveBytes = 0;
  private usedBlocks = 0;
  private usedBytes = 0;
  /**
   * Blocks in the arena, used or free: free blocks are blocks - usedBlocks and their bytes arena - usedBytes (blocks
   * tile the arena), so the common malloc and free, which neither split nor merge, keep no free-block counters.
   */
  private blocks = 0;
  private failedAllocations = 0;

  constructor(options: BuddyOptions) {
    if (typeof options !== "object" || options === null) throw new HeapError("INVALID_OPTIONS", "options must be an object");
    const size = options.size;
    const maxSize = options.maxSize ?? size;
    const coalescing = options.coalescing ?? "immediate";
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size > MAX_ARENA) {
      throw new HeapError("INVALID_OPTIONS", `size must be an integer from 0 to ${MAX_ARENA}, got ${String(size)}`);
    }
    if (typeof maxSize !== "number" || !Number.isInteger(maxSize) || maxSize < size || maxSize > MAX_ARENA) {
      throw new HeapError("INVALID_OPTIONS", `maxSize must be an integer from size (${size}) to ${MAX_ARENA}, got ${String(maxSize)}`);
    }
    if (coalescing !== "immediate" && coalescing !== "none") {
      throw new HeapError("INVALID_OPTIONS", `coalescing must be "immediate" or "none", got ${String(coalescing)}`);
    }
    this.coalescing = coalescing;
    this.immediate = coalescing === "immediate";
    this.mergeLimit = this.immediate ? MAX_ORDER : 0;
    const initial = size & ~GRANULE_MASK;
    this.maxArena = maxSize & ~GRANULE_MASK;
    this.capacity = 0;
    this.bytes = new Uint8Array(0);
    this.words = new Int32Array(0);
    this.meta = new Uint8Array(0);
    this.takeBuffer(this.maxArena === initial ? initial : Math.min(this.maxArena, Math.max(initial, MIN_CAPACITY)));
    this.extendTo(initial);
  }

  get memory(): Uint8Array {
    return this.bytes;
  }

  // ---- free lists ---------------------------------------------------------------------------------------

  /** Makes the block at `block` a free block of `order` (header, side entry) and pushes it on that order's list. */
  private pushFree(block: number, order: number): void {
    const w = this.words;
    const i = block >> 2;
    const head = this.heads[order]!;
    w[i] = TAG | order;
    w[i + NEXT] = head;
    w[i + PREV] = NIL;
    if (head !== NIL) w[(head >> 2) + PREV] = block;
    this.heads[order] = block;
    this.freeMask |= 1 << order;
    this.meta[block >> GRANULE_SHIFT] = START | order;
  }

  /** Takes the free block at `block` of `order` off its list (its header and side entry are the caller's). */
  private unlinkFree(block: number, order: number): void {
    const w = this.words;
    const i = block >> 2;
    const next = w[i + NEXT]!;
    const prev = w[i + PREV]!;
    if (prev !== NIL) w[(prev >> 2) + NEXT] = next;
    else {
      this.heads[order] = next;
      if (next === NIL) this.freeMask &= ~(1 << order);
    }
    if (next !== NIL) w[(next >> 2) + PREV] = prev;
  }

  // ---- validation (before any mutation) -----------------------------------------------------------------

  private corrupt(block: number, why: string): never {
    throw new HeapError("CORRUPTION", `block at ${block}: ${why}`);
  }

  /** True when `block` is an arena offset where a free block of exactly `order` starts (by the side table). */
  private isFreeOf(block: number, order: number): boolean {
    return block >>> 0 < this.arena && (block & GRANULE_MASK) === 0 && this.meta[block >> GRANULE_SHIFT] === (START | order);
  }

  /**
   * The one rule for trusting a free block of `order` (the side table says it is one) before it is unlinked:
   * its header is intact, its links name free blocks of the same order (or NIL), and its list runs through it
   * both ways — the head has no previous block, any other block's previous block links forward to it, and its
   * next block links back to it. The last is what makes unlinking safe: a NEXT forged to name another free block
   * of the order (itself included) passes every other test, and unlinking would then make that block the head or
   * drop the blocks between from the list; a later push writes its PREV word after it was handed out (live data
   * overwritten, seen by the red team). Returns SOUND or what is wrong; reads only, O(1).
   */
  private freeFault(block: number, order: number): number {
    const w = this.words;
    const i = block >> 2;
    if (w[i] !== (TAG | order)) return BAD_HEADER;
    const next = w[i + NEXT]!;
    const prev = w[i + PREV]!;
    // isFreeOf, written out: on the hot path it must not depend on the JIT inlining a call it rarely saw.
    const arena = this.arena;
    const meta = this.meta;
    const free = START | order;
    if (
      (next !== NIL && (next >>> 0 >= arena || (next & GRANULE_MASK) !== 0 || meta[next >> GRANULE_SHIFT] !== free)) ||
      (prev !== NIL && (prev >>> 0 >= arena || (prev & GRANULE_MASK) !== 0 || meta[prev >> GRANULE_SHIFT] !== free))
    ) {
      return BAD_LINKS;
    }
    const head = this.heads[order] === block;
    if (prev === NIL ? !head : head || w[(prev >> 2) + NEXT] !== block) return BAD_LIST;
    if (next !== NIL && w[(next >> 2) + PREV] !== block) return BAD_LIST;
    return SOUND;
  }

  /** Throws CORRUPTION for the free block at `block` that freeFault found `fault` with. */
  private corruptFree(block: number, order: number, fault: number): never {
    if (fault === BAD_HEADER) this.corrupt(block, "free block's header disagrees with the side table (overwritten?)");
    if (fault === BAD_LINKS) this.corrupt(block, `links of a free block of order ${order} do not lead to free blocks of that order (overwritten?)`);
    this.corrupt(block, `free list of order ${order} does not run through this block both ways (a link overwritten?)`);
  }

  /**
   * The order of the live block whose payload is `ptr`, validated in O(1) by the side table and its header;
   * throws HeapError for anything else (explainPointer says why).
   */
  private liveOrder(ptr: unknown, op: string): number {
    if (typeof ptr === "number" && (ptr | 0) === ptr) {
      const block = ptr - HEADER_BYTES;
      if (block >>> 0 < this.arena && (block & GRANULE_MASK) === 0) {
        const m = this.meta[block >> GRANULE_SHIFT]!;
        const order = m & ORDER_MASK;
        const i = block >> 2;
        if (
          (m & LIVE) === LIVE &&
          this.words[i] === (TAG | USED_BIT | order) &&
          this.words[i + REQUESTED]! >>> 0 <= (1 << order) - HEADER_BYTES
        ) {
          return order;
        }
      }
    }
    return this.explainPointer(ptr, op);
  }

  /** Throws the HeapError liveOrder rejected `ptr` for: not a pointer, not a live block's start, freed, or damaged. */
  private explainPointer(ptr: unknown, op: string): never {
    if (typeof ptr !== "number" || !Number.isInteger(ptr)) {
      throw new HeapError("INVALID_POINTER", `${op}(${String(ptr)}): not a pointer`);
    }
    const block = ptr - HEADER_BYTES;
    if (block < 0 || block >= this.arena || (block & GRANULE_MASK) !== 0) this.badPointer(ptr, op);
    const m = this.meta[block >> GRANULE_SHIFT]!;
    if (!(m & START)) this.badPointer(ptr, op);
    if (!(m & META_USED)) throw new HeapError("DOUBLE_FREE", `${op}(${ptr}): the block is already free`);
    const order = m & ORDER_MASK;
    if (this.words[block >> 2] !== (TAG | USED_BIT | order)) this.corrupt(block, "header disagrees with the side table (overwritten by a buffer overflow?)");
    this.corrupt(block, "requested size exceeds the block");
  }

  /** Explains a pointer that is not the start of a live block: into freed memory (a stale pointer) or just wrong. */
  private badPointer(ptr: number, op: string): never {
    const rel = ptr - HEADER_BYTES;
    if (rel >= 0 && rel < this.arena && ptr % 8 === 0) {
      for (let k = MIN_ORDER; k <= MAX_ORDER; k++) {
        const start = rel - (rel % (1 << k));
        const m = this.meta[start >> GRANULE_SHIFT]!;
        if (m & START && start + (1 << (m & ORDER_MASK)) > rel) {
          if (!(m & META_USED)) throw new HeapError("DOUBLE_FREE", `${op}(${ptr}): the pointer lies in freed memory (freed and merged)`);
          break;
        }
      }
    }
    throw new HeapError("INVALID_POINTER", `${op}(${ptr}): not the start of a live block`);
  }

  // ---- merging and growth -------------------------------------------------------------------------------

  /**
   * The order the block at `block` of `order` reaches when released: with immediate coalescing it merges with
   * its buddy while that is a free block of the same order — each such buddy validated (CORRUPTION if damaged),
   * so that release, which mutates, follows only sound links. Reads only. The common case, a buddy that is not
   * free, is tested here without a loop (a loop on the path makes the JIT reload every typed array after it).
   */
  private mergeOrder(block: number, order: number): number {
    const buddy = block ^ (1 << order);
    // A buddy past the arena's end is no block; inside it, the side table says whether it is a free one of order.
    if (order >= this.mergeLimit || buddy >= this.arena || this.meta[buddy >> GRANULE_SHIFT] !== (START | order)) return order;
    return this.mergeOrderFrom(block, order);
  }

  /** mergeOrder's loop, from a block whose buddy of `order` is free. */
  private mergeOrderFrom(block: number, order: number): number {
    const arena = this.arena;
    const meta = this.meta;
    const limit = this.mergeLimit;
    let b = block;
    let k = order;
    for (; k < limit; k++) {
      const buddy = b ^ (1 << k);
      if (buddy >= arena || meta[buddy >> GRANULE_SHIFT] !== (START | k)) break;
      const fault = this.freeFault(buddy, k);
      if (fault !== SOUND) this.corruptFree(buddy, k, fault);
      b &= ~(1 << k);
    }
    return k;
  }

  /**
   * Frees the block at `block` of `order` (its header and side entry are rewritten here), merging it with its
   * free buddies up to order `to`, as mergeOrder found them (validated).
   */
  private release(block: number, order: number, to: number): void {
    this.pushFree(to > order ? this.absorbBuddies(block, order, to) : block, to);
  }

  /** Takes the free buddies of orders order..to-1 off their lists; returns where the merged block starts. */
  private absorbBuddies(block: number, order: number, to: number): number {
    let b = block;
    for (let k = order; k < to; k++) {
      const buddy = b ^ (1 << k);
      this.unlinkFree(buddy, k);
      // The higher of the two stops being a block start; the lower becomes the merged block.
      this.meta[(buddy > b ? buddy : b) >> GRANULE_SHIFT] = 0;
      b &= ~(1 << k);
    }
    this.blocks -= to - order;
    return b;
  }

  /** Extends the arena to `end` bytes by aligned chunks, each released (merged with a free buddy below). */
  private extendTo(end: number): void {
    if (end > this.capacity) this.takeBuffer(Math.min(this.maxArena, Math.max(end, this.capacity * 2)));
    // What a spare buffer's last owner left below `end` is zeroed; a fresh buffer's range is empty (zeroedTo is its
    // length). The fill and the store are made either way: a program's first allocator grows into fresh buffers,
    // the next ones into the spares it gave back, and a call TurboFan's code never saw made is a deopt there
    // (grow's, at the first replay after a warm-up on fresh buffers: it and the next ran 1.3x the instructions).
    const zeroedTo = this.zeroedTo;
    this.bytes.fill(0, Math.min(zeroedTo, end), end);
    this.zeroedTo = Math.max(zeroedTo, end);
    let a = this.arena;
    while (a < end) {
      const j = Math.min(a === 0 ? MAX_ORDER : ctz(a), log2Floor(end - a));
      this.arena = a + (1 << j);
      this.blocks++;
      this.release(a, j, this.mergeOrder(a, j));
      a += 1 << j;
    }
    if (this.arena > this.peakHeapBytes) this.peakHeapBytes = this.arena;
  }

  /**
   * Allocator.dispose: the buffer and the side table (cleared) go to the next allocator of this thread that needs a
   * buffer of that length or less (@dmm/core's spare buffers: no fresh pages to fault in); this one keeps empty
   * views and refuses every later call but dispose.
   */
  dispose(): void {
    if (this.capacity > 0) {
      // Entries are only ever written at block starts, below the arena's end.
      this.meta.fill(0, 0, this.arena >> GRANULE_SHIFT);
      giveBackBuffer(this.bytes.buffer as ArrayBuffer, this.meta);
    }
    this.bytes = new Uint8Array(0);
    this.words = new Int32Array(0);
    this.meta = new Uint8Array(0);
    this.capacity = 0;
    refuseCallsAfterDispose(this, this.name);
  }

  /**
   * A buffer for `capacity` arena bytes or more, the arena copied into it: the smallest spare buffer from that up
   * to maxArena that a disposed allocator gave back (grown into at once: no copies at the sizes between), with its
   * side table if it came with a buddy allocator's of its length, else fresh memory. A spare's bytes past the
   * arena are whatever its last owner left: extendTo zeroes them as the arena reaches them.
   */
  private takeBuffer(capacity: number): void {
    const spare = takeSpareBuffer(capacity, this.maxArena);
    // A spare buffer may be any length: the arena uses whole granules of it.
    const length = spare !== null ? spare.byteLength & ~GRANULE_MASK : capacity;
    const buffer = spare ?? new ArrayBuffer(capacity);
    const side = spare !== null ? takeSideArray(spare) : null;
    const meta = side instanceof Uint8Array && side.length === length >> GRANULE_SHIFT ? side : new Uint8Array(length >> GRANULE_SHIFT);
    const bytes = new Uint8Array(buffer, 0, length);
    bytes.set(this.bytes.subarray(0, this.arena));
    meta.set(this.meta.subarray(0, this.arena >> GRANULE_SHIFT));
    this.bytes = bytes;
    this.words = new Int32Array(buffer, 0, length >> 2);
    this.meta = meta;
    this.capacity = length;
    this.zeroedTo = spare !== null ? this.arena : length;
  }

  /**
   * Grows the arena by the least that yields a free block of `order`, or returns false when maxSize forbids it.
   * With immediate coalescing, a free tail [p, top) of the aligned slot p that holds the top merges with the
   * new chunks into the block at p; otherwise the block is a new chunk at the next multiple of 2^order.
   */
  private grow(order: number): boolean {
    const size = 1 << order;
    const top = this.arena;
    const p = top - (top % size);
    let end = p === top ? top + size : p + 2 * size;
    if (this.immediate && p !== top) {
      // The new chunks merge only with free blocks in [p, top) (no free block of `order` or more exists, or
      // malloc would not grow): each is validated here, before the arena changes.
      let allFree = true;
      for (let q = p; q < top; ) {
        const m = this.meta[q >> GRANULE_SHIFT]!;
        if (!(m & START)) this.corrupt(q, "no block starts where the previous one ends (side table)");
        const k = m & ORDER_MASK;
        if (m & META_USED) allFree = false;
        else {
          const fault = this.freeFault(q, k);
          if (fault !== SOUND) this.corruptFree(q, k, fault);
        }
        q += 1 << k;
      }
      if (allFree) end = p + size;
    }
    if (end > this.maxArena) return false;
    this.extendTo(end);
    return true;
  }

  // ---- the allocator ------------------------------------------------------------------------------------

  malloc(size: number): Ptr {
    // Every integer from 0 to MAX_REQUEST passes the first test; anything else is assertSize's (the core heap's one
    // rule for a size) or NULL. typeof first: `>>>` on a BigInt or a Symbol throws a TypeError, and on an object
    // it calls the object's valueOf.
    if (typeof size !== "number" || size >>> 0 !== size || size > MAX_REQUEST) return this.mallocRejected(size);
    const order = orderFor(size);
    // One bitmask probe finds the list; the cost is the one list examined.
    this.lastSearchCost = 1;
    if ((this.freeMask & (1 << order)) === 0 && !this.refill(order)) {
      this.failedAllocations++;
      return 0;
    }
    const block = this.heads[order]!;
    // The list's head may have been overwritten by an overflow from the block below: report, never hand it out.
    const fault = this.freeFault(block, order);
    if (fault !== SOUND) this.corruptFree(block, order, fault);
    this.unlinkFree(block, order);
    this.markUsed(block, order, size);
    this.usedBlocks++;
    this.usedBytes += 1 << order;
    return block + HEADER_BYTES;
  }

  /**
   * Puts a free block on the empty list of `order`: splits the lowest larger free block down (keeping the lower
   * half, freeing the upper half, its buddy, at each order; the last lower half is the new head), after growing the
   * arena if there is none. False, with nothing changed, when maxSize forbids growing.
   */
  private refill(order: number): boolean {
    let avail = this.freeMask & (-1 << order);
    if (avail === 0) {
      if (!this.grow(order)) return false;
      avail = this.freeMask & (-1 << order);
    }
    const k = ctz(avail);
    if (k === order) return true;
    const block = this.heads[k]!;
    const fault = this.freeFault(block, k);
    if (fault !== SOUND) this.corruptFree(block, k, fault);
    this.unlinkFree(block, k);
    for (let j = k - 1; j >= order; j--) this.pushFree(block + (1 << j), j);
    this.pushFree(block, order);
    this.blocks += k - order;
    return true;
  }

  /** malloc of a size that is not an integer from 0 to MAX_REQUEST: INVALID_SIZE, or NULL for one too large. */
  private mallocRejected(size: number): Ptr {
    assertSize(size, "malloc size");
    this.failedAllocations++;
    this.lastSearchCost = 0;
    return 0;
  }

  private markUsed(block: number, order: number, size: number): void {
    const w = this.words;
    w[block >> 2] = TAG | USED_BIT | order;
    w[(block >> 2) + REQUESTED] = size;
    this.meta[block >> GRANULE_SHIFT] = LIVE | order;
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
  }

  calloc(count: number, size: number): Ptr {
    assertSize(count, "calloc count");
    assertSize(size, "calloc size");
    const total = count * size;
    if (total > MAX_ARENA) {
      this.failedAllocations++;
      this.lastSearchCost = 0;
      return 0;
    }
    const ptr = this.malloc(total);
    if (ptr !== 0) this.bytes.fill(0, ptr, ptr + this.usableSize(ptr));
    return ptr;
  }

  free(ptr: Ptr): void {
    if (ptr === 0) return;
    const order = this.liveOrder(ptr, "free");
    const block = ptr - HEADER_BYTES;
    const requested = this.words[(block >> 2) + REQUESTED]!;
    this.release(block, order, this.mergeOrder(block, order));
    this.liveBytes -= requested;
    this.usedBlocks--;
    this.usedBytes -= 1 << order;
  }

  realloc(ptr: Ptr, size: number): Ptr {
    assertSize(size, "realloc size");
    if (ptr === 0) return this.malloc(size);
    let order = this.liveOrder(ptr, "realloc");
    if (size === 0) {
      this.free(ptr);
      return 0;
    }
    if (size > MAX_REQUEST) {
      this.failedAllocations++;
      return 0;
    }
    const block = ptr - HEADER_BYTES;
    const need = orderFor(size);
    const oldSize = this.words[(block >> 2) + REQUESTED]!;
    if (need <= order) {
      // Shrink in place: give back upper halves (each is the buddy of the used lower half, so none merges).
      this.blocks += order - need;
      while (order > need) {
        order--;
        this.pushFree(block + (1 << order), order);
        this.usedBytes -= 1 << order;
      }
    } else if (this.growsInPlace(block, order, need)) {
      this.blocks -= need - order;
      for (let k = order; k < need; k++) {
        const buddy = block + (1 << k);
        this.unlinkFree(buddy, k);
        this.meta[buddy >> GRANULE_SHIFT] = 0;
        this.usedBytes += 1 << k;
      }
      order = need;
    } else {
      // Malloc, copy, free — with free's checks made first, so a damaged buddy of the old block is reported
      // before a new block exists; and the old request out of the live bytes while the new one is allocated, so
      // peakLiveBytes counts the move as the new size only (mdriver's rule), not old + new.
      this.mergeOrder(block, order);
      this.liveBytes -= oldSize;
      let moved: Ptr;
      try {
        moved = this.malloc(size);
      } finally {
        this.liveBytes += oldSize;
      }
      if (moved === 0) return 0;
      this.bytes.copyWithin(moved, ptr, ptr + Math.min((1 << order) - HEADER_BYTES, size));
      this.free(ptr);
      return moved;
    }
    this.liveBytes -= oldSize;
    this.markUsed(block, order, size);
    return ptr;
  }

  /**
   * Whether the used block at `block` of `order` can become a block of `need` in place: at each order k on the
   * way it must be the lower buddy (bit k of its offset clear) and its upper buddy a free block of exactly
   * order k. E.g. a used order-4 block at 0 grows to order 6 when 16 (order 4) and 32 (order 5) are free.
   */
  private growsInPlace(block: number, order: number, need: number): boolean {
    if (!this.immediate) return false;
    if (block % (1 << need) !== 0 || block + (1 << need) > this.arena) return false;
    for (let k = order; k < need; k++) if (!this.isFreeOf(block + (1 << k), k)) return false;
    for (let k = order; k < need; k++) {
      const fault = this.freeFault(block + (1 << k), k);
      if (fault !== SOUND) this.corruptFree(block + (1 << k), k, fault);
    }
    return true;
  }

  usableSize(ptr: Ptr): number {
    return (1 << this.liveOrder(ptr, "usableSize")) - HEADER_BYTES;
  }

  // ---- inspection ---------------------------------------------------------------------------------------

  stats(): HeapStats {
    // The arena is the whole heap (no base outside it): a fixed arena's heapBytes is its size.
    return {
      heapBytes: this.arena,
      peakHeapBytes: this.peakHeapBytes,
      liveBytes: this.liveBytes,
      peakLiveBytes: this.peakLiveBytes,
      usedBlocks: this.usedBlocks,
      usedBytes: this.usedBytes,
      freeBlocks: this.blocks - this.usedBlocks,
      freeBytes: this.arena - this.usedBytes,
      largestFreeBlock: this.freeMask === 0 ? 0 : (1 << log2Floor(this.freeMask)) - HEADER_BYTES,
      failedAllocations: this.failedAllocations,
    };
  }

  /** The block starting at `block`, validated against the side table; returns its order. */
  private blockAt(block: number): number {
    const m = this.meta[block >> GRANULE_SHIFT]!;
    if (!(m & START)) this.corrupt(block, "no block starts where the previous one ends (side table)");
    const order = m & ORDER_MASK;
    if (order < MIN_ORDER || block % (1 << order) !== 0) this.corrupt(block, `order ${order} block is not aligned to 2^${order}`);
    if (block + (1 << order) > this.arena) this.corrupt(block, `order ${order} block runs past the arena's end`);
    const expected = TAG | (m & META_USED ? USED_BIT : 0) | order;
    if (this.words[block >> 2] !== expected) this.corrupt(block, "header disagrees with the side table (overwritten by a buffer overflow?)");
    return order;
  }

  *walk(): IterableIterator<BlockInfo> {
    let block = 0;
    while (block < this.arena) {
      const order = this.blockAt(block);
      yield { offset: block, payload: block + HEADER_BYTES, size: (1 << order) - HEADER_BYTES, free: !(this.meta[block >> GRANULE_SHIFT]! & META_USED) };
      block += 1 << order;
    }
  }

  /**
   * Three phases, as in tlsf-bsd: (1) the physical chain — headers agree with the side table, blocks are aligned
   * to their size and tile the arena, no granule inside a block is marked as a start, no two free buddies
   * (immediate coalescing), counters match; (2) the free lists — each block on list k is a free block of order
   * k, links go both ways, the bitmask says which lists are non-empty; (3) both saw the same free blocks.
   */
  check(): void {
    const physicalFree = new Set<number>();
    let used = 0, usedBytes = 0, freeBytes = 0, live = 0;
    let block = 0;
    while (block < this.arena) {
      const order = this.blockAt(block);
      const granules = 1 << (order - GRANULE_SHIFT);
      for (let g = 1; g < granules; g++) {
        if (this.meta[(block >> GRANULE_SHIFT) + g] !== 0) this.corrupt(block, `a block start is marked inside this order ${order} block`);
      }
      if (this.meta[block >> GRANULE_SHIFT]! & META_USED) {
        used++;
        usedBytes += 1 << order;
        const requested = this.words[(block >> 2) + REQUESTED]! >>> 0;
        if (requested > (1 << order) - HEADER_BYTES) this.corrupt(block, "requested size exceeds the block");
        live += requested;
      } else {
        physicalFree.add(block);
        freeBytes += 1 << order;
        if (this.immediate) {
          const buddy = buddyOf(block, order);
          if (buddy + (1 << order) <= this.arena && this.isFreeOf(buddy, order)) {
            this.corrupt(block, `buddies should have merged (free buddy at ${buddy} of the same order ${order})`);
          }
        }
      }
      block += 1 << order;
    }
    if (block !== this.arena) this.corrupt(block, `blocks do not tile the arena: the chain ends at ${block}, the arena is ${this.arena}`);
    const counters: Array<[string, number, number]> = [
      ["usedBlocks", this.usedBlocks, used], ["usedBytes", this.usedBytes, usedBytes],
      ["freeBlocks", this.blocks - this.usedBlocks, physicalFree.size], ["freeBytes", this.arena - this.usedBytes, freeBytes], ["liveBytes", this.liveBytes, live],
    ];
    for (const [name, kept, counted] of counters) {
      if (kept !== counted) this.corrupt(0, `stats.${name} is ${kept} but the arena holds ${counted}`);
    }

    // Phase 2: the free lists.
    const listed = new Set<number>();
    const w = this.words;
    for (let k = 0; k <= MAX_ORDER; k++) {
      const head = this.heads[k]!;
      if ((head !== NIL) !== ((this.freeMask & (1 << k)) !== 0)) {
        this.corrupt(head, `the free-order bitmask says order ${k} is ${head !== NIL ? "empty" : "non-empty"}, the list says otherwise`);
      }
      let prev = NIL;
      for (let b = head; b !== NIL; b = w[(b >> 2) + NEXT]!) {
        if (listed.has(b) || listed.size > physicalFree.size) this.corrupt(b, `free list of order ${k} has a cycle or a block listed twice`);
        if (!this.isFreeOf(b, k)) this.corrupt(b, `block on the free list of order ${k} is not a free block of that order`);
        if (w[(b >> 2) + PREV] !== prev) this.corrupt(b, `free list of order ${k}: previous link disagrees`);
        listed.add(b);
        prev = b;
      }
    }
    // Phase 3: both saw the same free blocks.
    for (const b of physicalFree) if (!listed.has(b)) this.corrupt(b, "free block missing from its free list");
  }
}
