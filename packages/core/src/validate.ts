/**
 * Every rule for trusting the words of a block — its header, request word and footer, and the neighbours an
 * operation is about to merge with — in one place. Every path that reads a block before changing it (free,
 * realloc, malloc's carve, growth, the coalescing passes, the walker) goes through these, so a header smashed
 * by a buffer overflow is reported as CORRUPTION before anything is built on it, and a rejected call changes
 * nothing.
 *
 * The rules for the block at `block` with header size S (layout.ts draws the block):
 *   1. S is a multiple of the alignment, at least the minimum block, and the block ends within the heap.
 *   2. It ends at a marked block start (or at the top). A used block has no block start marked inside it: the
 *      block map (block-map.ts) lives outside the buffer, so a used header forged to span the blocks above —
 *      with a request word set to match, the one forgery rules 1, 3 and 4 cannot see — is caught, and freeing
 *      it cannot hand out a live block. (A free header forged to span blocks needs no scan: the last block it
 *      swallows is either used, so the PREV_FREE bit above says "used" against rule 3, or free, so the footer
 *      at the forged end holds that block's own, smaller size against rule 4.) The scan reads one bitmap word
 *      per 256 bytes of the block, one word for most blocks.
 *   3. Its USED bit agrees with the PREV_FREE bit of the block above (or of the top): the same fact stored twice.
 *   4. Used: the requested size fits the payload, and the block is less than one minimum block larger than that
 *      request needs (every path that sizes a used block splits off anything bigger).
 *      Free: its footer (last word) equals S.
 * A free block below (PREV_FREE set) is found through its footer; the footer must lead to a marked start whose
 * header passes the rules above with the same size.
 */
import { HeapError } from "./api.js";
import * as blockMap from "./block-map.js";
import * as layout from "./layout.js";

// Module-local copies: V8 folds a module's own constants into the code, but reads imported bindings at each use.
const FLAG_MASK = layout.FLAG_MASK;
const HEADER_BYTES = layout.HEADER_BYTES;
const PREV_FREE = layout.PREV_FREE;
const REQUESTED = layout.REQUESTED;
const USED = layout.USED;
// The same for the block-map functions: an imported function's binding is loaded and checked at every call.
const { anyStartIn, blockContaining, isStart, wasFreed } = blockMap;

/** Largest arena: offsets and sizes must fit the 32-bit words of the headers. */
const MAX_BYTES = 1 << 30;
// Exported under its name; the code here uses the module-local constant, which V8 folds into the code (an
// exported binding is read from its cell at every use, even in its own module).
export const MAX_HEAP_BYTES = MAX_BYTES;

/** What the rules read: the heap's words, its block map and its geometry. */
export interface BlockSpace {
  readonly words: Int32Array;
  readonly marks: Int32Array;
  /** Byte offset of the first block. */
  readonly base: number;
  /** Byte offset just past the last block. */
  readonly top: number;
  readonly minBlockSize: number;
  readonly alignment: number;
  /** alignment - 1. */
  readonly alignMask: number;
  /** 1 when the last block is free (the PREV_FREE bit a block at `top` would carry). */
  readonly topPrevFree: number;
}

export function corrupt(block: number, why: string): never {
  throw new HeapError("CORRUPTION", `block at ${block}: ${why}`);
}

/** Block bytes needed to serve `size` payload bytes, or -1 when no heap of ours could hold it. */
export function blockFor(h: BlockSpace, size: number): number {
  if (size > MAX_BYTES) return -1;
  const mask = h.alignMask;
  const need = (size + HEADER_BYTES + mask) & ~mask;
  return need < h.minBlockSize ? h.minBlockSize : need;
}

/**
 * Validates the header of the block at `block` (rules 1–4); returns its size. `span` = false leaves out rule 2's
 * bitmap scan for a used block, for a used neighbour whose size the caller only reads (free and realloc write
 * nothing past its header, and it is checked in full when it is freed itself).
 */
export function validHeader(h: BlockSpace, block: number, span = true): number {
  const words = h.words;
  const top = h.top;
  const header = words[block >> 2]!;
  const size = header & ~FLAG_MASK;
  if (size < h.minBlockSize || (size & h.alignMask) !== 0 || block + size > top) {
    corrupt(block, `header size ${size} is impossible (overwritten header?)`);
  }
  const next = block + size;
  if (next < top && !isStart(h.marks, next)) corrupt(block, `size ${size} does not end at a block boundary`);
  const aboveSaysFree = next < top ? (words[next >> 2]! & PREV_FREE) !== 0 : h.topPrevFree !== 0;
  if (aboveSaysFree === ((header & USED) !== 0)) {
    corrupt(block, `its USED bit says ${header & USED ? "used" : "free"} but the PREV_FREE bit above it says ${aboveSaysFree ? "free" : "used"}`);
  }
  if (header & USED) {
    if (span && anyStartIn(h.marks, block + 8, next)) {
      corrupt(block, `size ${size} spans other blocks (one starts at ${blockContaining(h.marks, next - 8)}): a forged header`);
    }
    const requested = words[(block >> 2) + REQUESTED]! >>> 0;
    if (requested > size - HEADER_BYTES) corrupt(block, "requested size exceeds the block");
    if (size - blockFor(h, requested) >= h.minBlockSize) {
      corrupt(block, `size ${size} is larger than its request of ${requested} bytes needs (overwritten header?)`);
    }
  } else if (words[(next - 4) >> 2] !== size) {
    corrupt(block, "free block's footer disagrees with its header");
  }
  return size;
}

