/**
 * TLSF on its own: malloc+free speed on the seeded 2M-op mixed trace (the trace the speed goal is stated on),
 * with TLSF the only strategy this process ever runs, so the heap's calls into the strategy stay monomorphic
 * as they would in a program that picked one policy (peers.bench.ts runs every strategy in one process, so
 * by the time TLSF runs those call sites have seen six classes). Baseline row: the same loop over a bump
 * pointer. Also the named worst cases of tlsf-bsd's wcet.c, per malloc+free pair:
 *   - malloc_worst: "small alloc from single huge block" (split a 64 MiB block, then merge it back);
 *   - free_worst: "sandwiched between two free blocks" (free merges on both sides, malloc splits it again).
 * Numbers are the median of tinybench's samples (robust to other processes on a shared machine).
 * The trace is @dmm/workloads' "mixed" generator, seed 1. For TLSF next to glibc, see speed.bench.ts.
 * Run: cd packages/bench && npx tsc -b && node dist/bench/tlsf-mixed.bench.js [ops]
 */
import { createHeap } from "@dmm/core";
import { tlsf } from "@dmm/strategies";
import { generate } from "@dmm/workloads";
import { Bench } from "tinybench";
import { BumpPointer, replayBare } from "./bare-loop.js";

const ops = Number(process.argv[2] ?? 2_000_000);
const trace = generate("mixed", { ops, live: 20_000, seed: 1 });
const ptrs = new Int32Array(trace.idCount);

const traceBench = new Bench({ iterations: 7, warmupIterations: 2, time: 0 });
traceBench.add("baseline: bump pointer", () => replayBare(new BumpPointer(), trace.columns, ptrs));
traceBench.add("tlsf, immediate coalescing", () => replayBare(createHeap({ size: 0, maxSize: 1 << 30, strategy: tlsf() }), trace.columns, ptrs));
traceBench.add("tlsf, no coalescing", () => replayBare(createHeap({ size: 0, maxSize: 1 << 30, strategy: tlsf(), coalescing: "none" }), trace.columns, ptrs));
await traceBench.run();
const baseline = traceBench.tasks[0]!.result;
const baseNs = baseline.state === "completed" ? (baseline.latency.p50! * 1e6) / trace.length : NaN;
console.log(`mixed trace: ${trace.length} ops (sizes 70% 8-64 B, 25% 64-1024 B, 5% 1-16 KiB; ~20k live), TLSF alone in this process`);
console.table(
  traceBench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== "completed") return { task: task.name, state: r.state };
    const ns = (r.latency.p50! * 1e6) / trace.length;
    return { task: task.name, "ns/op (median)": ns.toFixed(1), "min ns/op": ((r.latency.min * 1e6) / trace.length).toFixed(1), "× baseline": (ns / baseNs).toFixed(2) };
  }),
);

// Named worst cases, in ns per operation.
const ROUNDS = 10_000;
const huge = createHeap({ size: 1 << 26, strategy: tlsf() });
// guard | A | V | B | guard, with A and B free and V used: free(V) merges on both sides (the worst free).
// Then malloc(A) and malloc(V) carve the merged block from its low end again and free(A) restores the picture.
const sandwich = createHeap({ size: 1 << 20, strategy: tlsf() });
sandwich.malloc(64);
let a = sandwich.malloc(256);
let v = sandwich.malloc(256);
const b = sandwich.malloc(256);
sandwich.malloc(64);
sandwich.free(a);
sandwich.free(b);
const picture = () => [...sandwich.walk()].map((x) => (x.free ? "F" : "U")).join("");
if (picture() !== "UFUFUF") throw new Error(`free_worst setup: expected used|free|V|free|guard|tail, got ${picture()}`);
const wcet = new Bench({ time: 500, warmupTime: 100 });
wcet.add("malloc_worst: small alloc from single huge block (then free merges it back)", () => {
  for (let i = 0; i < ROUNDS; i++) huge.free(huge.malloc(16));
});
wcet.add("free_worst: sandwiched between two free blocks (then malloc, malloc, free rebuild it)", () => {
  for (let i = 0; i < ROUNDS; i++) {
    sandwich.free(v);
    a = sandwich.malloc(256);
    v = sandwich.malloc(256);
    sandwich.free(a);
  }
});
await wcet.run();
huge.check();
sandwich.check();
if (picture() !== "UFUFUF") throw new Error(`free_worst: the picture drifted to ${picture()}`);
const opsPerRound = [2, 4];
console.table(
  wcet.tasks.map((task, i) => {
    const r = task.result;
    if (r.state !== "completed") return { task: task.name, state: r.state };
    const per = ROUNDS * opsPerRound[i]!;
    return { task: task.name, "ns/op (median)": ((r.latency.p50! * 1e6) / per).toFixed(1), "ns/op (p99)": ((r.latency.p99! * 1e6) / per).toFixed(1) };
  }),
);
