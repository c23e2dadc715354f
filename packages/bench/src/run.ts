/**
 * The leanest possible replay: calls the allocator for every op and does nothing else (no metrics, no
 * integrity, no validation of the trace). What latency runs time.
 */
import type { Allocator } from "@dmm/core";
import { OP_CALLOC, OP_FREE, OP_MALLOC, type Trace } from "@dmm/workloads";

/**
 * Runs every op of `trace` on `allocator`. A failed malloc leaves NULL for its id, so its later free is
 * free(NULL) (a no-op) and its realloc a malloc. Returns the number of requests that returned NULL.
 * `pointers` is the id → pointer table (pass one to reuse it across runs; it is zeroed first).
 */
export function runTrace(trace: Trace, allocator: Allocator, pointers: Float64Array = new Float64Array(trace.idCount)): number {
  const { kind, id: ids, size: sizes, count: counts } = trace.columns;
  const n = kind.length;
  pointers.fill(0);
  let failures = 0;
  for (let i = 0; i < n; i++) {
    const k = kind[i]!;
    const id = ids[i]!;
    if (k === OP_FREE) {
      allocator.free(pointers[id]!);
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
      const p = allocator.realloc(pointers[id]!, size);
      if (p !== 0 || size === 0) pointers[id] = p;
      else failures++;
    }
  }
  return failures;
}
