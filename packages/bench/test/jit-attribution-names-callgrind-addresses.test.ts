import { describe, expect, it } from "vitest";
import { nameAt, parsePerfMap, perOpDifference, selfInstructions } from "../bench/jit-attribution.js";

// A perf map as V8 writes it (hex start, hex size, name), out of order, with a line that is not a range.
const MAP = ["2000 40 JS:*malloc heap.js:491:11", "1000 100 JS:*free heap.js:619:9", "not a range", "3000 10 Builtin:LoadIC"].join("\n");

// A callgrind file with `positions: instr line`: absolute, relative and repeated positions, and a call whose
// inclusive cost line must not count.
const CALLGRIND = [
  "positions: instr line",
  "events: Ir",
  "fn=(1) 0x1000",
  "0x1000 0 5", //      free +5
  "+16 0 7", //         0x1010, free +7
  "* 0 1", //           0x1010 again, free +1
  "cfn=(2) 0x2000",
  "calls=3 0x2000",
  "+8 0 1000", //       0x1018: the call's inclusive cost, skipped
  "+4 0 2", //          0x101c, free +2
  "fn=(2) 0x2000",
  "0x2000 0 11", //     malloc +11
  "-4096 0 3", //       0x1000, free +3
  "0x5000 0 13", //     no range: not generated code
].join("\n");

describe("jit attribution (callgrind instructions by V8 code object)", () => {
  it("reads a perf map sorted by start and skips lines that are not ranges", () => {
    expect(parsePerfMap(MAP).map((r) => [r.start, r.size])).toEqual([[0x1000, 0x100], [0x2000, 0x40], [0x3000, 0x10]]);
  });

  it("names an address by the range holding it, and no name past a range's end", () => {
    const ranges = parsePerfMap(MAP);
    expect(nameAt(ranges, 0x1000)).toBe("JS:*free heap.js:619:9");
    expect(nameAt(ranges, 0x10ff)).toBe("JS:*free heap.js:619:9");
    expect(nameAt(ranges, 0x1100)).toBeNull();
    expect(nameAt(ranges, 0x0fff)).toBeNull();
    expect(nameAt(ranges, 0x203f)).toBe("JS:*malloc heap.js:491:11");
  });

  it("counts each instruction once as self cost, following relative positions and skipping inclusive call costs", () => {
    const self = selfInstructions(CALLGRIND, parsePerfMap(MAP));
    expect(Object.fromEntries(self)).toEqual({
      "JS:*free heap.js:619:9": 5 + 7 + 1 + 2 + 3,
      "JS:*malloc heap.js:491:11": 11,
      "(not generated code)": 13,
    });
  });

  it("divides what the longer run spent beyond the shorter by the extra ops, largest first", () => {
    const shorter = new Map([["a", 100], ["b", 50]]);
    const longer = new Map([["a", 500], ["b", 850], ["c", 40]]);
    expect(perOpDifference(shorter, longer, 4)).toEqual([["b", 200], ["a", 100], ["c", 10]]);
  });
});
