/**
 * What opposite-ends-fit is for, measured as the report measures it (replay with integrity checks on a growable
 * heap): on malloc-lab's binary shapes the freed large blocks stay together and merge into holes that hold the
 * follow-up requests, where best fit (like every classic policy) interleaves them with the small ones.
 */
import { createHeap, type Strategy } from "@dmm/core";
import { replay } from "@dmm/bench";
import { bestFit, oppositeEndsFit } from "@dmm/strategies";
import { generate } from "@dmm/workloads";
import { describe, expect, it } from "vitest";

const growable = (strategy: Strategy) => createHeap({ size: 0, maxSize: 1 << 26, strategy });

describe("opposite-ends-fit on the course shapes", () => {
  it("on the binary and binary2 shapes keeps the freed large blocks together: far above best fit's 55% / 51%", () => {
    for (const [params, floor] of [
      [{ pairs: 500, small: 64, large: 448, followUp: 512 }, 0.9],
      [{ pairs: 1000, small: 16, large: 112, followUp: 128 }, 0.85],
    ] as const) {
      const trace = generate("size-alternation", params);
      const ours = replay(trace, growable(oppositeEndsFit()), { integrity: true, checkEvery: 97 }).utilization;
      const best = replay(trace, growable(bestFit()), { integrity: true }).utilization;
      expect(best).toBeLessThan(0.56);
      expect(ours).toBeGreaterThan(floor);
    }
  });


  it("stays within a point of best fit on the realloc shapes (realloc2's 4 KiB buffer gets no slab)", () => {
    for (const params of [
      { steps: 600, startSize: 4092, step: 5, small: 16 },
      { steps: 600, startSize: 512, step: 128, small: 128 },
    ]) {
      const trace = generate("realloc-between", params);
      const ours = replay(trace, growable(oppositeEndsFit()), { integrity: true, checkEvery: 101 }).utilization;
      const best = replay(trace, growable(bestFit()), { integrity: true }).utilization;
      expect(ours).toBeGreaterThan(best - 0.01);
    }
  });
});
