/** The machine and the command, printed in the report so a reader can reproduce it. */
import { execFileSync } from "node:child_process";
import { cpus, platform, release } from "node:os";
import { TIMING_V8_FLAGS } from "./timing-flags.js";
import type { Environment } from "./types.js";

function gitCommit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return "unknown (not a git checkout)";
  }
}

export function environment(command: string): Environment {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    date: new Date().toISOString(),
    commit: gitCommit(),
    command,
    timingFlags: TIMING_V8_FLAGS.filter((flag) => process.execArgv.includes(flag)),
  };
}
