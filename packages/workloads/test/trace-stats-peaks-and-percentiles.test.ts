import { describe, expect, it } from "vitest";
import { sliceTrace, TraceBuilder, traceStats } from "@dmm/workloads";

describe("traceStats", () => {
  const t = new TraceBuilder()
    .malloc(0, 100) // live 100
    .calloc(1, 4, 50) // live 300, 2 objects
    .realloc(0, 400) // live 600: peak bytes
    .free(1) // live 400
    .realloc(0, 0) // realloc to 0 frees: live 0
    .malloc(0, 10)
    .malloc(1, 20)
    .malloc(2, 30) // 3 objects: peak objects
    .finish({ name: "t" });

  it("counts ops by kind and finds the peaks of live bytes and objects", () => {
    const s = traceStats(t);
    expect([s.ops, s.mallocs, s.callocs, s.reallocs, s.frees, s.ids]).toEqual([8, 4, 1, 2, 1, 3]);
    expect(s.peakLiveBytes).toBe(600);
    expect(s.peakLiveObjects).toBe(3);
    expect(s.finalLiveObjects).toBe(3);
  });

  it("reports nearest-rank percentiles of requested sizes (calloc as count x size)", () => {
    // requests: 100, 200, 400, 0, 10, 20, 30 -> sorted 0 10 20 30 100 200 400
    const { sizes } = traceStats(t);
    expect(sizes).toEqual({ min: 0, mean: 760 / 7, p50: 30, p90: 400, p99: 400, max: 400 });
  });

  it("a prefix from sliceTrace is a trace of its own", () => {
    const head = sliceTrace(t, 3);
    expect(head.length).toBe(3);
    expect(head.idCount).toBe(2);
    expect(traceStats(head).peakLiveBytes).toBe(600);
    expect(head.meta.name).toBe("t");
  });
});
