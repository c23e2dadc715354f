/**
 * The compiled workspace, for tests that need real worker threads or the `dmm` bin (Node 20 cannot run the
 * TypeScript sources in a worker). Builds with `tsc -b` once per test process, under a lock so test files
 * running in parallel do not write dist/ at the same time.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI = `${ROOT}apps/report/dist/src/cli.js`;
const TSC = `${ROOT}node_modules/typescript/bin/tsc`;

let built = false;

/** Builds every package (`tsc -b apps/report apps/demo` follows the project references). */
export async function buildWorkspace(): Promise<void> {
  if (built) return;
  const lock = `${ROOT}node_modules/.dmm-build-lock`;
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes is a crashed build's: take it over.
      if (waited > 120_000 || Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    execFileSync(process.execPath, [TSC, "-b", `${ROOT}apps/report`, `${ROOT}apps/demo`], { stdio: "pipe" });
    built = true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs the built `dmm` with `args` from `cwd` (as INIT_CWD too, like pnpm does). */
export function dmm(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, INIT_CWD: cwd }, timeout: 300_000 });
}

/** Runs an ES module script with Node (for tests that import the built packages). */
export function node(script: string, cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8", timeout: 300_000 });
}
