/**
 * Payload patterns for integrity mode. Byte j of the block of id `id` holds byte (j & 3) (little-endian) of
 *
 *     W(id, k) = imul(id + 1, 0x9E3779B1) ^ imul(k, 0x85EBCA77),   k = j >> 2,
 *
 * so two distinct ids differ in every word at the same k (0x9E3779B1 is odd, so imul by it is a bijection
 * on 32-bit integers), and a block that overlaps another — at any offset — almost surely changes some of the
 * other's bytes. The pattern is relative to the block start, so realloc's preserved prefix keeps it.
 * Blocks whose pointer is 4-aligned are written a word at a time through an Int32Array view.
 */

/** Bytes at each end of a range that verifySparse checks in full. */
export const SPARSE_EDGE = 256;
/** Between the edges, verifySparse checks one 4-byte word in every this many bytes. */
export const SPARSE_STRIDE = 1024;
/** Kept prefixes longer than this are checked sparsely around a realloc (see verifySparse). */
export const SPARSE_FROM = 4096;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function patternWord(id: number, k: number): number {
  return Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(k, 0x85ebca77);
}

export function patternByte(id: number, j: number): number {
  return (patternWord(id, j >> 2) >>> ((j & 3) << 3)) & 255;
}

export class PatternMemory {
  private bytes: Uint8Array = new Uint8Array(0);
  private words: Int32Array | null = null;

  /** Re-binds to the allocator's memory when it was replaced (a heap that grew). */
  sync(memory: Uint8Array): void {
    if (memory === this.bytes) return;
    this.bytes = memory;
    this.words =
      LITTLE_ENDIAN && memory.byteOffset % 4 === 0 ? new Int32Array(memory.buffer, memory.byteOffset, memory.length >> 2) : null;
  }

  /** Writes the pattern of `id` into payload bytes [from, to) of the block at `ptr`. */
  fill(ptr: number, from: number, to: number, id: number): void {
    const bytes = this.bytes;
    let j = from;
    const words = this.words;
    if (words !== null && (ptr & 3) === 0) {
      for (; j < to && (j & 3) !== 0; j++) bytes[ptr + j] = patternByte(id, j);
      const idWord = Math.imul(id + 1, 0x9e3779b1);
      const base = ptr >> 2;
      const end = to & ~3;
      for (; j < end; j += 4) {
        const k = j >> 2;
        words[base + k] = idWord ^ Math.imul(k, 0x85ebca77);
      }
    }
    for (; j < to; j++) bytes[ptr + j] = patternByte(id, j);
  }

  /** The first payload offset in [from, to) of the block at `ptr` not holding `id`'s pattern, or -1. */
  verify(ptr: number, from: number, to: number, id: number): number {
    const bytes = this.bytes;
    let j = from;
    const words = this.words;
    if (words !== null && (ptr & 3) === 0) {
      for (; j < to && (j & 3) !== 0; j++) if (bytes[ptr + j] !== patternByte(id, j)) return j;
      const idWord = Math.imul(id + 1, 0x9e3779b1);
      const base = ptr >> 2;
      const end = to & ~3;
      for (; j < end; j += 4) {
        const k = j >> 2;
        if (words[base + k] !== (idWord ^ Math.imul(k, 0x85ebca77))) {
          for (let b = j; b < j + 4; b++) if (bytes[ptr + b] !== patternByte(id, b)) return b;
        }
      }
    }
    for (; j < to; j++) if (bytes[ptr + j] !== patternByte(id, j)) return j;
    return -1;
  }

  /**
   * Like `verify`, in O((to - from) / SPARSE_STRIDE) for a long range: every byte of its first and last
   * SPARSE_EDGE bytes, and in between one word in every SPARSE_STRIDE bytes. For realloc, whose kept prefix
   * would otherwise be read twice per call (before and after), making a buffer grown step by step quadratic in
   * its final size; free and the end of the trace still check every byte.
   */
  verifySparse(ptr: number, from: number, to: number, id: number): number {
    if (to - from <= 2 * SPARSE_EDGE + SPARSE_STRIDE) return this.verify(ptr, from, to, id);
    let bad = this.verify(ptr, from, from + SPARSE_EDGE, id);
    if (bad < 0) bad = this.verify(ptr, to - SPARSE_EDGE, to, id);
    if (bad >= 0) return bad;
    const words = this.words;
    const end = to - SPARSE_EDGE;
    if (words !== null && (ptr & 3) === 0) {
      const idWord = Math.imul(id + 1, 0x9e3779b1);
      const base = ptr >> 2;
      for (let k = (from + SPARSE_EDGE + 3) >> 2; 4 * k + 4 <= end; k += SPARSE_STRIDE >> 2) {
        if (words[base + k] !== (idWord ^ Math.imul(k, 0x85ebca77))) return this.verify(ptr, 4 * k, 4 * k + 4, id);
      }
      return -1;
    }
    for (let j = from + SPARSE_EDGE; j < end; j += SPARSE_STRIDE) {
      bad = this.verify(ptr, j, j + 4, id);
      if (bad >= 0) return bad;
    }
    return -1;
  }

  /** The first offset in [0, length) of the block at `ptr` that is not zero, or -1. */
  verifyZero(ptr: number, length: number): number {
    const bytes = this.bytes;
    for (let j = 0; j < length; j++) if (bytes[ptr + j] !== 0) return j;
    return -1;
  }

  byteAt(address: number): number {
    return this.bytes[address] ?? -1;
  }
}

/**
 * The payloads of the live blocks, as a bitmap with one bit per 8-byte granule (a payload starts at a multiple of
 * 8, so two disjoint payloads never share a granule): the interval structure that tells, at the op that
 * returned a pointer, whether its payload overlaps a live block. claim and release touch one word per 256 bytes,
 * so they cost a 32nd of the pattern fill integrity mode does anyway. E.g. [16, 40) is granules 2 .. 4: bits
 * 2, 3, 4 of word 0.
 */
export class LiveIntervals {
  private bits = new Int32Array(1024);

  /** Whether any byte of [ptr, ptr + length) (length > 0, ptr a multiple of 8) lies in a claimed payload. */
  overlaps(ptr: number, length: number): boolean {
    return this.scan(ptr, length, false);
  }

  /** Marks [ptr, ptr + length) live; it must not overlap (check with `overlaps` first). */
  claim(ptr: number, length: number): void {
    const last = (ptr + length - 1) >>> 8;
    if (last >= this.bits.length) {
      const grown = new Int32Array(Math.max(last + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.scan(ptr, length, true);
  }

  /** Marks [ptr, ptr + length) no longer live. */
  release(ptr: number, length: number): void {
    const first = ptr >>> 3;
    const last = (ptr + length - 1) >>> 3;
    for (let i = first >>> 5; i <= last >>> 5 && i < this.bits.length; i++) this.bits[i]! &= ~this.mask(i, first, last);
  }

  /** Bits of word i that granules first .. last cover. */
  private mask(i: number, first: number, last: number): number {
    const lo = i === first >>> 5 ? first & 31 : 0;
    const hi = i === last >>> 5 ? last & 31 : 31;
    return (-1 << lo) & ~(-2 << hi);
  }

  private scan(ptr: number, length: number, set: boolean): boolean {
    const first = ptr >>> 3;
    const last = (ptr + length - 1) >>> 3;
    const bits = this.bits;
    for (let i = first >>> 5; i <= last >>> 5; i++) {
      if (i >= bits.length) return false;
      const m = this.mask(i, first, last);
      if (set) bits[i]! |= m;
      else if ((bits[i]! & m) !== 0) return true;
    }
    return false;
  }
}
