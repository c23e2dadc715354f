/**
 * The block map: two bitmaps beside the heap's buffer, with a bit per 8-byte granule, that say where blocks
 * start and where a block was freed. They live outside the buffer, so a buffer overflow cannot reach them: a
 * pointer, a size or a link word is checked against them without trusting bytes the user may have written.
 *
 *   START bit: a block starts at this granule (set on split / growth, cleared when the block is merged away).
 *   FREED bit: a block was freed here (set by free, cleared when a block there is handed out again); it tells a
 *              second free of a pointer (DOUBLE_FREE) from a pointer that was never allocated (INVALID_POINTER).
 *
 * The two are interleaved word by word, so that both bits of a block share a cache line (free tests one and
 * sets the other on the same block): word 2k holds the START bits of granules 32k .. 32k + 31, word 2k + 1 their
 * FREED bits. The formula, the same in every function below: block offset b is granule b >>> 3, in START word
 * (b >>> 8) << 1 (FREED: that + 1), bit (b >>> 3) & 31. E.g. b = 1000: granule 125, words 6 and 7, bit 29.
 */

/** The bitmaps for a buffer of `capacity` bytes. */
export function createMarks(capacity: number): Int32Array {
  return new Int32Array(marksLength(capacity));
}

/** The length of the block map of a buffer of `capacity` bytes. */
export function marksLength(capacity: number): number {
  return ((capacity >> 8) + 1) << 1;
}

// Each function below writes the formula out rather than calling a helper: TurboFan guards every call to a
// module-level function with a load and a compare of its binding, and these run several times per malloc/free.

export function isStart(marks: Int32Array, block: number): boolean {
  return (marks[(block >>> 8) << 1]! & (1 << ((block >>> 3) & 31))) !== 0;
}

export function markStart(marks: Int32Array, block: number): void {
  marks[(block >>> 8) << 1]! |= 1 << ((block >>> 3) & 31);
}

export function clearStart(marks: Int32Array, block: number): void {
  marks[(block >>> 8) << 1]! &= ~(1 << ((block >>> 3) & 31));
}

export function wasFreed(marks: Int32Array, block: number): boolean {
  return (marks[((block >>> 8) << 1) | 1]! & (1 << ((block >>> 3) & 31))) !== 0;
}

export function markFreed(marks: Int32Array, block: number): void {
  marks[((block >>> 8) << 1) | 1]! |= 1 << ((block >>> 3) & 31);
}

export function clearFreed(marks: Int32Array, block: number): void {
  marks[((block >>> 8) << 1) | 1]! &= ~(1 << ((block >>> 3) & 31));
}

/**
 * Whether any block start is marked in the byte range [from, to) (multiples of 8, from < to). Reads one START
 * word per 256 bytes of the range: the cost of the no-swallowed-block rule is proportional to the block's size.
 * E.g. [16, 48): granules 2 .. 5, all in word 0: one read, masked to bits 2 .. 5.
 */
export function anyStartIn(marks: Int32Array, from: number, to: number): boolean {
  const first = from >>> 3;
  const last = (to >>> 3) - 1;
  const i = first >>> 5;
  if (i === last >>> 5) return (marks[i << 1]! & (-1 << (first & 31)) & ~(-2 << (last & 31))) !== 0; // & upTo(last)
  return anyStartInWords(marks, first, last);
}

/**
 * Whether [block, end) is exactly one block by the START bits: `block` is a marked start, `end` is one (or is
 * `top`, where no bit is ever set), and no start is marked between them — the rules "a used block has no block
 * start inside it" and "it ends at a block boundary" in one pass. One read when both ends' bits share a START
 * word (a block of up to 256 bytes, most of them); E.g. [16, 48): granules 2 and 6 in word 0, bits 2 .. 6 must
 * be exactly bits 2 and 6.
 */
export function isSoleBlock(marks: Int32Array, block: number, end: number, top: number): boolean {
  const first = block >>> 3;
  const last = end >>> 3;
  const i = first >>> 5;
  const want = end < top ? 1 << (last & 31) : 0;
  if (i === last >>> 5) return (marks[i << 1]! & (-1 << (first & 31)) & ~(-2 << (last & 31))) === ((1 << (first & 31)) | want);
  return isSoleBlockWide(marks, first, last, want);
}

/** isSoleBlock over more than one START word (kept apart so isSoleBlock inlines). */
function isSoleBlockWide(marks: Int32Array, first: number, last: number, want: number): boolean {
  let i = first >>> 5;
  const lastWord = last >>> 5;
  if ((marks[i << 1]! & (-1 << (first & 31))) !== 1 << (first & 31)) return false;
  // The START words strictly between, eight then four at a time (each loop trip re-checks the array: fewer trips).
  let j = (i + 1) << 1;
  const end = lastWord << 1;
  for (; j + 14 < end; j += 16) {
    if ((marks[j]! | marks[j + 2]! | marks[j + 4]! | marks[j + 6]! | marks[j + 8]! | marks[j + 10]! | marks[j + 12]! | marks[j + 14]!) !== 0) return false;
  }
  if (j + 6 < end) {
    if ((marks[j]! | marks[j + 2]! | marks[j + 4]! | marks[j + 6]!) !== 0) return false;
    j += 8;
  }
  for (; j < end; j += 2) if (marks[j] !== 0) return false;
  return (marks[end]! & ~(-2 << (last & 31))) === want;
}

/** anyStartIn over granules first .. last in more than one START word (kept apart so anyStartIn inlines). */
function anyStartInWords(marks: Int32Array, first: number, last: number): boolean {
  let i = first >>> 5;
  const lastWord = last >>> 5;
  if ((marks[i << 1]! & (-1 << (first & 31))) !== 0) return true;
  while (++i < lastWord) if (marks[i << 1] !== 0) return true;
  return (marks[i << 1]! & upTo(last)) !== 0;
}

/**
 * The mask of bits 0 .. granule & 31 of a word, in 32-bit operations only (`(2 << n) - 1` leaves the int32 range
 * for n = 30 and measured ~30% of a free): -2 << n clears bits 0 .. n, ~ keeps just them; n = 31 gives ~0 = -1.
 */
function upTo(granule: number): number {
  return ~(-2 << (granule & 31));
}

/** The start of the block holding byte `address` (the nearest start at or below it), or -1. */
export function blockContaining(marks: Int32Array, address: number): number {
  const granule = address >>> 3;
  let i = granule >>> 5;
  let word = marks[i << 1]! & upTo(granule);
  while (word === 0) {
    if (i === 0) return -1;
    word = marks[--i << 1]!;
  }
  return ((i << 5) + 31 - Math.clz32(word)) << 3;
}

/** How many block starts are marked. */
export function countStarts(marks: Int32Array): number {
  let count = 0;
  for (let i = 0; i < marks.length; i += 2) {
    let x = marks[i]!;
    while (x !== 0) {
      x &= x - 1;
      count++;
    }
  }
  return count;
}
