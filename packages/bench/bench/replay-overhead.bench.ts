/**
 * What the replay loop costs beside the allocator: replay() with integrity off against a bare loop calling
 * malloc/free on the same pre-decoded trace (the baseline row), both on a fresh heap per iteration. The
 * default heap is TLSF (the fastest core strategy, so the loop's own cost weighs most). Target: overhead < 20%.
 *
 *   pnpm --filter @dmm/bench bench      (or: npx tsc -b && node dist/bench/replay-overhead.bench.js [ops] [strategy])
 */
import { type Allocator, createHeap } from "@dmm/core";
import { strategies, strategyByName } from "@dmm/strategies";
import { generate, OP_FREE, OP_MALLOC, type Trace } from "@dmm/workloads";
import { Bench } from "tinybench";
import { replay, runTrace } from "../src/index.js";

const ops = Number(process.argv[2] ?? 500_000);
const strategy = strategyByName(process.argv[3] ?? (strategies.some((s) => s.name === "tlsf") ? "tlsf" : "first-fit"));
const trace = generate("mixed", { ops, live: 20_000, seed: 7 });
const pointers = new Float64Array(trace.idCount);
const fresh = (): Allocator => createHeap({ size: 0, maxSize: 1 << 30, strategy: strategy.create(), coalescing: "immediate" });

/** The baseline: nothing but the calls (this trace has only malloc and free). Columns in locals, not module bindings. */
function bareLoop(allocator: Allocator, columns: Trace["columns"], pointers: Float64Array): void {
  const { kind, id, size } = columns;
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
const tasks: Array<[string, () => unknown]> = [
  ["bare loop (baseline)", () => bareLoop(heap, trace.columns, pointers)],
  ["runTrace (latency runs)", () => runTrace(trace, heap, pointers)],
  ["replay, integrity off", () => replay(trace, heap, { integrity: false })],
  ["replay, integrity on", () => replay(trace, heap)],
];

/**
 * CPU time of this process (user + system, microsecond resolution) instead of wall time: on a shared machine
 * the wall clock also counts the time other processes hold the CPU. Iterations last ~100 ms, so 1 µs is fine.
 */
const cpuClock = {
  name: "process.cpuUsage",
  fn: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
  fromMs: (ms: number) => ms,
  toMs: (ms: number | bigint) => Number(ms),
};

// The machine is shared: run three rounds, each in a rotated task order, and keep each task's fastest round
// (interference only ever adds time), so no task is favoured by running first or last.
const rounds = 3;
const best = new Map<string, { mean: number; rme: number }>();
for (let round = 0; round < rounds; round++) {
  const bench = new Bench({ time: 1500, iterations: 5, warmupIterations: 2, timestampProvider: cpuClock });
  for (let t = 0; t < tasks.length; t++) {
    const [name, fn] = tasks[(t + round) % tasks.length]!;
    bench.add(name, fn, { beforeEach });
  }
  bench.runSync();
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== "completed") throw new Error(`${task.name}: ${r.state}`);
    const prev = best.get(task.name);
    if (!prev || r.latency.mean < prev.mean) best.set(task.name, { mean: r.latency.mean, rme: r.latency.rme });
  }
}

const base = best.get("bare loop (baseline)")!.mean;
console.log(`replay overhead on ${trace.length} ops (mixed trace, ${strategy.name}, immediate coalescing), CPU time, best of ${rounds} rounds, node ${process.version}`);
console.log("| loop | ns/op | ±rme | vs baseline |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name] of tasks) {
  const l = best.get(name)!;
  console.log(`| ${name} | ${((l.mean * 1e6) / trace.length).toFixed(1)} | ${l.rme.toFixed(1)}% | ${((l.mean / base - 1) * 100).toFixed(1)}% |`);
}
const overhead = best.get("replay, integrity off")!.mean / base - 1;
console.log(`replay (integrity off) overhead: ${(overhead * 100).toFixed(1)}% ${overhead < 0.2 ? "(< 20%: ok)" : "(>= 20%: TOO HIGH)"}`);
