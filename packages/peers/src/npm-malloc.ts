/**
 * The npm package `malloc` 1.1.0 (codemix) as an Allocator. Best fit over a skip list of free blocks ordered by
 * size, boundary tags, immediate coalescing. Its layout, in 32-bit words ("quads") of the buffer:
 *
 *     0: 65 | 1..65: skip-list head (height, then 32 next pointers ...) | 66: 65 | 67: header of the first block
 *     block with payload at quad b:  b-1: size | b .. b+size-1: payload | b+size: size (footer)
 *     size > 0: free (payload holds height at b, next pointers from b+2); size < 0: used
 *
 * Sizes count payload quads; a block costs size + 2 quads. The buffer starts as one free block reaching its last
 * quad. Best fit carves from the low end of the chosen block, so the trailing free block acts like sbrk's
 * unclaimed space: this adapter reports the heap extent as the end of the last used block.
 * Among equal sizes the newest free block is found first (LIFO); skip-list node heights come from
 * Math.random, which changes speed from run to run but never placement.
 */
import { createRequire } from "node:module";
import { assertSize, HeapError, type BlockInfo, type HeapStats, type Ptr } from "@dmm/core";
import { DEFAULT_PEER_BYTES, type PeerAllocator, type PeerOptions } from "./api.js";
import { BlockTally } from "./block-tally.js";
import { CSemanticsPeer, peerBuffer } from "./c-semantics.js";

interface CodemixAllocator {
  alloc(bytes: number): number;
  free(address: number): number;
  sizeOf(address: number): number;
}
interface CodemixModule {
  new (buffer: ArrayBuffer): CodemixAllocator;
}
interface CodemixLib {
  checkListIntegrity(words: Int32Array): boolean;
}

const require = createRequire(import.meta.url);
const Codemix = require("malloc") as CodemixModule;
const codemixLib = require("malloc/lib/index.js") as CodemixLib;

/** Quad index of the first block's payload. */
const FIRST_BLOCK = 68;
/** Header + footer quads of a block. */
const OVERHEAD_QUADS = 2;
/** Smallest request the library serves (it rounds smaller ones up). */
const MIN_BYTES = 16;
/** Bytes past peakHeap the node of the free block that starts there can reach (size, height, 32 links: 140). */
const NODE_MARGIN = 4096;

class NpmMallocAllocator extends CSemanticsPeer {
  readonly name = "npm-malloc";
  readonly limitations: readonly string[] = [
    "stats().liveBytes and peakLiveBytes are NaN: the library does not record requested sizes",
    "no realloc in the library: this adapter keeps the block when the new size fits its usable size (no shrinking), else malloc + copy + free",
    "no calloc in the library: this adapter zero-fills after malloc",
    "heapBytes is the end of the last used block (the trailing free block is treated as unclaimed space); a failure counts as fragmented only if free blocks below it held enough bytes",
    "free blocks of one size form a run in the skip list, and removing one (malloc, or a merge in free) walks that run: O(free blocks of that size) per free and malloc",
    "stats() and walk() scan every block: O(blocks) (stats() allocates nothing)",
    "no lastSearchCost: the skip list does not count the nodes it visits",
    "skip-list heights use Math.random: speed varies slightly run to run (placement is deterministic)",
  ];
  memory: Uint8Array;
  private readonly words: Int32Array;
  private readonly lib: CodemixAllocator;
  private readonly maxRequest: number;
  private peakHeap = FIRST_BLOCK * 4 - 4;
  private failed = 0;
  private readonly tally = new BlockTally();

  constructor(options: PeerOptions) {
    super();
    const size = options.size ?? DEFAULT_PEER_BYTES;
    const buf = peerBuffer(size);
    this.lib = new Codemix(buf);
    this.memory = new Uint8Array(buf);
    this.words = new Int32Array(buf);
    this.maxRequest = size - (FIRST_BLOCK + 1) * 4;
  }

  malloc(size: number): Ptr {
    assertSize(size, "malloc size");
    // The library throws a RangeError beyond its buffer; C returns NULL.
    const p = size <= this.maxRequest ? this.lib.alloc(size < MIN_BYTES ? MIN_BYTES : size) : 0;
    if (p === 0) {
      this.failed++;
      return 0;
    }
    const q = p >> 2;
    const end = (q - this.words[q - 1]! + 1) * 4; // past the footer; the size is negative while used
    if (end > this.peakHeap) this.peakHeap = end;
    return p;
  }

