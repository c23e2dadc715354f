/**
 * @thi.ng/malloc's MemPool as an Allocator. MemPool keeps its state and block headers in the buffer:
 *
 *     state at byte 0 (u32 words): 0 free-list head, 1 used-list head, 2 top, 3 end, 4 align, 5 flags, 6 minSplit
 *     block:  | size (u32, header included) | next (u32) | data ...      data = block + 8
 *
 * Blocks tile [initialTop, top). The free list is address-ordered (first fit walks it from the lowest address;
 * adjacent free blocks are merged, and a free block touching `top` lowers `top`). The used list is unordered,
 * so free() walks it to find the block: O(live blocks) per free.
 *
 * Its realloc, when the block must move, calls its own free() with the block address instead of the data
 * address; that free finds nothing and returns false, so the old block stays allocated forever (a leak).
 * This adapter keeps that behaviour by default (it measures the library as published); `fixReallocLeak`
 * moves the block itself instead.
 */
import { assertSize, HeapError, type BlockInfo, type HeapStats, type Ptr } from "@dmm/core";
import { MemPool } from "@thi.ng/malloc";
import { DEFAULT_PEER_BYTES, type PeerAllocator, type PeerOptions } from "./api.js";
import { BlockTally } from "./block-tally.js";
import { CSemanticsPeer, peerBuffer } from "./c-semantics.js";

const STATE_FREE = 0;
const STATE_USED = 1;
const STATE_TOP = 2;
const HEADER = 8;

export interface ThingMallocOptions extends PeerOptions {
  /** Block alignment, a power of two >= 8. @defaultValue 8 */
  align?: 8 | 16 | 32 | 64;
  /** Move blocks in realloc without the library's leak. @defaultValue false */
  fixReallocLeak?: boolean;
}

class ThingMallocAllocator extends CSemanticsPeer {
  readonly name = "thi.ng-malloc";
  readonly limitations: readonly string[];
  memory: Uint8Array;
  private readonly pool: MemPool;
  private readonly u32: Uint32Array;
  private readonly initialTop: number;
  private readonly fixRealloc: boolean;
  private peakTop: number;
  private failed = 0;
  private readonly tally = new BlockTally();

  constructor(options: ThingMallocOptions) {
    super();
    const size = options.size ?? DEFAULT_PEER_BYTES;
    const align = options.align ?? 8;
    const buf = peerBuffer(size);
    this.pool = new MemPool({ buf, align });
    this.memory = new Uint8Array(buf);
    this.u32 = new Uint32Array(buf, 0, size >>> 2);
    this.initialTop = ((36 + align - 1) & -align) - HEADER;
    this.peakTop = this.u32[STATE_TOP]!;
    this.fixRealloc = options.fixReallocLeak ?? false;
    this.limitations = [
      "stats().liveBytes and peakLiveBytes are NaN: MemPool does not record requested sizes",
      "heapBytes is MemPool's `top` (a bump pointer lowered when the last block is freed); unclaimed space above it is not counted as free, so a failure counts as fragmented only if the free list held enough bytes",
      "free() walks the unordered used list: O(live blocks) per free",
      this.fixRealloc
        ? "realloc moves blocks with malloc + copy + free in this adapter (the library's own realloc leaks the old block)"
        : "realloc leaks the old block when it moves (the library passes the block address to its own free, which ignores it)",
      "usableSize() reads the header without checking the pointer is live",
      "stats() and walk() scan every block: O(blocks) (stats() allocates nothing)",
      "no lastSearchCost: the library does not count the free blocks it examines",
    ];
  }

  /** MemPool writes its state and blocks below its top, a bump pointer: nothing at or past the highest top. */
  protected writtenBytes(): [number, number] {
    return [Math.max(this.peakTop, this.u32[STATE_TOP]!), this.memory.length];
  }

  private noteTop(): void {
    const top = this.u32[STATE_TOP]!;
    if (top > this.peakTop) this.peakTop = top;
  }

  malloc(size: number): Ptr {
    assertSize(size, "malloc size");
    // MemPool returns 0 for malloc(0); C allows a unique pointer, which keeps a zero-byte block distinct.
    const p = size <= this.memory.length ? this.pool.malloc(size === 0 ? 1 : size) : 0;
    if (p === 0) this.failed++;
    else this.noteTop();
    return p;
  }

