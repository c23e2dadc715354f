/**
 * Does a cell's ns/op depend on the cells that ran before it? tlsf on the mixed workload, timed by the report
 * alone and after five other strategies (each allocator runs in a fresh worker, so it should not), in interleaved
 * rounds; prints min / median / max of each and the ratio of the medians. A benchmark, not a test: on a shared
 * machine wall-clock noise exceeds the effect it guards against (the structural guarantee is tested in
 * test/each-allocator-is-timed-in-a-fresh-worker.test.ts).
 *
 *   pnpm --filter @dmm/report bench:isolation [rounds]
 */
import { runBench } from "../src/run.js";

const rounds = Number(process.argv[2] ?? 5);
const others = ["first-fit", "next-fit", "best-fit", "worst-fit", "segregated-fit"];

async function tlsf(strategies: string[]): Promise<number> {
  const run = await runBench({ strategies, coalescing: ["immediate"], native: ["glibc"], workloads: ["phases", "mixed"], jobs: 1, adversary: false });
  const cell = run.results.find((c) => c.allocator === "tlsf" && c.workload === "mixed");
  if (!cell?.latency) throw new Error("tlsf was not timed on mixed");
  return cell.latency.nsPerOp;
}

const alone: number[] = [];
const after: number[] = [];
for (let i = 0; i < rounds; i++) {
  alone.push(await tlsf(["tlsf"]));
  after.push(await tlsf([...others, "tlsf"]));
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};
const a = stats(alone);
const b = stats(after);
const f = (x: { min: number; median: number; max: number }) => `${x.min.toFixed(0)} / ${x.median.toFixed(0)} / ${x.max.toFixed(0)}`;
console.log(`tlsf on mixed, ns/op min / median / max over ${rounds} rounds: alone ${f(a)}; after ${others.length} strategies ${f(b)}; median ratio ${(b.median / a.median).toFixed(2)}`);
