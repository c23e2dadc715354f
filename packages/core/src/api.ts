/**
 * The public contract of @dmm/core: the allocator interface every heap in dmm implements, the heap's
 * options and statistics, and the seam a placement strategy plugs into.
 */

/** A byte offset into the heap's memory. 0 is NULL and never a valid block. */
export type Ptr = number;

/** The NULL pointer: what malloc returns when no block can serve a request. */
export const NULL: Ptr = 0;

/** How free neighbours are merged. */
export type Coalescing = "immediate" | "deferred" | "none";

/** What every allocator in dmm implements, ours and the adapters for other people's. */
export interface Allocator {
  /** Short name, e.g. "best-fit". */
  readonly name: string;
  /** The heap's bytes; the payload of p is `memory[p .. p + usableSize(p))`. May be replaced when the heap grows. */
  readonly memory: Uint8Array;
  /** A block of at least `size` bytes, or NULL when no block can serve it (out of memory or too fragmented). */
  malloc(size: number): Ptr;
  /** A zero-filled block of `count * size` bytes; NULL on overflow of `count * size` or no space. */
  calloc(count: number, size: number): Ptr;
  /**
   * C semantics: realloc(NULL, n) = malloc(n); realloc(p, 0) frees p and returns NULL; on failure returns NULL
   * and p stays valid and unchanged; grows or shrinks in place when the neighbour allows; keeps the first
   * min(usableSize(ptr), size) bytes.
   */
  realloc(ptr: Ptr, size: number): Ptr;
  /** Releases a block; free(NULL) is a no-op. */
  free(ptr: Ptr): void;
  /** Bytes usable at ptr: at least the size requested for it. */
  usableSize(ptr: Ptr): number;
  /**
   * The counters and the largest free block. On a damaged heap it may throw HeapError CORRUPTION rather than answer
   * (the largest free block is found by following the index or walking the blocks, which check what they read):
   * detection, as check() is; never another error, never a hang, and the heap is left as it was.
   */
  stats(): HeapStats;
  /** Throws HeapError code CORRUPTION naming the first broken invariant. */
  check(): void;
  /** Every block in address order. */
  walk(): Iterable<BlockInfo>;
  /**
   * Free blocks (or bins) examined to serve the most recent malloc, where the allocator can tell.
   * Machine-independent: it shows algorithmic latency without timing noise.
   */
  readonly lastSearchCost?: number;
  /**
   * Says the allocator will not be used again, so it may give its memory back for reuse (the core heap hands a
   * grown buffer to the next heap of its thread that grows to that length). Optional. After it the core heap and the
   * buddy allocator throw HeapError INVALID_OPTIONS on every call but another dispose(); `memory` read before it
   * must not be used (its bytes may be the next heap's).
   */
  dispose?(): void;
}

export interface BlockInfo {
  /** Where the block (its header) starts. */
  offset: number;
  /** Where its data area starts: what malloc returned (or would return). */
  payload: Ptr;
  /**
   * Bytes of the data area, excluding the header: usableSize(payload) for a used block; for a free block the
   * usableSize it would have if allocated whole, so it can serve malloc(n) exactly when size >= n.
   */
  size: number;
  free: boolean;
}

export interface HeapStats {
  /** Current extent of the heap: arena bytes claimed by the heap (blocks, free or not). */
  heapBytes: number;
  /** High-water mark of heapBytes over the heap's life. */
  peakHeapBytes: number;
  /** Sum of the sizes requested by live allocations. */
  liveBytes: number;
  /** High-water mark of liveBytes. */
  peakLiveBytes: number;
  /** Allocated blocks. */
  usedBlocks: number;
  /** Total block bytes (headers included) of allocated blocks. */
  usedBytes: number;
  /** Free blocks. */
  freeBlocks: number;
  /** Total block bytes (headers included) of free blocks. */
  freeBytes: number;
  /** Payload bytes of the largest free block (0 when there is none). */
  largestFreeBlock: number;
  /** Requests that returned NULL. */
  failedAllocations: number;
}

