/**
 * Static adversarial generators: named worst cases for particular policies, as tlsf-bsd's wcet scenarios are.
 * "Static" because the trace is fixed in advance; the adaptive Robson adversary (../robson.ts) instead watches
 * the addresses a live allocator returns.
 */
import type { GeneratorDefinition } from "./definition.js";
import { IdPool } from "./emitter.js";
import type { GeneratorParam } from "./params.js";

const count = (name: string, description: string, dflt: number, unit = "objects"): GeneratorParam => ({
  name,
  description,
  unit,
  default: dflt,
  min: 1,
  max: 10_000_000,
});
const bytes = (name: string, description: string, dflt: number, min = 0): GeneratorParam => ({
  name,
  description,
  unit: "bytes",
  default: dflt,
  min,
  max: 2 ** 31,
});

export const checkerboard: GeneratorDefinition = {
  name: "checkerboard",
  description:
    "swiss cheese: each round allocates `blocks` objects, frees every other one, then the next round asks for `growth` times larger objects that fit none of the holes",
  kind: "adversarial",
  params: [
    count("blocks", "objects allocated per round", 10_000),
    bytes("size", "object size in the first round", 64, 1),
    count("rounds", "rounds, each with larger objects", 3, "rounds"),
    { name: "growth", description: "size factor from one round to the next", default: 2, min: 1, max: 64 },
  ],
  run(p, _rng, out) {
    const ids = new Int32Array(p.blocks as number);
    let size = p.size as number;
    for (let r = 0; r < (p.rounds as number); r++) {
      for (let i = 0; i < ids.length; i++) ids[i] = out.malloc(size);
      for (let i = 0; i < ids.length; i += 2) out.free(ids[i]!);
      size *= p.growth as number;
    }
    out.freeAll();
  },
};

export const slivers: GeneratorDefinition = {
  name: "slivers",
  description:
    "holes a little larger than the requests (size + 16..sliver bytes) between live separators: a tight fit leaves a sliver too small for any later request, round after round",
  kind: "adversarial",
  params: [
    count("holes", "holes (and requests) per round", 5_000),
    bytes("size", "request size", 64, 1),
    bytes("sliver", "largest excess of a hole over a request", 48, 16),
    bytes("separator", "live object between holes", 16, 1),
    count("rounds", "rounds", 4, "rounds"),
  ],
  run(p, rng, out) {
    const n = p.holes as number;
    const size = p.size as number;
    const holes = new Int32Array(n);
    for (let r = 0; r < (p.rounds as number); r++) {
      for (let i = 0; i < n; i++) {
        holes[i] = out.malloc(size + 8 * rng.int(2, Math.max(2, Math.floor((p.sliver as number) / 8))));
        out.malloc(p.separator as number);
      }
      for (let i = 0; i < n; i++) out.free(holes[i]!);
      for (let i = 0; i < n; i++) out.malloc(size);
    }
    out.freeAll();
  },
};

export const scanLatency: GeneratorDefinition = {
  name: "scan-latency",
  description:
    "latency adversary for list scans: `holes` small free blocks at low addresses (kept apart by live neighbours), then large requests that none of them can serve, each allocated and freed",
  kind: "adversarial",
  params: [
    count("holes", "small free blocks left at low addresses", 10_000),
    bytes("smallSize", "size of the small blocks (holes and their live neighbours)", 16, 1),
    bytes("largeSize", "size of the large requests", 4096, 1),
    count("requests", "large requests", 10_000, "requests"),
  ],
  run(p, _rng, out) {
    const n = p.holes as number;
    const holes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      holes[i] = out.malloc(p.smallSize as number);
      out.malloc(p.smallSize as number);
    }
    for (let i = 0; i < n; i++) out.free(holes[i]!);
    for (let j = 0; j < (p.requests as number); j++) out.free(out.malloc(p.largeSize as number));
    out.freeAll();
  },
};

export const sizeClasses: GeneratorDefinition = {
  name: "size-class",
  description:
    "sizes just above power-of-two class limits (2^k + offset): the worst rounding for segregated fit, TLSF's first level and buddy; random churn at `live` objects",
  kind: "adversarial",
  params: [
    { name: "ops", description: "operations to emit", unit: "ops", default: 100_000, min: 1, max: 50_000_000 },
    count("live", "live objects in the steady state", 5_000),
    { name: "minLog", description: "smallest k in 2^k + offset", default: 4, min: 0, max: 30 },
    { name: "maxLog", description: "largest k in 2^k + offset", default: 12, min: 0, max: 30 },
    bytes("offset", "bytes above the class limit", 1, 1),
    {
      name: "subdivisions",
      description: "class limits per power of two: 1 gives 2^k + offset; 4 also 2^k·(1 + j/4) + offset, TLSF's second-level limits",
      default: 1,
      min: 1,
      max: 64,
    },
  ],
  run(p, rng, out) {
    const lo = p.minLog as number;
    const hi = Math.max(lo, p.maxLog as number);
    const sub = p.subdivisions as number;
    const next = (): number => {
      const k = rng.int(lo, hi);
      const j = sub > 1 ? rng.int(0, sub - 1) : 0; // no draw when there is one limit per power of two
      return Math.floor(2 ** k * (1 + j / sub)) + (p.offset as number);
    };
    while (out.ops < (p.ops as number)) {
      if (out.live.size < (p.live as number)) out.malloc(next());
      else out.free(out.live.random(rng));
    }
  },
};

export const REALLOC_PATTERNS = ["double", "linear", "mixed"] as const;

export const reallocGrowth: GeneratorDefinition = {
  name: "realloc-growth",
  description:
    "growing buffers (vectors doubling, strings appending) reallocated among small live objects that block growth in place; a buffer past maxSize is freed and restarted",
  kind: "adversarial",
  params: [
    { name: "ops", description: "operations to emit", unit: "ops", default: 100_000, min: 1, max: 50_000_000 },
    count("buffers", "growing buffers", 32),
    { name: "pattern", description: "double: size x2 per step; linear: + step bytes; mixed: half of each", default: "mixed", choices: REALLOC_PATTERNS },
    bytes("startSize", "size of a new buffer", 16, 1),
    bytes("step", "linear growth per realloc", 64, 1),
    bytes("maxSize", "a buffer larger than this is freed and started again", 65_536, 1),
    bytes("noise", "small object allocated after each realloc", 32, 1),
    count("noiseLive", "small objects kept live (a random one is freed beyond this)", 512),
  ],
  run(p, rng, out) {
    const n = p.buffers as number;
    const buffers = new Int32Array(n);
    const noise = new IdPool();
    for (let i = 0; i < n; i++) buffers[i] = out.malloc(p.startSize as number);
    const doubles = (i: number): boolean => p.pattern === "double" || (p.pattern === "mixed" && i % 2 === 0);
    while (out.ops < (p.ops as number)) {
      const i = rng.int(0, n - 1);
      const id = buffers[i]!;
      const size = out.sizeOf(id);
      const next = doubles(i) ? size * 2 : size + (p.step as number);
      if (next > (p.maxSize as number)) {
        out.free(id);
        buffers[i] = out.malloc(p.startSize as number);
      } else out.realloc(id, next);
      noise.add(out.malloc(p.noise as number));
      if (noise.size > (p.noiseLive as number)) {
        const victim = noise.random(rng);
        noise.remove(victim);
        out.free(victim);
      }
    }
  },
};

export const adversarial: ReadonlyArray<GeneratorDefinition> = [checkerboard, slivers, scanLatency, sizeClasses, reallocGrowth];
