import { describe, expect, it } from "vitest";
import { formatTrace } from "@dmm/workloads";
import { traceFromLog } from "../src/record.js";

const body = (text: string) => formatTrace(traceFromLog(text).trace).split("\n").filter((l) => l && !l.startsWith("#")).join("\n");

describe("the interposer's log becomes a trace", () => {
  it("binds addresses to ids, reuses a freed id, and reads calloc, realloc and realloc(p, 0)", () => {
    const log = ["x 1", "m a0 16", "c b0 4 8", "f a0", "m a0 24", "r b0 c0 64", "f c0", "r 0 d0 5", "f d0", ""].join("\n");
    // realloc(NULL, n) is logged as m by the interposer; realloc(p, 0) as f.
    expect(body(log)).toBe(["a 0 16", "c 1 4 8", "f 0", "a 0 24", "r 1 64", "f 1", "a 1 5", "f 1"].join("\n"));
  });

  it("frees what a process image left live when it execs, and counts frees it never saw allocated", () => {
    const { trace, counts } = traceFromLog(["x 1", "m a0 16", "f ff", "x 1", "m a0 32", ""].join("\n"));
    expect(formatTrace(trace).split("\n").filter((l) => /^[acrf] /.test(l))).toEqual(["a 0 16", "f 0", "a 0 32"]);
    expect(counts).toMatchObject({ images: 2, unknownFrees: 1 });
    expect(trace.meta["record.unknownFrees"]).toBe("1");
  });

  it("refuses a damaged log with its line number", () => {
    expect(() => traceFromLog("x 1\nm a0 16\nq 1\n")).toThrow(/bad line 3: "q 1"/);
  });
});