export interface HeapOptions {
  /** Bytes of the arena at start. Integer >= 0. */
  size: number;
  /**
   * The heap may grow (like sbrk) up to this many bytes, by exactly what a request needs beyond a free block at
   * the top. Integer >= size, at most 1 GiB. @defaultValue size (a fixed arena)
   */
  maxSize?: number;
  /** Required: the placement policy, e.g. firstFit() from @dmm/strategies. A strategy serves one heap at a time. */
  strategy: Strategy;
  /** @defaultValue "immediate" */
  coalescing?: Coalescing;
  /** Power of two, 8 to 4096; every Ptr is a multiple of it. @defaultValue 8 */
  alignment?: number;
}

/** A heap from createHeap: an Allocator with a replaceable policy and a printable map. */
export interface Heap extends Allocator {
  readonly strategy: Strategy;
  readonly coalescing: Coalescing;
  readonly alignment: number;
  readonly lastSearchCost: number;
  /** Replaces the placement policy on a live heap and re-indexes the free blocks (like set_allocation_algorithm). */
  setStrategy(strategy: Strategy): void;
  /** The heap map, one line per block: `Block at: <offset> Size: <bytes> [USED]` (Size excludes the header). */
  dump(): string;
}

/**
 * What the heap gives a strategy. Block offsets are header offsets (payload - 8). Read `words` afresh on each
 * call: the view is replaced when the heap grows.
 */
export interface StrategyHost {
  /** The heap's memory as 32-bit words: word `block >> 2` is a block's header. */
  readonly words: Int32Array;
  /** Smallest block size in bytes (header included); every block size is a multiple of `alignment`. */
  readonly minBlockSize: number;
  readonly alignment: number;
  /** Byte offset of the first block. */
  readonly base: number;
  /** Byte offset just past the last block. */
  readonly top: number;
  /**
   * The block map (block-map.ts): two interleaved bitmaps with a bit per 8-byte granule, outside the buffer. Word
   * `(offset >>> 8) << 1` holds the START bits (bit `(offset >>> 3) & 31` set: a block starts at `offset`). A hot
   * path may test a link with it inline, as `isFreeBlock` does, instead of calling `isFreeBlock`. Replaced when the
   * heap grows, like `words`: read it from the host at each operation.
   */
  readonly marks: Int32Array;
  /**
   * Whether `offset` is the start of a free block of this heap, by the heap's block map (not by bytes the user
   * may have overwritten): O(1). Link words live in free blocks' payload, where a buffer overflow can reach
   * them, so a strategy checks every link with this before it follows or writes through it, and reports a link
   * that fails as HeapError CORRUPTION.
   */
  isFreeBlock(offset: number): boolean;
}

/**
 * A placement policy: the index of free blocks and the choice of which one serves a request.
 * The core tells it when a free block appears (`insert`) or disappears (`remove`) and asks it to `find` one.
 * Sizes are block sizes in bytes, header included (read with `blockSize`). A strategy may keep up to
 * `LINK_WORDS` words of links in each free block's payload (`getLink` / `setLink`); it never writes headers.
 */
