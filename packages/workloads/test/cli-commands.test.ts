import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli.js";
import { readTrace } from "@dmm/workloads";
import { opsOf } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "dmm-cli-"));

async function output(argv: string[]): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  try {
    await runCli(argv);
  } finally {
    spy.mockRestore();
  }
  return lines.join("\n");
}

describe("workloads CLI", () => {
  afterEach(() => vi.restoreAllMocks());

  it("list shows every generator with parameter units and defaults", async () => {
    const text = await output(["list"]);
    expect(text).toContain("mixed (randomized)");
    expect(text).toContain("checkerboard (adversarial)");
    expect(text).toMatch(/--param live=20000 objects/);
  });

  it("generate writes the same file twice for the same seed", async () => {
    const a = join(dir, "a.trace");
    const b = join(dir, "b.trace");
    await output(["generate", "mixed", "--param", "ops=500", "--param", "live=50", "--seed", "9", "--out", a]);
    await output(["generate", "mixed", "-p", "ops=500", "-p", "live=50", "-s", "9", "-o", b]);
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
    expect((await readTrace(a)).length).toBe(500);
  });

  it("info prints op counts, peak live bytes and objects, size percentiles", async () => {
    const file = join(dir, "i.trace");
    await output(["generate", "checkerboard", "-p", "blocks=10", "-p", "rounds=1", "-o", file]);
    const text = await output(["info", file]);
    expect(text).toMatch(/ops\s+20/);
    expect(text).toMatch(/malloc\s+10/);
    expect(text).toMatch(/free\s+10/);
    expect(text).toMatch(/peak live bytes\s+640/);
    expect(text).toMatch(/peak live objects\s+10/);
    expect(text).toMatch(/size p50\/p90\/p99\/max\s+64 \/ 64 \/ 64 \/ 64/);
  });

  it("convert turns an mtrace log into a .rep file, optionally cut to the first ops", async () => {
    const log = join(dir, "log.mtrace");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(log, "= Start\n+ 0x10 0x8\n+ 0x20 0x10\n- 0x10\n- 0x20\n= End\n");
    const rep = join(dir, "out.rep");
    await output(["convert", log, rep, "--max-ops", "3"]);
    expect(readFileSync(rep, "utf8")).toBe("24\n2\n3\n1\na 0 8\na 1 16\nf 0\n");
    expect(opsOf(await readTrace(rep))).toEqual(["a 0 8", "a 1 16", "f 0"]);
  });
});