  protected resize(ptr: Ptr, size: number): Ptr {
    const blockSize = this.u32[(ptr - HEADER) >>> 2]!;
    if (this.fixRealloc && size > blockSize - HEADER && ptr - HEADER + blockSize < this.u32[STATE_TOP]!) {
      const moved = this.malloc(size);
      if (moved === 0) return 0;
      this.memory.copyWithin(moved, ptr, ptr + blockSize - HEADER);
      this.free(ptr);
      return moved;
    }
    const q = this.pool.realloc(ptr, size);
    if (q === 0) this.failed++;
    else this.noteTop();
    return q;
  }

  free(ptr: Ptr): void {
    if (ptr === 0) return;
    if (!this.pool.free(ptr)) throw new HeapError("INVALID_POINTER", `free(${ptr}): not a live block of this pool`);
  }

  usableSize(ptr: Ptr): number {
    return this.u32[(ptr - HEADER) >>> 2]! - HEADER;
  }

  private freeSet(): Set<number> {
    const free = new Set<number>();
    const top = this.u32[STATE_TOP]!;
    for (let b = this.u32[STATE_FREE]!; b !== 0; b = this.u32[(b >>> 2) + 1]!) {
      if (free.has(b) || b >= top || free.size > this.memory.length / HEADER) {
        throw new HeapError("CORRUPTION", `thi.ng free list: block ${b} repeats or lies beyond top ${top}`);
      }
      free.add(b);
    }
    return free;
  }

  *walk(): IterableIterator<BlockInfo> {
    const free = this.freeSet();
    const top = this.u32[STATE_TOP]!;
    for (let b = this.initialTop; b < top; ) {
      const size = this.u32[b >>> 2]!;
      if (size < HEADER || b + size > top) throw new HeapError("CORRUPTION", `block at ${b}: size ${size} is impossible`);
      yield { offset: b, payload: b + HEADER, size: size - HEADER, free: free.has(b) };
      b += size;
    }
  }

  /**
   * Counts used and free blocks in one pass without allocating: the free list is address-ordered, so a cursor
   * on it advances alongside the physical walk.
   */
  stats(): HeapStats {
    const u32 = this.u32;
    const top = u32[STATE_TOP]!;
    const tally = this.tally.reset();
    let nextFree = u32[STATE_FREE]!;
    for (let b = this.initialTop; b < top; ) {
      const size = u32[b >>> 2]!;
      if (size < HEADER || b + size > top) throw new HeapError("CORRUPTION", `block at ${b}: size ${size} is impossible`);
      if (b === nextFree) {
        tally.free(size, size - HEADER);
        nextFree = u32[(b >>> 2) + 1]!;
      } else {
        tally.used(size);
      }
      b += size;
    }
    return tally.stats(top, this.peakTop, this.failed);
  }

  /** Blocks tile [initialTop, top); the free list is strictly address-ordered; used list + free list = all blocks. */
  check(): void {
    const free = this.freeSet();
    let prev = 0;
    for (const b of free) {
      if (b <= prev) throw new HeapError("CORRUPTION", `thi.ng free list is not address-ordered at ${b}`);
      prev = b;
    }
    const starts = new Set<number>();
    for (const b of this.walk()) starts.add(b.offset);
    for (const b of free) if (!starts.has(b)) throw new HeapError("CORRUPTION", `free-list entry ${b} is not a block start`);
    let used = 0;
    for (let b = this.u32[STATE_USED]!; b !== 0; b = this.u32[(b >>> 2) + 1]!) {
      if (!starts.has(b) || free.has(b)) throw new HeapError("CORRUPTION", `used-list entry ${b} is not a used block`);
      if (++used > starts.size) throw new HeapError("CORRUPTION", "the used list has a cycle");
    }
    if (used + free.size !== starts.size) {
      throw new HeapError("CORRUPTION", `${starts.size} blocks, but ${used} used and ${free.size} free are listed`);
    }
  }
}

/** @thi.ng/malloc's MemPool (first fit on an address-ordered free list) as an Allocator. */
export function thingMalloc(options: ThingMallocOptions = {}): PeerAllocator {
  return new ThingMallocAllocator(options);
}
