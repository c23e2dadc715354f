/**
 * The loop every speed benchmark here times: the calls a program makes on a decoded trace and nothing else —
 * no integrity checks, no sampling, no failure counting. Pointers in an Int32Array (every heap here is below
 * 2^31 bytes). A call site sees every allocator class that passes through it, so a benchmark whose number
 * matters runs one allocator per process (speed.bench.ts).
 */
import type { Allocator } from "@dmm/core";
import * as workloads from "@dmm/workloads";
import type { Trace } from "@dmm/workloads";

// Module-local copies: V8 folds a module's own constants into the code, but reads an imported binding from its
// cell and checks it (not the hole) at every use, here at every op of the timed loop.
const OP_MALLOC = workloads.OP_MALLOC;
const OP_FREE = workloads.OP_FREE;
const OP_CALLOC = workloads.OP_CALLOC;

export type Calls = Pick<Allocator, "malloc" | "calloc" | "realloc" | "free">;

/** Replays `columns` on `allocator`, keeping each id's pointer in `pointers` (length >= the trace's idCount). */
export function replayBare(allocator: Calls, columns: Trace["columns"], pointers: Int32Array): void {
  const { kind, id, size, count } = columns;
  const n = kind.length;
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const slot = id[i]!;
    // `| 0`: an int32 for the Int32Array store, which V8 otherwise makes from the returned number through a double.
    if (k === OP_MALLOC) pointers[slot] = allocator.malloc(size[i]!) | 0;
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
