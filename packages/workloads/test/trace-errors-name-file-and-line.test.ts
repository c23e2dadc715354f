import { describe, expect, it } from "vitest";
import { parseTrace, TraceError, type TraceErrorCode } from "@dmm/workloads";

function errorOf(text: string, format?: "dmm" | "rep" | "mtrace"): TraceError {
  try {
    parseTrace(text, { file: "bad.trace", ...(format && { format }) });
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    return e as TraceError;
  }
  throw new Error("expected a TraceError");
}

const cases: Array<[string, string, TraceErrorCode, number, ("dmm" | "rep" | "mtrace")?]> = [
  ["unknown op", "# name: x\na 0 8\nx 1 8\n", "UNKNOWN_OP", 3],
  ["two-letter op", "a 0 8\nab 1 8\n", "UNKNOWN_OP", 2],
  ["calloc in .rep", "0\n1\n1\n1\nc 0 2 8\n", "UNKNOWN_OP", 5],
  ["missing size", "a 0 8\na 1\n", "MISSING_FIELD", 2],
  ["missing id", "a 0 8\nf\n", "MISSING_FIELD", 2],
  ["missing calloc size", "c 0 4\n", "MISSING_FIELD", 1],
  ["non-numeric size", "a 0 8\na 1 eight\n", "BAD_NUMBER", 2],
  ["size with a suffix", "a 0 8k\n", "BAD_NUMBER", 1],
  ["extra field", "f 0 8\n", "BAD_NUMBER", 1],
  ["negative id", "a -1 8\n", "BAD_NUMBER", 1],
  ["negative size", "a 0 8\na 1 -16\n", "NEGATIVE_SIZE", 2],
  ["negative count", "c 0 -2 16\n", "NEGATIVE_SIZE", 1],
  ["negative realloc size", "a 0 8\nr 0 -1\n", "NEGATIVE_SIZE", 2],
  ["free of an unknown id", "a 0 8\nf 0\nf 7\n", "UNKNOWN_ID", 3],
  ["realloc of an unknown id", "a 0 8\nr 3 16\n", "UNKNOWN_ID", 2],
  ["double free", "a 0 8\na 1 8\nf 0\nf 0\n", "ALREADY_FREED", 4],
  ["realloc after free", "a 0 8\nf 0\nr 0 16\n", "ALREADY_FREED", 3],
  ["free after realloc to 0", "a 0 8\nr 0 0\nf 0\n", "ALREADY_FREED", 3],
  ["malloc of a live id", "a 0 8\na 0 8\n", "DUPLICATE_ID", 2],
  ["ops header not a number", "# name: x\n# ops: many\na 0 8\n", "BAD_HEADER", 2],
  ["ops header disagrees", "# ops: 3\na 0 8\nf 0\n", "COUNT_MISMATCH", 1],
  ["ids header disagrees", "# name: n\n# ids: 5\na 0 8\n", "COUNT_MISMATCH", 2],
  ["rep ops count disagrees", "100\n2\n3\n1\na 0 8\nf 0\n", "COUNT_MISMATCH", 3],
  ["rep id beyond the id count", "100\n1\n2\n1\na 0 8\na 1 8\n", "COUNT_MISMATCH", 6],
  ["rep header too short", "100\n2\na 0 8\n", "MISSING_FIELD", 3],
  ["rep file ends inside its header", "100\n2\n", "MISSING_FIELD", 3, "rep"],
  ["empty rep file", "", "MISSING_FIELD", 1, "rep"],
  ["rep header not a number", "100\n2\nthree\n1\n", "BAD_NUMBER", 3, "rep"],
  ["not a trace at all", "\nhello world\n", "UNKNOWN_FORMAT", 2],
  ["mtrace unknown op", "= Start\n@ ./p:[0x1] + 0x10 0x8\n@ ./p:[0x1] * 0x10\n", "UNKNOWN_OP", 3],
  ["mtrace bad address", "= Start\n+ 0xzz 0x8\n", "BAD_NUMBER", 2],
  ["mtrace missing size", "= Start\n+ 0x10\n- 0x10\n", "MISSING_FIELD", 2],
];

describe("TraceError names the file and line", () => {
  it.each(cases)("%s", (_, text, code, line, format) => {
    const e = errorOf(text, format);
    expect(e.code).toBe(code);
    expect(e.line).toBe(line);
    expect(e.file).toBe("bad.trace");
    expect(e.message).toContain(`bad.trace:${line}: ${code}`);
  });
});
