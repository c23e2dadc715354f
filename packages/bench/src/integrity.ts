/**
 * Payload patterns for integrity mode. Byte j of the block of id `id` holds
 *
 *     TABLE[(offset(id) + j) mod TABLE_BYTES],   offset(id) = 8 · (imul(id + 1, 0x9E3779B1) mod TABLE_BYTES / 8),
 *
 * where TABLE is TABLE_BYTES of fixed pseudo-random bytes (xorshift32, seed 1; see patternTable). Ids below
 * TABLE_BYTES / 8 start at distinct offsets (imul by an odd number is a bijection mod 2^k), so two blocks almost surely differ in every byte
 * at the same offset, and a block that overlaps another — at any shift — almost surely changes some of the
 * other's bytes (each byte agrees by chance 1 time in 256). The pattern is relative to the block start, so realloc's
 * preserved prefix keeps it.
 *
 * Because a block's pattern is a slice of one table, it is written with a native copy (Buffer#copy) and checked
 * with a native compare (Buffer#compare) — memcpy and memcmp — for ranges of NATIVE_FROM bytes or more; shorter
 * ones, where a call into C++ costs more than the loop, 8 bytes at a time in JS, as float64s. (The earlier pattern, a
 * multiply per word, was written and read in JS: half of a metric replay's time.)
 */

/** Bytes at each end of a range that verifySparse checks in full. */
export const SPARSE_EDGE = 256;
/** Between the edges, verifySparse checks one 4-byte word in every this many bytes. */
export const SPARSE_STRIDE = 1024;
/** Kept prefixes longer than this are checked sparsely around a realloc (see verifySparse). */
export const SPARSE_FROM = 4096;

/** Bytes of the pattern table (a power of two); a block longer than this repeats it. */
const TABLE_BYTES = 1 << 20;
/**
 * Ranges at least this long are copied and compared natively. A Buffer#copy or #compare call costs about 900
 * instructions (callgrind, Node 20) and the JS loop about 2 per byte written or checked, but in time the loop was
 * faster up to about 1 KiB (fill + verify of 512 bytes: 0.6 µs against 1.5 natively, in cache; tlsf's full metric
 * and fixed-arena replays 0.85 of the CPU time they took with 384 here).
 */
const NATIVE_FROM = 1024;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The table, twice over (2 × TABLE_BYTES), so any run of up to TABLE_BYTES bytes starting inside the first copy is
 * contiguous; made on first use (2 MiB per thread that checks integrity).
 */
let table: Buffer | null = null;
let tableWords: Int32Array | null = null;
let tableDoubles: Float64Array | null = null;
/** TABLE_BYTES of zeros, for calloc's check. */
let zeros: Buffer | null = null;

/**
 * xorshift32 words, then every 8 bytes that would read as a NaN or a zero as a float64 changed (bit 30 of both of
 * their words flipped, which clears the top exponent bit of a NaN and makes a zero non-zero): a float64 compare of
 * memory with the table is then a compare of all 8 bytes (only NaNs and ±0 are doubles whose equality differs from
 * their bits'), and a double copied in JS keeps its bits.
 */
function patternTable(): Buffer {
  if (table === null) {
    const words = new Int32Array(TABLE_BYTES >> 1);
    let x = 1;
    for (let k = 0; k < TABLE_BYTES >> 2; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[k] = x;
    }
    const doubles = new Float64Array(words.buffer);
    for (let k = 0; k < TABLE_BYTES >> 3; k++) {
      const d = doubles[k]!;
      if (d !== d || d === 0) {
        words[2 * k] = words[2 * k]! ^ 0x40000000;
        words[2 * k + 1] = words[2 * k + 1]! ^ 0x40000000;
      }
    }
    words.copyWithin(TABLE_BYTES >> 2, 0, TABLE_BYTES >> 2);
    table = Buffer.from(words.buffer);
    tableWords = words;
    tableDoubles = doubles;
  }
  return table;
}

/**
 * Where id's pattern starts in the table: a multiple of 8, so an 8-aligned block's doubles (and words) line up with
 * the table's.
 */
export function patternOffset(id: number): number {
  return (Math.imul(id + 1, 0x9e3779b1) << 3) & (TABLE_BYTES - 8);
}

export function patternByte(id: number, j: number): number {
  return patternTable()[(patternOffset(id) + j) & (TABLE_BYTES - 1)]!;
}

export class PatternMemory {
  private bytes: Uint8Array = new Uint8Array(0);
  /** The same memory as a Buffer, for the native copy and compare. */
  private buffer: Buffer = Buffer.alloc(0);
  private words: Int32Array | null = null;
  /** The same memory as float64s (8 bytes per read or write in JS), when it starts at a multiple of 8. */
  private doubles: Float64Array | null = null;
  private readonly table = patternTable();
  private readonly tableWords = tableWords!;
  private readonly tableDoubles = tableDoubles!;

