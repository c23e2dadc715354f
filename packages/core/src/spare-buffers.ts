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
/** The side array each spare buffer came with (a core heap's block map, the buddy allocator's side table; all zero). */
const sideOf = new WeakMap<ArrayBuffer, Int32Array | Uint8Array>();

/**
 * Keeps `buffer` for a later takeSpareBuffer of its length; its bytes are whatever its last owner left. An allocator
 * may also give back the side array it kept beside the buffer, zeroed (takeSideArray): a core heap's block map, a
 * fresh one of which is an allocation of capacity / 128 bytes (512 KiB for a 64 MiB buffer) per heap, which the
 * garbage collector then has to scavenge; the buddy allocator's side table (capacity / 16 bytes).
 */
export function giveBackBuffer(buffer: ArrayBuffer, side?: Int32Array | Uint8Array): void {
  if (buffer.byteLength > SPARE_BYTES || spares.includes(buffer)) return;
  if (side !== undefined) sideOf.set(buffer, side);
  else sideOf.delete(buffer);
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

/**
 * The zeroed side array given back with `buffer` (giveBackBuffer), once; null when none came with it. Any allocator
 * may have given the buffer back: the taker checks that the array is of its kind and length.
 */
export function takeSideArray(buffer: ArrayBuffer): Int32Array | Uint8Array | null {
  const side = sideOf.get(buffer) ?? null;
  sideOf.delete(buffer);
  return side;
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
