/**
 * The mechanism: blocks with boundary tags in an ArrayBuffer (layout in ./layout.ts), splitting, coalescing,
 * growth, validation and the checker. The policy (which free block serves a request) is the Strategy's.
 */
import {
  assertSize,
  type BlockInfo,
  type Coalescing,
  type Heap,
  HeapError,
  type HeapOptions,
  type HeapStats,
  type Ptr,
  type Strategy,
  type StrategyHost,
} from "./api.js";
import * as layout from "./layout.js";

// Module-local copies: V8 folds a module's own constants into the code, but reads imported bindings at each use.
const FLAG_MASK = layout.FLAG_MASK;
const HEADER_BYTES = layout.HEADER_BYTES;
const MIN_BLOCK_BYTES = layout.MIN_BLOCK_BYTES;
const PREV_FREE = layout.PREV_FREE;
const REQUESTED = layout.REQUESTED;
const USED = layout.USED;

/** Largest arena: offsets and sizes must fit the 32-bit words of the headers. */
export const MAX_HEAP_BYTES = 1 << 30;
const MAX_ALIGNMENT = 4096;
/** Smallest backing buffer of a growable heap. */
const MIN_CAPACITY = 1 << 16;
/**
 * A growable heap's buffer is replaced by one GROWTH times larger when the heap outgrows it, copying the heap.
 * 4 rather than 2: growing a fresh heap to 16 MiB copies about 5 MiB instead of 16 (measured: 8% of the CPU
 * profile of the 2M-op mixed trace when doubling). The buffer's untouched tail costs address space, not memory
 * (the pages are never written), and it never exceeds maxSize; peakHeapBytes does not count it.
 */
const GROWTH = 4;
/** Free blocks a deferred-coalescing heap remembers between merge passes; past that a pass walks the heap. */
const PENDING_BLOCKS = 4096;

const IMMEDIATE = 0;
const DEFERRED = 1;
const NONE = 2;

export function createHeap(options: HeapOptions): Heap {
  return new BoundaryTagHeap(options);
}

function fail(code: "INVALID_OPTIONS", message: string): never {
  throw new HeapError(code, message);
}

function isStrategy(s: unknown): s is Strategy {
  const t = s as Strategy | null;
  return (
    typeof t === "object" && t !== null && typeof t.attach === "function" && typeof t.insert === "function" &&
    typeof t.remove === "function" && typeof t.find === "function" && typeof t.forEach === "function"
  );
}

class BoundaryTagHeap implements Heap, StrategyHost {
  words: Int32Array;
  private bytes: Uint8Array;
  /**
   * Two bitmaps with a bit per 8-byte granule, interleaved word by word so that both bits of a block share a
   * cache line (free tests one and sets the other on the same block): word 2k holds the START bits of granules
   * 32k .. 32k + 31 (set where a block starts), word 2k + 1 their FREED bits (set where a block was freed,
   * cleared when a block there is handed out again; it tells a second free of a pointer, DOUBLE_FREE, from a
   * pointer that was never allocated, INVALID_POINTER). Block offset b: word ((b >>> 8) << 1) (+ 1), bit
   * (b >>> 3) & 31; e.g. b = 1000: granule 125, words 6 and 7, bit 29.
   */
  private marks: Int32Array;
  private capacity: number;

  readonly alignment: number;
  /** alignment - 1: `x & alignMask` is `x % alignment` for the non-negative offsets and sizes it is used on. */
  private readonly alignMask: number;
  readonly minBlockSize: number;
  readonly base: number;
  readonly coalescing: Coalescing;
  private readonly mode: number;
  private readonly maxSize: number;

  top: number;
  /** Arena bytes claimed: the initial size, then the top as the heap grows. */
  private extent: number;
  /** 1 when the last block is free (the PREV_FREE bit a block at `top` would carry). */
  private topPrevFree = 0;

  strategy: Strategy;
  lastSearchCost = 0;

  /** Deferred coalescing: free blocks made since the last merge pass, which may sit next to another free block. */
  private readonly pending = new Int32Array(PENDING_BLOCKS);
  private pendingCount = 0;
  /** More blocks were freed than `pending` holds: the next pass walks the whole heap. */
  private pendingOverflow = false;

  private liveBytes = 0;
  private peakLiveBytes = 0;
  private peakHeapBytes: number;
  private usedBlocks = 0;
  private usedBytes = 0;
  private freeBlocks = 0;
  private freeBytes = 0;
  private failedAllocations = 0;

