/**
 * malloc+free speed of each registered strategy (immediate coalescing) on the seeded mixed trace, against a
 * bump-pointer baseline run in the same process (the cost of the loop itself). Run: pnpm --filter
 * @dmm/strategies bench [ops]
 */
import { createHeap, type Allocator } from "@dmm/core";
import { Bench } from "tinybench";
import { strategies } from "../src/index.js";
import { mixedTrace, type MixedTrace } from "./mixed-trace.js";

const ops = Number(process.argv[2] ?? 1_000_000);
const trace = mixedTrace(ops);
const ptrs = new Int32Array(trace.slots);

function replay(t: MixedTrace, heap: Pick<Allocator, "malloc" | "free">): void {
  const { isMalloc, slot, size } = t;
  for (let i = 0; i < isMalloc.length; i++) {
    if (isMalloc[i] === 1) ptrs[slot[i]!] = heap.malloc(size[i]!);
    else heap.free(ptrs[slot[i]!]!);
  }
}

/** Baseline: a bump pointer that never reuses memory, i.e. the replay loop and a call, nothing else. */
class Bump {
  private top = 8;
  malloc(size: number): number {
    const p = this.top;
    this.top += (size + 15) & ~7;
    return p;
  }
  free(_ptr: number): void {}
}

const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
bench.add("baseline: bump pointer", () => replay(trace, new Bump()));
for (const entry of strategies) {
  bench.add(entry.name, () => replay(trace, createHeap({ size: 0, maxSize: 1 << 30, strategy: entry.create() })));
}
await bench.run();
const rows = bench.tasks.map((task) => {
  const r = task.result;
  if (r.state !== "completed") return { task: task.name, state: r.state };
  const nsPerOp = (r.latency.mean * 1e6) / ops;
  return { task: task.name, "ns/op": nsPerOp.toFixed(1), "± %": r.latency.rme.toFixed(1) };
});
const base = bench.tasks[0]!.result;
const baseNs = base.state === "completed" ? (base.latency.mean * 1e6) / ops : NaN;
console.log(`mixed trace: ${ops} ops (sizes 70% 8-64 B, 25% 64-1024 B, 5% 1-16 KiB; ~20k live)`);
console.table(rows.map((row) => ({ ...row, "× baseline": "ns/op" in row ? (Number(row["ns/op"]) / baseNs).toFixed(2) : "" })));
