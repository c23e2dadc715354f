import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BenchError } from "../src/backends.js";
import { plan, runBench } from "../src/run.js";
import { tinyWorkspace } from "./fixtures.js";

describe("clear errors", () => {
  const { dir, manifest } = tinyWorkspace(50);

  it("names an unknown strategy and lists the known ones", () => {
    expect(() => plan({ manifest, strategies: ["first-fit", "fastest-fit"] })).toThrow(/unknown strategy "fastest-fit"; known: first-fit/);
  });

  it("names an unknown workload", () => {
    expect(() => plan({ manifest, workloads: ["no-such-workload"] })).toThrow(/unknown workload "no-such-workload".*tiny-a/);
  });

  it("names a trace file that does not parse", async () => {
    const bad = join(dir, "bad.trace");
    writeFileSync(bad, "a 0 16\nq 1 2\n");
    const run = runBench({ manifest, workloads: [bad], strategies: ["first-fit"], jobs: 1, adversary: false });
    await expect(run).rejects.toBeInstanceOf(BenchError);
    await expect(run).rejects.toThrow(/bad\.trace/);
  });
});