  constructor(options: HeapOptions) {
    if (typeof options !== "object" || options === null) fail("INVALID_OPTIONS", "options must be an object");
    const { size, strategy } = options;
    const maxSize = options.maxSize ?? size;
    const alignment = options.alignment ?? 8;
    const coalescing = options.coalescing ?? "immediate";
    if (!Number.isInteger(size) || size < 0 || size > MAX_HEAP_BYTES) {
      fail("INVALID_OPTIONS", `size must be an integer from 0 to ${MAX_HEAP_BYTES}, got ${String(size)}`);
    }
    if (!Number.isInteger(maxSize) || maxSize < size || maxSize > MAX_HEAP_BYTES) {
      fail("INVALID_OPTIONS", `maxSize must be an integer from size (${size}) to ${MAX_HEAP_BYTES}, got ${String(maxSize)}`);
    }
    if (!Number.isInteger(alignment) || alignment < 8 || alignment > MAX_ALIGNMENT || (alignment & (alignment - 1)) !== 0) {
      fail("INVALID_OPTIONS", `alignment must be a power of two from 8 to ${MAX_ALIGNMENT}, got ${String(alignment)}`);
    }
    const mode = coalescing === "immediate" ? IMMEDIATE : coalescing === "deferred" ? DEFERRED : coalescing === "none" ? NONE : -1;
    if (mode < 0) fail("INVALID_OPTIONS", `coalescing must be "immediate", "deferred" or "none", got ${String(coalescing)}`);
    if (!isStrategy(strategy)) fail("INVALID_OPTIONS", "strategy is required: e.g. firstFit() from @dmm/strategies");

    this.alignment = alignment;
    this.alignMask = alignment - 1;
    this.coalescing = coalescing;
    this.mode = mode;
    this.maxSize = maxSize;
    this.minBlockSize = (MIN_BLOCK_BYTES + alignment - 1) & -alignment;
    this.base = alignment === 8 ? 8 : alignment - HEADER_BYTES;
    this.capacity = maxSize === size ? size : Math.min(maxSize, Math.max(size, MIN_CAPACITY));
    const buffer = new ArrayBuffer(this.capacity);
    this.words = new Int32Array(buffer, 0, this.capacity >> 2);
    this.bytes = new Uint8Array(buffer);
    this.marks = new Int32Array(((this.capacity >> 8) + 1) << 1);
    this.extent = size;
    this.peakHeapBytes = size;
    // The blocks tile [base, top); top is the largest such end within the arena.
    const span = size - this.base;
    this.top = this.base;
    if (span >= this.minBlockSize) {
      const blockBytes = span - (span % alignment);
      this.top = this.base + blockBytes;
      this.words[this.base >> 2] = blockBytes;
      this.words[(this.top - 4) >> 2] = blockBytes;
      this.markStart(this.base);
      this.freeBlocks = 1;
      this.freeBytes = blockBytes;
      this.topPrevFree = 1;
    }
    this.strategy = strategy;
    strategy.attach(this);
    if (this.freeBlocks) strategy.insert(this.base);
  }

  get name(): string {
    return this.strategy.name;
  }

  get memory(): Uint8Array {
    return this.bytes;
  }

  // ---- block-start bitmap -------------------------------------------------------------------------------

  private markStart(block: number): void {
    this.marks[(block >>> 8) << 1]! |= 1 << ((block >>> 3) & 31);
  }

  private clearStart(block: number): void {
    this.marks[(block >>> 8) << 1]! &= ~(1 << ((block >>> 3) & 31));
  }

  private isStart(block: number): boolean {
    return (this.marks[(block >>> 8) << 1]! & (1 << ((block >>> 3) & 31))) !== 0;
  }

  private wasFreed(block: number): boolean {
    return (this.marks[((block >>> 8) << 1) | 1]! & (1 << ((block >>> 3) & 31))) !== 0;
  }

  /** The start of the block holding byte `address` (the nearest start at or below it), or -1. */
  private blockContaining(address: number): number {
    const granule = address >>> 3;
    let i = granule >>> 5;
    // Bits 0 .. granule & 31 of word i; `2 << 31` is 0 in 32-bit arithmetic, so the mask is then all ones.
    let word = this.marks[i << 1]! & ((2 << (granule & 31)) - 1);
    while (word === 0) {
      if (i === 0) return -1;
      word = this.marks[--i << 1]!;
    }
    return ((i << 5) + 31 - Math.clz32(word)) << 3;
  }

  // ---- sizes ------------------------------------------------------------------------------------------

  /** Block bytes needed to serve `size` payload bytes, or -1 when no heap of ours could hold it. */
  private blockFor(size: number): number {
    if (size > MAX_HEAP_BYTES) return -1;
    const mask = this.alignMask;
    const need = (size + HEADER_BYTES + mask) & ~mask;
    return need < this.minBlockSize ? this.minBlockSize : need;
  }

  // ---- validation (before any mutation) ----------------------------------------------------------------

  private corrupt(block: number, why: string): never {
    throw new HeapError("CORRUPTION", `block at ${block}: ${why}`);
  }

