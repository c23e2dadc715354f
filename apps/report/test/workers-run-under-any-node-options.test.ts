/**
 * `dmm bench` runs under whatever node options it was started with: the V8 options a user gives a large trace
 * (`node --max-old-space-size=… dmm bench`) and process-wide ones (`--title`), which Node refuses in a worker's explicit
 * execArgv (threads.ts workerExecArgv), reach its cell and render workers as the process's own.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { buildWorkspace, CLI } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";

beforeAll(buildWorkspace);

it("a bench run started with V8 and process-wide node options runs its workers and writes its report", () => {
  const { dir, manifest } = tinyWorkspace(300);
  const out = join(mkdtempSync(join(tmpdir(), "dmm-options-")), "report");
  const r = spawnSync(process.execPath, ["--max-old-space-size=3072", "--stack-size=2000", "--title=dmm-options-test", CLI, "bench", "--manifest", manifest, "--strategies", "tlsf,buddy", "--native", "glibc", "--coalescing", "immediate", "--jobs", "2", "--no-progress", "--out", out], {
    cwd: dir, encoding: "utf8", timeout: 300_000,
  });
  expect(r.stderr).not.toMatch(/ERR_WORKER_INVALID_EXEC_ARGV|Error/);
  expect(r.status).toBe(0);
  expect(existsSync(join(out, "results.json"))).toBe(true);
  expect(existsSync(join(out, "balance.svg"))).toBe(true);
});
