/**
 * `dmm bench` times its cells in a node whose V8 compiles and collects on the thread that runs the code
 * (timing-flags.ts): the command started without the flags starts itself again with them, says so in results.json,
 * passes its exit code and the signals it is sent through, and runs without them where node refuses them.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { missingTimingFlags, relaunchForTiming, TIMING_V8_FLAGS, timesCells } from "../src/timing-flags.js";
import { buildWorkspace, CLI } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";

beforeAll(buildWorkspace);
afterEach(() => vi.restoreAllMocks());

function bench(nodeFlags: string[], out: string, extra: string[] = []) {
  const { dir, manifest } = tinyWorkspace(300);
  return spawnSync(process.execPath, [...nodeFlags, CLI, "bench", "--manifest", manifest, "--strategies", "tlsf", "--native", "glibc", "--coalescing", "immediate", "--jobs", "2", "--no-progress", "--out", out, ...extra], {
    cwd: dir, encoding: "utf8", timeout: 300_000,
  });
}

it("a bench started without the flags runs under both, and results.json and the page say so", () => {
  const out = join(mkdtempSync(join(tmpdir(), "dmm-flags-")), "report");
  const r = bench([], out);
  expect(r.stderr).not.toMatch(/dmm:|Error|bad option/);
  expect(r.status).toBe(0);
  const run = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { environment: { timingFlags: string[] } };
  expect(run.environment.timingFlags).toEqual([...TIMING_V8_FLAGS]);
  expect(readFileSync(join(out, "index.html"), "utf8")).toContain(`${process.version} ${TIMING_V8_FLAGS.join(" ")}`);
});

it("started with one flag, it adds the other; a usage error still exits 2 with its one line", () => {
  const out = join(mkdtempSync(join(tmpdir(), "dmm-flags-")), "report");
  expect(bench([TIMING_V8_FLAGS[0]!], out).status).toBe(0);
  expect((JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { environment: { timingFlags: string[] } }).environment.timingFlags).toEqual([...TIMING_V8_FLAGS]);
  const bad = bench([], join(mkdtempSync(join(tmpdir(), "dmm-flags-")), "report"), ["--jobs", "0"]);
  expect(bad.status).toBe(2);
  expect(bad.stderr.trim().split("\n")).toHaveLength(1);
});

it("only the commands that time cells relaunch", () => {
  expect(timesCells([])).toBe(true);
  expect(timesCells(["--quick"])).toBe(true);
  expect(timesCells(["bench", "--quick"])).toBe(true);
  expect(timesCells(["run"])).toBe(true);
  for (const command of ["record", "compare", "merge", "help"]) expect(timesCells([command, "x"])).toBe(false);
  expect(missingTimingFlags(["--max-old-space-size=100", ...TIMING_V8_FLAGS])).toEqual([]);
  expect(missingTimingFlags([TIMING_V8_FLAGS[1]!])).toEqual([TIMING_V8_FLAGS[0]]);
});

it("a node that refuses a flag runs the command itself, saying so", async () => {
  const said: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (said.push(String(chunk)), true));
  // A flag no node knows: the relaunched node exits 9 (bad option) before running anything.
  const code = await relaunchForTiming(["bench"], CLI, ["--no-such-flag-for-dmm-tests"]);
  expect(code).toBeNull();
  expect(said.join("")).toMatch(/^dmm: this node refuses --no-such-flag-for-dmm-tests; timing without them\n$/m);
});

it.runIf(process.platform === "linux")("SIGTERM to the command ends the relaunched run too", async () => {
  const { dir, manifest } = tinyWorkspace(400_000);
  const out = join(mkdtempSync(join(tmpdir(), "dmm-flags-")), `report-${process.pid}-${Date.now()}`);
  const parent = spawn(process.execPath, [CLI, "bench", "--manifest", manifest, "--no-progress", "--out", out], { cwd: dir, stdio: "ignore" });
  const relaunched = () =>
    readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p) && Number(p) !== parent.pid)
      .filter((p) => {
        try {
          const argv = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
          return argv.includes(out) && argv.includes(TIMING_V8_FLAGS[0]!);
        } catch {
          return false;
        }
      });
  let child: string[] = [];
  for (let waited = 0; child.length === 0 && waited < 30_000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    child = relaunched();
  }
  try {
    expect(child).toHaveLength(1);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => parent.once("exit", (_code, signal) => resolve(signal)));
    parent.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    // The run would go on for many seconds more: it has to be the signal that ends it.
    for (let waited = 0; existsSync(`/proc/${child[0]}`) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(`/proc/${child[0]}`)).toBe(false);
  } finally {
    parent.kill("SIGKILL");
    for (const pid of child) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
}, 60_000);
