/**
 * The operations of the boundary-tag heap: malloc, calloc, realloc, free, growth and the coalescing passes,
 * built from three named block operations (split, absorbNext, absorbPrev) as mattconte/tlsf builds its
 * operations from block_split / block_absorb. The mechanism is kept by topic: the block layout in ./layout.ts,
 * the start / freed bitmaps in ./block-map.ts, every rule for trusting a header in ./validate.ts, the walker and
 * the checker in ./checker.ts. The policy (which free block serves a request) is the Strategy's.
 *
 * Every operation validates all it will read before it writes anything (validate, then mutate), so a rejected
 * call leaves the heap as it was; the two calls of two steps (a moving realloc, a deferred malloc's pass and fit)
 * undo their first step when the second is rejected (move, findAfterPass).
 */
import {
  assertSize as assertSizeBinding,
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
import * as blockMap from "./block-map.js";
import { checkHeap, walkBlocks } from "./checker.js";
import * as layout from "./layout.js";
import { giveBackBuffer, refuseCallsAfterDispose, takeSideArray, takeSpareBuffer } from "./spare-buffers.js";
import {
  type BlockSpace,
  blockFor as blockForBinding,
  corrupt,
  freeable,
  freeBlockAtTop,
  freeBlockBelow,
  MAX_HEAP_BYTES,
  usedBlock,
  validHeader,
} from "./validate.js";

export { MAX_HEAP_BYTES } from "./validate.js";

// Module-local copies: V8 folds a module's own constants into the code, but reads imported bindings at each use.
const FLAG_MASK = layout.FLAG_MASK;
const HEADER_BYTES = layout.HEADER_BYTES;
const LINK0 = layout.LINK0;
const LINK_WORDS = layout.LINK_WORDS;
const MIN_BLOCK_BYTES = layout.MIN_BLOCK_BYTES;
const PREV_FREE = layout.PREV_FREE;
const REQUESTED = layout.REQUESTED;
const USED = layout.USED;
// The same for the functions the hot paths call: an imported function is read from its binding's cell and checked
// (not the hole, the same function) at every call; a module-local const is folded into the code, guard-free.
const assertSize: typeof assertSizeBinding = assertSizeBinding;
const blockFor = blockForBinding;
const { clearFreed, clearStart, createMarks, isSoleBlock, isStart, markFreed, marksLength, markStart, wasFreed } = blockMap;

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
/** ensureCapacity zeroes at least this many bytes ahead of the top at a time (one fill per 64 KiB of growth). */
const ZERO_AHEAD = 1 << 16;

/**
 * A growable heap's larger buffer: uninitialised memory where the platform has it (Node's Buffer.allocUnsafeSlow,
 * malloc without calloc's zero fill), else a zeroed ArrayBuffer. ensureCapacity zeroes each byte before the heap
 * can read it, so the heap reads the same bytes either way.
 */
const uninitializedBuffer: (bytes: number) => ArrayBuffer = (() => {
  const B = (globalThis as { Buffer?: { allocUnsafeSlow?(size: number): Uint8Array } }).Buffer;
  if (typeof B?.allocUnsafeSlow !== "function") return (bytes: number) => new ArrayBuffer(bytes);
  const allocate = B.allocUnsafeSlow.bind(B);
  return (bytes: number) => {
    const view = allocate(bytes);
    const buffer = view.buffer;
    return view.byteOffset === 0 && buffer instanceof ArrayBuffer && buffer.byteLength === bytes ? buffer : new ArrayBuffer(bytes);
  };
})();
/** Free blocks a deferred-coalescing heap remembers between merge passes; past that a pass walks the heap. */
export const PENDING_BLOCKS = 4096;

const IMMEDIATE = 0;
const DEFERRED = 1;
const NONE = 2;

export function createHeap(options: HeapOptions): Heap {
  return new BoundaryTagHeap(options);
}

function fail(code: "INVALID_OPTIONS", message: string): never {
  throw new HeapError(code, message);
}

/** The zeroed block map a spare buffer came with, if a core heap's of `capacity` bytes gave it back; else a new one. */
function marksFor(spare: ArrayBuffer | null, capacity: number): Int32Array {
  const side = spare !== null ? takeSideArray(spare) : null;
  return side instanceof Int32Array && side.length === marksLength(capacity) ? side : createMarks(capacity);
}

function isStrategy(s: unknown): s is Strategy {
  const t = s as Strategy | null;
  return (
    typeof t === "object" && t !== null && typeof t.attach === "function" && typeof t.insert === "function" &&
    typeof t.remove === "function" && typeof t.find === "function" && typeof t.forEach === "function"
  );
}

class BoundaryTagHeap implements Heap, StrategyHost, BlockSpace {
  words: Int32Array;
  private bytes: Uint8Array;
  /** The start / freed bitmaps (block-map.ts). */
  marks: Int32Array;
  private capacity: number;
  /**
   * Bytes of the buffer from here on may be uninitialised (see ensureCapacity); -1: none are (the constructor's
   * buffer is zero-filled).
   */
  private zeroedTo = -1;

  readonly alignment: number;
  /** alignment - 1: `x & alignMask` is `x % alignment` for the non-negative offsets and sizes it is used on. */
  readonly alignMask: number;
  readonly minBlockSize: number;
  readonly base: number;
  readonly coalescing: Coalescing;
  private readonly mode: number;
  private readonly maxSize: number;

  top: number;
  /** Arena bytes claimed: the initial size, then the top as the heap grows. */
  private extent: number;
  /** 1 when the last block is free (the PREV_FREE bit a block at `top` would carry). */
  topPrevFree = 0;

  strategy!: Strategy;
  /** The strategy answers validateInsert / validateRemove (read once per strategy: the hot paths test a field). */
  private vetsInsert = false;
  private vetsRemove = false;
  /** The strategy journals its index (begin / commit / rollback): a two-step call's undo puts it back exactly. */
  private journals = false;
  /** A two-step call has begun the strategy's journal and not yet ended it. */
  private recording = false;
  lastSearchCost = 0;
  /**
   * free's fused validation pass is on, and how many frees under immediate coalescing it handed to the full rules:
   * free-fast-path-accepts-exactly-the-rules.test.ts turns it off on a twin heap and counts, to hold the pass to
   * the rules both ways. (Not part of the Heap interface.)
   */
  get fastFree(): boolean {
    return this.fastPass;
  }
  set fastFree(on: boolean) {
    this.fastPass = on;
    this.fastImmediate = on && this.mode === IMMEDIATE;
  }
  slowFrees = 0;
  private fastPass = true;
  /** fastFree under immediate coalescing: the one field free's fast path tests (two tests cost 3 instructions a free). */
  private fastImmediate = false;

  /** Deferred coalescing: free blocks made since the last merge pass, which may sit next to another free block. */
  private readonly pending = new Int32Array(PENDING_BLOCKS);
  private pendingCount = 0;
  /** More blocks were freed than `pending` holds: the next pass walks the whole heap. */
  private pendingOverflow = false;
  /**
   * The undo journal of the last deferred pass (undoPass), for the calls of which the pass is only the first step:
   * per merged run its start, its piece count and each piece's size; `pending` as the pass found it; and a count
   * of passes, so a call can tell whether one ran inside it.
   */
  private readonly passLog: number[] = [];
  private pendingBefore: Int32Array | null = null;
  private pendingCountBefore = 0;
  private pendingOverflowBefore = false;
  private passes = 0;
  /** A pass's scratch (coalescePending): the pending blocks' sort keys, and each run's start and end. */
  private passKeys: Float64Array | null = null;
  private runStartAt: Int32Array | null = null;
  private runEndAt: Int32Array | null = null;

  private liveBytes = 0;
  private peakLiveBytes = 0;
  private peakHeapBytes: number;
  private usedBlocks = 0;
  private usedBytes = 0;
  /**
   * Blocks in the heap, used and free. The free counts are derived, not kept (one update fewer per malloc and per
   * free): freeBlocks = blocks - usedBlocks, and freeBytes = (top - base) - usedBytes, since the blocks tile
   * [base, top).
   */
  private blocks = 0;
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
    this.fastImmediate = mode === IMMEDIATE;
    this.maxSize = maxSize;
    this.minBlockSize = (MIN_BLOCK_BYTES + alignment - 1) & -alignment;
    this.base = alignment === 8 ? 8 : alignment - HEADER_BYTES;
    this.capacity = maxSize === size ? size : Math.min(maxSize, Math.max(size, MIN_CAPACITY));
    // A fixed arena takes a disposed heap's buffer of its size, cleared: it reads as a fresh zero-filled one, for
    // a fill of its length (about 0.15 ms for 2 MiB) instead of a page fault per page written (3.7 ms).
    const spare = maxSize === size && size > 0 ? takeSpareBuffer(size) : null;
    const buffer = spare ?? new ArrayBuffer(this.capacity);
    this.words = new Int32Array(buffer, 0, this.capacity >> 2);
    this.bytes = new Uint8Array(buffer);
    if (spare !== null) this.bytes.fill(0);
    this.marks = marksFor(spare, this.capacity);
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
      markStart(this.marks, this.base);
      this.blocks = 1;
      this.topPrevFree = 1;
    }
    this.useStrategy(strategy);
    try {
      strategy.attach(this);
      if (this.blocks) strategy.insert(this.base);
    } catch (e) {
      fail("INVALID_OPTIONS", `strategy ${String(strategy.name)} failed to index the free blocks: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  get name(): string {
    return this.strategy.name;
  }

  get memory(): Uint8Array {
    return this.bytes;
  }

  /** StrategyHost: whether `offset` is the start of a free block of this heap (a link worth following). O(1). */
  isFreeBlock(offset: number): boolean {
    return offset >= this.base && offset < this.top && (offset & 7) === 0 && isStart(this.marks, offset) &&
      (this.words[offset >> 2]! & USED) === 0;
  }

  // ---- block operations -----------------------------------------------------------------------------------
  // Layout only: the index (strategy.insert / remove) and the byte counters are the caller's, so that a caller
  // can take every block it will touch out of the index before it writes a header.

  /** Sets (flag = PREV_FREE) or clears (flag = 0) the PREV_FREE bit of the block at `block`, or of the top. */
  private setPrevFree(block: number, flag: number): void {
    if (block < this.top) this.words[block >> 2] = (this.words[block >> 2]! & ~PREV_FREE) | flag;
    else this.topPrevFree = flag === 0 ? 0 : 1;
  }

  /**
   * split: cuts the block at `block` (now `size` bytes) at `need`. The block keeps its flags and becomes `need`
   * bytes; the tail [block + need, block + size) becomes a free block of its own (header, footer, start mark,
   * one more block) with PREV_FREE clear, since the block below it is used or being allocated. The
   * PREV_FREE bit above the tail is the caller's (it is already set when `block` was free). Returns the tail.
   * E.g. a free block [8, 1024) split at 112: [8, 120) and the free tail [120, 1024) of 904 bytes.
   */
  private split(block: number, size: number, need: number): number {
    const words = this.words;
    const rest = size - need;
    const tail = block + need;
    words[block >> 2] = need | (words[block >> 2]! & FLAG_MASK);
    words[tail >> 2] = rest;
    words[(tail + rest - 4) >> 2] = rest;
    markStart(this.marks, tail);
    this.blocks++;
    return tail;
  }

  /**
   * absorbNext: the free block just above `block` (now `size` bytes), already out of the index, joins it.
   * The block keeps its flags; a free block gets the combined footer, a used one clears the PREV_FREE bit above
   * and adds the absorbed bytes to the used count. Returns the combined size.
   */
  private absorbNext(block: number, size: number): number {
    const words = this.words;
    const next = block + size;
    const nextSize = words[next >> 2]! & ~FLAG_MASK;
    const header = words[block >> 2]!;
    const merged = size + nextSize;
    clearStart(this.marks, next);
    this.blocks--;
    words[block >> 2] = merged | (header & FLAG_MASK);
    if (header & USED) {
      this.usedBytes += nextSize;
      this.setPrevFree(block + merged, 0);
    } else {
      words[(block + merged - 4) >> 2] = merged;
    }
    return merged;
  }

  /**
   * absorbPrev: the free block `block` (of `size` bytes) joins the free block below it, `prev`, which is
   * already out of the index. Returns the combined size; the block now starts at `prev`.
   */
  private absorbPrev(prev: number, block: number, size: number): number {
    const words = this.words;
    const merged = (words[prev >> 2]! & ~FLAG_MASK) + size;
    clearStart(this.marks, block);
    this.blocks--;
    words[prev >> 2] = merged | (words[prev >> 2]! & PREV_FREE);
    words[(prev + merged - 4) >> 2] = merged;
    return merged;
  }

  /** A free block is ready: into the index, and noted for the next deferred pass. */
  private indexFree(block: number): void {
    this.strategy.insert(block);
    if (this.mode === DEFERRED) this.notePending(block);
  }

  /**
   * Validate before mutate, for the index: before an operation's first change, the strategy checks (writing
   * nothing) the insert of the `size`-byte free block it will make at `at` and, when the operation removes two
   * blocks, the second removal `second` (0: none; a first removal needs no check: it goes first, and a strategy's
   * remove is atomic). So no strategy call fails after the heap or the index has changed.
   */
  private vet(second: number, at: number, size: number): void {
    if (second !== 0 && this.vetsRemove) this.strategy.validateRemove!(second);
    if (this.vetsInsert) this.strategy.validateInsert!(at, size);
  }

  /**
   * Takes the free block `block` (to be `bytes` bytes) out of the index to carve `need` bytes from it, then vets
   * the insert of the remainder allocate will make (at the block's address when the last find asked for the high
   * end) against the index as the insert will find it; if the vetting rejects it, the block goes back in (only
   * strategies whose insert follows links vet, and for their trees the block's return restores the index as it
   * was). With nothing changed between, the strategy may skip repeating the vetting in that insert. A strategy that
   * does not vet, or a block that leaves no remainder, is just removed (the carve's end is read only for a vetting).
   */
  private take(block: number, bytes: number, need: number): void {
    try {
      if (this.vetsInsert && bytes - need >= this.minBlockSize) {
        this.removeVetted(block, this.strategy.carveHigh === true ? block : block + need, bytes - need);
      } else this.strategy.remove(block);
    } catch (e) {
      this.unfind();
      throw e;
    }
  }

  /**
   * A call for which the heap asked `find` is rejected before it changed anything: the strategy puts back what that
   * find (and growBy) changed in its own state (Strategy.unfind), so the next find chooses as if the call had never
   * been made. Only on the rejected paths of the calls that find (take, checkFound, growth's vetting, the deferred
   * pass's undo, a moving realloc's undo): a rejected free or resize in place made no find to put back.
   */
  private unfind(): void {
    this.strategy.unfind?.();
  }

  /** Growth's vetting (see vet) of the remainder's insert, after growBy: a rejection puts back the find (unfind). */
  private vetGrowth(at: number, size: number): void {
    try {
      this.vet(0, at, size);
    } catch (e) {
      this.unfind();
      throw e;
    }
  }

  /**
   * Takes the free block `removed` out of the index, then vets the insert of the `size`-byte free block at `at`
   * (0: none) that will end the operation, against the index as that insert will find it (the removal may have
   * restructured its path); if the vetting rejects it, `removed` goes back in (a tree strategy's insert then
   * restores the words its removal wrote, exactly) and nothing has changed.
   */
  private removeVetted(removed: number, at: number, size: number): void {
    const strategy = this.strategy;
    strategy.remove(removed);
    if (this.vetsInsert && size !== 0) {
      try {
        strategy.validateInsert!(at, size);
      } catch (e) {
        strategy.insert(removed);
        throw e;
      }
    }
  }

  // ---- growth -------------------------------------------------------------------------------------------

  /**
   * Allocator.dispose: a heap that grew, or a fixed arena, gives its buffer and its block map back for the next heap
   * of this thread to grow into or to be a fixed arena of that size in (spare-buffers.ts); the heap keeps empty
   * views, so it cannot reach that memory again, and refuses every later call but dispose (HeapError INVALID_OPTIONS).
   */
  dispose(): void {
    if (this.zeroedTo >= 0 || (this.capacity === this.maxSize && this.capacity > 0)) {
      // The block map goes with the buffer, cleared where a mark can be: no block ever started at zeroedTo or past
      // it (a buffer that never grew is the heap's whole length).
      const end = this.zeroedTo >= 0 ? ((this.zeroedTo >> 8) + 1) << 1 : this.marks.length;
      this.marks.fill(0, 0, Math.min(this.marks.length, end));
      giveBackBuffer(this.bytes.buffer as ArrayBuffer, this.marks);
    }
    this.bytes = new Uint8Array(0);
    this.words = new Int32Array(0);
    this.marks = createMarks(0);
    this.capacity = 0;
    this.zeroedTo = -1;
    refuseCallsAfterDispose(this, `heap (${this.strategy.name})`);
  }

  /**
   * Readies the buffer for a top of `bytes`: replaces it by one GROWTH times larger (up to maxSize) when it is
   * smaller, copying the heap: the smallest spare buffer at least that long (up to maxSize) a disposed heap gave
   * back, else fresh memory. (The buffer's length decides nothing but when the heap next copies.) The new
   * buffer is not zero-filled: zeroing a fresh heap's 16 MiB buffer (calloc's
   * memset, or a page fault per page) cost more than the replay that grew it. Instead its bytes are zeroed as the
   * top comes near them: every byte below `zeroedTo`, which stays at least 4 past any top (checkpoint reads the word
   * at the top), holds what it would in a zero-filled buffer, and the heap reads none past it.
   */
  private ensureCapacity(bytes: number): void {
    if (bytes > this.capacity) {
      const old = this.capacity;
      const wanted = Math.min(this.maxSize, Math.max(bytes, old * GROWTH));
      const spare = takeSpareBuffer(wanted, this.maxSize);
      const capacity = spare !== null ? spare.byteLength : wanted;
      const buffer = spare ?? uninitializedBuffer(capacity);
      const bytesView = new Uint8Array(buffer);
      bytesView.set(this.bytes.subarray(0, this.top));
      // Up to the old end as a zero-filled copy holds it; past it, as the top comes.
      bytesView.fill(0, this.top, old);
      const marks = marksFor(spare, capacity);
      marks.set(this.marks);
      this.bytes = bytesView;
      this.words = new Int32Array(buffer, 0, capacity >> 2);
      this.marks = marks;
      this.capacity = capacity;
      this.zeroedTo = old;
    }
    const from = this.zeroedTo;
    if (from >= 0 && from < bytes + 4) {
      const to = Math.min(this.capacity, Math.max(bytes + 4, from + ZERO_AHEAD));
      this.bytes.fill(0, from, to);
      this.zeroedTo = to;
    }
  }

  /**
   * Grows the heap by what `need` bytes require beyond a free block at the top: exactly that, or what the
   * strategy's `growBy` asks if that is more and maxSize allows it (the surplus stays in the returned block, and
   * allocate splits it off as a free remainder). Returns that block, already out of the strategy's index, or 0
   * when maxSize forbids even `need`.
   */
  private grow(need: number): number {
    const wanted = this.strategy.growBy ? this.strategy.growBy(need) : need;
    // A strategy may ask for more than the request (a slab for later requests); never less, always aligned.
    const want = wanted > need && Number.isInteger(wanted) ? (Math.min(wanted, MAX_HEAP_BYTES) + this.alignMask) & ~this.alignMask : need;
    if (this.topPrevFree) {
      const last = freeBlockAtTop(this);
      const lastSize = this.words[last >> 2]! & ~FLAG_MASK;
      if (lastSize >= need) {
        // The policy missed a block that fits (a size-class policy such as TLSF may): use it, do not grow.
        this.take(last, lastSize, need);
        return last;
      }
      let extra = want - lastSize;
      if (this.top + extra > this.maxSize) extra = need - lastSize;
      if (this.top + extra > this.maxSize) return 0;
      this.take(last, lastSize + extra, need);
      this.ensureCapacity(this.top + extra);
      const w = this.words;
      w[last >> 2] = (lastSize + extra) | (w[last >> 2]! & PREV_FREE);
      this.top += extra;
      this.overwrittenAtTop = w[(this.top - 4) >> 2]!;
      w[(this.top - 4) >> 2] = lastSize + extra;
      this.grew();
      return last;
    }
    const bytes = this.top + want <= this.maxSize ? want : need;
    if (this.top + bytes > this.maxSize) return 0;
    if (this.vetsInsert && bytes - need >= this.minBlockSize) this.vetGrowth(this.strategy.carveHigh === true ? this.top : this.top + need, bytes - need);
    this.ensureCapacity(this.top + bytes);
    const block = this.top;
    this.words[block >> 2] = bytes;
    markStart(this.marks, block);
    this.top += bytes;
    this.overwrittenAtTop = this.words[(this.top - 4) >> 2]!;
    this.words[(this.top - 4) >> 2] = bytes;
    this.topPrevFree = 1;
    this.blocks++;
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
    const need = blockFor(this, size);
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
    return this.allocate(block, need, size) + HEADER_BYTES;
  }

  /** Finds (and takes out of the index) a free block of at least `need` bytes: fit, coalesce, grow. */
  private findBlock(need: number): number {
    const strategy = this.strategy;
    const block = strategy.find(need);
    if (block === 0) return this.miss(need, strategy.examined);
    this.lastSearchCost = strategy.examined;
    // The policy read the block's size from its header: check that header (and its footer) before carving,
    // so an overflow that forged a bigger size is reported rather than handed out over live data. The common
    // case inline (isFreeBlock and validHeader's rules for a free block, each word read once); anything it
    // does not accept goes to the full rules, which throw the precise error.
    const words = this.words;
    const marks = this.marks;
    const top = this.top;
    const header = words[block >> 2]!;
    const size = header & ~FLAG_MASK;
    const end = block + size;
    if (
      !(block >= this.base && (block & 7) === 0 && isStart(marks, block) && (header & USED) === 0 && size >= need &&
        (size & this.alignMask) === 0 && end <= top && words[(end - 4) >> 2] === size &&
        (end < top ? isStart(marks, end) && (words[end >> 2]! & PREV_FREE) !== 0 : this.topPrevFree !== 0))
    ) this.checkFound(block, need);
    this.take(block, size, need);
    return block;
  }

  /**
   * findBlock's miss (the strategy found nothing; `cost` is what its find examined): under deferred coalescing the
   * merge pass and the fit after it, else growth. A call of its own, so that TurboFan does not inline the growth
   * path (hot while a fresh heap warms up, rare after) into findBlock's compiled code.
   */
  private miss(need: number, cost: number): number {
    if (this.mode === DEFERRED) return this.findAfterPass(need, cost);
    this.lastSearchCost = cost;
    return this.grow(need);
  }

  /** The full rules for a block the strategy's find returned (findBlock's inline check did not accept it). */
  private checkFound(block: number, need: number): void {
    let valid = false;
    try {
      valid = this.isFreeBlock(block) && validHeader(this, block) >= need;
    } finally {
      if (!valid) this.unfind();
    }
    if (!valid) {
      throw new HeapError("CORRUPTION", `${this.strategy.name} returned block ${block}, which is not a free block of at least ${need} bytes`);
    }
  }

  /**
   * Marks `need` bytes of the free block `block` (already out of the index) used for `size` bytes, splitting off
   * the rest, and returns the used block: the block's low end, or its high end when the strategy's last find
   * asked for it (`carveHigh`), the remainder then staying free at `block`.
   */
  private allocate(block: number, need: number, size: number): number {
    const words = this.words;
    const header = words[block >> 2]!;
    const blockBytes = header & ~FLAG_MASK;
    const rest = blockBytes - need;
    if (rest >= this.minBlockSize && this.strategy.carveHigh === true) {
      // split at the remainder: [block: rest bytes, still free, its flags kept | used: need bytes]. The remainder
      // gets its footer; the tail split made is the allocation, with PREV_FREE set (the remainder is below it).
      const used = this.split(block, blockBytes, rest);
      // (split counted the tail as a block: it is the one being allocated)
      words[(used - 4) >> 2] = rest;
      words[used >> 2] = need | USED | PREV_FREE;
      this.setPrevFree(used + need, 0);
      this.indexFree(block);
      this.usedBytes += need;
      block = used;
    } else {
      words[block >> 2] = header | USED;
      if (rest >= this.minBlockSize) this.splitOff(block, blockBytes, need);
      else {
        this.setPrevFree(block + blockBytes, 0);
        this.usedBytes += blockBytes;
      }
    }
    words[(block >> 2) + REQUESTED] = size;
    clearFreed(this.marks, block);
    this.usedBlocks++;
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return block;
  }

  /**
   * allocate's split of the used block `block` (`blockBytes` bytes) at `need`: the tail, free (the block above still
   * says PREV_FREE), into the index. One call from allocate, compiled on its own: split and indexFree inline here,
   * where allocate's inlining budget (spent on its own body in malloc) left them two calls.
   */
  private splitOff(block: number, blockBytes: number, need: number): void {
    this.indexFree(this.split(block, blockBytes, need));
    this.usedBytes += need;
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
    // Validate the block and both neighbours before touching anything, so a rejected free changes nothing: the
    // fused pass for the common case, the full rules (which throw the precise error) otherwise.
    // (The fused pass is written out here, not called: V8 does not inline a function its size, and the call
    // measured ~10% of a free. free-fast-path-accepts-exactly-the-rules.test.ts holds it to the full rules.)
    let block = -1;
    fast: if (this.fastImmediate === true) { // `=== true`: a pointer compare (a bare field read is a full ToBoolean)
      if (typeof ptr !== "number" || (ptr | 0) !== ptr) break fast;
      const words = this.words;
      const marks = this.marks;
      const top = this.top;
      const min = this.minBlockSize;
      const mask = this.alignMask;
      const candidate = ptr - HEADER_BYTES;
      if (candidate < this.base || ptr >= top || (ptr & mask) !== 0) break fast;
      // The block: used, a sound size, a marked start ending at one with none inside (isSoleBlock), a request
      // that needs that size.
      const header = words[candidate >> 2]!;
      const size = header & ~FLAG_MASK;
      const next = candidate + size;
      if ((header & USED) === 0 || size < min || (size & mask) !== 0 || next > top) break fast;
      if (!isSoleBlock(marks, candidate, next, top)) break fast;
      const requested = words[(candidate >> 2) + REQUESTED]! >>> 0;
      // blockFor(requested), on the locals (the request fits the block, so it is below MAX_HEAP_BYTES).
      if (requested > size - HEADER_BYTES) break fast;
      const needed = (requested + HEADER_BYTES + mask) & ~mask;
      if (size - (needed < min ? min : needed) >= min) break fast;
      let nextHeader = USED; // the top: no free block above
      if (next < top) {
        nextHeader = words[next >> 2]!;
        if (nextHeader & PREV_FREE) break fast; // the copy of this block's USED bit
        // The block above, as validHeader(next, false) checks it.
        const nextSize = nextHeader & ~FLAG_MASK;
        const after = next + nextSize;
        if (nextSize < min || (nextSize & mask) !== 0 || after > top) break fast;
        let aboveSaysFree: number;
        if (after < top) {
          if (!isStart(marks, after)) break fast;
          aboveSaysFree = words[after >> 2]! & PREV_FREE;
        } else aboveSaysFree = this.topPrevFree;
        if (nextHeader & USED) {
          if (aboveSaysFree !== 0) break fast;
          const nextRequested = words[(next >> 2) + REQUESTED]! >>> 0;
          if (nextRequested > nextSize - HEADER_BYTES) break fast;
          const nextNeeded = (nextRequested + HEADER_BYTES + mask) & ~mask;
          if (nextSize - (nextNeeded < min ? min : nextNeeded) >= min) break fast;
        } else if (aboveSaysFree === 0 || words[(after - 4) >> 2] !== nextSize) break fast;
      } else if (this.topPrevFree !== 0) break fast;
      if (header & PREV_FREE) {
        // The free block below, as freeBlockBelow checks it: its footer leads to a start whose header has the
        // same size and USED clear (its other rules hold: its footer is what was read, and this block's
        // PREV_FREE bit is the copy of its USED bit).
        const prevSize = words[(candidate - 4) >> 2]!;
        const prev = candidate - prevSize;
        if (prevSize < min || (prevSize & mask) !== 0 || prev < this.base || !isStart(marks, prev)) break fast;
        const prevHeader = words[prev >> 2]!;
        if ((prevHeader & ~FLAG_MASK) !== prevSize || (prevHeader & USED) !== 0) break fast;
      } else if (nextHeader & USED) {
        // No merge (most frees): the general path below, written out on the words just validated. The insert is
        // the one strategy call, made as soon as the header says free (a rejected insert writes nothing, and the
        // header is put back).
        words[candidate >> 2] = header & ~USED;
        try {
          this.strategy.insert(candidate);
        } catch (e) {
          words[candidate >> 2] = header;
          throw e;
        }
        this.liveBytes -= requested;
        this.usedBlocks--;
        this.usedBytes -= size;
        markFreed(marks, candidate);
        words[(next - 4) >> 2] = size;
        if (next < top) words[next >> 2] = nextHeader | PREV_FREE;
        else this.topPrevFree = 1;
        return;
      }
      block = candidate;
    }
    if (block < 0) {
      this.slowFrees++;
      block = freeable(this, ptr, this.mode === IMMEDIATE);
    }
    this.freeValidated(block);
  }

  /**
   * free of the used block at `block`, validated (freeable's rules): merged with its free neighbours under immediate
   * coalescing. Apart from free, which handles its common case in its fused pass: compiled on its own, this keeps
   * the inlining budget for its own calls (the block operations), which free's fast path had used up.
   */
  private freeValidated(block: number): void {
    const words = this.words;
    const header = words[block >> 2]!;
    const size = header & ~FLAG_MASK;
    const next = block + size;
    const nextFree = this.mode === IMMEDIATE && next < this.top && (words[next >> 2]! & USED) === 0;
    const prev = this.mode === IMMEDIATE && header & PREV_FREE ? block - words[(block - 4) >> 2]! : 0;
    if (!nextFree && prev === 0) {
      // No merge: the insert is the one strategy call, made as soon as the header says free and before anything
      // else changes (a rejected insert writes nothing, and the header is put back).
      words[block >> 2] = header & ~USED;
      try {
        this.strategy.insert(block);
      } catch (e) {
        words[block >> 2] = header;
        throw e;
      }
      this.countFreed(block, size);
      words[(next - 4) >> 2] = size;
      this.setPrevFree(next, PREV_FREE);
      if (this.mode === DEFERRED) this.notePending(block);
      return;
    }
    // Merging: the neighbours leave the index first, and the strategy vets that and the merged block's insert
    // before, so a smashed link is reported before the index or any header changes.
    if (this.vetsInsert || (nextFree && prev !== 0)) this.vetFree(block, false);
    this.removeNeighbours(block, size, nextFree ? next : 0, prev);
    this.countFreed(block, size);
    words[block >> 2] = header & ~USED;
    let merged = size;
    if (nextFree) merged = this.absorbNext(block, size);
    else {
      words[(next - 4) >> 2] = size;
      this.setPrevFree(next, PREV_FREE);
    }
    let start = block;
    if (prev !== 0) {
      merged = this.absorbPrev(prev, block, merged);
      start = prev;
    }
    this.indexFree(start);
  }

  /**
   * free's merge, its index part: takes the free neighbours `next` and `prev` (0: none) of the used block at
   * `block` (of `size` bytes) out of the index, and after each removal vets the insert of the merged block against
   * the index as the removal left it (a tree's removal restructures the path that insert walks); if the strategy
   * rejects a removal or a vetting, the neighbours taken out go back (latest first) and nothing has changed.
   *
   * A block comes back exactly when it is a tree's: its insert replays the tree's removal log. A list's or a bin's
   * does not (a list pushes it back at its head, a bin's heap array may put it at another place), so no list or bin
   * removal may precede a rejection: the larger neighbour goes first, since a strategy keeps its smaller blocks in
   * lists or bins and its larger ones in trees (every registry strategy does: segregated fit's small bins below
   * 4 KiB, best fit's bins below 16 KiB; first fit's index follows no link and is a function of its blocks). A list's or a bin's removal then comes last and leaves the
   * trees the vetting before it passed alone, and a second removal in a list, vetted before the first (vetFree),
   * still passes after it (an unlink leaves the other nodes' links consistent): neither can reject the call. No JS
   * object and no journal: the rejected path costs the return of tree blocks, the accepted one at most a vetting.
   */
  private removeNeighbours(block: number, size: number, next: number, prev: number): void {
    const strategy = this.strategy;
    const nextSize = next !== 0 ? this.words[next >> 2]! & ~FLAG_MASK : 0;
    const prevSize = prev !== 0 ? block - prev : 0;
    const at = prev !== 0 ? prev : block;
    const merged = prevSize + size + nextSize;
    const first = prevSize > nextSize ? prev : next;
    const second = first === prev ? next : prev;
    strategy.remove(first);
    try {
      if (this.vetsInsert) strategy.validateInsert!(at, merged);
      if (second !== 0) {
        strategy.remove(second);
        try {
          if (this.vetsInsert) strategy.validateInsert!(at, merged);
        } catch (e) {
          strategy.insert(second);
          throw e;
        }
      }
    } catch (e) {
      strategy.insert(first);
      throw e;
    }
  }

  /** free's counters and freed mark for the used block at `block` of `size` bytes. */
  private countFreed(block: number, size: number): void {
    this.liveBytes -= this.words[(block >> 2) + REQUESTED]!;
    this.usedBlocks--;
    this.usedBytes -= size;
    markFreed(this.marks, block);
  }

  /**
   * Vets (see vet) the strategy calls free makes for the validated used block at `block`: under immediate
   * coalescing, when it has free neighbours on both sides the removal of the smaller one (removeNeighbours takes it
   * out second), and the insert of the block merged with its free neighbours. `before` = true vets every removal, for a free that other changes will
   * precede (a moving realloc's malloc).
   */
  private vetFree(block: number, before: boolean): void {
    const words = this.words;
    const header = words[block >> 2]!;
    const size = header & ~FLAG_MASK;
    const next = block + size;
    const nextSize = this.mode === IMMEDIATE && next < this.top && (words[next >> 2]! & USED) === 0 ? words[next >> 2]! & ~FLAG_MASK : 0;
    const prevSize = this.mode === IMMEDIATE && header & PREV_FREE ? words[(block - 4) >> 2]! : 0;
    if (before && this.vetsRemove) {
      if (nextSize !== 0) this.strategy.validateRemove!(next);
      if (prevSize !== 0) this.strategy.validateRemove!(block - prevSize);
    }
    // The second removal is the smaller neighbour's (removeNeighbours takes the larger out first).
    const second = nextSize === 0 || prevSize === 0 ? 0 : prevSize > nextSize ? next : block - prevSize;
    this.vet(second, block - prevSize, size + prevSize + nextSize);
  }

  realloc(ptr: Ptr, size: number): Ptr {
    assertSize(size, "realloc size");
    if (ptr === 0) return this.malloc(size);
    const block = usedBlock(this, ptr, "realloc");
    if (size === 0) {
      this.free(ptr);
      return 0;
    }
    const need = blockFor(this, size);
    if (need < 0) {
      this.failedAllocations++;
      return 0;
    }
    const words = this.words;
    const header = words[block >> 2]!;
    const blockBytes = header & ~FLAG_MASK;
    const next = block + blockBytes;
    if (next < this.top) validHeader(this, next, false);
    const nextFree = next < this.top && (words[next >> 2]! & USED) === 0 ? words[next >> 2]! & ~FLAG_MASK : 0;
    const oldSize = words[(block >> 2) + REQUESTED]!;

    if (need <= blockBytes) {
      this.resizeInPlace(block, need, blockBytes, 0);
    } else if (blockBytes + nextFree >= need) {
      this.resizeInPlace(block, need, blockBytes, nextFree);
    } else if (next + nextFree === this.top && this.top + (need - blockBytes - nextFree) <= this.maxSize) {
      // The block (or the block and a free successor) ends the heap: extend the heap top.
      const extra = need - blockBytes - nextFree;
      if (nextFree) this.strategy.remove(next);
      this.ensureCapacity(this.top + extra);
      if (nextFree) this.absorbNext(block, blockBytes);
      this.words[block >> 2] = need | USED | (header & PREV_FREE);
      this.top += extra;
      this.usedBytes += extra;
      this.grew();
    } else {
      return this.move(ptr, block, size, oldSize, need);
    }
    this.words[(block >> 2) + REQUESTED] = size;
    this.liveBytes += size - oldSize;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    return ptr;
  }

  /**
   * realloc that cannot stay in place: malloc, free, copy — a call of two steps, made as one. The free is validated
   * before the malloc, so a damaged neighbour of the old block is reported before a new block exists; if the free
   * is rejected all the same (the malloc's changes to the index brought damage onto its path), the malloc is
   * undone (undoMalloc) and the call changes nothing. The copy comes last, so a rejected free leaves the new
   * block's bytes as they were: the few payload words free writes into the old block (its link words and footer)
   * are put back for the copy. The old request leaves the live bytes while the new block is allocated, so
   * peakLiveBytes counts the move as the new size only (mdriver's rule), not old + new.
   */
  private move(ptr: Ptr, block: number, size: number, oldSize: number, need: number): Ptr {
    freeable(this, ptr, this.mode === IMMEDIATE);
    // What the free will ask of the strategy, vetted too (the malloc between may change it, e.g. carve the free
    // block above; the free checks again).
    this.vetFree(block, true);
    this.checkpoint();
    const journal = this.beginJournal();
    let found = 0;
    try {
      found = this.findBlock(need);
    } catch (e) {
      this.unfind();
      this.endJournal(journal, false);
      throw e;
    }
    if (found === 0) {
      this.endJournal(journal, true);
      this.failedAllocations++;
      return 0;
    }
    const foundBytes = this.words[found >> 2]! & ~FLAG_MASK;
    const high = this.strategy.carveHigh === true;
    this.saveCarve(found, foundBytes, need, high);
    this.liveBytes -= oldSize;
    const moved = this.allocate(found, need, size) + HEADER_BYTES;
    this.liveBytes += oldSize;

    const words = this.words;
    const blockBytes = words[block >> 2]! & ~FLAG_MASK;
    const footer = (block + blockBytes - 4) >> 2;
    const links = (block >> 2) + LINK0;
    const l0 = words[links]!, l1 = words[links + 1]!, l2 = words[links + 2]!, last = words[footer]!;
    try {
      this.free(ptr);
    } catch (e) {
      // Undone; or, when the remainder's removal meets the damage too, the new block is given back (free
      // blocks then rearranged, nothing leaked, p still the one live block). The find first: a journal's
      // rollback (in undoMalloc) then puts the state back as it was at begin, before the find.
      this.unfind();
      this.undo(() => this.undoMalloc(found, foundBytes, need, high) || this.free(moved));
      this.endJournal(journal, false);
      throw e;
    }
    this.endJournal(journal, true);
    // The old payload as it was for the copy, then the freed block's words again.
    const f0 = words[links]!, f1 = words[links + 1]!, f2 = words[links + 2]!, fLast = words[footer]!;
    words[links] = l0;
    words[links + 1] = l1;
    words[links + 2] = l2;
    words[footer] = last;
    this.bytes.copyWithin(moved, ptr, ptr + Math.min(blockBytes - HEADER_BYTES, size));
    words[links] = f0;
    words[links + 1] = f1;
    words[links + 2] = f2;
    words[footer] = fLast;
    return moved;
  }

  // ---- undoing a two-step call's first step (only on the rejected path) ----------------------------------

  /** The heap's scalars and block-map state before a moving realloc's malloc (checkpoint), for undoMalloc. */
  private cpTop = 0;
  private cpTopPrevFree = 0;
  private cpExtent = 0;
  private cpPeakHeapBytes = 0;
  private cpTopWord = 0;
  private cpLastHeader = 0;
  private cpCounters = new Float64Array(8);
  private cpPendingCount = 0;
  private cpPendingOverflow = false;
  private cpPasses = 0;
  /** The word growth overwrote with the footer at the new top (grow). */
  private overwrittenAtTop = 0;
  /** The words allocate may write inside the block it carves (carvePositions), and the freed mark of its block. */
  private readonly carveAt = new Int32Array(16);
  private readonly carveWords = new Int32Array(16);
  private carveCount = 0;
  private carveFreed = false;

  private checkpoint(): void {
    this.cpTop = this.top;
    this.cpTopPrevFree = this.topPrevFree;
    this.cpExtent = this.extent;
    this.cpPeakHeapBytes = this.peakHeapBytes;
    this.cpTopWord = this.top + 4 <= this.capacity ? this.words[this.top >> 2]! : 0;
    this.cpLastHeader = this.topPrevFree !== 0 ? this.words[(this.top - this.words[(this.top - 4) >> 2]!) >> 2]! : 0;
    const c = this.cpCounters;
    c[0] = this.usedBlocks;
    c[1] = this.usedBytes;
    c[2] = this.blocks;
    c[4] = this.liveBytes;
    c[5] = this.peakLiveBytes;
    this.cpPendingCount = this.pendingCount;
    this.cpPendingOverflow = this.pendingOverflow;
    this.cpPasses = this.passes;
  }

  /**
   * Saves the words allocate may write when it carves `need` bytes from the free block `found` of `bytes` bytes
   * (out of the index): its header, request and link words; the same at the split point and the word below it;
   * its footer; the header above it. And the freed mark of the block it will hand out.
   */
  private saveCarve(found: number, bytes: number, need: number, high: boolean): void {
    const rest = bytes - need;
    const split = rest >= this.minBlockSize;
    const at = this.carveAt;
    let n = 0;
    for (let k = 0; k < 2 + LINK_WORDS; k++) at[n++] = found + 4 * k;
    if (split) {
      const cut = found + (high ? rest : need);
      at[n++] = cut - 4;
      for (let k = 0; k < 2 + LINK_WORDS; k++) at[n++] = cut + 4 * k;
    }
    at[n++] = found + bytes - 4;
    if (found + bytes < this.top) at[n++] = found + bytes;
    for (let k = 0; k < n; k++) this.carveWords[k] = this.words[at[k]! >> 2]!;
    this.carveCount = n;
    this.carveFreed = wasFreed(this.marks, split && high ? found + rest : found);
  }

  /**
   * Undoes a moving realloc's malloc after its free was rejected: the remainder leaves the index, the carved
   * block's words and marks are put back, growth is taken back (or the block returns to the index), then a
   * deferred pass the malloc made is undone, and the counters are as checkpoint saved them. A journaling strategy
   * rolls its index back exactly, after the carve's words (which hold what its first step wrote there) and before
   * growth's and the pass's (its words may cover their footers); without a journal the strategy's links come out
   * as they were where its index has one shape per set of blocks (the treaps; see undoPass), and this returns
   * false, having changed nothing, when the strategy rejects the remainder's removal (the damage is on its path).
   */
  private undoMalloc(found: number, bytes: number, need: number, high: boolean): boolean {
    const words = this.words;
    const rest = bytes - need;
    const split = rest >= this.minBlockSize;
    const index = !this.journals;
    if (split && index) {
      try {
        this.strategy.remove(high ? found : found + need);
      } catch {
        return false;
      }
    }
    for (let k = this.carveCount - 1; k >= 0; k--) words[this.carveAt[k]! >> 2] = this.carveWords[k]!;
    if (split) clearStart(this.marks, found + (high ? rest : need));
    const handedOut = split && high ? found + rest : found;
    if (this.carveFreed) markFreed(this.marks, handedOut);
    else clearFreed(this.marks, handedOut);
    if (!index) {
      this.recording = false;
      this.strategy.rollback!();
    }
    if (this.top !== this.cpTop) {
      // Growth: the footer it wrote at the new top, and the block it made or extended.
      words[(this.top - 4) >> 2] = this.overwrittenAtTop;
      if (found === this.cpTop) {
        words[found >> 2] = this.cpTopWord;
        clearStart(this.marks, found);
      } else {
        words[found >> 2] = this.cpLastHeader;
      }
      this.top = this.cpTop;
      this.topPrevFree = this.cpTopPrevFree;
      this.extent = this.cpExtent;
      this.peakHeapBytes = this.cpPeakHeapBytes;
      if (found !== this.cpTop && index) this.strategy.insert(found);
    } else {
      this.topPrevFree = this.cpTopPrevFree;
      if (index) this.strategy.insert(found);
    }
    if (this.passes !== this.cpPasses) this.undoPass(index);
    const c = this.cpCounters;
    this.usedBlocks = c[0]!;
    this.usedBytes = c[1]!;
    this.blocks = c[2]!;
    this.liveBytes = c[4]!;
    this.peakLiveBytes = c[5]!;
    this.pendingCount = this.cpPendingCount;
    this.pendingOverflow = this.cpPendingOverflow;
    return true;
  }

  /**
   * realloc in place: the used block at `block` (`blockBytes` bytes), first grown into its free successor of
   * `absorbed` bytes (0: none, a shrink), is cut down to `need`, freeing the tail when it can be a block; under
   * immediate coalescing the tail absorbs a free block above it. The strategy vets every call before the first
   * change (vet); the caller has validated the successor's header.
   */
  private resizeInPlace(block: number, need: number, blockBytes: number, absorbed: number): void {
    const words = this.words;
    const total = blockBytes + absorbed;
    const rest = total - need;
    const next = block + total;
    let nextFree = 0;
    if (rest >= this.minBlockSize) {
      if (this.mode === IMMEDIATE && next < this.top && (words[next >> 2]! & USED) === 0) {
        // Under immediate coalescing a free successor's upper neighbour is used: two free blocks in a row is damage.
        if (absorbed !== 0) corrupt(next, "blocks should have coalesced (two adjacent free blocks)");
        nextFree = words[next >> 2]! & ~FLAG_MASK;
      }
      this.vet(0, block + need, rest + nextFree);
    }
    // At most one removal (a free successor is absorbed, or the tail merges with the one above it), vetted again
    // after it for the tail's insert. A journaling strategy records it: if that vetting rejects, the rollback puts
    // a list's or a bin's block back where it was, not where an insert would (a list's head, another slot).
    const tailBytes = rest >= this.minBlockSize ? rest + nextFree : 0;
    const removes = absorbed !== 0 || (tailBytes !== 0 && nextFree !== 0);
    const journal = removes && this.beginJournal();
    try {
      if (absorbed !== 0) this.removeVetted(block + blockBytes, block + need, tailBytes);
      else if (removes) this.removeVetted(next, block + need, tailBytes);
    } catch (e) {
      this.endJournal(journal, false);
      throw e;
    }
    this.endJournal(journal, true);
    if (absorbed !== 0) this.absorbNext(block, blockBytes);
    if (rest < this.minBlockSize) return;
    const tail = this.split(block, total, need);
    this.usedBytes -= rest;
    if (nextFree !== 0) this.absorbNext(tail, rest);
    else this.setPrevFree(next, PREV_FREE);
    this.indexFree(tail);
  }

  usableSize(ptr: Ptr): number {
    const block = usedBlock(this, ptr, "usableSize");
    return (this.words[block >> 2]! & ~FLAG_MASK) - HEADER_BYTES;
  }

  // ---- deferred coalescing ------------------------------------------------------------------------------

  /**
   * Deferred coalescing, on a miss: merges the runs of adjacent free blocks that the frees since the last pass
   * may have formed. Only the runs of the blocks noted in `pending` are visited, each walked and vetted once
   * however many of its blocks are pending, so a pass costs what it merges, not the whole heap; when more frees
   * happened than `pending` holds, the pass walks the whole heap instead. Every run is validated before the first merge, so a damaged header
   * anywhere the pass would touch is reported with nothing merged. Returns how many merges it made.
   */
  private coalescePending(): number {
    // The free block at the top, which growth reads and takes out of the index after a pass that found nothing,
    // is validated (its header, and its removal by the strategy) before the pass changes anything.
    if (this.topPrevFree !== 0) {
      const last = freeBlockAtTop(this);
      if (this.vetsRemove) this.strategy.validateRemove!(last);
    }
    this.beginPass();
    if (this.pendingOverflow) return this.coalesceAll();
    const words = this.words;
    const marks = this.marks;
    const top = this.top;
    const count = this.pendingCount;
    // The pending blocks still free, sorted by address (a key is its block times PENDING_BLOCKS plus its place in
    // `pending`, exact in a double), so that each run is walked and vetted once however many of its blocks are
    // pending: its lowest pending block walks down to its start, and the pending blocks up to its end are its own.
    const keys = (this.passKeys ??= new Float64Array(PENDING_BLOCKS));
    const runStarts = (this.runStartAt ??= new Int32Array(PENDING_BLOCKS));
    const runEnds = (this.runEndAt ??= new Int32Array(PENDING_BLOCKS));
    runEnds.fill(0, 0, count);
    let live = 0;
    for (let i = 0; i < count; i++) {
      const block = this.pending[i]!;
      // Gone since it was noted: merged into a block below, or handed out again.
      if (block >= top || !isStart(marks, block) || words[block >> 2]! & USED) continue;
      keys[live++] = block * PENDING_BLOCKS + i;
    }
    const sorted = keys.subarray(0, live).sort();
    // Each run of two or more blocks is noted at the place of its first pending block in `pending` (runEnds[i] > 0):
    // the runs are vetted and merged in that order, the order of the frees that made them.
    let start = 0;
    let end = 0;
    let first = 0;
    for (let k = 0; k <= live; k++) {
      const key = k < live ? sorted[k]! : 0;
      const i = key % PENDING_BLOCKS;
      let block = (key - i) / PENDING_BLOCKS;
      if (k < live && block < end) {
        if (i < first) first = i; // in the run found last
        continue;
      }
      if (k > 0 && end !== start + (words[start >> 2]! & ~FLAG_MASK)) {
        runStarts[first] = start;
        runEnds[first] = end;
      }
      if (k === live) break;
      // Down to the start of the run: each step goes down by a validated size, so the walk ends at the base (or
      // at the end of the run found last, which is used).
      while (words[block >> 2]! & PREV_FREE) block = freeBlockBelow(this, block);
      const size = validHeader(this, block);
      start = block;
      end = this.runEnd(block, size);
      first = i;
    }
    for (let i = 0; i < count; i++) {
      if (runEnds[i] !== 0) this.vetRun(runStarts[i]!, words[runStarts[i]! >> 2]! & ~FLAG_MASK, runEnds[i]!);
    }
    let merges = 0;
    try {
      for (let i = 0; i < count; i++) {
        if (runEnds[i] !== 0) merges += this.mergeRun(runStarts[i]!, words[runStarts[i]! >> 2]! & ~FLAG_MASK);
      }
    } catch (e) {
      // A later run's strategy calls met damage that the earlier merges brought onto their path.
      this.undo(() => this.undoPass(!this.journals));
      throw e;
    }
    this.pendingCount = 0;
    return merges;
  }

  /**
   * A malloc's miss under deferred coalescing: the pass, then the fit found after it (or growth). Both steps
   * change the heap, so when the second is rejected (its block's header, its removal, or its remainder's insert
   * vetted against the index the pass left), the pass is undone (undoPass) and the call changes nothing.
   */
  private findAfterPass(need: number, cost: number): number {
    const strategy = this.strategy;
    const journal = this.beginJournal();
    let merges = 0;
    try {
      merges = this.coalescePending();
    } catch (e) {
      this.endJournal(journal, false);
      this.unfind();
      throw e;
    }
    try {
      let block = 0;
      if (merges > 0) {
        block = strategy.find(need);
        cost += strategy.examined;
      }
      this.lastSearchCost = cost;
      if (block === 0) block = this.grow(need);
      else {
        this.checkFound(block, need);
        this.take(block, this.words[block >> 2]! & ~FLAG_MASK, need);
      }
      this.endJournal(journal, true);
      return block;
    } catch (e) {
      // The index first (its words may cover the pass's footers), then the blocks the pass merged; then the state
      // the miss's find (before the journal began) changed.
      this.endJournal(journal, false);
      this.undo(() => this.undoPass(!this.journals));
      this.unfind();
      throw e;
    }
  }

  /**
   * Begins the strategy's journal for a call of two steps, unless the strategy keeps none or an outer call (a
   * moving realloc whose malloc makes a deferred pass) has begun it. Returns whether this call began it.
   */
  private beginJournal(): boolean {
    if (!this.journals || this.recording) return false;
    this.strategy.begin!();
    this.recording = true;
    return true;
  }

  /** Ends the journal this call began (began = true): keeping the index's changes, or rolling them back. */
  private endJournal(began: boolean, keep: boolean): void {
    if (!began || !this.recording) return;
    this.recording = false;
    if (keep) this.strategy.commit!();
    else this.strategy.rollback!();
  }

  /**
   * Runs an undo on the rejected path. If the undo itself meets damage (a strategy call rejects a link it must
   * follow), the heap stays as far as it got, and the error the call is rejected with is the first one: the
   * caller rethrows it.
   */
  private undo(run: () => void): void {
    try {
      run();
    } catch {
      // The damage the first error names is the one reported.
    }
  }

  /** Starts the undo journal of a pass: no runs yet, and `pending` as it is. */
  private beginPass(): void {
    this.passes++;
    this.passLog.length = 0;
    const saved = (this.pendingBefore ??= new Int32Array(PENDING_BLOCKS));
    saved.set(this.pending.subarray(0, this.pendingCount));
    this.pendingCountBefore = this.pendingCount;
    this.pendingOverflowBefore = this.pendingOverflow;
  }

  /**
   * Undoes the last pass, run by run from the last: its pieces get back their headers' sizes, footers and start
   * marks; `pending` is put back. With `index` (a strategy without a journal) each merged block also leaves the
   * index and its pieces go back in: the strategy's links come out as they were where its index has one shape for
   * one set of blocks (the treaps: priorities are a hash of the key), but a list puts each piece back at its head,
   * and a run whose merged block's removal meets the damage too stays merged (in the index, consistent). A
   * journaling strategy's rollback puts its index back exactly instead, before this. Only on a rejected call.
   */
  private undoPass(index: boolean): void {
    const log = this.passLog;
    // Walk the log forward to find each run's start, then undo from the last.
    const starts: number[] = [];
    for (let i = 0; i < log.length; i += 2 + log[i + 1]!) starts.push(i);
    for (let r = starts.length - 1; r >= 0; r--) {
      const i = starts[r]!;
      if (index) {
        try {
          this.strategy.remove(log[i]!);
        } catch {
          continue; // the damage is on this merged block's path too: it stays merged, in the index
        }
      }
      this.unmerge(i, index);
    }
    log.length = 0;
    this.pending.set(this.pendingBefore!.subarray(0, this.pendingCountBefore));
    this.pendingCount = this.pendingCountBefore;
    this.pendingOverflow = this.pendingOverflowBefore;
  }

  /**
   * Splits the merged run logged at passLog[i] (start, pieces, sizes; out of the index) back into its pieces and,
   * with `index`, indexes them. absorbNext left every piece's header as it was and rewrote the first piece's
   * header and the footer at each piece's end.
   */
  private unmerge(i: number, index: boolean): void {
    const log = this.passLog;
    const words = this.words;
    const start = log[i]!;
    const pieces = log[i + 1]!;
    words[start >> 2] = log[i + 2]! | (words[start >> 2]! & PREV_FREE);
    for (let k = 0, b = start; k < pieces; b += log[i + 2 + k]!, k++) {
      const size = log[i + 2 + k]!;
      words[(b + size - 4) >> 2] = size;
      if (k > 0) markStart(this.marks, b);
    }
    this.blocks += pieces - 1;
    if (index) for (let k = 0, b = start; k < pieces; b += log[i + 2 + k]!, k++) this.strategy.insert(b);
  }

  /** Notes a new free block that may sit next to another free block, for the next deferred pass. */
  private notePending(block: number): void {
    if (this.pendingCount < this.pending.length) this.pending[this.pendingCount++] = block;
    else this.pendingOverflow = true;
  }

  /** Merges every run of adjacent free blocks in the heap, after one validating walk. Returns the merges made. */
  private coalesceAll(): number {
    let belowFree = false;
    walkBlocks(this, (block, size, free) => {
      if (free && !belowFree) this.vetRun(block, size, this.runEnd(block, size));
      belowFree = free;
    });
    let merges = 0;
    try {
      walkBlocks(this, (block, size, free) => {
        if (free) merges += this.mergeRun(block, size);
      });
    } catch (e) {
      this.undo(() => this.undoPass(!this.journals));
      throw e;
    }
    this.pendingCount = 0;
    this.pendingOverflow = false;
    return merges;
  }

  /**
   * Vets (see vet) the merge of the run of free blocks from `block` (of `size` bytes) to `end`: every block's
   * removal and the merged block's insert. Each step goes up by a size runEnd validated.
   */
  private vetRun(block: number, size: number, end: number): void {
    if (end === block + size) return;
    const strategy = this.strategy;
    if (this.vetsRemove) for (let b = block; b < end; b += this.words[b >> 2]! & ~FLAG_MASK) strategy.validateRemove!(b);
    if (this.vetsInsert) strategy.validateInsert!(block, end - block);
  }

  /** The end of the run of free blocks starting with the free block at `block` (of `size` bytes), validated. */
  private runEnd(block: number, size: number): number {
    let end = block + size;
    while (end < this.top && !(this.words[end >> 2]! & USED)) end += validHeader(this, end);
    return end;
  }

  /**
   * Merges the free block at `block` (of `size` bytes) with the free blocks right above it: validated whole,
   * taken out of the index, then absorbed one by one. Returns the merges made.
   */
  private mergeRun(block: number, size: number): number {
    const end = this.runEnd(block, size);
    if (end === block + size) return 0;
    const strategy = this.strategy;
    // Logged first (undoPass): the start, the piece count, each piece's size.
    const log = this.passLog;
    const at = log.length;
    log.push(block, 0);
    for (let b = block; b < end; b += this.words[b >> 2]! & ~FLAG_MASK) log.push(this.words[b >> 2]! & ~FLAG_MASK);
    const pieces = (log[at + 1] = log.length - at - 2);
    let removed = 0;
    try {
      for (let b = block; removed < pieces; b += log[at + 2 + removed]!, removed++) strategy.remove(b);
    } catch (e) {
      // A removal is atomic: the pieces already out go back (a journal's rollback puts them back), and this run
      // leaves the log.
      if (!this.journals) {
        this.undo(() => {
          for (let k = 0, b = block; k < removed; b += log[at + 2 + k]!, k++) strategy.insert(b);
        });
      }
      log.length = at;
      throw e;
    }
    let merges = 0;
    for (let merged = size; block + merged < end; merges++) merged = this.absorbNext(block, merged);
    try {
      strategy.insert(block);
    } catch (e) {
      this.undo(() => this.unmerge(at, !this.journals));
      log.length = at;
      throw e;
    }
    return merges;
  }

  // ---- inspection ---------------------------------------------------------------------------------------

  setStrategy(strategy: Strategy): void {
    if (!isStrategy(strategy)) fail("INVALID_OPTIONS", "setStrategy needs a Strategy");
    const free: number[] = [];
    walkBlocks(this, (block, _size, isFree) => {
      if (isFree) free.push(block);
    });
    // The new index writes its links over the old one's: the old links are kept, to put back if it fails.
    const words = this.words;
    const links = new Int32Array(free.length * LINK_WORDS);
    for (let i = 0; i < free.length; i++) links.set(words.subarray((free[i]! >> 2) + LINK0, (free[i]! >> 2) + LINK0 + LINK_WORDS), i * LINK_WORDS);
    try {
      strategy.attach(this);
      for (const block of free) strategy.insert(block);
    } catch (e) {
      const old = this.strategy;
      if (old === strategy) {
        // attach dropped the old index itself: rebuild it from scratch.
        old.attach(this);
        for (const block of free) old.insert(block);
      } else {
        // The old strategy's own state is untouched: with its links back, its index is exactly as it was.
        for (let i = 0; i < free.length; i++) words.set(links.subarray(i * LINK_WORDS, (i + 1) * LINK_WORDS), (free[i]! >> 2) + LINK0);
      }
      fail("INVALID_OPTIONS", `strategy ${strategy.name} failed to index the free blocks: ${(e as Error)?.message ?? String(e)}`);
    }
    this.useStrategy(strategy);
  }

  private useStrategy(strategy: Strategy): void {
    this.strategy = strategy;
    this.vetsInsert = typeof strategy.validateInsert === "function";
    this.vetsRemove = typeof strategy.validateRemove === "function";
    this.journals = typeof strategy.begin === "function" && typeof strategy.commit === "function" && typeof strategy.rollback === "function";
  }

  /**
   * Every block, each validated (walkBlocks) before any is given, as an array: not a generator, whose `yield*` made an
   * iterator result per block besides the block (the heap map's snapshots walk the heap a hundred times a replay).
   */
  walk(): BlockInfo[] {
    const blocks: BlockInfo[] = [];
    walkBlocks(this, (block, size, free) => {
      blocks.push({ offset: block, payload: block + HEADER_BYTES, size: size - HEADER_BYTES, free });
    });
    return blocks;
  }

  stats(): HeapStats {
    let largest = 0;
    if (this.strategy.largest) largest = this.strategy.largest();
    else {
      walkBlocks(this, (_block, size, free) => {
        if (free && size > largest) largest = size;
      });
    }
    return {
      heapBytes: this.extent,
      peakHeapBytes: this.peakHeapBytes,
      liveBytes: this.liveBytes,
      peakLiveBytes: this.peakLiveBytes,
      usedBlocks: this.usedBlocks,
      usedBytes: this.usedBytes,
      freeBlocks: this.blocks - this.usedBlocks,
      freeBytes: this.top - this.base - this.usedBytes,
      largestFreeBlock: largest > 0 ? largest - HEADER_BYTES : 0,
      failedAllocations: this.failedAllocations,
    };
  }

  check(): void {
    const counters = {
      usedBlocks: this.usedBlocks, usedBytes: this.usedBytes, freeBlocks: this.blocks - this.usedBlocks, freeBytes: this.top - this.base - this.usedBytes, liveBytes: this.liveBytes,
    };
    checkHeap(this, counters, this.strategy, this.mode === IMMEDIATE);
  }

  dump(): string {
    const lines: string[] = [];
    for (const b of this.walk()) lines.push(`Block at: ${b.offset} Size: ${b.size} [${b.free ? "FREE" : "USED"}]`);
    return lines.join("\n");
  }
}

