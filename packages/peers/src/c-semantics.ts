/**
 * The parts of C's malloc contract every peer adapter implements the same way, whatever the library underneath:
 * argument checks (a typed HeapError instead of the library's own exception or silent wrap-around), calloc as
 * malloc + zero fill (neither library has calloc), and realloc's special cases (NULL pointer, size 0).
 * An adapter supplies malloc, free and `resize` (realloc of a live block to a non-zero size).
 */
import { assertSize, HeapError, refuseCallsAfterDispose, type BlockInfo, type HeapStats, type Ptr } from "@dmm/core";
import type { PeerAllocator } from "./api.js";

/**
 * The last disposed peer's buffer, zeroed (one per thread; dispose): the next peer of its size takes it instead of
 * fresh memory, whose pages fault in one by one (and whose 64 MiB the garbage collector counts at every replay).
 * Not @dmm/core's spare buffers: those hold other allocators' buffers as their owners left them, and zeroing a
 * whole 64 MiB buffer costs more than the pages a replay writes.
 */
let zeroedBuffer: ArrayBuffer | null = null;

/** A zero-filled buffer of `size` bytes for a peer's library: the last disposed peer's if it has that size. */
export function peerBuffer(size: number): ArrayBuffer {
  const buffer = zeroedBuffer;
  if (buffer !== null && buffer.byteLength === size) {
    zeroedBuffer = null;
    return buffer;
  }
  return new ArrayBuffer(size);
}

export abstract class CSemanticsPeer implements PeerAllocator {
  abstract readonly name: string;
  abstract readonly limitations: readonly string[];
  abstract memory: Uint8Array;
  abstract malloc(size: number): Ptr;
  abstract free(ptr: Ptr): void;
  abstract usableSize(ptr: Ptr): number;
  abstract walk(): IterableIterator<BlockInfo>;
  abstract stats(): HeapStats;
  abstract check(): void;
  /** realloc of the live block at `ptr` (not NULL) to `size` > 0: the pointer to use from now on, or 0. */
  protected abstract resize(ptr: Ptr, size: number): Ptr;
  /**
   * Where the library and the adapter's callers can have written since the buffer was new: [0, head) and
   * [tail, memory.length). Everything else still holds the zeros it came with.
   */
  protected abstract writtenBytes(): [head: number, tail: number];

  /**
   * Allocator.dispose: the bytes written (writtenBytes) are zeroed and the buffer goes to the next peer of its size
   * (peerBuffer); this one keeps an empty view and refuses every later call but dispose.
   */
  dispose(): void {
    const memory = this.memory;
    if (memory.length > 0) {
      const [head, tail] = this.writtenBytes();
      memory.fill(0, 0, head);
      memory.fill(0, tail);
      zeroedBuffer = memory.buffer as ArrayBuffer;
    }
    this.memory = new Uint8Array(0);
    refuseCallsAfterDispose(this, this.name);
  }

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