export interface Strategy {
  readonly name: string;
  /** Free blocks (or bins) examined by the most recent `find`; the strategy sets it. */
  examined: number;
  /** Binds the strategy to a heap; the strategy drops any previous state and starts empty. */
  attach(host: StrategyHost): void;
  /**
   * A free block appeared (free, split remainder, coalesced block, growth). Atomic: a link that fails
   * host.isFreeBlock is reported (HeapError CORRUPTION) before the strategy writes anything.
   */
  insert(block: number): void;
  /**
   * A free block stops being free (allocated, or merged into a neighbour). Its header still holds its size.
   * Atomic, like insert: a damaged link is reported before anything is written.
   */
  remove(block: number): void;
  /** A free block whose size is >= `size` bytes, chosen by the policy, or 0; it stays indexed until `remove`. */
  find(size: number): number;
  /** Visits every block the index holds (for the checker). */
  forEach(visit: (block: number) => void): void;
  /**
   * Optional, so that a rejected call changes nothing: checks, writing nothing, every link word that `insert` of a
   * free block of `size` bytes at `block` would follow, and throws HeapError CORRUPTION where `insert` would. The
   * heap asks before the first change of an operation that ends with an insert (free, a split remainder, a merged
   * run), so that the insert cannot fail after the heap or the index has changed. A strategy whose insert follows
   * no link word (a list push, an array of bins) leaves it out.
   */
  validateInsert?(block: number, size: number): void;
  /**
   * Optional, like validateInsert: checks, writing nothing, everything `remove(block)` would follow, and throws
   * HeapError CORRUPTION where `remove` would. The heap asks for every block an operation will remove before the
   * first of them leaves the index (free between two free neighbours, a deferred merge of a run), so that a
   * damaged second block is reported with the first still indexed as it was.
   */
  validateRemove?(block: number): void;
  /**
   * Optional, all three or none, so that a rejected call of two steps changes nothing, exactly: the heap calls
   * `begin` before the first step of a moving realloc (a malloc, then the free of the old block) or of a deferred
   * malloc's miss (a merge pass, then the fit), and `commit` when the call succeeds. From `begin` the strategy
   * records every word it writes in the heap (the value it overwrote) and its own state; `rollback`, when the second
   * step is rejected, puts all of it back as it was at `begin` — following no link, so damage the first step's
   * changes met cannot spoil it. Without them the heap undoes the first step through `remove` / `insert`, which
   * gives back the same free blocks but not always the same links (a list puts a block back at its head).
   */
  begin?(): void;
  commit?(): void;
  rollback?(): void;
  /**
   * Optional, so that a rejected malloc changes nothing the policy keeps either: the heap calls it when a call for
   * which it asked `find` (and `growBy`) is rejected before it changed anything — the block found failed its
   * checks, or its removal or its remainder's insert met damage. The strategy puts back the state those two calls
   * changed (a roving pointer, a running mean, a cache that decides a search's cost), so that the next `find`
   * chooses, and counts `examined`, as if the rejected call had never been made: it saves that state in each
   * `find`, and `begin` / `rollback` keep the saved copy too. A strategy whose `find` changes nothing leaves it out.
   * May be called twice for one call (the heap calls it at the rejection and again after a two-step call's rollback).
   */
  unfind?(): void;
  /** Checks the index's own invariants; throws an Error whose message names the broken one. */
  check?(): void;
  /** Size in bytes of the largest indexed free block, or 0; optional (the heap scans when absent). */
  largest?(): number;
  /**
   * Where the heap carves the block the last `find` returned: its low end (unset or false, the default) or its
   * high end (true), leaving the remainder free at the block's own address. Set by `find`, read right after it.
   * A policy may place large and small requests at opposite ends of the free blocks.
   */
  carveHigh?: boolean;
  /**
   * Bytes a growable heap should add at its top when nothing fits a request of `need` bytes (a free block
   * already at the top counts). Optional: unset, or any answer below `need`, grows by exactly `need`; the heap
   * rounds up to its alignment and grows by `need` when maxSize forbids more. What the strategy asks beyond
   * `need` stays free at the top and counts in heapBytes: the policy pays for its slab.
   */
  growBy?(need: number): number;
}

export type HeapErrorCode = "INVALID_SIZE" | "INVALID_POINTER" | "DOUBLE_FREE" | "INVALID_OPTIONS" | "CORRUPTION";

/** Every rejected call throws one of these; the heap is left as it was. */
export class HeapError extends Error {
  readonly code: HeapErrorCode;
  constructor(code: HeapErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "HeapError";
    this.code = code;
  }
}

/**
 * Throws HeapError INVALID_SIZE unless `size` is a non-negative integer: the check every allocator here makes on
 * a size before it touches anything. `what` names the argument in the message, e.g. "malloc size".
 */
export function assertSize(size: unknown, what: string): asserts size is number {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
    throw new HeapError("INVALID_SIZE", `${what} must be a non-negative integer, got ${String(size)}`);
  }
}
