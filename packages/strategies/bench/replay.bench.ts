/**
 * malloc+free speed of each registered strategy (immediate coalescing) on the seeded mixed trace, against a
 * bump-pointer baseline run in the same process (the cost of the loop itself). Run: pnpm --filter
 * @dmm/strategies bench [ops]
 */
import { createHeap } from "@dmm/core";
import { Bench } from "tinybench";
import { strategies } from "../src/index.js";
import { BumpPointer, mixedTrace, replayMixed } from "./mixed-trace.js";

const ops = Number(process.argv[2] ?? 1_000_000);
const trace = mixedTrace(ops);
const ptrs = new Int32Array(trace.slots);

const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
bench.add("baseline: bump pointer", () => replayMixed(trace, new BumpPointer(), ptrs));
for (const entry of strategies) {
  bench.add(entry.name, () => replayMixed(trace, createHeap({ size: 0, maxSize: 1 << 30, strategy: entry.create() }), ptrs));
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
