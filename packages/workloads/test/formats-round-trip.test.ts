import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTrace, parseTrace, TraceBuilder } from "@dmm/workloads";
import { opsOf } from "./helpers.js";

/** Any valid op sequence: allocate fresh or reused ids, realloc and free only live ones. */
const validTrace = fc
  .array(fc.tuple(fc.nat(3), fc.nat(50), fc.nat(5000), fc.nat(9)), { maxLength: 200 })
  .map((steps) => {
    const b = new TraceBuilder();
    const live: number[] = [];
    const dead: number[] = [];
    let next = 0;
    for (const [what, pick, size, count] of steps) {
      if (what <= 1 || live.length === 0) {
        const id = dead.length > 0 && pick % 2 === 0 ? dead.pop()! : next++;
        if (what === 1) b.calloc(id, count, size);
        else b.malloc(id, size);
        live.push(id);
      } else if (what === 2) {
        b.realloc(live[pick % live.length]!, size + 1);
      } else {
        const [id] = live.splice(pick % live.length, 1);
        b.free(id!);
        dead.push(id!);
      }
    }
    return b.finish({ name: "prop", generator: "fast-check", params: '{"a":1}', seed: "7" });
  });

describe("formats round-trip", () => {
  it("dmm text -> trace -> dmm text is the identity, metadata included", () => {
    fc.assert(
      fc.property(validTrace, (trace) => {
        const text = formatTrace(trace, "dmm");
        const back = parseTrace(text);
        expect(opsOf(back)).toEqual(opsOf(trace));
        expect(back.meta).toMatchObject(trace.meta);
        expect(back.idCount).toBe(trace.idCount);
        expect(formatTrace(back, "dmm")).toBe(text);
      }),
    );
  });

  it("rep keeps every op, writing calloc(n, s) as malloc of n*s", () => {
    fc.assert(
      fc.property(validTrace, (trace) => {
        const back = parseTrace(formatTrace(trace, "rep"));
        expect(back.meta.format).toBe("rep");
        const expected = opsOf(trace).map((s) => s.replace(/^c (\d+) (\d+) (\d+)$/, (_, id, n, sz) => `a ${id} ${Number(n) * Number(sz)}`));
        expect(opsOf(back)).toEqual(expected);
      }),
    );
  });

  it("writes the .rep header: peak live bytes, ids, ops, weight", () => {
    const t = new TraceBuilder().malloc(0, 100).malloc(1, 50).free(0).realloc(1, 300).finish();
    expect(formatTrace(t, "rep")).toBe("300\n2\n4\n1\na 0 100\na 1 50\nf 0\nr 1 300\n");
  });

  it("reads a CS:APP trace with CRLF line ends and blank lines", () => {
    const t = parseTrace("20000\r\n2\r\n4\r\n1\r\na 0 512\r\n\r\na 1 128\r\nr 0 640\r\nf 1\r\n", { name: "x" });
    expect(opsOf(t)).toEqual(["a 0 512", "a 1 128", "r 0 640", "f 1"]);
    expect(t.meta).toMatchObject({ name: "x", format: "rep", suggestedHeapSize: "20000", weight: "1" });
  });

  it("treats realloc to 0 as the end of the object, as C does", () => {
    const t = parseTrace("a 0 8\nr 0 0\na 0 16\n");
    expect(opsOf(t)).toEqual(["a 0 8", "r 0 0", "a 0 16"]);
  });
});