  /** Re-binds to the allocator's memory when it was replaced (a heap that grew). */
  sync(memory: Uint8Array): void {
    if (memory === this.bytes) return;
    this.bytes = memory;
    this.buffer = Buffer.from(memory.buffer, memory.byteOffset, memory.length);
    this.words =
      LITTLE_ENDIAN && memory.byteOffset % 4 === 0 ? new Int32Array(memory.buffer, memory.byteOffset, memory.length >> 2) : null;
    this.doubles =
      LITTLE_ENDIAN && memory.byteOffset % 8 === 0 ? new Float64Array(memory.buffer, memory.byteOffset, memory.length >> 3) : null;
  }

  /** Writes the pattern of `id` into payload bytes [from, to) of the block at `ptr`. */
  fill(ptr: number, from: number, to: number, id: number): void {
    const o = patternOffset(id);
    if (to - from < NATIVE_FROM) {
      if (to > from) this.fillShort(ptr, from, to, (o + from) & (TABLE_BYTES - 1));
      return;
    }
    for (let j = from; j < to; ) {
      const t = (o + j) & (TABLE_BYTES - 1);
      const n = Math.min(to - j, TABLE_BYTES);
      if (n >= NATIVE_FROM) this.table.copy(this.buffer, ptr + j, t, t + n);
      else this.fillShort(ptr, j, j + n, t);
      j += n;
    }
  }

  /**
   * fill of a short range: table bytes from `t` into payload bytes [from, to) at `ptr`, 8 bytes at a time where the
   * two line up (always, for a payload at a multiple of 8 in memory at a multiple of 8).
   */
  private fillShort(ptr: number, from: number, to: number, t: number): void {
    const bytes = this.bytes;
    const table = this.table;
    const doubles = this.doubles;
    let j = from;
    const shift = t - from;
    if (doubles !== null && ((ptr + j) & 7) === (t & 7)) {
      for (; j < to && ((ptr + j) & 7) !== 0; j++) bytes[ptr + j] = table[shift + j]!;
      // Four doubles per turn: the loop's own checks (and the typed arrays' maps, re-read after each turn's
      // interrupt check) are paid once per 32 bytes.
      const td = this.tableDoubles;
      let a = (ptr + j) >> 3;
      let b = (shift + j) >> 3;
      const stop = a + ((to - j) >> 3);
      for (; a + 4 <= stop; a += 4, b += 4) {
        doubles[a] = td[b]!;
        doubles[a + 1] = td[b + 1]!;
        doubles[a + 2] = td[b + 2]!;
        doubles[a + 3] = td[b + 3]!;
      }
      for (; a < stop; a++, b++) doubles[a] = td[b]!;
      j = a * 8 - ptr;
    }
    for (; j < to; j++) bytes[ptr + j] = table[shift + j]!;
  }

  /** The first payload offset in [from, to) of the block at `ptr` not holding `id`'s pattern, or -1. */
  verify(ptr: number, from: number, to: number, id: number): number {
    const o = patternOffset(id);
    if (to - from < NATIVE_FROM) return to > from ? this.verifyShort(ptr, from, to, (o + from) & (TABLE_BYTES - 1)) : -1;
    for (let j = from; j < to; ) {
      const t = (o + j) & (TABLE_BYTES - 1);
      const n = Math.min(to - j, TABLE_BYTES);
      // Natively only inside memory (compare throws past its end); the loop reads undefined there, a mismatch.
      const same = n >= NATIVE_FROM && ptr + j + n <= this.buffer.length ? this.buffer.compare(this.table, t, t + n, ptr + j, ptr + j + n) === 0 : false;
      if (!same) {
        const bad = this.verifyShort(ptr, j, j + n, t);
        if (bad >= 0) return bad;
      }
      j += n;
    }
    return -1;
  }

