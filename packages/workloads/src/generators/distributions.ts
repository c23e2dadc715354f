/**
 * Size and lifetime distributions, built from generator parameters. Every sampler returns whole numbers clamped
 * into its [min, max] range, so a parameter's documented mean or median holds when the clamp rarely bites.
 */
import { TraceError } from "../errors.js";
import type { Random } from "../random.js";
import type { GeneratorParam, ParamValues } from "./params.js";

export type Sampler = (rng: Random) => number;

export const SIZE_DISTRIBUTIONS = ["uniform", "exponential", "lognormal", "powerlaw", "mix"] as const;

/** The parameters every size-distribution generator takes (units: bytes). */
export const SIZE_PARAMS: ReadonlyArray<GeneratorParam> = [
  { name: "dist", description: "size distribution", default: "lognormal", choices: SIZE_DISTRIBUTIONS },
  { name: "minSize", description: "smallest request (all distributions clamp to it)", unit: "bytes", default: 8, min: 0 },
  { name: "maxSize", description: "largest request (all distributions clamp to it)", unit: "bytes", default: 16384, min: 1 },
  { name: "meanSize", description: "exponential: mean request size", unit: "bytes", default: 128, min: 1 },
  { name: "medianSize", description: "lognormal: median request size", unit: "bytes", default: 64, min: 1 },
  { name: "sigma", description: "lognormal: standard deviation of ln(size)", default: 1, min: 0, max: 5, integer: false },
  { name: "alpha", description: "powerlaw: density exponent of a Pareto law from minSize (> 1; median = minSize * 2^(1/(alpha-1)))", default: 2, min: 1.05, max: 10, integer: false },
  { name: "mix", description: "mix: weighted ranges 'lo-hi:weight,...' or sizes 'size:weight,...', uniform within a range", default: "8-64:70,64-1024:25,1024-16384:5" },
];

/** Parses "8-64:70,64-1024:25,100:5" into ranges with weights. */
export function parseMix(spec: string): { lo: number[]; hi: number[]; weight: number[] } {
  const lo: number[] = [];
  const hi: number[] = [];
  const weight: number[] = [];
  for (const part of spec.split(",")) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new TraceError("BAD_PARAM", `mix: "${part}" is not "lo-hi:weight" or "size:weight"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new TraceError("BAD_PARAM", `mix: range ${a}-${b} is empty`);
    lo.push(a);
    hi.push(b);
    weight.push(Number(m[3]));
  }
  if (weight.every((w) => w === 0)) throw new TraceError("BAD_PARAM", "mix: all weights are 0");
  return { lo, hi, weight };
}

export function sizeSampler(p: ParamValues): Sampler {
  const min = p.minSize as number;
  const max = p.maxSize as number;
  if (max < min) throw new TraceError("BAD_PARAM", `maxSize (${max}) is below minSize (${min})`);
  const clamp = (x: number): number => (x < min ? min : x > max ? max : Math.round(x));
  switch (p.dist) {
    case "uniform":
      return (rng) => rng.int(min, max);
    case "exponential": {
      const mean = p.meanSize as number;
      return (rng) => clamp(rng.exponential(mean));
    }
    case "lognormal": {
      const mu = Math.log(p.medianSize as number);
      const sigma = p.sigma as number;
      return (rng) => clamp(Math.exp(mu + sigma * rng.normal()));
    }
    case "powerlaw": {
      // Truncated Pareto by inversion: F(x) = (1 - (min/x)^(a-1)) / (1 - (min/max)^(a-1)).
      const a1 = (p.alpha as number) - 1;
      const lo = Math.max(1, min);
      const tail = 1 - Math.pow(lo / max, a1);
      return (rng) => clamp(lo * Math.pow(1 - rng.float() * tail, -1 / a1));
    }
    case "mix": {
      const { lo, hi, weight } = parseMix(p.mix as string);
      const total = weight.reduce((x, y) => x + y, 0);
      return (rng) => {
        const i = rng.weighted(weight, total);
        return rng.int(lo[i]!, hi[i]!);
      };
    }
    default:
      throw new TraceError("BAD_PARAM", `unknown size distribution "${String(p.dist)}"`);
  }
}

export const LIFETIME_DISTRIBUTIONS = ["exponential", "uniform", "lognormal", "bimodal"] as const;

/** Lifetimes are counted in allocations: an object of lifetime L is freed after L more allocations. */
export const LIFETIME_PARAMS: ReadonlyArray<GeneratorParam> = [
  { name: "lifetime", description: "lifetime distribution", default: "exponential", choices: LIFETIME_DISTRIBUTIONS },
  { name: "meanLifetime", description: "mean lifetime (bimodal: of the short-lived objects)", unit: "allocations", default: 1000, min: 1 },
  { name: "lifetimeSigma", description: "lognormal: standard deviation of ln(lifetime)", default: 1, min: 0, max: 5, integer: false },
  { name: "longFraction", description: "bimodal: fraction of long-lived objects", default: 0.05, min: 0, max: 1, integer: false },
  { name: "longLifetime", description: "bimodal: mean lifetime of the long-lived objects", unit: "allocations", default: 50000, min: 1 },
  {
    name: "lifetimeBySize",
    description: "size-lifetime correlation: each lifetime is scaled by (size / 64 B)^lifetimeBySize; < 0: large objects die young, > 0: they live long",
    default: 0,
    min: -2,
    max: 2,
    integer: false,
  },
];

/** The size a lifetime scales around when sizes and lifetimes correlate (lifetimeBySize != 0). */
export const LIFETIME_REFERENCE_SIZE = 64;

export function lifetimeSampler(p: ParamValues): Sampler {
  const mean = p.meanLifetime as number;
  switch (p.lifetime) {
    case "exponential":
      return (rng) => Math.max(1, Math.round(rng.exponential(mean)));
    case "uniform":
      return (rng) => rng.int(1, 2 * mean - 1);
    case "lognormal": {
      // mean of a lognormal = exp(mu + sigma^2 / 2)
      const sigma = p.lifetimeSigma as number;
      const mu = Math.log(mean) - (sigma * sigma) / 2;
      return (rng) => Math.max(1, Math.round(Math.exp(mu + sigma * rng.normal())));
    }
    case "bimodal": {
      const longFraction = p.longFraction as number;
      const longMean = p.longLifetime as number;
      return (rng) => Math.max(1, Math.round(rng.exponential(rng.chance(longFraction) ? longMean : mean)));
    }
    default:
      throw new TraceError("BAD_PARAM", `unknown lifetime distribution "${String(p.lifetime)}"`);
  }
}
