/**
 * The parts of C's malloc contract every peer adapter implements the same way, whatever the library underneath:
 * argument checks (a typed HeapError instead of the library's own exception or silent wrap-around), calloc as
 * malloc + zero fill (neither library has calloc), and realloc's special cases (NULL pointer, size 0).
 * An adapter supplies malloc, free and `resize` (realloc of a live block to a non-zero size).
 */
import { assertSize, HeapError, type BlockInfo, type HeapStats, type Ptr } from "@dmm/core";
import type { PeerAllocator } from "./api.js";


export abstract class CSemanticsPeer implements PeerAllocator {
  abstract readonly name: string;
  abstract readonly limitations: readonly string[];
  abstract readonly memory: Uint8Array;
  abstract malloc(size: number): Ptr;
  abstract free(ptr: Ptr): void;
  abstract usableSize(ptr: Ptr): number;
  abstract walk(): IterableIterator<BlockInfo>;
  abstract stats(): HeapStats;
  abstract check(): void;
  /** realloc of the live block at `ptr` (not NULL) to `size` > 0: the pointer to use from now on, or 0. */
  protected abstract resize(ptr: Ptr, size: number): Ptr;

  calloc(count: number, size: number): Ptr {
    const total = count * size;
    if (!Number.isInteger(total) || total < 0) throw new HeapError("INVALID_SIZE", `calloc(${String(count)}, ${String(size)})`);
    const p = this.malloc(total);
    if (p !== 0) this.memory.fill(0, p, p + total);
    return p;
  }

  /** C's realloc: NULL acts as malloc, size 0 frees and returns NULL, anything else is the adapter's `resize`. */
  realloc(ptr: Ptr, size: number): Ptr {
    assertSize(size, "realloc size");
    if (ptr === 0) return this.malloc(size);
    if (size === 0) {
      this.free(ptr);
      return 0;
    }
    return this.resize(ptr, size);
  }
}
