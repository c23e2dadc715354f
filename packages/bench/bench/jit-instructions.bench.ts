/**
 * Where one replay's instructions go, by JavaScript function: the speed benchmark's child (speed.bench.ts: the
 * mixed trace, the bare loop, the allocator alone in its process) run twice under callgrind, with 1 and with
 * 1 + `--extra` timed replays, and the difference divided by the extra ops (jit-attribution.ts). Instruction counts
 * do not depend on the machine's load, so two commits compare to within a few instructions per op where timings
 * on a shared machine do not; what they do not show is time lost to cache misses (speed.bench.ts shows that).
 * A function TurboFan inlined is counted in its caller, and TurboFan's choices can differ from run to run (V8's hash
 * and random seeds are fixed here, which steadies them); "(not generated code)" is V8's runtime, the garbage collector
 * and libc (a fresh heap's buffer zeroed), and the map's own writes. Needs valgrind; about a minute per allocator.
 *
 *   cd packages/bench && npx tsc -b && node dist/bench/jit-instructions.bench.js [--ops 200000] [--extra 4] [--top 16] tlsf best-fit
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePerfMap, perOpDifference, selfInstructions } from "./jit-attribution.js";

function option(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : fallback;
}

const args = process.argv.slice(2);
const ops = option(args, "--ops", 200_000);
const extra = option(args, "--extra", 4);
const top = option(args, "--top", 16);
const names = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1]!.startsWith("--")));
if (names.length === 0) {
  process.stderr.write("usage: jit-instructions.bench.js [--ops N] [--extra N] [--top N] <allocator>...\n");
  process.exit(2);
}
const speedBench = fileURLToPath(new URL("./speed.bench.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dmm-jit-"));

/** Self instructions by name of one child run with `replays` timed replays. */
function run(name: string, replays: number): Map<string, number> {
  const out = join(dir, `callgrind.${replays}`);
  execFileSync(
    "valgrind",
    ["--tool=callgrind", "--dump-instr=yes", `--callgrind-out-file=${out}`, process.execPath, "--perf-basic-prof", "--logfile=/dev/null", "--no-logfile-per-isolate", "--single-threaded", "--hash-seed=1", "--random-seed=1", speedBench, "--child", name, String(ops), String(replays)],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  const callgrind = readFileSync(out, "utf8");
  // node runs as valgrind's own process, so the map V8 wrote is named for the pid callgrind records.
  const pid = /^pid: (\d+)$/m.exec(callgrind)?.[1];
  const mapFile = join(tmpdir(), `perf-${pid}.map`);
  try {
    return selfInstructions(callgrind, parsePerfMap(readFileSync(mapFile, "utf8")));
  } finally {
    rmSync(mapFile, { force: true });
  }
}

try {
  for (const name of names) {
    const rows = perOpDifference(run(name, 1), run(name, 1 + extra), extra * ops);
    const total = rows.reduce((s, [, perOp]) => s + perOp, 0);
    console.log(`\n${name}: ${total.toFixed(0)} instructions/op (mixed trace, ${ops} ops, callgrind, 1 vs ${1 + extra} replays); self, by function:`);
    for (const [fn, perOp] of rows.slice(0, top)) {
      console.log(`${perOp.toFixed(1).padStart(8)}  ${fn.replace(/file:\/\/\/.*?\/packages\//, "")}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