  /**
   * Validates the header of the block at `block`; returns its size. A free block's footer is compared too: it
   * is what exposes a free header whose size was overwritten to end at another real block boundary (swallowing
   * the used blocks in between), and a write through a stale pointer.
   */
  private validHeader(block: number): number {
    const header = this.words[block >> 2]!;
    const size = header & ~FLAG_MASK;
    if (size < this.minBlockSize || (size & this.alignMask) !== 0 || block + size > this.top) {
      this.corrupt(block, `header size ${size} is impossible (overwritten header?)`);
    }
    const next = block + size;
    if (next < this.top && !this.isStart(next)) this.corrupt(block, `size ${size} does not end at a block boundary`);
    // The USED bit is stored twice: in this header and as the PREV_FREE bit of the block above (or of the top).
    // A flipped bit (a one-byte overflow onto the size word) disagrees with the other copy; a stale footer
    // left in a used block's slack could otherwise vouch for a forged free header.
    const aboveSaysFree = next < this.top ? (this.words[next >> 2]! & PREV_FREE) !== 0 : this.topPrevFree !== 0;
    if (aboveSaysFree === ((header & USED) !== 0)) {
      this.corrupt(block, `its USED bit says ${header & USED ? "used" : "free"} but the PREV_FREE bit above it says ${aboveSaysFree ? "free" : "used"}`);
    }
    if (header & USED) {
      const requested = this.words[(block >> 2) + REQUESTED]! >>> 0;
      if (requested > size - HEADER_BYTES) this.corrupt(block, "requested size exceeds the block");
      // A used block is never a whole block larger than its request needs (a split would have cut that off), so
      // a size overwritten with a larger one that happens to end at a real boundary, swallowing the blocks in
      // between, is caught in O(1).
      if (size - this.blockFor(requested) >= this.minBlockSize) {
        this.corrupt(block, `size ${size} is larger than its request of ${requested} bytes needs: it spans other blocks (overwritten header?)`);
      }
    } else if (this.words[(next - 4) >> 2] !== size) {
      this.corrupt(block, "free block's footer disagrees with its header");
    }
    return size;
  }

  /** The free block just below `block` (whose PREV_FREE bit is set), found through its footer and validated. */
  private freeBlockBelow(block: number): number {
    const prevSize = this.words[(block - 4) >> 2]!;
    const prev = block - prevSize;
    if (prevSize < this.minBlockSize || (prevSize & this.alignMask) !== 0 || prev < this.base || !this.isStart(prev)) {
      this.corrupt(block, "PREV_FREE is set but the footer below does not lead to a block");
    }
    if (this.validHeader(prev) !== prevSize || this.words[prev >> 2]! & USED) {
      this.corrupt(prev, "footer and header of the free block below disagree");
    }
    return prev;
  }

  /** The header offset of the live block whose payload is `ptr`, validated; throws for anything else. */
  private usedBlock(ptr: unknown, op: string): number {
    if (typeof ptr !== "number" || !Number.isInteger(ptr)) {
      throw new HeapError("INVALID_POINTER", `${op}(${String(ptr)}): not a pointer`);
    }
    const block = ptr - HEADER_BYTES;
    if (block < this.base || ptr >= this.top || (ptr & this.alignMask) !== 0 || !this.isStart(block)) {
      this.badPointer(ptr, op);
    }
    this.validHeader(block);
    if (!(this.words[block >> 2]! & USED)) {
      if (this.wasFreed(block)) throw new HeapError("DOUBLE_FREE", `${op}(${ptr}): the block is already free`);
      throw new HeapError("INVALID_POINTER", `${op}(${ptr}): a free block that was never allocated`);
    }
    return block;
  }

  /**
   * Explains a pointer that is not the start of a block: a stale pointer into freed memory (its block was freed
   * and merged into a neighbour: DOUBLE_FREE) or just wrong (INVALID_POINTER). Only on the error path.
   */
  private badPointer(ptr: number, op: string): never {
    const block = ptr - HEADER_BYTES;
    if (ptr % this.alignment === 0 && block > this.base && ptr < this.top && this.wasFreed(block)) {
      const holder = this.blockContaining(block);
      if (holder >= this.base && !(this.words[holder >> 2]! & USED)) {
        throw new HeapError("DOUBLE_FREE", `${op}(${ptr}): the block was freed and merged into the free block at ${holder}`);
      }
    }
    throw new HeapError("INVALID_POINTER", `${op}(${ptr}): not the start of a live block`);
  }

  // ---- growth -------------------------------------------------------------------------------------------

