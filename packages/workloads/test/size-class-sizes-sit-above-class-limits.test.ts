import { describe, expect, it } from "vitest";
import { generate } from "@dmm/workloads";

const sizes = (params: Record<string, unknown>) => new Set([...generate("size-class", { ops: 4000, live: 500, ...params })].filter((o) => o.kind === "a").map((o) => o.size));

describe("size-class generator", () => {
  it("asks only for 2^k + offset bytes, k in [minLog, maxLog]", () => {
    expect([...sizes({ minLog: 4, maxLog: 6 })].sort((a, b) => a - b)).toEqual([17, 33, 65]);
  });

  it("with subdivisions, also for the limits between powers of two", () => {
    expect([...sizes({ minLog: 5, maxLog: 5, subdivisions: 4, offset: 2 })].sort((a, b) => a - b)).toEqual([34, 42, 50, 58]);
  });
});
