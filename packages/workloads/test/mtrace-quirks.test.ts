import { describe, expect, it } from "vitest";
import { parseTrace } from "@dmm/workloads";
import { opsOf } from "./helpers.js";

describe("mtrace reader", () => {
  it("turns addresses into ids, pairs < and > into a realloc, and reuses freed ids", () => {
    const log = [
      "= Start",
      "@ ./prog:[0x401136] + 0x4052a0 0x64",
      "@ ./prog:[0x40114a] + 0x405310 0x10",
      "@ ./prog:[0x40115a] < 0x4052a0",
      "@ ./prog:[0x40115a] > 0x405720 0xc8",
      "@ /lib/x86_64-linux-gnu/libc.so.6:(__libc_start_main+0xea)[0x7f3c] - 0x405720",
      "@ ./prog:[0x401170] + 0x4052a0 0x20",
      "= End",
      "",
    ].join("\n");
    const t = parseTrace(log);
    expect(t.meta.format).toBe("mtrace");
    expect(opsOf(t)).toEqual(["a 0 100", "a 1 16", "r 0 200", "f 0", "a 0 32"]);
    expect(t.meta["mtrace.end"]).toBe("yes");
  });

  it("reads lines without a caller field and a size printed as bare 0", () => {
    const t = parseTrace("+ 0x10 0\n< 0x10\n> 0x10 0x8\n- 0x10\n");
    expect(opsOf(t)).toEqual(["a 0 0", "r 0 8", "f 0"]);
  });

  it("drops failed mallocs and failed reallocs, counting them", () => {
    const t = parseTrace("= Start\n+ (nil) 0x7fffffffffff\n+ 0x20 0x8\n! 0x20 0x7fffffffffff\n- 0x20\n= End\n");
    expect(opsOf(t)).toEqual(["a 0 8", "f 0"]);
    expect(t.meta["mtrace.failedMallocs"]).toBe("1");
    expect(t.meta["mtrace.failedReallocs"]).toBe("1");
  });

  it("counts and drops frees of addresses allocated before tracing began", () => {
    const t = parseTrace("= Start\n- 0x999\n+ 0x20 0x8\n- 0x888\n- 0x20\n");
    expect(opsOf(t)).toEqual(["a 0 8", "f 0"]);
    expect(t.meta["mtrace.unknownFrees"]).toBe("2");
  });

  it("reads a realloc of a pre-tracing block as a new object", () => {
    const t = parseTrace("< 0x500\n> 0x600 0x40\n- 0x600\n");
    expect(opsOf(t)).toEqual(["a 0 64", "f 0"]);
    expect(t.meta["mtrace.unknownReallocs"]).toBe("1");
  });

  it("copes with a missing '= End' and a truncated last line", () => {
    const t = parseTrace("= Start\n+ 0x20 0x8\n+ 0x40 0x1\n- 0x2");
    expect(opsOf(t)).toEqual(["a 0 8", "a 1 1"]);
    expect(t.meta["mtrace.end"]).toBe("missing");
    expect(t.meta["mtrace.truncatedLines"]).toBe("1");
  });

  it("frees the old object when an address comes back without a free we saw", () => {
    const t = parseTrace("+ 0x20 0x8\n+ 0x20 0x10\n");
    expect(opsOf(t)).toEqual(["a 0 8", "f 0", "a 0 16"]);
    expect(t.meta["mtrace.reusedAddresses"]).toBe("1");
  });

  it("gives a late free after a reused address to the old object, so the new one stays live (the thread race)", () => {
    // Thread A frees 0x20 and B gets it back, but B's "+" is logged before A's "-".
    const t = parseTrace("+ 0x20 0x8\n+ 0x20 0x10\n- 0x20\n+ 0x40 0x4\n- 0x20\n- 0x40\n");
    expect(opsOf(t)).toEqual(["a 0 8", "f 0", "a 0 16", "a 1 4", "f 0", "f 1"]);
    expect(t.meta["mtrace.reusedAddresses"]).toBe("1");
    expect(t.meta["mtrace.lateFrees"]).toBe("1");
    expect(t.meta["mtrace.unknownFrees"]).toBeUndefined();
  });

  it("owes one late free per reuse: the free after it ends the object that holds the address", () => {
    const t = parseTrace("+ 0x20 0x8\n+ 0x20 0x10\n+ 0x20 0x18\n- 0x20\n- 0x20\n- 0x20\n");
    expect(opsOf(t)).toEqual(["a 0 8", "f 0", "a 0 16", "f 0", "a 0 24", "f 0"]);
    expect(t.meta["mtrace.lateFrees"]).toBe("2");
  });

  it("drops a late free that comes after the new object was reallocated away", () => {
    const t = parseTrace("+ 0x20 0x8\n+ 0x20 0x10\n< 0x20\n> 0x80 0x40\n- 0x20\n- 0x80\n");
    expect(opsOf(t)).toEqual(["a 0 8", "f 0", "a 0 16", "r 0 64", "f 0"]);
    expect(t.meta["mtrace.lateFrees"]).toBe("1");
    expect(t.meta["mtrace.unknownFrees"]).toBeUndefined();
  });

  it("frees the old block of a realloc whose second half never came", () => {
    expect(opsOf(parseTrace("+ 0x20 0x8\n< 0x20\n+ 0x40 0x8\n"))).toEqual(["a 0 8", "f 0", "a 0 8"]);
    expect(opsOf(parseTrace("+ 0x20 0x8\n< 0x20\n= End\n"))).toEqual(["a 0 8", "f 0"]);
  });

  it("reads realloc in place (same address) as a realloc of the same id", () => {
    const t = parseTrace("@ [0x1] + 0x20 0x8\n@ [0x1] < 0x20\n@ [0x1] > 0x20 0x18\n");
    expect(opsOf(t)).toEqual(["a 0 8", "r 0 24"]);
  });
});
