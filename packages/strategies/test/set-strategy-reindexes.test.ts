/**
 * setStrategy on a live, fragmented heap (like the kernel module's set_allocation_algorithm): every registered
 * strategy takes over the free blocks another one indexed, passes check(), and keeps serving the trace.
 */
import { createHeap } from "@dmm/core";
import { strategies } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { freeAll, randomTrace, replayWithPatterns } from "./support/random-trace.js";

const before = randomTrace(11, { ops: 600, live: 80, maxSize: 2048 });

describe.each(strategies.map((s) => [s.name, s] as const))("switching to %s", (_name, entry) => {
  it("re-indexes the free blocks and keeps serving", () => {
    const from = strategies[(strategies.indexOf(entry) + 1) % strategies.length]!;
    const heap = createHeap({ size: 64 * 1024, strategy: from.create() });
    const state = replayWithPatterns(heap, before, 50);
    const freeBlocks = heap.stats().freeBlocks;
    expect(freeBlocks).toBeGreaterThan(3);
    heap.setStrategy(entry.create());
    expect(heap.name).toBe(entry.name);
    heap.check(); // the new index holds exactly the free blocks
    // Keep going with the same live objects: free half of them, then allocate again.
    let i = 0;
    for (const [id, p] of state.ptr) {
      if (i++ % 2 === 0) {
        heap.free(p);
        state.ptr.delete(id);
      }
    }
    heap.check();
    const fresh: number[] = [];
    for (let n = 0; n < 40; n++) fresh.push(heap.malloc(16 + ((n * 37) % 500)));
    expect(fresh).not.toContain(0);
    heap.check();
    for (const p of fresh) heap.free(p);
    freeAll(heap, state); // verifies the surviving payloads, frees them, checks
    expect([...heap.walk()].length).toBe(1);
  });
});
