/**
 * The leanest possible replay: calls the allocator for every op and does nothing else (no metrics, no
 * integrity, no validation of the trace). What latency runs time.
 */
import type { Allocator } from "@dmm/core";
import * as workloads from "@dmm/workloads";
import type { Trace } from "@dmm/workloads";

/**
 * Runs every op of `trace` on `allocator`. A failed malloc leaves NULL for its id, so its later free is
 * free(NULL) (a no-op) and its realloc a malloc. Returns the number of requests that returned NULL.
 * `pointers` is the id → pointer table (pass one to reuse it across runs; it is zeroed first).
 *
 * What it costs, in callgrind's instructions per op of one replay of the 200k-op mixed trace on buddy (its bare loop
 * in bench/bare-loop.ts: 476): 522 as first written, 488 now. A pointer read from the Float64Array is passed as an
 * int32 when it is one (every pointer of a heap below 2^31 bytes): a double argument to a call that is not inlined
 * is boxed, a heap number allocated per free. One that is not an int32 (a plugin's above 2^31) is passed as it is.
 * The test is written out at each call site (here and in timeEachOp): a helper returning either would hand the call
 * a double again.
 */
export function runTrace(trace: Trace, allocator: Allocator, pointers: Float64Array = new Float64Array(trace.idCount)): number {
  const { kind, id: ids, size: sizes, count: counts } = trace.columns;
  const n = kind.length;
  // Locals, read once: an imported binding is reloaded and checked for the hole at every use in the loop.
  const OP_FREE = workloads.OP_FREE;
  const OP_MALLOC = workloads.OP_MALLOC;
  const OP_CALLOC = workloads.OP_CALLOC;
  pointers.fill(0);
  let failures = 0;
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const id = ids[i]!;
    if (k === OP_FREE) {
      const p = pointers[id]!;
      const small = p | 0;
      if (small === p) allocator.free(small);
      else allocator.free(p);
      pointers[id] = 0;
    } else if (k === OP_MALLOC) {
      const p = allocator.malloc(sizes[i]!);
      if (p === 0) failures++;
      pointers[id] = p;
    } else if (k === OP_CALLOC) {
      const p = allocator.calloc(counts[i]!, sizes[i]!);
      if (p === 0) failures++;
      pointers[id] = p;
    } else {
      const size = sizes[i]!;
      const old = pointers[id]!;
      const small = old | 0;
      const p = small === old ? allocator.realloc(small, size) : allocator.realloc(old, size);
      if (p !== 0 || size === 0) pointers[id] = p;
      else failures++;
    }
  }
  return failures;
}
