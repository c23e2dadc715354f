/**
 * The over-time charts draw, of each line's timeline samples, the ones the line needs (specs.ts simplifyLines): a
 * sample left out lies within LINE_TOLERANCE_PX of the segment joining the samples kept around it, measured on the
 * panel's pixels over its data range (the drawn axes span at least that), on a linear and on a log axis; the ends
 * stay, and a straight run of samples is drawn as its two ends.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { heapOverTimeChart, type Line, LINE_TOLERANCE_PX, simplifyLines } from "../src/specs.js";
import type { CellResult } from "../src/types.js";
import { runOf } from "./fixtures.js";

const WIDTH = 220;
const HEIGHT = 150;
type TestLine = { workload: string; series: string; ys: number[] };

/** Each line's samples at ops 37, 74, …: the lines simplifyLines takes. */
const linesOf = (lines: readonly TestLine[]): Line[] => lines.map((l) => ({ panel: l.workload, op: l.ys.map((_, i) => (i + 1) * 37), y: l.ys }));

/**
 * The largest distance, in its panel's pixels over the panel's data range, of a sample simplifyLines left out from
 * the segment joining the kept samples around it; and every line keeps its ends.
 */
function worstLeftOut(lines: readonly Line[], kept: readonly number[][], log: boolean): number {
  const f = (y: number) => (log ? Math.log(y) : y);
  let worst = 0;
  for (const panel of new Set(lines.map((l) => l.panel))) {
    const inPanel = lines.map((l, k) => ({ l, k })).filter(({ l }) => l.panel === panel);
    const xs = inPanel.flatMap(({ l }) => Array.from(l.op)), ys = inPanel.flatMap(({ l }) => Array.from(l.y, f));
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    for (const { l, k } of inPanel) {
      const px = (i: number) => (x1 > x0 ? ((l.op[i]! - x0) * WIDTH) / (x1 - x0) : 0);
      const py = (i: number) => (y1 > y0 ? ((f(l.y[i]!) - y0) * HEIGHT) / (y1 - y0) : 0);
      const keptHere = new Set(kept[k]);
      expect(keptHere.has(0) && keptHere.has(l.op.length - 1)).toBe(true);
      let before = 0;
      for (let i = 1; i < l.op.length; i++) {
        if (keptHere.has(i)) {
          before = i;
          continue;
        }
        let after = i + 1;
        while (!keptHere.has(after)) after++;
        const [ax, ay, bx, by, qx, qy] = [px(before), py(before), px(after), py(after), px(i), py(i)];
        const length = Math.hypot(bx - ax, by - ay);
        const t = length > 0 ? Math.max(0, Math.min(1, ((qx - ax) * (bx - ax) + (qy - ay) * (by - ay)) / (length * length))) : 0;
        worst = Math.max(worst, Math.hypot(qx - (ax + t * (bx - ax)), qy - (ay + t * (by - ay))));
      }
    }
  }
  return worst;
}

describe("over-time lines", () => {
  it.each([false, true])("leave out only samples within the tolerance of their line (log axis: %s)", (log) => {
    const line = fc.record({
      workload: fc.constantFrom("w1", "w2"),
      series: fc.constantFrom("a", "b", "c"),
      ys: fc.array(fc.oneof(fc.integer({ min: 1, max: 1e6 }), fc.constant(1000)), { minLength: 1, maxLength: 240 }),
    });
    // fast-check prints the seed and the shrunk counterexample on failure.
    fc.assert(
      fc.property(fc.uniqueArray(line, { selector: (l) => `${l.workload}/${l.series}`, minLength: 1, maxLength: 5 }), (testLines) => {
        const lines = linesOf(testLines);
        expect(worstLeftOut(lines, simplifyLines(lines, log), log)).toBeLessThanOrEqual(LINE_TOLERANCE_PX + 1e-9);
      }),
    );
  });

  it("draw a straight or flat run of samples as its two ends, and keep a one-sample spike", () => {
    const straight = linesOf([{ workload: "w", series: "a", ys: Array.from({ length: 240 }, (_, i) => 100 + 3 * i) }]);
    expect(simplifyLines(straight, false)).toEqual([[0, 239]]);
    const spike = linesOf([{ workload: "w", series: "a", ys: Array.from({ length: 240 }, (_, i) => (i === 121 ? 5000 : 1000)) }]);
    expect(simplifyLines(spike, false)).toEqual([[0, 120, 121, 122, 239]]);
  });

  it("take the heap-over-time chart's rows from every sample of the timelines, not a downsample of them", () => {
    // A spike at an odd sample: taking every second sample (as the chart did before) would never draw it.
    const timeline = Array.from({ length: 240 }, (_, i) => ({ op: i + 1, liveBytes: 100, heapBytes: i === 151 ? 900 : 200, usedBytes: 100, freeBytes: 0, largestFreeBlock: 0, freeBlocks: 0, externalFragmentation: 0 }));
    const cell = { index: 0, allocator: "first-fit", allocatorKind: "strategy", coalescing: "immediate", workload: "w1", workloadKind: "randomized", error: null, metrics: { peakLiveBytes: 100, peakHeapBytes: 900 }, timeline } as unknown as CellResult;
    const values = (heapOverTimeChart(runOf(["w1"], [cell])).spec as { data: { values: Array<{ series: string; op: number; bytes: number }> } }).data.values;
    expect(values.filter((v) => v.series === "first-fit").map((v) => [v.op, v.bytes])).toEqual([[1, 200], [151, 200], [152, 900], [153, 200], [240, 200]]);
    expect(values.filter((v) => v.series === "live bytes").map((v) => [v.op, v.bytes])).toEqual([[1, 100], [240, 100]]);
  });
});
