import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dmm } from "./cli.js";
import { tinyWorkspace } from "./fixtures.js";

describe("usage errors are one line on stderr and exit 2", () => {
  const { dir, manifest } = tinyWorkspace(200);
  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown flag", ["bench", "--bogus"], /unknown option '--bogus'/],
    ["an unknown flag before the command", ["--bogus"], /unknown option '--bogus'/],
    ["--jobs 0", ["bench", "--jobs", "0"], /--jobs must be a positive integer, got "0"/],
    ["--jobs -1", ["bench", "--jobs", "-1"], /--jobs must be a positive integer, got "-1"/],
    ["--jobs abc", ["bench", "--jobs", "abc"], /--jobs must be a positive integer, got "abc"/],
    ["--fixed-arena abc", ["bench", "--fixed-arena", "abc"], /--fixed-arena must be a positive integer/],
    ["an empty --shard", ["bench", "--shard", ""], /--shard must be k\/n/],
    ["--shard 3/2", ["bench", "--shard", "3/2"], /--shard must be k\/n/],
    ["merge with no folders", ["merge"], /missing required argument 'dirs'/],
    ["an unknown command", ["frobnicate"], /too many arguments/],
    ["an unknown strategy", ["bench", "--manifest", manifest, "--strategies", "fastest-fit"], /unknown strategy "fastest-fit"/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}`, async () => {
      const r = await dmm(args, { cwd: dir });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    });
  }

  it("refuses an --out that is a file before running anything", async () => {
    const file = join(dir, "not-a-folder");
    writeFileSync(file, "x");
    const r = await dmm(["bench", "--manifest", manifest, "--strategies", "first-fit", "--quick", "--jobs", "1", "--out", file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a file, not a folder/);
    expect(r.stderr).not.toMatch(/cells/); // refused before the matrix was planned or run
  });

  it("refuses an --out folder holding other files, and leaves them", async () => {
    const folder = join(dir, "my-stuff");
    mkdirSync(folder);
    writeFileSync(join(folder, "notes.txt"), "mine");
    const r = await dmm(["bench", "--manifest", manifest, "--strategies", "first-fit", "--quick", "--jobs", "1", "--out", folder], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a dmm report \(notes\.txt\)/);
    expect(readFileSync(join(folder, "notes.txt"), "utf8")).toBe("mine");
  });

  it("calls an empty trace a clear error, and writes no report", async () => {
    writeFileSync(join(dir, "empty.trace"), "# name: nothing\n");
    const r = await dmm(["bench", "--workloads", "empty.trace", "--strategies", "first-fit", "--quick", "--jobs", "1", "--out", "empty-report"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty\.trace: the trace has no operations/);
    expect(existsSync(join(dir, "empty-report"))).toBe(false);
  });

  it("prints help with every bench option and exits 0", async () => {
    const r = await dmm(["bench", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--strategies", "--coalescing", "--workloads", "--quick", "--out", "--jobs", "--shard", "--fixed-arena", "--heap-map", "--manifest", "--no-progress"]) {
      expect(r.stdout).toContain(flag);
    }
  });
});
