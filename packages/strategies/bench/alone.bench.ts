/**
 * Every strategy on the seeded mixed trace, each replayed in a process of its own, so the heap's calls into
 * the strategy stay monomorphic (as in a program that picked one policy) and one strategy's garbage or JIT
 * state cannot slow the next. Time is the process's CPU time (process.cpuUsage: user + system) per operation,
 * not wall time, so waiting for a core on a shared machine does not count; rounds alternate the strategies
 * (a, b, c, a, b, c, ...) so a burst of load hits all of them, and the table shows each one's best and
 * median round. Also per strategy, from an untimed warm-up replay: the mean search cost per malloc
 * (heap.lastSearchCost), the free blocks left at the end and the peak heap size — the policy's footprint,
 * which decides how many cache misses its index costs. A bump-pointer baseline runs the same way.
 *
 * Run: cd packages/strategies && npx tsc -b && node dist/bench/alone.bench.js [ops=2000000] [rounds=3] [names]
 * (one child: node dist/bench/alone.bench.js --child <name> <ops>)
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Allocator, createHeap } from "@dmm/core";
import { createBuddyAllocator, strategies } from "../src/index.js";
import { BumpPointer, type MallocFree, mixedTrace, replayMixed } from "./mixed-trace.js";

const BASELINE = "baseline: bump pointer";
const TIMED_REPLAYS = 2;

interface ChildResult {
  name: string;
  cpuNsPerOp: number[];
  searchCost: number;
  freeBlocks: number;
  peakHeapBytes: number;
}

function allocatorFor(name: string): MallocFree & Partial<Pick<Allocator, "stats" | "lastSearchCost">> {
  if (name === BASELINE) return new BumpPointer();
  if (name === "buddy") return createBuddyAllocator({ size: 0, maxSize: 1 << 30 });
  const entry = strategies.find((s) => s.name === name);
  if (!entry) throw new Error(`no strategy named ${name}`);
  return createHeap({ size: 0, maxSize: 1 << 30, strategy: entry.create() });
}

function child(name: string, ops: number): ChildResult {
  const trace = mixedTrace(ops);
  const ptrs = new Int32Array(trace.slots);
  // Warm-up replay, untimed: also the policy's search cost and footprint.
  const warm = allocatorFor(name);
  let cost = 0;
  let mallocs = 0;
  const { isMalloc, slot, size } = trace;
  for (let i = 0; i < ops; i++) {
    if (isMalloc[i] === 1) {
      ptrs[slot[i]!] = warm.malloc(size[i]!);
      cost += warm.lastSearchCost ?? 0;
      mallocs++;
    } else warm.free(ptrs[slot[i]!]!);
  }
  const stats = warm.stats?.();
  const cpuNsPerOp: number[] = [];
  for (let r = 0; r < TIMED_REPLAYS; r++) {
    const heap = allocatorFor(name);
    const start = process.cpuUsage();
    replayMixed(trace, heap, ptrs);
    const used = process.cpuUsage(start);
    cpuNsPerOp.push(((used.user + used.system) * 1000) / ops);
  }
  return { name, cpuNsPerOp, searchCost: cost / mallocs, freeBlocks: stats?.freeBlocks ?? 0, peakHeapBytes: stats?.peakHeapBytes ?? 0 };
}

if (process.argv[2] === "--child") {
  console.log(JSON.stringify(child(process.argv[3]!, Number(process.argv[4]))));
} else {
  const ops = Number(process.argv[2] ?? 2_000_000);
  const rounds = Number(process.argv[3] ?? 3);
  const names = process.argv[4]?.split(",") ?? [BASELINE, ...strategies.map((s) => s.name), "buddy"];
  const self = fileURLToPath(import.meta.url);
  const results = new Map<string, ChildResult[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const out = execFileSync(process.execPath, [self, "--child", name, String(ops)], { encoding: "utf8" });
      results.get(name)!.push(JSON.parse(out) as ChildResult);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  console.log(`mixed trace: ${ops} ops, one process per strategy, ${rounds} rounds × ${TIMED_REPLAYS} timed replays; CPU ns per op`);
  console.table(
    names.map((name) => {
      const rs = results.get(name)!;
      const times = rs.flatMap((r) => r.cpuNsPerOp);
      const r = rs[0]!;
      return {
        strategy: name,
        "best ns/op": Math.min(...times).toFixed(1),
        "median ns/op": median(times).toFixed(1),
        "search cost": name === BASELINE ? "-" : r.searchCost.toFixed(1),
        "free blocks": name === BASELINE ? "-" : r.freeBlocks,
        "peak heap MB": name === BASELINE ? "-" : (r.peakHeapBytes / 2 ** 20).toFixed(1),
      };
    }),
  );
}
