/**
 * The block layout, drawn once. Every block lives in the heap's ArrayBuffer; there are no JS objects per block.
 * Offsets are bytes; a block starts at a multiple of 8 and its size is a multiple of the heap's alignment.
 *
 *            used block                               free block
 *   block -> +---------------------------+  block -> +---------------------------+
 *            | size of block       |P|U|           | size of block       |P|0|  word 0: SIZE (size | flags)
 *            +---------------------------+           +---------------------------+
 *            | bytes requested           |           | (unused)                  |  word 1: REQUESTED
 *  payload-> +---------------------------+  payload->+---------------------------+
 *            | user data ...             |           | link 0 .. link 2          |  words 2..4: strategy links
 *            |                           |           | ...                       |
 *            |                           |           +---------------------------+
 *            |                           |           | size of block (footer)    |  last word: boundary tag
 *   next  -> +---------------------------+  next  -> +---------------------------+
 *
 *   U (bit 0, USED):      the block is allocated.
 *   P (bit 1, PREV_FREE): the block just below this one is free, so its footer (the word at block - 4) holds
 *                         its size and `block - footer` is its header: O(1) coalescing with the left neighbour.
 *                         The footer is valid only while a block is free (tlsf: "prev_phys_block is only valid
 *                         if the previous block is free"); a used block's last word is user data.
 *
 * The smallest block is 24 bytes (header 8 + 3 link words + footer 4), rounded up to the alignment. Offset 0
 * is never a block: with alignment 8 the first block is at 8; with alignment A >= 16 it is at A - 8, so that
 * every payload (block + 8) is a multiple of A. Beside the buffer, the block map (block-map.ts) marks which 8-byte
 * granules start a block and where a block was freed, so a pointer or a link word is validated in O(1) without
 * trusting bytes the user may have overwritten.
 *
 * What every operation checks before it trusts a header (so an overflow from the block below is CORRUPTION, and
 * a forged header cannot swallow a live block) is written once, in validate.ts; the two bitmaps in block-map.ts;
 * the walker and the checker in checker.ts; the operations, built from split / absorbNext / absorbPrev, in heap.ts.
 *
 * Worked example, alignment 8, a 1 KiB arena: one free block [8, 1024) of 1016 bytes. malloc(100) needs
 * 100 + 8 = 108, rounded up to 112 bytes: the block [8, 120) is USED, payload 16, and the remainder [120, 1024)
 * (904 bytes, footer at 1020) stays free. free(16) finds no free neighbour below (P is clear) and a free one
 * above (its header at 16 - 8 + 112 = 120 has U clear), so the two merge back into [8, 1024).
 */

/** Bytes of a block's header; payload = block + HEADER_BYTES. */
export const HEADER_BYTES = 8;
/** Word offsets inside a block (relative to `block >> 2`): the header's size | flags, then the bytes requested. */
export const SIZE = 0;
export const REQUESTED = 1;
/** First link word a strategy may use in a free block's payload. */
export const LINK0 = 2;
/** How many link words a strategy may keep in every free block (words LINK0 .. LINK0 + LINK_WORDS - 1). */
export const LINK_WORDS = 3;
/** Flag bits in the SIZE word. */
export const USED = 1;
export const PREV_FREE = 2;
export const FLAG_MASK = 7;
/** Smallest block: header, three link words and a footer, in bytes. */
export const MIN_BLOCK_BYTES = 24;

/** Size in bytes (header included) of the block at `block`. */
export function blockSize(words: Int32Array, block: number): number {
  return words[block >> 2]! & ~FLAG_MASK;
}

/** Reads link word `i` (0 .. LINK_WORDS - 1) of the free block at `block`. */
export function getLink(words: Int32Array, block: number, i: number): number {
  return words[(block >> 2) + LINK0 + i]!;
}

/** Writes link word `i` (0 .. LINK_WORDS - 1) of the free block at `block`. */
export function setLink(words: Int32Array, block: number, i: number, value: number): void {
  words[(block >> 2) + LINK0 + i] = value;
}
