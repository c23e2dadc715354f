/**
 * What each policy does to its own index on the seeded mixed trace, untimed and machine-independent: how many
 * free blocks it leaves, how large the heap grows, how many index updates (insert + remove) and how many nodes
 * or bins per search each operation costs. These explain the times of speed.bench.ts: a tree strategy pays a
 * descent per update, and a descent through more free blocks scattered over a larger heap misses the caches
 * more often. The strategy is wrapped in a counter (no timing here, so the extra call does not matter).
 *
 * The trace is @dmm/workloads' "mixed" generator, seed 1, replayed up to its last malloc: the frees after it
 * empty the heap, and "free blocks" is counted at the end of the steady state, before them.
 *
 * Run: cd packages/bench && npx tsc -b && node dist/bench/policy-footprint.bench.js [ops=2000000]
 */
import { createHeap, type Strategy } from "@dmm/core";
import { strategies } from "@dmm/strategies";
import { generate, OP_MALLOC, sliceTrace } from "@dmm/workloads";
import { replayBare } from "./bare-loop.js";

const full = generate("mixed", { ops: Number(process.argv[2] ?? 2_000_000), live: 20_000, seed: 1 });
let lastMalloc = full.length - 1;
while (lastMalloc > 0 && full.columns.kind[lastMalloc] !== OP_MALLOC) lastMalloc--;
const trace = sliceTrace(full, lastMalloc + 1);
const ops = trace.length;
const ptrs = new Int32Array(trace.idCount);

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

console.log(`mixed trace: ${ops} ops (up to the last malloc of ${full.length}) (sizes 70% 8-64 B, 25% 64-1024 B, 5% 1-16 KiB; ~20k live), immediate coalescing`);
console.table(
  strategies.map((entry) => {
    const { strategy, counts } = counted(entry.create());
    const heap = createHeap({ size: 0, maxSize: 1 << 30, strategy });
    replayBare(heap, trace.columns, ptrs);
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
