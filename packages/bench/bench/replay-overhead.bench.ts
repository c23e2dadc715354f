/**
 * What the replay loop costs beside the allocator: replay() with integrity off against a bare loop calling
 * malloc/free on the same pre-decoded trace (the baseline row), both on a fresh first-fit heap per iteration.
 * Target: overhead < 20%.
 *
 *   pnpm --filter @dmm/bench bench      (or: npx tsc -b && node dist/bench/replay-overhead.bench.js [ops])
 */
import { type Allocator, createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { OP_FREE, OP_MALLOC } from "@dmm/workloads";
import { Bench } from "tinybench";
import { replay, runTrace } from "../src/index.js";
import { mixedTrace } from "./mixed-trace.js";

const ops = Number(process.argv[2] ?? 500_000);
const trace = mixedTrace(ops, 20_000, 7);
const { kind, id, size } = trace.columns;
const pointers = new Float64Array(trace.idCount);
const fresh = (): Allocator => createHeap({ size: 0, maxSize: 1 << 30, strategy: firstFit(), coalescing: "immediate" });

/** The baseline: nothing but the calls (this trace has only malloc and free). */
function bareLoop(allocator: Allocator): void {
  for (let i = 0; i < kind.length; i++) {
    const k = kind[i]!;
    if (k === OP_MALLOC) pointers[id[i]!] = allocator.malloc(size[i]!);
    else if (k === OP_FREE) allocator.free(pointers[id[i]!]!);
  }
}

let heap = fresh();
const beforeEach = () => {
  heap = fresh();
};
const bench = new Bench({ time: 3000, iterations: 8, warmupIterations: 2 });
bench
  .add("bare loop (baseline)", () => bareLoop(heap), { beforeEach })
  .add("runTrace (latency runs)", () => runTrace(trace, heap, pointers), { beforeEach })
  .add("replay, integrity off", () => replay(trace, heap, { integrity: false }), { beforeEach })
  .add("replay, integrity on", () => replay(trace, heap), { beforeEach });
bench.runSync();

const mean = (name: string) => {
  const r = bench.tasks.find((t) => t.name === name)!.result;
  if (r.state !== "completed") throw new Error(`${name}: ${r.state}`);
  return r.latency;
};
const base = mean("bare loop (baseline)").mean;
console.log(`replay overhead on ${trace.length} ops (mixed trace, first-fit, immediate coalescing), node ${process.version}`);
console.log("| loop | ns/op | ±rme | vs baseline |");
console.log("| --- | ---: | ---: | ---: |");
for (const t of bench.tasks) {
  const l = mean(t.name);
  console.log(`| ${t.name} | ${((l.mean * 1e6) / trace.length).toFixed(1)} | ${l.rme.toFixed(1)}% | ${((l.mean / base - 1) * 100).toFixed(1)}% |`);
}
const overhead = mean("replay, integrity off").mean / base - 1;
console.log(`replay (integrity off) overhead: ${(overhead * 100).toFixed(1)}% ${overhead < 0.2 ? "(< 20%: ok)" : "(>= 20%: TOO HIGH)"}`);
