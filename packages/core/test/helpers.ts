import { createHeap, HeapError, type Heap, type HeapOptions, type HeapStats } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect } from "vitest";

/** A first-fit heap; the options default to a fixed 1 KiB arena with 8-byte alignment and immediate coalescing. */
export function heapOf(options: Partial<HeapOptions> = {}): Heap {
  return createHeap({ size: 1024, strategy: firstFit(), ...options });
}

/** Everything a caller can observe about a heap's layout and accounting. */
export function snapshot(heap: Heap): { dump: string; stats: HeapStats; bytes: Uint8Array } {
  return { dump: heap.dump(), stats: heap.stats(), bytes: heap.memory.slice() };
}

/** Runs `call`, expects a HeapError with `code`, and returns it. */
export function expectHeapError(call: () => unknown, code: HeapError["code"]): HeapError {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected HeapError ${code}`).toBeInstanceOf(HeapError);
  const error = caught as HeapError;
  expect(error.code).toBe(code);
  return error;
}

/** Expects `call` to be rejected with `code` and to leave the heap exactly as it was, still passing check(). */
export function expectRejectedWithoutChange(heap: Heap, call: () => unknown, code: HeapError["code"]): HeapError {
  const before = snapshot(heap);
  const error = expectHeapError(call, code);
  heap.check();
  const after = snapshot(heap);
  expect(after.dump).toBe(before.dump);
  expect(after.stats).toEqual(before.stats);
  expectSameBytes(after.bytes, before.bytes);
  return error;
}

/** Byte-for-byte equality without expect's deep diff (slow on large typed arrays); names the first difference. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (actual.length !== expected.length) expect.fail(`memory is ${actual.length} bytes, was ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) expect.fail(`memory byte ${i} changed from ${expected[i]} to ${actual[i]}`);
  }
}

/** Writes a recognisable pattern derived from `seed` into the payload [ptr, ptr + length). */
export function fill(heap: Heap, ptr: number, length: number, seed: number): void {
  const m = heap.memory;
  for (let i = 0; i < length; i++) m[ptr + i] = (seed * 31 + i * 7) & 255;
}

/** Whether [ptr, ptr + length) still holds the pattern of `fill(…, seed)`. */
export function holds(heap: Heap, ptr: number, length: number, seed: number): boolean {
  const m = heap.memory;
  for (let i = 0; i < length; i++) if (m[ptr + i] !== ((seed * 31 + i * 7) & 255)) return false;
  return true;
}

/** The heap map as [offset, size, free] triples, for compact layout assertions. */
export function layout(heap: Heap): Array<[number, number, boolean]> {
  return [...heap.walk()].map((b) => [b.offset, b.size, b.free]);
}
