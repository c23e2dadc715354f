import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatTrace, parseTrace } from "@dmm/workloads";
import { opsOf } from "./helpers.js";

/**
 * The first 1000 lines of a real cc1 log (caller paths shortened), cut in the middle of line 1001 as a killed
 * process leaves it, checked against a deliberately naive reading: split lines, split fields, a Map.
 */
const log = readFileSync(new URL("./fixtures/cc1-head.mtrace", import.meta.url), "utf8");

function naive(text: string): string[] {
  const ops: string[] = [];
  const idOf = new Map<string, number>();
  const spare: number[] = [];
  let next = 0;
  let pending: string | null = null;
  const lines = text.split("\n");
  lines.pop(); // the truncated last line
  for (const line of lines) {
    const f = line.split(" ").filter((x) => x !== "");
    if (f[0] === "=") continue;
    if (f[0] === "@") f.splice(0, 2);
    const [op, addr, size] = f;
    if (op === "+") {
      const id = spare.length ? spare.pop()! : next++;
      idOf.set(addr!, id);
      ops.push(`a ${id} ${parseInt(size!, 16)}`);
    } else if (op === "-") {
      const id = idOf.get(addr!)!;
      idOf.delete(addr!);
      spare.push(id);
      ops.push(`f ${id}`);
    } else if (op === "<") pending = addr!;
    else if (op === ">") {
      const id = idOf.get(pending!)!;
      idOf.delete(pending!);
      idOf.set(addr!, id);
      ops.push(`r ${id} ${parseInt(size!, 16)}`);
    }
  }
  return ops;
}

describe("a real mtrace log", () => {
  it("reads the same ops as a naive reading, and notes the truncated last line", () => {
    const t = parseTrace(log, { name: "cc1-head" });
    expect(t.meta.format).toBe("mtrace");
    expect(opsOf(t)).toEqual(naive(log));
    expect(opsOf(t).some((op) => op.startsWith("r "))).toBe(true);
    expect(t.meta["mtrace.truncatedLines"]).toBe("1");
    expect(t.meta["mtrace.end"]).toBe("missing");
  });

  it("converts to the native format and back without change", () => {
    const t = parseTrace(log);
    const text = formatTrace(t);
    expect(text).toContain("# mtrace.truncatedLines: 1");
    expect(opsOf(parseTrace(text))).toEqual(opsOf(t));
  });
});
