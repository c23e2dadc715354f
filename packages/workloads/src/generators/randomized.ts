/**
 * Randomized generators. Random traces alone mislead (Wilson, Johnstone, Neely & Boles, "Dynamic Storage
 * Allocation: A Survey and Critical Review", 1995): real programs ramp, peak and plateau, and sizes correlate
 * with lifetimes. So besides steady random churn there are lifetime-driven and phase-driven generators.
 */
import { TraceError } from "../errors.js";
import { LIFETIME_PARAMS, LIFETIME_REFERENCE_SIZE, lifetimeSampler, SIZE_PARAMS, sizeSampler } from "./distributions.js";
import { IdPool } from "./emitter.js";
import type { GeneratorDefinition } from "./definition.js";
import type { GeneratorParam } from "./params.js";

const OPS = (dflt: number): GeneratorParam => ({
  name: "ops",
  description: "operations to emit (a generator may add a few to finish a phase)",
  unit: "ops",
  default: dflt,
  min: 1,
  max: 50_000_000,
});

/** Min-heap of (death tick, id) in typed arrays, for lifetime-driven frees. */
class DeathQueue {
  private time = new Float64Array(1024);
  private ids = new Int32Array(1024);
  size = 0;
  push(t: number, id: number): void {
    if (this.size === this.time.length) {
      const t2 = new Float64Array(this.size * 2);
      t2.set(this.time);
      this.time = t2;
      const i2 = new Int32Array(this.size * 2);
      i2.set(this.ids);
      this.ids = i2;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.time[parent]! <= t) break;
      this.time[i] = this.time[parent]!;
      this.ids[i] = this.ids[parent]!;
      i = parent;
    }
    this.time[i] = t;
    this.ids[i] = id;
  }
  peekTime(): number {
    return this.time[0]!;
  }
  pop(): number {
    const top = this.ids[0]!;
    const n = --this.size;
    const t = this.time[n]!;
    const id = this.ids[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.time[c + 1]! < this.time[c]!) c++;
      if (this.time[c]! >= t) break;
      this.time[i] = this.time[c]!;
      this.ids[i] = this.ids[c]!;
      i = c;
    }
    this.time[i] = t;
    this.ids[i] = id;
    return top;
  }
}

export const mixed: GeneratorDefinition = {
  name: "mixed",
  description:
    "the speed-goal trace: sizes 70% 8-64 B, 25% 64-1024 B, 5% 1-16 KiB; malloc with probability 0.5 + (live - n) / (2 live) when n objects are live, else free a random one; everything is freed at the end",
  kind: "randomized",
  params: [
    { ...OPS(100_000), description: "operations, the final frees included (an odd count gets one more: each malloc has its free)" },
    { name: "live", description: "live objects the trace hovers around (reached after about 3 x live ops)", unit: "objects", default: 20_000, min: 1 },
    { name: "mix", description: "weighted size ranges 'lo-hi:weight,...'", unit: "bytes", default: "8-64:70,64-1024:25,1024-16384:5" },
  ],
  run(p, rng, out) {
    // The trace @dmm/bench's speed benchmarks (bench/speed.bench.ts) run, 2M ops, seed 1.
    const size = sizeSampler({ dist: "mix", mix: p.mix!, minSize: 0, maxSize: 2 ** 32 - 1 });
    const target = p.live as number;
    const ops = p.ops as number;
    while (out.ops + out.live.size < ops) {
      const pMalloc = 0.5 + (target - out.live.size) / (2 * target);
      if (out.live.size === 0 || rng.float() < pMalloc) out.malloc(size(rng));
      else out.free(out.live.random(rng));
    }
    out.freeAll();
  },
};

export const steady: GeneratorDefinition = {
  name: "steady",
  description: "steady state around a target of live bytes: allocate below it, free a random object above it; sizes from `dist`",
  kind: "randomized",
  params: [OPS(100_000), { name: "liveBytes", description: "target live bytes", unit: "bytes", default: 1 << 20, min: 1 }, ...SIZE_PARAMS],
  run(p, rng, out) {
    const size = sizeSampler(p);
    const target = p.liveBytes as number;
    while (out.ops < (p.ops as number)) {
      if (out.liveBytes < target || out.live.size === 0) out.malloc(size(rng));
      else out.free(out.live.random(rng));
    }
  },
};

export const lifetimes: GeneratorDefinition = {
  name: "lifetimes",
  description:
    "each object draws a size and a lifetime (in allocations), optionally correlated, and is freed when it expires; live objects settle near the mean lifetime",
  kind: "randomized",
  params: [OPS(100_000), ...SIZE_PARAMS, ...LIFETIME_PARAMS],
  run(p, rng, out) {
    const size = sizeSampler(p);
    const lifetime = lifetimeSampler(p);
    const deaths = new DeathQueue();
    const bySize = p.lifetimeBySize as number;
    let tick = 0;
    while (out.ops < (p.ops as number)) {
      tick++;
      const bytes = size(rng);
      const scale = bySize === 0 ? 1 : Math.pow(Math.max(1, bytes) / LIFETIME_REFERENCE_SIZE, bySize);
      deaths.push(tick + Math.max(1, Math.round(lifetime(rng) * scale)), out.malloc(bytes));
      while (deaths.size > 0 && deaths.peekTime() <= tick && out.ops < (p.ops as number)) out.free(deaths.pop());
    }
  },
};

export const PHASES = ["ramp", "peak", "plateau"] as const;

export const phases: GeneratorDefinition = {
  name: "phases",
  description:
    "Wilson's program shapes in sequence: ramp (live grows by peakBytes and stays), peak (rises by peakBytes and falls back, freeing its objects), plateau (churn at the current level)",
  kind: "randomized",
  params: [
    OPS(100_000),
    { name: "shape", description: "comma-separated phases, each ramp, peak or plateau, sharing `ops` equally", default: "ramp,peak,peak,plateau" },
    { name: "peakBytes", description: "live bytes a ramp adds, a peak rises by, a plateau starting from empty holds", unit: "bytes", default: 1 << 20, min: 1 },
    ...SIZE_PARAMS,
  ],
  run(p, rng, out) {
    const shape = (p.shape as string).split(",").map((s) => s.trim());
    for (const s of shape) {
      if (!(PHASES as ReadonlyArray<string>).includes(s))
        throw new TraceError("BAD_PARAM", `phases: unknown phase "${s}" in shape (ramp, peak, plateau)`);
    }
    const size = sizeSampler(p);
    const peak = p.peakBytes as number;
    const per = Math.max(1, Math.floor((p.ops as number) / shape.length));
    for (const phase of shape) {
      const own = new IdPool(); // objects allocated in this phase
      const start = out.liveBytes;
      const level = start > 0 ? start : peak;
      for (let t = 0; t < per; t++) {
        const f = (t + 1) / per;
        const target = phase === "ramp" ? start + peak * f : phase === "peak" ? start + peak * (1 - Math.abs(2 * f - 1)) : level;
        const pool = phase === "plateau" ? out.live : own;
        if (out.liveBytes < target || pool.size === 0) {
          const id = out.malloc(size(rng));
          own.add(id);
        } else {
          const id = pool.random(rng);
          if (own.has(id)) own.remove(id);
          out.free(id);
        }
      }
      if (phase === "peak") while (own.size > 0) {
        const id = own.at(own.size - 1);
        own.remove(id);
        out.free(id);
      }
    }
  },
};

export const randomized: ReadonlyArray<GeneratorDefinition> = [mixed, steady, lifetimes, phases];
