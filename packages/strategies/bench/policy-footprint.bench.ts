/**
 * What each policy does to its own index on the seeded mixed trace, untimed and machine-independent: how many
 * free blocks it leaves, how large the heap grows, how many index updates (insert + remove) and how many nodes
 * or bins per search each operation costs. These explain the times of alone.bench.ts: a tree strategy pays a
 * descent per update, and a descent through more free blocks scattered over a larger heap misses the caches
 * more often. The strategy is wrapped in a counter (no timing here, so the extra call does not matter).
 *
 * Run: cd packages/strategies && npx tsc -b && node dist/bench/policy-footprint.bench.js [ops=2000000]
 */
import { createHeap, type Strategy } from "@dmm/core";
import { strategies } from "../src/index.js";
import { mixedTrace, replayMixed } from "./mixed-trace.js";

const ops = Number(process.argv[2] ?? 2_000_000);
const trace = mixedTrace(ops);
const ptrs = new Int32Array(trace.slots);

/** Counts the calls the heap makes into `inner` and the search cost of every find. */
function counted(inner: Strategy) {
  const counts = { finds: 0, inserts: 0, removes: 0, examined: 0 };
  const strategy: Strategy = {
    name: inner.name,
    get examined() {
      return inner.examined;
    },
    attach: (host) => inner.attach(host),
    insert: (block) => {
      counts.inserts++;
      inner.insert(block);
    },
    remove: (block) => {
      counts.removes++;
      inner.remove(block);
    },
    find: (size) => {
      counts.finds++;
      const block = inner.find(size);
      counts.examined += inner.examined;
      return block;
    },
    forEach: (visit) => inner.forEach(visit),
  };
  return { strategy, counts };
}

console.log(`mixed trace: ${ops} ops (sizes 70% 8-64 B, 25% 64-1024 B, 5% 1-16 KiB; ~20k live), immediate coalescing`);
console.table(
  strategies.map((entry) => {
    const { strategy, counts } = counted(entry.create());
    const heap = createHeap({ size: 0, maxSize: 1 << 30, strategy });
    replayMixed(trace, heap, ptrs);
    const stats = heap.stats();
    return {
      strategy: entry.name,
      "free blocks": stats.freeBlocks,
      "peak heap MB": (stats.peakHeapBytes / 2 ** 20).toFixed(1),
      "index updates / op": ((counts.inserts + counts.removes) / ops).toFixed(2),
      "search cost / find": (counts.examined / counts.finds).toFixed(1),
    };
  }),
);
