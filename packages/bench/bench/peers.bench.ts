/**
 * ns/op of every registered strategy (immediate coalescing, growable heap) on a 2M-op mixed trace, next to
 * glibc malloc (native/replay.c), npm malloc and @thi.ng/malloc, all measured in the same run. The trace is
 * @dmm/workloads' "mixed" generator (the speed-goal process), seed 1.
 *
 *   pnpm --filter @dmm/bench bench      (or: npx tsc -b && node dist/bench/peers.bench.js [ops] [--full-thing] [--wall])
 *
 * Times are process CPU time by default (JS: process.cpuUsage; C: CLOCK_PROCESS_CPUTIME_ID), which a shared
 * machine disturbs far less than wall time; --wall uses wall-clock time for both.
 *
 * @thi.ng/malloc frees in O(live blocks) (~100 µs/op at 20k live): by default it runs once on the first
 * 200k ops (steady state is reached after ~40k); --full-thing replays the whole trace (minutes).
 */
import { type Allocator, createHeap } from "@dmm/core";
import * as strategiesModule from "@dmm/strategies";
import { generate, sliceTrace } from "@dmm/workloads";
import { npmMalloc, thingMalloc } from "@dmm/peers";
import { measureLatency, measureNative, replay } from "../src/index.js";

const args = process.argv.slice(2);
const ops = Number(args.find((a) => /^\d+$/.test(a)) ?? 2_000_000);
const fullThing = args.includes("--full-thing");
/** CPU time by default: the machine may be shared; --wall for wall-clock time. */
const clock = args.includes("--wall") ? "wall" : "cpu";
const trace = generate("mixed", { ops, live: 20_000, seed: 1 });
const PEER_BYTES = 256 << 20;

interface Row {
  name: string;
  ops: number;
  nsPerOp: number;
  rme: number | null;
  ratio: number | null;
  note: string;
}
const rows: Row[] = [];

function measure(name: string, create: () => Allocator, note = "", t = trace, iterations = 3, warmup = 1): void {
  const latency = measureLatency(t, create, { time: 0, iterations, warmupIterations: warmup, percentiles: false, clock });
  const metrics = replay(t, create(), { integrity: false, timelinePoints: 100 });
  rows.push({ name, ops: t.length, nsPerOp: latency.nsPerOp, rme: latency.samples > 1 ? latency.rme : null, ratio: metrics.peakHeapBytes / metrics.peakLiveBytes, note });
  console.error(`${name}: ${latency.nsPerOp.toFixed(1)} ns/op`);
}

const native = measureNative(trace, { repetitions: 5, clock });
if (native.skipped) console.error(`glibc: skipped (${native.reason})`);
else rows.push({ name: native.allocator, ops: native.ops, nsPerOp: native.nsPerOp, rme: null, ratio: null, note: `median of 5, ${native.compiler}` });

for (const entry of strategiesModule.strategies) {
  measure(entry.name, () => createHeap({ size: 0, maxSize: 1 << 30, strategy: entry.create(), coalescing: "immediate" }));
}
const buddy = (strategiesModule as Record<string, unknown>).createBuddyAllocator as
  | ((o: { size: number; maxSize?: number; coalescing?: "immediate" }) => Allocator)
  | undefined;
if (buddy) measure("buddy", () => buddy({ size: 0, maxSize: 1 << 30, coalescing: "immediate" }));

measure("npm-malloc", () => npmMalloc({ size: PEER_BYTES }), "best fit, skip list");
const thingTrace = fullThing ? trace : sliceTrace(trace, 200_000);
measure("thi.ng-malloc", () => thingMalloc({ size: PEER_BYTES }), fullThing ? "" : `first ${thingTrace.length} ops, 1 run`, thingTrace, 1, 0);

const glibc = native.skipped ? null : native.nsPerOp;
console.log(`\nns/op on mixed trace: ${trace.length} ops, ~20k live, sizes 70% 8–64 B / 25% 64–1024 B / 5% 1–16 KiB; ${clock} clock; node ${process.version}`);
console.log("| allocator | ns/op | ±rme | × glibc | peak heap / peak live | note |");
console.log("| --- | ---: | ---: | ---: | ---: | --- |");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.nsPerOp.toFixed(1)} | ${r.rme === null ? "" : `${r.rme.toFixed(1)}%`} | ${glibc ? (r.nsPerOp / glibc).toFixed(1) : "n/a"} | ${r.ratio === null ? "" : r.ratio.toFixed(3)} | ${r.note} |`,
  );
}
