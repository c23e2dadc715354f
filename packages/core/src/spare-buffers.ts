/**
 * Spare buffers: what disposed heaps gave back (Allocator.dispose), for the next heap of this thread to grow into
 * instead of fresh memory. Fresh memory costs a page fault the first time each 4 KiB page is written (about 7 µs
 * a page on the 2-core development VM, more than a 10k-op replay spends in the allocator) and, once dropped, the
 * garbage collector's external-memory scavenges: a bench that makes a fresh heap for every timed replay paid both
 * every time. Bounded: at most SPARE_BUFFERS buffers and SPARE_BYTES bytes are kept, the latest given back first.
 */

import { HeapError } from "./api.js";

const SPARE_BUFFERS = 4;
const SPARE_BYTES = 256 << 20;

const spares: ArrayBuffer[] = [];
let spareBytes = 0;
/** The block map each spare buffer came with (a core heap's; all zero), dropped with its buffer. */
const marksOf = new WeakMap<ArrayBuffer, Int32Array>();

/**
 * Keeps `buffer` for a later takeSpareBuffer of its length; its bytes are whatever its last owner left. A core heap
 * also gives back its block map, zeroed (takeMarksOf): a fresh one is an allocation of capacity / 128 bytes (512 KiB
 * for a 64 MiB buffer) per heap, which the garbage collector then has to scavenge.
 */
export function giveBackBuffer(buffer: ArrayBuffer, marks?: Int32Array): void {
  if (buffer.byteLength > SPARE_BYTES || spares.includes(buffer)) return;
  if (marks !== undefined) marksOf.set(buffer, marks);
  else marksOf.delete(buffer);
  spares.push(buffer);
  spareBytes += buffer.byteLength;
  while (spares.length > SPARE_BUFFERS || spareBytes > SPARE_BYTES) spareBytes -= spares.shift()!.byteLength;
}

/**
 * The smallest spare buffer of `min` to `max` bytes, dirty (the caller zeroes what it reads), or null when none is
 * kept. A heap that grows takes one up to its maxSize: it then grows into it at once, with no fresh buffers between.
 */
export function takeSpareBuffer(min: number, max: number = min): ArrayBuffer | null {
  let best = -1;
  for (let i = spares.length - 1; i >= 0; i--) {
    const length = spares[i]!.byteLength;
    if (length >= min && length <= max && (best < 0 || length < spares[best]!.byteLength)) best = i;
  }
  if (best < 0) return null;
  const buffer = spares[best]!;
  spares.splice(best, 1);
  spareBytes -= buffer.byteLength;
  return buffer;
}

/** The zeroed block map given back with `buffer` (giveBackBuffer), once; null when none came with it. */
export function takeMarksOf(buffer: ArrayBuffer): Int32Array | null {
  const marks = marksOf.get(buffer) ?? null;
  marksOf.delete(buffer);
  return marks;
}

/** The calls a disposed allocator refuses: Allocator's and Heap's, but dispose. */
const CALLS = ["malloc", "calloc", "realloc", "free", "usableSize", "stats", "check", "walk", "setStrategy", "dump"];

/**
 * Makes every later call of the disposed `allocator` (named `name`), but dispose, throw HeapError INVALID_OPTIONS
 * instead of answering from the empty views it kept. The calls are own properties of that object alone, so the
 * allocators still in use keep their shape and pay nothing per call.
 */
export function refuseCallsAfterDispose(allocator: object, name: string): void {
  const refuse = (): never => {
    throw new HeapError("INVALID_OPTIONS", `${name} was disposed (dispose()): make a new one`);
  };
  for (const call of CALLS) {
    if (call in allocator) Object.defineProperty(allocator, call, { value: refuse, configurable: true, writable: true });
  }
}