  private ensureCapacity(bytes: number): void {
    if (bytes <= this.capacity) return;
    const capacity = Math.min(this.maxSize, Math.max(bytes, this.capacity * GROWTH));
    const buffer = new ArrayBuffer(capacity);
    const bytesView = new Uint8Array(buffer);
    bytesView.set(this.bytes.subarray(0, this.top));
    const marks = new Int32Array(((capacity >> 8) + 1) << 1);
    marks.set(this.marks);
    this.bytes = bytesView;
    this.words = new Int32Array(buffer, 0, capacity >> 2);
    this.marks = marks;
    this.capacity = capacity;
  }

  /**
   * Grows the heap by exactly what `need` bytes require beyond a free block at the top. Returns that block,
   * already out of the strategy's index, or 0 when maxSize forbids it.
   */
  private grow(need: number): number {
    const words = this.words;
    if (this.topPrevFree) {
      const lastSize = words[(this.top - 4) >> 2]!;
      const last = this.top - lastSize;
      if (lastSize < this.minBlockSize || last < this.base || !this.isStart(last) || this.validHeader(last) !== lastSize || words[last >> 2]! & USED) {
        this.corrupt(last, "the footer at the top does not lead to the free block it should end");
      }
      if (lastSize >= need) {
        // The policy missed a block that fits (a size-class policy such as TLSF may): use it, do not grow.
        this.strategy.remove(last);
        return last;
      }
      const extra = need - lastSize;
      if (this.top + extra > this.maxSize) return 0;
      this.ensureCapacity(this.top + extra);
      this.strategy.remove(last);
      const w = this.words;
      w[last >> 2] = need | (w[last >> 2]! & PREV_FREE);
      this.top += extra;
      w[(this.top - 4) >> 2] = need;
      this.freeBytes += extra;
      this.grew();
      return last;
    }
    if (this.top + need > this.maxSize) return 0;
    this.ensureCapacity(this.top + need);
    const block = this.top;
    this.words[block >> 2] = need;
    this.markStart(block);
    this.top += need;
    this.words[(this.top - 4) >> 2] = need;
    this.topPrevFree = 1;
    this.freeBlocks++;
    this.freeBytes += need;
    this.grew();
    return block;
  }

  private grew(): void {
    if (this.top > this.extent) this.extent = this.top;
    if (this.extent > this.peakHeapBytes) this.peakHeapBytes = this.extent;
  }

  // ---- the allocator ------------------------------------------------------------------------------------

  malloc(size: number): Ptr {
    assertSize(size, "malloc size");
    const need = this.blockFor(size);
    if (need < 0) {
      this.failedAllocations++;
      this.lastSearchCost = 0;
      return 0;
    }
    const block = this.findBlock(need);
    if (block === 0) {
      this.failedAllocations++;
      return 0;
    }
    this.allocate(block, need, size);
    return block + HEADER_BYTES;
  }

  /** Finds (and takes out of the index) a free block of at least `need` bytes: fit, coalesce, grow. */
  private findBlock(need: number): number {
    const strategy = this.strategy;
    let block = strategy.find(need);
    let cost = strategy.examined;
    if (block === 0 && this.mode === DEFERRED && this.coalescePending() > 0) {
      block = strategy.find(need);
      cost += strategy.examined;
    }
    this.lastSearchCost = cost;
    if (block !== 0) {
      // The policy read the block's size from its header: check that header (and its footer) before carving,
      // so an overflow that forged a bigger size is reported rather than handed out over live data.
      if (!this.isStart(block) || this.validHeader(block) < need || this.words[block >> 2]! & USED) {
        throw new HeapError("CORRUPTION", `${strategy.name} returned block ${block}, which is not a free block of at least ${need} bytes`);
      }
      strategy.remove(block);
      return block;
    }
    return this.grow(need);
  }

  /** Marks the free block `block` (already out of the index) used for `size` bytes, splitting off the rest. */
  private allocate(block: number, need: number, size: number): void {
    const words = this.words;
    const header = words[block >> 2]!;
    const blockBytes = header & ~FLAG_MASK;
    const rest = blockBytes - need;
    if (rest >= this.minBlockSize) {
      words[block >> 2] = need | USED | (header & PREV_FREE);
      const remainder = block + need;
      words[remainder >> 2] = rest;
      words[(remainder + rest - 4) >> 2] = rest;
      this.markStart(remainder);
      this.strategy.insert(remainder);
      if (this.mode === DEFERRED) this.notePending(remainder);
      this.freeBytes -= need;
      this.usedBytes += need;
    } else {
      words[block >> 2] = blockBytes | USED | (header & PREV_FREE);
      const next = block + blockBytes;
      if (next < this.top) words[next >> 2]! &= ~PREV_FREE;
      else this.topPrevFree = 0;
      this.freeBlocks--;
      this.freeBytes -= blockBytes;
      this.usedBytes += blockBytes;
    }
    words[(block >> 2) + REQUESTED] = size;
    this.marks[((block >>> 8) << 1) | 1]! &= ~(1 << ((block >>> 3) & 31));
    this.usedBlocks++;
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
  }