/** Validates the free block at `block` (a marked start, sound header, USED clear); returns its size. */
export function validFreeBlock(h: BlockSpace, block: number, what: string): number {
  if (block < h.base || block >= h.top || (block & 7) !== 0 || !isStart(h.marks, block)) {
    corrupt(block, `${what} is not a block start`);
  }
  const size = validHeader(h, block);
  if (h.words[block >> 2]! & USED) corrupt(block, `${what} is not a free block`);
  return size;
}

/** The free block just below `block` (whose PREV_FREE bit is set), found through its footer and validated. */
export function freeBlockBelow(h: BlockSpace, block: number): number {
  const prevSize = h.words[(block - 4) >> 2]!;
  const prev = block - prevSize;
  if (prevSize < h.minBlockSize || (prevSize & h.alignMask) !== 0 || prev < h.base || !isStart(h.marks, prev)) {
    corrupt(block, "PREV_FREE is set but the footer below does not lead to a block");
  }
  if (validHeader(h, prev) !== prevSize || h.words[prev >> 2]! & USED) {
    corrupt(prev, "footer and header of the free block below disagree");
  }
  return prev;
}

/** The free block that ends the heap (topPrevFree is set), found through the footer at the top and validated. */
export function freeBlockAtTop(h: BlockSpace): number {
  const lastSize = h.words[(h.top - 4) >> 2]!;
  const last = h.top - lastSize;
  if (lastSize < h.minBlockSize || (lastSize & h.alignMask) !== 0 || last < h.base || !isStart(h.marks, last) ||
    validHeader(h, last) !== lastSize || h.words[last >> 2]! & USED) {
    corrupt(last, "the footer at the top does not lead to the free block it should end");
  }
  return last;
}

/** The header offset of the live block whose payload is `ptr`, validated; throws for anything else. */
export function usedBlock(h: BlockSpace, ptr: unknown, op: string): number {
  if (typeof ptr !== "number" || !Number.isInteger(ptr)) {
    throw new HeapError("INVALID_POINTER", `${op}(${String(ptr)}): not a pointer`);
  }
  const block = ptr - HEADER_BYTES;
  if (block < h.base || ptr >= h.top || (ptr & h.alignMask) !== 0 || !isStart(h.marks, block)) badPointer(h, ptr, op);
  validHeader(h, block);
  if (!(h.words[block >> 2]! & USED)) {
    if (wasFreed(h.marks, block)) throw new HeapError("DOUBLE_FREE", `${op}(${ptr}): the block is already free`);
    throw new HeapError("INVALID_POINTER", `${op}(${ptr}): a free block that was never allocated`);
  }
  return block;
}

/**
 * Explains a pointer that is not the start of a block: a stale pointer into freed memory (its block was freed
 * and merged into a neighbour: DOUBLE_FREE) or just wrong (INVALID_POINTER). Only on the error path.
 */
function badPointer(h: BlockSpace, ptr: number, op: string): never {
  const block = ptr - HEADER_BYTES;
  if (ptr % h.alignment === 0 && block > h.base && ptr < h.top && wasFreed(h.marks, block)) {
    const holder = blockContaining(h.marks, block);
    if (holder >= h.base && !(h.words[holder >> 2]! & USED)) {
      throw new HeapError("DOUBLE_FREE", `${op}(${ptr}): the block was freed and merged into the free block at ${holder}`);
    }
  }
  throw new HeapError("INVALID_POINTER", `${op}(${ptr}): not the start of a live block`);
}

/**
 * The checks free makes before it changes anything, in full: the block is a live block (usedBlock), the header
 * above it is sound, and when free merges (`merges`), the free block below it (if any) is too. Returns the
 * block; throws the HeapError that explains the first check that fails.
 */
export function freeable(h: BlockSpace, ptr: unknown, merges: boolean): number {
  const block = usedBlock(h, ptr, "free");
  const next = block + (h.words[block >> 2]! & ~FLAG_MASK);
  if (next < h.top) validHeader(h, next, false);
  if (merges && h.words[block >> 2]! & PREV_FREE) freeBlockBelow(h, block);
  return block;
}
