#!/usr/bin/env node
// Builds the workspace (turbo, cached) before `pnpm bench` / `pnpm dmm`, printing nothing unless the build fails,
// so the command's own output is the first thing on the terminal.
import { spawnSync } from "node:child_process";

const result = spawnSync("turbo", ["run", "build", "--output-logs=errors-only"], {
  encoding: "utf8",
  shell: process.platform === "win32",
  env: { ...process.env, TURBO_NO_UPDATE_NOTIFIER: "1" },
});
if (result.error) {
  process.stderr.write(`build: cannot run turbo: ${result.error.message}\n`);
  process.exit(1);
}
if (result.status !== 0) {
  process.stderr.write(result.stdout + result.stderr);
  process.exit(result.status ?? 1);
}