  calloc(count: number, size: number): Ptr {
    assertSize(count, "calloc count");
    assertSize(size, "calloc size");
    const total = count * size;
    if (total > MAX_HEAP_BYTES) {
      this.failedAllocations++;
      this.lastSearchCost = 0;
      return 0;
    }
    const ptr = this.malloc(total);
    if (ptr !== 0) {
      const block = ptr - HEADER_BYTES;
      this.bytes.fill(0, ptr, block + (this.words[block >> 2]! & ~FLAG_MASK));
    }
    return ptr;
  }

  free(ptr: Ptr): void {
    if (ptr === 0) return;
    // Validate the block and both neighbours before touching anything, so a rejected free changes nothing.
    // First freeable's checks for the common case (immediate coalescing, a sound live block), fused into one pass
    // with each word read once and no call: the same conditions as usedBlock, validHeader(block),
    // validHeader(next) and freeBlockBelow, without their messages. Any that fails leaves the block unknown
    // (-1) and freeable runs the full checks, which throw the precise error; this pass never accepts what
    // freeable would reject. (Inline, not a method: V8 would not inline a function this size, and the call
    // measured ~10% of a free.)
    let block = -1;
    fast: if (this.mode === IMMEDIATE) {
      if (typeof ptr !== "number" || (ptr | 0) !== ptr) break fast;
      const words = this.words;
      const marks = this.marks;
      const top = this.top;
      const min = this.minBlockSize;
      const mask = this.alignMask;
      const candidate = ptr - HEADER_BYTES;
      if (candidate < this.base || ptr >= top || (ptr & mask) !== 0) break fast;
      if ((marks[(candidate >>> 8) << 1]! & (1 << ((candidate >>> 3) & 31))) === 0) break fast;
      // The block: used, a sound size, a request that needs that size, and the USED bit's copy above agrees.
      const header = words[candidate >> 2]!;
      const size = header & ~FLAG_MASK;
      const next = candidate + size;
      if ((header & USED) === 0 || size < min || (size & mask) !== 0 || next > top) break fast;
      const requested = words[(candidate >> 2) + REQUESTED]! >>> 0;
      if (requested > size - HEADER_BYTES || size - this.blockFor(requested) >= min) break fast;
      if (next < top) {
        if ((marks[(next >>> 8) << 1]! & (1 << ((next >>> 3) & 31))) === 0) break fast;
        const nextHeader = words[next >> 2]!;
        if (nextHeader & PREV_FREE) break fast;
        // The block above, as validHeader(next) checks it.
        const nextSize = nextHeader & ~FLAG_MASK;
        const after = next + nextSize;
        if (nextSize < min || (nextSize & mask) !== 0 || after > top) break fast;
        let aboveSaysFree: number;
        if (after < top) {
          if ((marks[(after >>> 8) << 1]! & (1 << ((after >>> 3) & 31))) === 0) break fast;
          aboveSaysFree = words[after >> 2]! & PREV_FREE;
        } else aboveSaysFree = this.topPrevFree;
        if (nextHeader & USED) {
          if (aboveSaysFree !== 0) break fast;
          const nextRequested = words[(next >> 2) + REQUESTED]! >>> 0;
          if (nextRequested > nextSize - HEADER_BYTES || nextSize - this.blockFor(nextRequested) >= min) break fast;
        } else if (aboveSaysFree === 0 || words[(after - 4) >> 2] !== nextSize) break fast;
      } else if (this.topPrevFree !== 0) break fast;
      if (header & PREV_FREE) {
        // The free block below, as freeBlockBelow checks it (its footer at candidate - 4 and its header agree).
        const prevSize = words[(candidate - 4) >> 2]!;
        const prev = candidate - prevSize;
        if (prevSize < min || (prevSize & mask) !== 0 || prev < this.base) break fast;
        if ((marks[(prev >>> 8) << 1]! & (1 << ((prev >>> 3) & 31))) === 0) break fast;
        if (words[prev >> 2]! !== (prevSize | (words[prev >> 2]! & PREV_FREE))) break fast;
      }
      block = candidate;
    }
    if (block < 0) block = this.freeable(ptr);
    const words = this.words;
    const header = words[block >> 2]!;
    const size = header & ~FLAG_MASK;
    const requested = words[(block >> 2) + REQUESTED]!;
    const next = block + size;
    let start = block;
    let merged = size;
    let prevFlag = header & PREV_FREE;
    let nextSize = 0;
    let prevSize = 0;
    if (this.mode === IMMEDIATE) {
      if (next < this.top && !(words[next >> 2]! & USED)) nextSize = words[next >> 2]! & ~FLAG_MASK;
      if (prevFlag) prevSize = words[(block - 4) >> 2]!;
      if (nextSize) {
        this.strategy.remove(next);
        this.clearStart(next);
        merged += nextSize;
        this.freeBlocks--;
      }
      if (prevSize) {
        start = block - prevSize;
        this.strategy.remove(start);
        this.clearStart(block);
        merged += prevSize;
        prevFlag = words[start >> 2]! & PREV_FREE;
        this.freeBlocks--;
      }
    }
    words[start >> 2] = merged | prevFlag;
    const end = start + merged;
    words[(end - 4) >> 2] = merged;
    if (end < this.top) words[end >> 2]! |= PREV_FREE;
    else this.topPrevFree = 1;
    this.liveBytes -= requested;
    this.usedBlocks--;
    this.usedBytes -= size;
    this.freeBlocks++;
    this.freeBytes += size;
    this.marks[((block >>> 8) << 1) | 1]! |= 1 << ((block >>> 3) & 31);
    this.strategy.insert(start);
    if (this.mode === DEFERRED) this.notePending(start);
  }

