import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { detectFormat, readTrace, TraceBuilder, TraceError, writeTrace } from "@dmm/workloads";
import { opsOf } from "./helpers.js";

describe("readTrace", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmm-workloads-"));

  it("detects each format from content", () => {
    expect(detectFormat("# name: x\n")).toBe("dmm");
    expect(detectFormat("\n\na 0 8\n")).toBe("dmm");
    expect(detectFormat("1000\n1\n1\n1\na 0 8\n")).toBe("rep");
    expect(detectFormat("= Start\n")).toBe("mtrace");
    expect(detectFormat("@ ./a.out:[0x401136] + 0x4052a0 0x64\n")).toBe("mtrace");
    expect(detectFormat("+ (nil) 0x10\n")).toBe("mtrace");
  });

  it("reads gzipped files of any format, whatever the extension", async () => {
    const path = join(dir, "log.bin");
    writeFileSync(path, gzipSync("= Start\n+ 0x10 0x8\n- 0x10\n= End\n"));
    const t = await readTrace(path);
    expect(opsOf(t)).toEqual(["a 0 8", "f 0"]);
    expect(t.meta.format).toBe("mtrace");
    expect(t.meta.name).toBe("log.bin");
  });

  it("writes and reads back .trace.gz and .rep", async () => {
    const t = new TraceBuilder().malloc(0, 24).calloc(1, 3, 8).free(0).finish({ name: "w" });
    await writeTrace(join(dir, "w.trace.gz"), t);
    await writeTrace(join(dir, "w.rep"), t);
    expect(opsOf(await readTrace(join(dir, "w.trace.gz")))).toEqual(["a 0 24", "c 1 3 8", "f 0"]);
    expect(opsOf(await readTrace(join(dir, "w.rep")))).toEqual(["a 0 24", "a 1 24", "f 0"]);
  });

  it("names the file in errors", async () => {
    const path = join(dir, "broken.trace");
    writeFileSync(path, "a 0 8\nf 1\n");
    const e = await readTrace(path).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TraceError);
    expect((e as TraceError).file).toBe(path);
    expect((e as TraceError).line).toBe(2);
  });
});
