import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dmm } from "./cli.js";
import { randomTraceText, tinyWorkspace } from "./fixtures.js";

describe("dmm merge refuses shards of different matrices (one line, exit 2)", () => {
  const { dir, manifest } = tinyWorkspace(300);
  const shard = (k: number, out: string, ...extra: string[]) =>
    dmm(["bench", "--manifest", manifest, "--strategies", "tlsf,best-fit", "--coalescing", "on", "--quick", "--jobs", "1", "--shard", `${k}/2`, "--out", out, ...extra], { cwd: dir });
  const refused = async (a: string, b: string, message: RegExp) => {
    const r = await dmm(["merge", a, b, "--out", "merged"], { cwd: dir });
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, "merged"))).toBe(false);
  };

  it("merges the two halves of one matrix", async () => {
    expect((await shard(1, "s1")).code).toBe(0);
    expect((await shard(2, "s2")).code).toBe(0);
    const r = await dmm(["merge", "s1", "s2", "--out", "whole"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/merged 2 folder\(s\), 4 of 4 cells/);
  });

  it("refuses a shard run with another allocator list", async () => {
    const other = await dmm(["bench", "--manifest", manifest, "--strategies", "tlsf,first-fit", "--coalescing", "on", "--quick", "--jobs", "1", "--shard", "2/2", "--out", "other-allocators"], { cwd: dir });
    expect(other.code).toBe(0);
    await refused("s1", "other-allocators", /different matrices: allocators differ \(1\/2: tlsf,best-fit; 2\/2: tlsf,first-fit\)/);
  });

  it("refuses a shard run with other settings", async () => {
    expect((await shard(2, "other-settings", "--fixed-arena", "65536")).code).toBe(0);
    await refused("s1", "other-settings", /different matrices: settings differ/);
  });

  it("refuses a shard whose trace of the same name has other content", async () => {
    writeFileSync(join(dir, "workloads", "b.trace"), randomTraceText(300, 99, 50));
    expect((await shard(2, "other-trace")).code).toBe(0);
    await refused("s1", "other-trace", /different matrices: the trace tiny-b differs in content \(sha256\) between 1\/2 and 2\/2/);
  });
});