  /**
   * The checks free makes before it changes anything, in full: the block is a live block (usedBlock), the
   * header above it is sound, and under immediate coalescing the free block below it (if any) is too. Returns
   * the block; throws the HeapError that explains the first check that fails.
   */
  private freeable(ptr: unknown): number {
    const block = this.usedBlock(ptr, "free");
    const next = block + (this.words[block >> 2]! & ~FLAG_MASK);
    if (next < this.top) this.validHeader(next);
    if (this.mode === IMMEDIATE && this.words[block >> 2]! & PREV_FREE) this.freeBlockBelow(block);
    return block;
  }

  realloc(ptr: Ptr, size: number): Ptr {
    assertSize(size, "realloc size");
    if (ptr === 0) return this.malloc(size);
    const block = this.usedBlock(ptr, "realloc");
    if (size === 0) {
      this.free(ptr);
      return 0;
    }
    const need = this.blockFor(size);
    if (need < 0) {
      this.failedAllocations++;
      return 0;
    }
    const words = this.words;
    const header = words[block >> 2]!;
    const blockBytes = header & ~FLAG_MASK;
    const next = block + blockBytes;
    const nextHeader = next < this.top ? words[next >> 2]! : USED;
    if (next < this.top) this.validHeader(next);
    const oldSize = words[(block >> 2) + REQUESTED]!;

    if (need <= blockBytes) {
      this.shrinkInPlace(block, need, blockBytes, nextHeader);
    } else {
      const nextFree = nextHeader & USED ? 0 : nextHeader & ~FLAG_MASK;
      if (blockBytes + nextFree >= need) {
        // Grow into the free successor.
        this.strategy.remove(next);
        this.clearStart(next);
        this.freeBlocks--;
        this.freeBytes -= nextFree;
        this.usedBytes += nextFree;
        const combined = blockBytes + nextFree;
        words[block >> 2] = combined | USED | (header & PREV_FREE);
        const after = block + combined;
        if (after < this.top) words[after >> 2]! &= ~PREV_FREE;
        else this.topPrevFree = 0;
        this.shrinkInPlace(block, need, combined, after < this.top ? words[after >> 2]! : USED);
      } else if (next + nextFree === this.top && this.top + (need - blockBytes - nextFree) <= this.maxSize) {
        // The block (or the block and a free successor) ends the heap: extend the heap top.
        const extra = need - blockBytes - nextFree;
        this.ensureCapacity(this.top + extra);
        const w = this.words;
        if (nextFree) {
          this.strategy.remove(next);
          this.clearStart(next);
          this.freeBlocks--;
          this.freeBytes -= nextFree;
          this.topPrevFree = 0;
        }
        w[block >> 2] = need | USED | (header & PREV_FREE);
        this.top += extra;
        this.usedBytes += need - blockBytes;
        this.grew();
      } else {
        const moved = this.malloc(size);
        if (moved === 0) return 0;
        this.bytes.copyWithin(moved, ptr, ptr + Math.min(blockBytes - HEADER_BYTES, size));
        this.free(ptr);
        return moved;
      }
    }
    const w = this.words;
    w[(block >> 2) + REQUESTED] = size;
    this.liveBytes += size - oldSize;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return ptr;
  }

