import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { invocationDir } from "../src/cli.js";
import { dmm } from "./cli.js";
import { randomTraceText, tinyWorkspace } from "./fixtures.js";

describe("paths in arguments are relative to where the user ran the command", () => {
  it("trusts INIT_CWD only when pnpm ran the script from its package folder", () => {
    const env = { INIT_CWD: "/home/u/project/sub", npm_package_json: "/home/u/project/package.json" };
    expect(invocationDir("/home/u/project", env)).toBe("/home/u/project/sub");
    expect(invocationDir("/home/u/elsewhere", env)).toBe("/home/u/elsewhere"); // the script cd'd first
    expect(invocationDir("/home/u/project", {})).toBe("/home/u/project");
  });

  it("benches a trace and writes the report by paths relative to a subfolder, as `pnpm bench` from there", async () => {
    const { dir, manifest } = tinyWorkspace(200);
    writeFileSync(join(dir, "package.json"), "{}");
    const sub = join(dir, "deep", "sub");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "mine.trace"), randomTraceText(300, 7));
    const env = { INIT_CWD: sub, npm_package_json: join(dir, "package.json") };
    const r = await dmm(["bench", "--manifest", manifest, "--workloads", "./mine.trace", "--strategies", "first-fit", "--coalescing", "on", "--quick", "--jobs", "1", "--out", "out"], { cwd: dir, env });
    expect(r.stderr).not.toMatch(/dmm:/);
    expect(r.code).toBe(0);
    expect(existsSync(join(sub, "out", "index.html"))).toBe(true);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(r.stdout).toContain("mine.trace");
  });
});
