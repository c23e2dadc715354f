/**
 * The V8 flags `dmm bench` times under, and the relaunch that gives them to it. V8 compiles (TurboFan) and collects
 * garbage (concurrent marking, parallel scavenges) on helper threads of the process by default. With a worker per
 * core timing replays, those helpers take a core from a timed replay whenever any worker compiles or collects, so
 * its samples spread: of the default matrix's 672 cells (2 cores, two runs each), 299 and 304 had a 95% interval
 * wider than ±10% (median ±11.9%); with both flags 179 and 182 (median ±3.3%), in the same wall time (41–42 s), and a
 * cell's ns/op agreed between two runs within 0.88–1.10 (p10–p90) against 0.74–1.30. A worker now compiles and
 * collects on its own thread, mostly while it warms up, before anything is timed, and runs the same code; a pause that
 * still lands in a timed replay is what the median of @dmm/bench's centerInterval leaves out.
 *
 * V8's flags are the process's and are fixed once it runs (changing them under running isolates crashed V8), so the
 * command starts itself again with them (relaunchForTiming) unless node was started with them.
 */
import { spawn } from "node:child_process";
import { constants as osConstants } from "node:os";

/** Compiles and collects on the thread that runs the code, not on helper threads. */
export const TIMING_V8_FLAGS: readonly string[] = ["--no-concurrent-recompilation", "--single-threaded-gc"];

/** Set in the relaunched process's environment: it never relaunches again. */
export const RELAUNCHED_ENV = "DMM_TIMING_FLAGS";

/** The commands that time nothing (the default command, bench, does). */
const UNTIMED_COMMANDS = new Set(["record", "compare", "merge", "help"]);

/** The flags of `flags` (default: the timing flags) that `execArgv` lacks. */
export function missingTimingFlags(execArgv: readonly string[], flags: readonly string[] = TIMING_V8_FLAGS): string[] {
  return flags.filter((flag) => !execArgv.includes(flag));
}

/** Whether the command line `args` (after the script) runs the matrix: bench, run, or options of the default command. */
export function timesCells(args: readonly string[]): boolean {
  const command = args.find((a) => !a.startsWith("-"));
  return command === undefined || !UNTIMED_COMMANDS.has(command);
}

/** Node's exit code for an option it does not know (`node: bad option`): a node whose V8 lacks a flag. */
const BAD_OPTION_EXIT = 9;

/**
 * Runs the command again in a node with the timing flags, when it times cells and this process lacks them: resolves
 * with its exit code (a signal that ended it is passed on to this process), or with null when this process should
 * run the command itself (no flag missing, already relaunched, or a node that refuses the flags or cannot be
 * started, told on stderr). SIGINT, SIGTERM and SIGHUP sent to this process go to the command. `flags`: the timing
 * flags (another list only in tests).
 */
export function relaunchForTiming(args: readonly string[], script: string, flags: readonly string[] = TIMING_V8_FLAGS): Promise<number | null> {
  const missing = missingTimingFlags(process.execArgv, flags);
  if (missing.length === 0 || process.env[RELAUNCHED_ENV] !== undefined || !timesCells(args)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...missing, ...process.execArgv, script, ...args], {
      stdio: "inherit",
      env: { ...process.env, [RELAUNCHED_ENV]: missing.join(" ") },
    });
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    const forward = (signal: NodeJS.Signals) => void child.kill(signal);
    for (const signal of signals) process.on(signal, forward);
    const detach = () => {
      for (const signal of signals) process.off(signal, forward);
    };
    child.once("error", (error) => {
      detach();
      process.stderr.write(`dmm: could not start node with ${missing.join(" ")} (${error.message}); timing without them\n`);
      resolve(null);
    });
    child.once("exit", (code, signal) => {
      detach();
      if (signal !== null) {
        // Ended by a signal: end this process the same way (the handlers are gone, so its default action applies).
        process.kill(process.pid, signal);
        resolve(128 + (osConstants.signals[signal] ?? 0));
      } else if (code === BAD_OPTION_EXIT) {
        process.stderr.write(`dmm: this node refuses ${missing.join(" ")}; timing without them\n`);
        resolve(null);
      } else resolve(code ?? 1);
    });
  });
}