  /** Cuts the used block at `block` (currently `blockBytes`) down to `need`, freeing the tail when it can be a block. */
  private shrinkInPlace(block: number, need: number, blockBytes: number, nextHeader: number): void {
    const rest = blockBytes - need;
    if (rest < this.minBlockSize) return;
    const words = this.words;
    words[block >> 2] = need | USED | (words[block >> 2]! & PREV_FREE);
    const tail = block + need;
    let tailBytes = rest;
    const next = block + blockBytes;
    this.usedBytes -= rest;
    this.freeBytes += rest;
    this.freeBlocks++;
    if (this.mode === IMMEDIATE && next < this.top && !(nextHeader & USED)) {
      this.strategy.remove(next);
      this.clearStart(next);
      tailBytes += nextHeader & ~FLAG_MASK;
      this.freeBlocks--;
    }
    words[tail >> 2] = tailBytes;
    const end = tail + tailBytes;
    words[(end - 4) >> 2] = tailBytes;
    this.markStart(tail);
    if (end < this.top) words[end >> 2]! |= PREV_FREE;
    else this.topPrevFree = 1;
    this.strategy.insert(tail);
    if (this.mode === DEFERRED) this.notePending(tail);
  }

  usableSize(ptr: Ptr): number {
    const block = this.usedBlock(ptr, "usableSize");
    return (this.words[block >> 2]! & ~FLAG_MASK) - HEADER_BYTES;
  }

  /**
   * Deferred coalescing, on a miss: merges the runs of adjacent free blocks that the frees since the last pass
   * may have formed. Only the blocks noted in `pending` are visited (each walks down to the start of its run),
   * so a pass costs what it merges, not the whole heap; when more frees happened than `pending` holds, the
   * pass walks the whole heap instead. Returns how many merges it made.
   */
  private coalescePending(): number {
    if (this.pendingOverflow) return this.coalesceAll();
    const words = this.words;
    let merges = 0;
    for (let i = 0; i < this.pendingCount; i++) {
      let block = this.pending[i]!;
      // Gone since it was noted: merged into a block below, or handed out again.
      if (block >= this.top || !this.isStart(block) || words[block >> 2]! & USED) continue;
      while (words[block >> 2]! & PREV_FREE) block = this.freeBlockBelow(block);
      merges += this.mergeRun(block, this.validHeader(block));
    }
    this.pendingCount = 0;
    return merges;
  }

  /** Notes a new free block that may sit next to another free block, for the next deferred pass. */
  private notePending(block: number): void {
    if (this.pendingCount < this.pending.length) this.pending[this.pendingCount++] = block;
    else this.pendingOverflow = true;
  }

  /** Merges every run of adjacent free blocks in the heap. Returns how many merges it made. */
  private coalesceAll(): number {
    const words = this.words;
    let merges = 0;
    let block = this.base;
    while (block < this.top) {
      const size = this.validHeader(block);
      if (words[block >> 2]! & USED) {
        block += size;
        continue;
      }
      const run = this.mergeRun(block, size);
      merges += run;
      block += words[block >> 2]! & ~FLAG_MASK;
    }
    this.pendingCount = 0;
    this.pendingOverflow = false;
    return merges;
  }

  /**
   * Merges the free block at `block` (of `size` bytes) with the free blocks right above it. Each header is
   * validated before it is trusted (a zeroed header would otherwise stop a walk from advancing), and the run is
   * validated whole before it is merged, so damage is reported before it is built upon. Returns the merges made.
   */
  private mergeRun(block: number, size: number): number {
    const words = this.words;
    const strategy = this.strategy;
    let end = block + size;
    let run = 0;
    while (end < this.top && !(words[end >> 2]! & USED)) {
      end += this.validHeader(end);
      run++;
    }
    if (run === 0) return 0;
    strategy.remove(block);
    for (let next = block + size; next < end; ) {
      const nextSize = words[next >> 2]! & ~FLAG_MASK;
      strategy.remove(next);
      this.clearStart(next);
      next += nextSize;
    }
    this.freeBlocks -= run;
    words[block >> 2] = (end - block) | (words[block >> 2]! & PREV_FREE);
    words[(end - 4) >> 2] = end - block;
    strategy.insert(block);
    return run;
  }

  // ---- inspection ---------------------------------------------------------------------------------------

  setStrategy(strategy: Strategy): void {
    if (!isStrategy(strategy)) fail("INVALID_OPTIONS", "setStrategy needs a Strategy");
    const free: number[] = [];
    for (const b of this.walk()) if (b.free) free.push(b.offset);
    try {
      strategy.attach(this);
      for (const block of free) strategy.insert(block);
    } catch (e) {
      // The new index may have written its links over the old one's: rebuild the old index from scratch.
      const old = this.strategy;
      old.attach(this);
      for (const block of free) old.insert(block);
      fail("INVALID_OPTIONS", `strategy ${strategy.name} failed to index the free blocks: ${(e as Error).message}`);
    }
    this.strategy = strategy;
  }

  *walk(): IterableIterator<BlockInfo> {
    let block = this.base;
    while (block < this.top) {
      const size = this.validHeader(block);
      yield { offset: block, payload: block + HEADER_BYTES, size: size - HEADER_BYTES, free: !(this.words[block >> 2]! & USED) };
      block += size;
    }
  }