  /** Keeps the block when the new size fits its usable size (no shrinking), else malloc + copy + free. */
  protected resize(ptr: Ptr, size: number): Ptr {
    const usable = this.usableSize(ptr);
    if (size <= usable) return ptr;
    const moved = this.malloc(size);
    if (moved === 0) return 0;
    this.memory.copyWithin(moved, ptr, ptr + usable);
    this.lib.free(ptr);
    return moved;
  }

  /** The payload size in quads of the used block at `ptr`; throws for anything that is not a used block. */
  private usedQuads(ptr: Ptr, op: string): number {
    const q = ptr >> 2;
    if (!Number.isInteger(ptr) || (ptr & 7) !== 0 || q < FIRST_BLOCK || q >= this.words.length - 1) {
      throw new HeapError("INVALID_POINTER", `${op}(${String(ptr)}): not a block of this heap`);
    }
    const size = this.words[q - 1]!;
    if (size > 0) throw new HeapError("DOUBLE_FREE", `${op}(${ptr}): the block is free`);
    if (size === 0 || q - size >= this.words.length || this.words[q - size] !== size) {
      throw new HeapError("INVALID_POINTER", `${op}(${ptr}): not the start of a used block`);
    }
    return -size;
  }

  free(ptr: Ptr): void {
    if (ptr === 0) return;
    this.usedQuads(ptr, "free");
    this.lib.free(ptr);
  }

  usableSize(ptr: Ptr): number {
    return this.usedQuads(ptr, "usableSize") * 4;
  }

  /**
   * The library writes below the highest block end it ever handed out (peakHeap), the node of the free block that
   * starts there (its size, height and up to 32 skip-list links: under 4 KiB), and the trailing free block's
   * footer, the buffer's last word.
   */
  protected writtenBytes(): [number, number] {
    return [Math.min(this.memory.length, this.peakHeap + NODE_MARGIN), this.memory.length - 8];
  }

  /** Byte offset just past the last used block (where the trailing free block, if any, starts its header). */
  private extent(): number {
    const last = this.words.length - 1;
    const size = this.words[last]!;
    return size > 0 ? (last - size - 1) * 4 : this.words.length * 4;
  }

  *walk(): IterableIterator<BlockInfo> {
    const words = this.words;
    const end = this.extent() >> 2;
    for (let b = FIRST_BLOCK; b - 1 < end; ) {
      const raw = words[b - 1]!;
      const size = Math.abs(raw);
      if (size < OVERHEAD_QUADS || b + size >= words.length) throw new HeapError("CORRUPTION", `block at ${(b - 1) * 4}: size ${size * 4} is impossible`);
      yield { offset: (b - 1) * 4, payload: b * 4, size: size * 4, free: raw > 0 };
      b += size + OVERHEAD_QUADS;
    }
  }

  /** One pass over the blocks below the extent, without allocating. */
  stats(): HeapStats {
    const words = this.words;
    const extent = this.extent();
    const end = extent >> 2;
    const tally = this.tally.reset();
    for (let b = FIRST_BLOCK; b - 1 < end; ) {
      const raw = words[b - 1]!;
      const size = raw < 0 ? -raw : raw;
      if (size < OVERHEAD_QUADS || b + size >= words.length) throw new HeapError("CORRUPTION", `block at ${(b - 1) * 4}: size ${size * 4} is impossible`);
      if (raw > 0) tally.free((size + OVERHEAD_QUADS) * 4, size * 4);
      else tally.used((size + OVERHEAD_QUADS) * 4);
      b += size + OVERHEAD_QUADS;
    }
    return tally.stats(extent, this.peakHeap, this.failed);
  }

  /** The library's own checkListIntegrity (header = footer, skip-list pointers reach free blocks), plus: no two adjacent free blocks. */
  check(): void {
    try {
      codemixLib.checkListIntegrity(this.words);
    } catch (e) {
      throw new HeapError("CORRUPTION", `npm malloc: ${(e as Error).message}`);
    }
    let prevFree = false;
    for (const b of this.walk()) {
      if (b.free && prevFree) throw new HeapError("CORRUPTION", `block at ${b.offset}: blocks should have coalesced (two adjacent free blocks)`);
      prevFree = b.free;
    }
  }
}

/** The npm package `malloc` 1.1.0 (best fit on a skip list, boundary tags) as an Allocator. */
export function npmMalloc(options: PeerOptions = {}): PeerAllocator {
  return new NpmMallocAllocator(options);
}
