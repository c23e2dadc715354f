/**
 * Each allocator as a program that chose it would see it: alone in a fresh Node process (so the heap's calls
 * into its strategy stay monomorphic and no other allocator's garbage or JIT state is around), a bare loop over
 * the decoded trace, CPU time (process.cpuUsage: user + system, so waiting for a core on a shared machine does
 * not count), next to glibc replaying the same trace in C (native/replay.c, CLOCK_PROCESS_CPUTIME_ID).
 *
 * The trace is @dmm/workloads' "mixed" generator (the speed-goal trace: sizes 70% 8–64 B, 25% 64–1024 B,
 * 5% 1–16 KiB, ~20k live, everything freed at the end), `--ops` operations, seed 1. Rounds are interleaved
 * (glibc, a, b, c, glibc, a, b, c, ...) so a burst of load on the machine hits every allocator; each round
 * measures glibc again and each allocator's figure in a round is divided by that round's glibc figure. A child
 * replays once untimed (JIT warm-up, as any program that runs for a while is warm) and then `--replays` times
 * timed, each on a fresh allocator made outside the timed region and disposed of after it (so the next heap grows
 * into the buffer the last one gave back, as the report's cells do, not into a new one while the old one waits
 * for the garbage collector); its figure is the fastest of them, as is
 * glibc's (its fastest of as many repetitions). The table gives min / median / max over rounds.
 *
 *   cd packages/bench && npx tsc -b && node dist/bench/speed.bench.js [--ops 2000000] [--rounds 5] [--replays 2] [--only tlsf,buddy]
 *   (one child: node dist/bench/speed.bench.js --child <name> <ops> <replays>; prints one JSON line: CPU and wall
 *   ns/op of each timed replay; @dmm/report's harness-overhead benchmark reads the wall figures)
 *
 * Targets (issue 13, ratio to glibc): tlsf <= 1.6, buddy <= 1.3, segregated-fit <= 2.0, best-fit <= 3.5,
 * first-fit <= 5.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createHeap } from "@dmm/core";
import { createBuddyAllocator, strategies } from "@dmm/strategies";
import { generate } from "@dmm/workloads";
import { npmMalloc } from "@dmm/peers";
import { measureNative } from "../src/index.js";
import { BumpPointer, type Calls, replayBare } from "./bare-loop.js";

const BUMP = "bump pointer";
const NPM_MALLOC = "npm-malloc";
const LIVE = 20_000;
const SEED = 1;

function allocatorFor(name: string): Calls & { dispose?(): void } {
  if (name === BUMP) return new BumpPointer();
  if (name === "buddy") return createBuddyAllocator({ size: 0, maxSize: 1 << 30 });
  if (name === NPM_MALLOC) return npmMalloc({ size: 256 << 20 });
  const entry = strategies.find((s) => s.name === name);
  if (!entry) throw new Error(`no allocator named ${name}`);
  return createHeap({ size: 0, maxSize: 1 << 30, strategy: entry.create(), coalescing: "immediate" });
}

function child(name: string, ops: number, replays: number): { name: string; cpuNsPerOp: number[]; wallNsPerOp: number[] } {
  const trace = generate("mixed", { ops, live: LIVE, seed: SEED });
  const pointers = new Int32Array(trace.idCount);
  // The first dispose of a process changes what V8 assumed of the allocator's class (a disposed heap's fields are
  // written again, its calls replaced), and the compiled code that relied on it is thrown away once: done here,
  // before the warm-up compiles the code the timed replays run, not after it (which cost the first timed replay
  // 2.5x the instructions of the next).
  allocatorFor(name).dispose?.();
  const warm = allocatorFor(name);
  replayBare(warm, trace.columns, pointers);
  warm.dispose?.();
  const cpuNsPerOp: number[] = [];
  const wallNsPerOp: number[] = [];
  for (let r = 0; r < replays; r++) {
    const allocator = allocatorFor(name);
    pointers.fill(0);
    const start = process.cpuUsage();
    const wall = performance.now();
    replayBare(allocator, trace.columns, pointers);
    wallNsPerOp.push(((performance.now() - wall) * 1e6) / trace.length);
    const used = process.cpuUsage(start);
    cpuNsPerOp.push(((used.user + used.system) * 1000) / trace.length);
    allocator.dispose?.();
  }
  return { name, cpuNsPerOp, wallNsPerOp };
}

function option(args: string[], flag: string, fallback: string): string {
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
}

function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

const args = process.argv.slice(2);
if (args[0] === "--child") {
  console.log(JSON.stringify(child(args[1]!, Number(args[2]), Number(args[3]))));
} else {
  const ops = Number(option(args, "--ops", "2000000"));
  const rounds = Number(option(args, "--rounds", "5"));
  const replays = Number(option(args, "--replays", "2"));
  const names = option(args, "--only", [BUMP, ...strategies.map((s) => s.name), "buddy", NPM_MALLOC].join(",")).split(",");
  const self = fileURLToPath(import.meta.url);
  const trace = generate("mixed", { ops, live: LIVE, seed: SEED });
  const glibc: number[] = [];
  const times = new Map<string, number[]>(names.map((n) => [n, []]));
  const ratios = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const native = measureNative(trace, { repetitions: replays, clock: "cpu" });
    if (native.skipped) throw new Error(`glibc replay skipped: ${native.reason}`);
    glibc.push(native.minNsPerOp);
    for (const name of names) {
      const out = execFileSync(process.execPath, [self, "--child", name, String(ops), String(replays)], { encoding: "utf8" });
      const ns = Math.min(...(JSON.parse(out) as { cpuNsPerOp: number[] }).cpuNsPerOp);
      times.get(name)!.push(ns);
      ratios.get(name)!.push(ns / native.minNsPerOp);
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const f = (x: number, digits = 1) => x.toFixed(digits);
  const g = stats(glibc);
  console.log(
    `mixed trace, ${trace.length} ops, ~${LIVE} live, seed ${SEED}; each allocator alone in a fresh process, bare loop, CPU time; ` +
      `${rounds} interleaved rounds, fastest of ${replays} timed replays per round; node ${process.version}`,
  );
  console.log("| allocator | CPU ns/op min / median / max | × glibc min / median / max |");
  console.log("| --- | ---: | ---: |");
  console.log(`| glibc malloc (C) | ${f(g.min)} / ${f(g.median)} / ${f(g.max)} | 1 |`);
  for (const name of names) {
    const t = stats(times.get(name)!);
    const r = stats(ratios.get(name)!);
    console.log(`| ${name} | ${f(t.min)} / ${f(t.median)} / ${f(t.max)} | ${f(r.min, 2)} / ${f(r.median, 2)} / ${f(r.max, 2)} |`);
  }
}