  stats(): HeapStats {
    let largest = this.strategy.largest ? this.strategy.largest() : 0;
    if (!this.strategy.largest) {
      const words = this.words;
      for (let block = this.base; block < this.top; ) {
        const header = words[block >> 2]!;
        const size = header & ~FLAG_MASK;
        if (size < this.minBlockSize || block + size > this.top) this.corrupt(block, `header size ${size} is impossible (overwritten header?)`);
        if (!(header & USED) && size > largest) largest = size;
        block += size;
      }
    }
    return {
      heapBytes: this.extent,
      peakHeapBytes: this.peakHeapBytes,
      liveBytes: this.liveBytes,
      peakLiveBytes: this.peakLiveBytes,
      usedBlocks: this.usedBlocks,
      usedBytes: this.usedBytes,
      freeBlocks: this.freeBlocks,
      freeBytes: this.freeBytes,
      largestFreeBlock: largest > 0 ? largest - HEADER_BYTES : 0,
      failedAllocations: this.failedAllocations,
    };
  }

  /**
   * Three phases, as in tlsf-bsd: (1) the physical chain — sizes, flags and boundary tags agree, blocks tile
   * the heap, no two free neighbours under immediate coalescing; (2) the strategy's free index; (3) both saw
   * the same free blocks.
   */
  check(): void {
    const words = this.words;
    const physicalFree = new Set<number>();
    let used = 0, usedBytes = 0, freeBytes = 0, live = 0, blocks = 0;
    let prevFree = false;
    let block = this.base;
    while (block < this.top) {
      if (!this.isStart(block)) this.corrupt(block, "a block starts where the start bitmap has no mark");
      const size = this.validHeader(block);
      const header = words[block >> 2]!;
      const free = !(header & USED);
      if (((header & PREV_FREE) !== 0) !== prevFree) {
        this.corrupt(block, `PREV_FREE says the block below is ${prevFree ? "used" : "free"}, but it is ${prevFree ? "free" : "used"}`);
      }
      if (free) {
        if (prevFree && this.mode === IMMEDIATE) this.corrupt(block, "blocks should have coalesced (two adjacent free blocks)");
        physicalFree.add(block);
        freeBytes += size;
      } else {
        used++;
        usedBytes += size;
        live += words[(block >> 2) + REQUESTED]!;
      }
      prevFree = free;
      blocks++;
      block += size;
    }
    if (block !== this.top) this.corrupt(block, `blocks do not tile the heap: the chain ends at ${block}, the top is ${this.top}`);
    if ((this.topPrevFree !== 0) !== prevFree) this.corrupt(this.top, "the top's free flag disagrees with the last block");
    let marks = 0;
    for (let i = 0; i < this.marks.length; i += 2) {
      let x = this.marks[i]!;
      while (x !== 0) {
        x &= x - 1;
        marks++;
      }
    }
    if (marks !== blocks) this.corrupt(this.base, `the start bitmap marks ${marks} blocks, the chain has ${blocks}`);
    const counters: Array<[string, number, number]> = [
      ["usedBlocks", this.usedBlocks, used], ["usedBytes", this.usedBytes, usedBytes],
      ["freeBlocks", this.freeBlocks, physicalFree.size], ["freeBytes", this.freeBytes, freeBytes], ["liveBytes", this.liveBytes, live],
    ];
    for (const [name, kept, counted] of counters) {
      if (kept !== counted) this.corrupt(this.base, `stats.${name} is ${kept} but the heap holds ${counted}`);
    }

    // Phase 2: the free index.
    const indexed = new Set<number>();
    try {
      this.strategy.forEach((b) => {
        if (indexed.has(b)) this.corrupt(b, `block indexed twice by ${this.strategy.name}`);
        if (indexed.size > physicalFree.size) this.corrupt(b, `${this.strategy.name} holds more blocks than are free`);
        if (!physicalFree.has(b)) this.corrupt(b, `${this.strategy.name} indexes a block that is not a free block`);
        indexed.add(b);
      });
      this.strategy.check?.();
    } catch (e) {
      if (e instanceof HeapError) throw e;
      throw new HeapError("CORRUPTION", `${this.strategy.name} index: ${(e as Error).message}`);
    }
    // Phase 3: both saw the same free blocks.
    for (const b of physicalFree) if (!indexed.has(b)) this.corrupt(b, `free block missing from ${this.strategy.name}'s index`);
  }

  dump(): string {
    const lines: string[] = [];
    for (const b of this.walk()) lines.push(`Block at: ${b.offset} Size: ${b.size} [${b.free ? "FREE" : "USED"}]`);
    return lines.join("\n");
  }
}
