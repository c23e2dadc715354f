/** `dmm bench --help` says how long a prefix of each trace `--quick` replays: the length the run cuts traces to. */
import { expect, it } from "vitest";
import { QUICK_OPS } from "../src/workloads.js";
import { dmm } from "./cli.js";

it("names the quick prefix the run replays", async () => {
  const run = await dmm(["bench", "--help"]);
  expect(run.code).toBe(0);
  expect(run.stdout.replace(/\s+/g, " ")).toContain(`--quick replay at most a ${QUICK_OPS / 1000}k-op prefix of each trace`);
});
