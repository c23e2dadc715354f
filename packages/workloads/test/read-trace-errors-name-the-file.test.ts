import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseTrace, readTrace, TraceError } from "@dmm/workloads";
import { opsOf } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "dmm-read-errors-"));

async function rejection(path: string): Promise<TraceError> {
  let caught: unknown;
  try {
    await readTrace(path);
  } catch (e) {
    caught = e;
  }
  expect(caught, "readTrace should reject with a TraceError").toBeInstanceOf(TraceError);
  return caught as TraceError;
}

describe("readTrace turns file-system and zlib failures into TraceErrors naming the file", () => {
  it("a missing file: UNREADABLE (ENOENT), not a raw fs error", async () => {
    const path = join(dir, "nope.trace");
    const e = await rejection(path);
    expect(e.code).toBe("UNREADABLE");
    expect(e.file).toBe(path);
    expect(e.message).toContain(path);
    expect(e.message).toContain("ENOENT");
  });

  it("a directory: UNREADABLE (EISDIR)", async () => {
    const e = await rejection(dir);
    expect(e.code).toBe("UNREADABLE");
    expect(e.file).toBe(dir);
  });

  it("a corrupt .gz: BAD_GZIP", async () => {
    const gz = gzipSync("a 0 8\nf 0\n");
    gz.fill(0x55, 10, gz.length - 8); // the deflate stream garbled, the magic bytes kept
    const path = join(dir, "corrupt.trace.gz");
    writeFileSync(path, gz);
    const e = await rejection(path);
    expect(e.code).toBe("BAD_GZIP");
    expect(e.file).toBe(path);
  });

  it("a truncated .gz: BAD_GZIP", async () => {
    const gz = gzipSync("a 0 8\n".repeat(1000));
    const path = join(dir, "truncated.trace.gz");
    writeFileSync(path, gz.subarray(0, gz.length >> 1));
    const e = await rejection(path);
    expect(e.code).toBe("BAD_GZIP");
    expect(e.message).toContain(path);
  });
});

describe("line endings and byte-order marks", () => {
  const texts = {
    dmm: "# generator: test\na 0 8\na 1 16\nf 0\nf 1\n",
    rep: "1000\n2\n4\n1\na 0 8\na 1 16\nf 0\nf 1\n",
    mtrace: "= Start\n@ ./a.out:[0x401136] + 0x10 0x8\n@ ./a.out:[0x401136] + 0x20 0x10\n@ ./a.out:[0x401146] - 0x10\n@ ./a.out:[0x401146] - 0x20\n= End\n",
  };
  const expected = ["a 0 8", "a 1 16", "f 0", "f 1"];

  it.each(Object.keys(texts) as Array<keyof typeof texts>)("%s with CR-only line endings parses like LF (not as an empty trace)", (format) => {
    const cr = texts[format].replace(/\n/g, "\r");
    expect(opsOf(parseTrace(cr))).toEqual(expected);
    expect(opsOf(parseTrace(texts[format].replace(/\n/g, "\r\n")))).toEqual(expected);
  });

  it("a CR-only file's errors name the right line", () => {
    let caught: unknown;
    try {
      parseTrace("a 0 8\rx 1 2\r");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TraceError);
    expect((caught as TraceError).line).toBe(2);
  });

  it.each(Object.keys(texts) as Array<keyof typeof texts>)("%s with a byte-order mark is accepted, as text and as a file", async (format) => {
    expect(opsOf(parseTrace(`\uFEFF${texts[format]}`))).toEqual(expected);
    const path = join(dir, `bom-${format}.txt`);
    writeFileSync(path, `\uFEFF${texts[format]}`);
    expect(opsOf(await readTrace(path))).toEqual(expected);
  });
});
