import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTrace, TraceError } from "@dmm/workloads";

/** Lines that look almost like trace lines: right letters, wrong or missing numbers, stray signs and hex. */
const token = fc.constantFrom("a", "c", "r", "f", "x", "+", "-", "<", ">", "!", "@", "=", "#", "0", "1", "7", "-3", "0x10", "(nil)", "12ab", "4294967296", "");
const line = fc.array(token, { maxLength: 5 }).map((t) => t.join(" "));
const text = fc.array(line, { maxLength: 30 }).map((lines) => lines.join("\n"));

describe("parsers on arbitrary input", () => {
  it.each(["dmm", "rep", "mtrace", undefined] as const)("%s: a whole trace or a TraceError with a line, nothing else", (format) => {
    fc.assert(
      fc.property(text, (t) => {
        try {
          const trace = parseTrace(t, format ? { format } : {});
          expect(trace.length).toBe([...trace].length);
        } catch (e) {
          expect(e).toBeInstanceOf(TraceError);
          expect((e as TraceError).line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
