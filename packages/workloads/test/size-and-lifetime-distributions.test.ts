import { describe, expect, it } from "vitest";
import { generate, quantile, type Trace } from "@dmm/workloads";

function mallocSizes(t: Trace): Float64Array {
  const { kind, size } = t.columns;
  const out: number[] = [];
  for (let i = 0; i < kind.length; i++) if (kind[i] === 0) out.push(size[i]!);
  return new Float64Array(out).sort();
}
const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sizesOf = (params: Record<string, unknown>) => mallocSizes(generate("steady", { ops: 40000, liveBytes: 1e12, seed: 5, ...params }));

describe("size distributions match their parameters", () => {
  it("uniform: mean (min+max)/2, quartiles at 1/4 and 3/4", () => {
    const s = sizesOf({ dist: "uniform", minSize: 100, maxSize: 300 });
    expect(mean(s)).toBeCloseTo(200, -0.5);
    expect(Math.abs(quantile(s, 0.25) - 150)).toBeLessThan(5);
    expect(Math.abs(quantile(s, 0.75) - 250)).toBeLessThan(5);
    expect(s[0]).toBeGreaterThanOrEqual(100);
    expect(s[s.length - 1]).toBeLessThanOrEqual(300);
  });

  it("exponential: mean meanSize, median meanSize * ln 2", () => {
    const s = sizesOf({ dist: "exponential", meanSize: 500, minSize: 0, maxSize: 1e9 });
    expect(Math.abs(mean(s) / 500 - 1)).toBeLessThan(0.03);
    expect(Math.abs(quantile(s, 0.5) / (500 * Math.LN2) - 1)).toBeLessThan(0.05);
  });

  it("lognormal: median medianSize, p84 about medianSize * e^sigma", () => {
    const s = sizesOf({ dist: "lognormal", medianSize: 200, sigma: 0.5, minSize: 0, maxSize: 1e9 });
    expect(Math.abs(quantile(s, 0.5) / 200 - 1)).toBeLessThan(0.04);
    expect(Math.abs(quantile(s, 0.8413) / (200 * Math.exp(0.5)) - 1)).toBeLessThan(0.05);
  });

  it("powerlaw: median minSize * 2^(1/(alpha-1)), heavy tail", () => {
    const s = sizesOf({ dist: "powerlaw", alpha: 2.5, minSize: 16, maxSize: 1e9 });
    expect(Math.abs(quantile(s, 0.5) / (16 * 2 ** (1 / 1.5)) - 1)).toBeLessThan(0.05);
    // P(X > 10 min) = 10^-(alpha-1)
    const above = s.filter((x) => x > 160).length / s.length;
    expect(Math.abs(above / 10 ** -1.5 - 1)).toBeLessThan(0.15);
  });

  it("mixed: 70% in 8-64 B, 25% in 65-1024 B, 5% above", () => {
    const s = mallocSizes(generate("mixed", { ops: 40000, live: 20000, seed: 9 }));
    const frac = (lo: number, hi: number) => s.filter((x) => x >= lo && x <= hi).length / s.length;
    // Ranges share their endpoints (64, 1024), so allow a little slack on each share.
    expect(Math.abs(frac(8, 64) - 0.7)).toBeLessThan(0.015);
    expect(Math.abs(frac(65, 1024) - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(frac(1025, 16384) - 0.05)).toBeLessThan(0.01);
  });
});

describe("discrete mixes", () => {
  it("single sizes come out in proportion to their weights", () => {
    const s = sizesOf({ dist: "mix", mix: "16:3,48:1", minSize: 0 });
    const share16 = s.filter((x) => x === 16).length / s.length;
    expect(s.every((x) => x === 16 || x === 48)).toBe(true);
    expect(Math.abs(share16 - 0.75)).toBeLessThan(0.015);
  });
});

describe("lifetimes match their parameters", () => {
  /** Lifetime of each freed object in allocations: mallocs between its malloc and its free. */
  function lifetimes(t: Trace): number[] {
    const { kind, id } = t.columns;
    const bornAt = new Map<number, number>();
    const out: number[] = [];
    let allocations = 0;
    for (let i = 0; i < kind.length; i++) {
      if (kind[i] === 0) bornAt.set(id[i]!, allocations++);
      else if (kind[i] === 3) out.push(allocations - bornAt.get(id[i]!)!);
    }
    return out;
  }

  it("exponential lifetimes have the requested mean", () => {
    const l = lifetimes(generate("lifetimes", { ops: 60000, meanLifetime: 200, seed: 3 }));
    expect(Math.abs(l.reduce((a, b) => a + b, 0) / l.length / 200 - 1)).toBeLessThan(0.05);
  });

  it("lifetimeBySize < 0 makes large objects die young", () => {
    const t = generate("lifetimes", { ops: 40000, dist: "uniform", minSize: 16, maxSize: 1024, lifetimeBySize: -1, seed: 8 });
    const { kind, id, size } = t.columns;
    const born = new Map<number, [number, number]>();
    const small: number[] = [];
    const large: number[] = [];
    let allocations = 0;
    for (let i = 0; i < kind.length; i++) {
      if (kind[i] === 0) born.set(id[i]!, [allocations++, size[i]!]);
      else {
        const [at, bytes] = born.get(id[i]!)!;
        (bytes < 64 ? small : bytes > 512 ? large : []).push(allocations - at);
      }
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Lifetimes scale with 64 / size: objects above 512 B live at least 8x shorter than those below 64 B.
    expect(avg(small) / avg(large)).toBeGreaterThan(8);
  });

  it("live objects settle near the mean lifetime (Little's law)", () => {
    const t = generate("lifetimes", { ops: 60000, meanLifetime: 300, seed: 4 });
    let live = 0;
    let sum = 0;
    let samples = 0;
    const { kind } = t.columns;
    for (let i = 0; i < kind.length; i++) {
      live += kind[i] === 0 ? 1 : kind[i] === 3 ? -1 : 0;
      if (i > 20000) (sum += live), samples++;
    }
    expect(Math.abs(sum / samples / 300 - 1)).toBeLessThan(0.1);
  });
});

describe("steady and phase shapes", () => {
  it("steady stays within a few objects of its target live bytes", () => {
    const t = generate("steady", { ops: 20000, liveBytes: 100000, dist: "uniform", minSize: 10, maxSize: 100, seed: 2 });
    let live = 0;
    const sizeOf = new Map<number, number>();
    const { kind, id, size } = t.columns;
    for (let i = 0; i < kind.length; i++) {
      if (kind[i] === 0) (live += size[i]!), sizeOf.set(id[i]!, size[i]!);
      else live -= sizeOf.get(id[i]!)!;
      if (i > 5000) expect(Math.abs(live - 100000)).toBeLessThanOrEqual(100);
    }
  });

  it("a ramp ends near peakBytes live and a peak returns to where it started", () => {
    const liveAfter = (shape: string) => {
      const t = generate("phases", { ops: 20000, shape, peakBytes: 200000, seed: 1 });
      let live = 0;
      const sizeOf = new Map<number, number>();
      for (const op of t) {
        if (op.kind === "a") (live += op.size), sizeOf.set(op.id, op.size);
        else if (op.kind === "f") live -= sizeOf.get(op.id)!;
      }
      return live;
    };
    expect(Math.abs(liveAfter("ramp") - 200000)).toBeLessThan(2000);
    expect(liveAfter("peak")).toBe(0);
    expect(Math.abs(liveAfter("ramp,peak") - 200000)).toBeLessThan(2000);
  });
});