  /**
   * verify of a short range against table bytes from `t`: the first bad offset, or -1. 8 bytes at a time as float64s
   * where they line up: the table holds no NaN and no zero (patternTable), so equal doubles are equal bytes; the
   * first double that differs is searched byte by byte.
   */
  private verifyShort(ptr: number, from: number, to: number, t: number): number {
    const bytes = this.bytes;
    const table = this.table;
    const doubles = this.doubles;
    let j = from;
    const shift = t - from;
    if (doubles !== null && ((ptr + j) & 7) === (t & 7) && ptr + to <= bytes.length) {
      for (; j < to && ((ptr + j) & 7) !== 0; j++) if (bytes[ptr + j] !== table[shift + j]) return j;
      const td = this.tableDoubles;
      let a = (ptr + j) >> 3;
      let b = (shift + j) >> 3;
      const stop = a + ((to - j) >> 3);
      for (; a + 4 <= stop; a += 4, b += 4) {
        if (doubles[a] !== td[b] || doubles[a + 1] !== td[b + 1] || doubles[a + 2] !== td[b + 2] || doubles[a + 3] !== td[b + 3]) break;
      }
      for (; a < stop; a++, b++) if (doubles[a] !== td[b]) break;
      j = a * 8 - ptr;
    }
    for (; j < to; j++) if (bytes[ptr + j] !== table[shift + j]) return j;
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
    const end = to - SPARSE_EDGE;
    const words = this.words;
    const tw = this.tableWords;
    const o = patternOffset(id);
    for (let j = ((from + SPARSE_EDGE + 3) >> 2) << 2; j + 4 <= end; j += SPARSE_STRIDE) {
      // The word read directly when it is aligned in memory (the table's words are: o and j are multiples of 4).
      if (words !== null && ((ptr + j) & 3) === 0 && ptr + j + 4 <= this.bytes.length && words[(ptr + j) >> 2] === tw[((o + j) & (TABLE_BYTES - 1)) >> 2]) continue;
      bad = this.verify(ptr, j, j + 4, id);
      if (bad >= 0) return bad;
    }
    return -1;
  }

  /** The first offset in [0, length) of the block at `ptr` that is not zero, or -1. */
  verifyZero(ptr: number, length: number): number {
    const bytes = this.bytes;
    for (let j = 0; j < length; ) {
      const n = Math.min(length - j, TABLE_BYTES);
      if (n >= NATIVE_FROM && ptr + j + n <= this.buffer.length) {
        zeros ??= Buffer.alloc(TABLE_BYTES);
        if (this.buffer.compare(zeros, 0, n, ptr + j, ptr + j + n) === 0) {
          j += n;
          continue;
        }
      }
      const stop = j + n;
      // A word at a time where aligned (an int compares all its 4 bytes exactly), then byte by byte from the first
      // word that is not zero.
      const words = this.words;
      if (words !== null && ptr + stop <= bytes.length) {
        for (; j < stop && ((ptr + j) & 3) !== 0; j++) if (bytes[ptr + j] !== 0) return j;
        let w = (ptr + j) >> 2;
        const end = w + ((stop - j) >> 2);
        while (w < end && words[w] === 0) w++;
        j = w * 4 - ptr;
      }
      for (; j < stop; j++) if (bytes[ptr + j] !== 0) return j;
    }
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

  /**
   * Marks [ptr, ptr + length) (length > 0, ptr a multiple of 8) live and returns true, or returns false and marks
   * nothing when it overlaps a claimed payload: one test and one write per word of the bitmap it covers (a payload
   * of up to 256 bytes, most of them, is one word).
   */
  claim(ptr: number, length: number): boolean {
    const first = ptr >>> 3;
    const last = (ptr + length - 1) >>> 3;
    const lo = first >>> 5;
    const hi = last >>> 5;
    if (hi >= this.bits.length) {
      const grown = new Int32Array(Math.max(hi + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const bits = this.bits;
    const head = -1 << (first & 31);
    const tail = ~(-2 << (last & 31));
    if (lo === hi) {
      const m = head & tail;
      if ((bits[lo]! & m) !== 0) return false;
      bits[lo]! |= m;
      return true;
    }
    if ((bits[lo]! & head) !== 0 || (bits[hi]! & tail) !== 0) return false;
    for (let i = lo + 1; i < hi; i++) if (bits[i] !== 0) return false;
    bits[lo]! |= head;
    for (let i = lo + 1; i < hi; i++) bits[i] = -1;
    bits[hi]! |= tail;
    return true;
  }

  /** Marks [ptr, ptr + length) (length > 0, ptr a multiple of 8) no longer live. */
  release(ptr: number, length: number): void {
    const first = ptr >>> 3;
    const last = (ptr + length - 1) >>> 3;
    const lo = first >>> 5;
    const bits = this.bits;
    if (lo >= bits.length) return;
    const hi = Math.min(last >>> 5, bits.length);
    const head = -1 << (first & 31);
    const tail = ~(-2 << (last & 31));
    if (lo === last >>> 5) {
      bits[lo]! &= ~(head & tail);
      return;
    }
    bits[lo]! &= ~head;
    for (let i = lo + 1; i < hi; i++) bits[i] = 0;
    if (hi < bits.length) bits[hi]! &= ~tail;
  }
}
