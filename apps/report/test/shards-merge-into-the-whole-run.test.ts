import { describe, expect, it } from "vitest";
import { BenchError } from "../src/backends.js";
import { parseShard } from "../src/matrix.js";
import { mergeRuns } from "../src/output.js";
import { runBench } from "../src/run.js";
import type { RunResult } from "../src/types.js";
import { tinyWorkspace } from "./fixtures.js";

describe("--shard k/n and merge", () => {
  const { manifest } = tinyWorkspace(600);
  const options = { manifest, strategies: ["first-fit", "tlsf", "buddy"], coalescing: ["on", "off"], quick: true, jobs: 1, adversary: false } as const;
  const deterministic = (run: RunResult) => run.results.map((r) => [r.index, r.allocator, r.coalescing, r.workload, r.metrics, r.timeline]);

  it("merging shards 1/3, 2/3 and 3/3 gives the whole run's cells and metrics", async () => {
    const whole = await runBench(options);
    const shards = await Promise.all([1, 2, 3].map((k) => runBench({ ...options, shard: parseShard(`${k}/3`) })));
    expect(shards.map((s) => s.results.length).reduce((a, b) => a + b, 0)).toBe(whole.results.length);
    const merged = mergeRuns(shards);
    expect(merged.shard).toBeNull();
    expect(deterministic(merged)).toEqual(deterministic(whole));
  });

  it("refuses to merge a cell twice", async () => {
    const one = await runBench({ ...options, shard: parseShard("1/4") });
    expect(() => mergeRuns([one, one])).toThrow(BenchError);
  });
});
