/**
 * The loop every speed benchmark here times: the calls a program makes on a decoded trace and nothing else —
 * no integrity checks, no sampling, no failure counting. Pointers in an Int32Array (every heap here is below
 * 2^31 bytes). A call site sees every allocator class that passes through it, so a benchmark whose number
 * matters runs one allocator per process (speed.bench.ts).
 */
import type { Allocator } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, type Trace } from "@dmm/workloads";

export type Calls = Pick<Allocator, "malloc" | "calloc" | "realloc" | "free">;

/** Replays `columns` on `allocator`, keeping each id's pointer in `pointers` (length >= the trace's idCount). */
export function replayBare(allocator: Calls, columns: Trace["columns"], pointers: Int32Array): void {
  const { kind, id, size, count } = columns;
  for (let i = 0; i < kind.length; i++) {
    const k = kind[i]!;
    const slot = id[i]!;
    if (k === OP_MALLOC) pointers[slot] = allocator.malloc(size[i]!);
    else if (k === OP_FREE) allocator.free(pointers[slot]!);
    else if (k === OP_CALLOC) pointers[slot] = allocator.calloc(count[i]!, size[i]!);
    else {
      const q = allocator.realloc(pointers[slot]!, size[i]!);
      if (q !== 0 || size[i] === 0) pointers[slot] = q;
    }
  }
}

/** Baseline: a bump pointer that never reuses memory, i.e. the loop and a call, nothing else. */
export class BumpPointer implements Calls {
  private top = 8;
  malloc(size: number): number {
    const p = this.top;
    this.top += (size + 15) & ~7;
    return p;
  }
  calloc(count: number, size: number): number {
    return this.malloc(count * size);
  }
  realloc(_ptr: number, size: number): number {
    return this.malloc(size);
  }
  free(_ptr: number): void {}
}
