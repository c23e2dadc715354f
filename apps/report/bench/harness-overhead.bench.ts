/**
 * How much the report's harness costs beside the calls (issue 13: the report's ns/op within 1.25× of a bare loop).
 * In interleaved rounds on the 2M-op mixed trace (`generate("mixed", { ops, live: 20000, seed: 1 })`): the report
 * times tlsf and buddy (`runBench`, coalescing immediate, one worker thread per allocator, as `pnpm bench` does), and
 * `@dmm/bench`'s speed benchmark replays the same trace with its bare loop in a fresh process per allocator
 * (`speed.bench.js --child`, `replayBare`). Both figures are wall-clock ns/op means (the report's nsPerOp is its
 * tinybench samples' mean here: fewer than ten replays of this trace, see @dmm/bench centerInterval; the bare loop's
 * over its timed replays), so on a loaded machine both count waiting for a core alike.
 * The report's side runs under the flags `dmm bench` times under (timing-flags.ts): this script starts itself again
 * with them. Prints min / median / max of each and of their ratio. A benchmark, not a test.
 *
 *   pnpm --filter @dmm/report bench:harness [rounds] [ops]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate, writeTrace } from "@dmm/workloads";
import { runBench } from "../src/run.js";
import { relaunchForTiming } from "../src/timing-flags.js";

const relaunched = await relaunchForTiming(process.argv.slice(2), fileURLToPath(import.meta.url));
if (relaunched !== null) process.exit(relaunched);

const rounds = Number(process.argv[2] ?? 3);
const ops = Number(process.argv[3] ?? 2_000_000);
const allocators = ["tlsf", "buddy"];
// The speed benchmark next to @dmm/bench's compiled sources (dist/src/index.js -> dist/bench/speed.bench.js).
const speedBench = join(dirname(createRequire(import.meta.url).resolve("@dmm/bench")), "..", "bench", "speed.bench.js");

const dir = mkdtempSync(join(tmpdir(), "dmm-harness-"));
const file = join(dir, "mixed-2m.trace.gz");
await writeTrace(file, generate("mixed", { ops, live: 20_000, seed: 1 }));

const report = new Map<string, number[]>(allocators.map((a) => [a, []]));
const bare = new Map<string, number[]>(allocators.map((a) => [a, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const name of allocators) {
      const out = execFileSync(process.execPath, [speedBench, "--child", name, String(ops), "3"], { encoding: "utf8" });
      const wall = (JSON.parse(out) as { wallNsPerOp: number[] }).wallNsPerOp;
      bare.get(name)!.push(wall.reduce((s, x) => s + x, 0) / wall.length);
    }
    const run = await runBench({ strategies: allocators, coalescing: ["immediate"], workloads: [file], adversary: false, efficiency: false, jobs: 1 });
    for (const name of allocators) {
      const cell = run.results.find((c) => c.allocator === name);
      if (!cell?.latency) throw new Error(`the report did not time ${name}: ${cell?.error ?? "no cell"}`);
      report.get(name)!.push(cell.latency.nsPerOp);
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** min / median / max, with `digits` decimals (ratios take 2: the target, 1.25, is one). */
const stats = (xs: number[], digits = 1) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(digits)} / ${s[Math.floor(s.length / 2)]!.toFixed(digits)} / ${s[s.length - 1]!.toFixed(digits)}`;
};
console.log(`mixed trace, ${ops} ops, ~20000 live, seed 1; wall-clock ns/op, min / median / max over ${rounds} interleaved rounds; node ${process.version}`);
console.log("| allocator | report ns/op | bare loop ns/op | report / bare loop |");
console.log("| --- | ---: | ---: | ---: |");
for (const name of allocators) {
  const ratios = report.get(name)!.map((r, i) => r / bare.get(name)![i]!);
  console.log(`| ${name} | ${stats(report.get(name)!)} | ${stats(bare.get(name)!)} | ${stats(ratios, 2)} |`);
}
