/**
 * The shapes of the allocator-course benchmark traces (CS:APP malloc lab: binary, binary2, realloc, realloc2,
 * random, coalescing and the small-object compiler traces cccp, cp-decl, expr, amptjp), rebuilt as seeded
 * generators: the traces themselves are not ours to ship, their shapes are what tell policies apart.
 *
 * - size-alternation (binary, binary2): small and large requests alternate, every large one is freed, then
 *   slightly larger requests come that no single hole holds. A policy that kept the large blocks together
 *   (apart from the small ones) can serve the follow-up from the merged holes; one that interleaved them cannot.
 * - realloc-between (realloc, realloc2): one buffer reallocated ever larger, a small object allocated after each
 *   step and the previous one freed, so the buffer's neighbour is always a live small object.
 * - alloc-free-random (random, random2): each object is allocated once and freed once, in a random interleaving.
 * - coalesce-pairs (coalescing): two objects freed side by side, then one request the size of both.
 * - nested-scopes (cccp, cp-decl, expr, amptjp): a compiler's scopes, objects of a few node sizes freed when
 *   their scope closes, a share escaping to the enclosing scope, now and then a large buffer.
 */
import { TraceError } from "../errors.js";
import type { Random } from "../random.js";
import type { GeneratorDefinition } from "./definition.js";
import type { Emitter } from "./emitter.js";
import type { GeneratorParam } from "./params.js";

const bytes = (name: string, description: string, dflt: number, min = 0): GeneratorParam => ({
  name,
  description,
  unit: "bytes",
  default: dflt,
  min,
  max: 2 ** 30,
});
const count = (name: string, description: string, dflt: number, unit = "objects"): GeneratorParam => ({
  name,
  description,
  unit,
  default: dflt,
  min: 1,
  max: 10_000_000,
});

export const sizeAlternation: GeneratorDefinition = {
  name: "size-alternation",
  description:
    "`pairs` times a small then a large request, every large one freed, then `pairs` follow-up requests slightly larger than the large ones; everything freed (malloc-lab binary: 64/448/512, binary2: 16/112/128)",
  kind: "adversarial",
  params: [
    count("pairs", "small/large pairs, and follow-up requests", 2_000),
    bytes("small", "size of the small requests", 64, 1),
    bytes("large", "size of the large requests (all freed after the alternation)", 448, 1),
    bytes("followUp", "size of the requests made after the large ones are freed", 512, 1),
  ],
  run(p, _rng, out) {
    const n = p.pairs as number;
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      small[i] = out.malloc(p.small as number);
      large[i] = out.malloc(p.large as number);
    }
    for (let i = 0; i < n; i++) out.free(large[i]!);
    for (let i = 0; i < n; i++) large[i] = out.malloc(p.followUp as number);
    for (let i = 0; i < n; i++) {
      out.free(small[i]!);
      out.free(large[i]!);
    }
  },
};

export const reallocBetween: GeneratorDefinition = {
  name: "realloc-between",
  description:
    "one buffer grown by `step` bytes per realloc, a small object allocated after every step and the previous small one freed, so a live small object always follows the buffer (malloc-lab realloc: 512 + 128 with 128, realloc2: 4092 + 5 with 16)",
  kind: "adversarial",
  params: [
    count("steps", "reallocations of the buffer", 4_800, "reallocs"),
    bytes("startSize", "first size of the buffer", 512, 1),
    bytes("step", "bytes added by each realloc", 128, 1),
    bytes("small", "size of the small objects between the reallocs", 128, 1),
  ],
  run(p, _rng, out) {
    const buffer = out.malloc(p.startSize as number);
    let small = out.malloc(p.small as number);
    for (let i = 0; i < (p.steps as number); i++) {
      out.realloc(buffer, out.sizeOf(buffer) + (p.step as number));
      const next = out.malloc(p.small as number);
      out.free(small);
      small = next;
    }
    out.free(buffer);
    out.free(small);
  },
};

export const allocFreeRandom: GeneratorDefinition = {
  name: "alloc-free-random",
  description:
    "`objects` objects, each allocated once and freed once, in a random interleaving (an allocation is next with probability 1/2 while any remain); sizes uniform in [minSize, maxSize] (malloc-lab random, random2)",
  kind: "randomized",
  params: [
    count("objects", "objects allocated (and freed)", 2_400),
    bytes("minSize", "smallest request", 1, 1),
    bytes("maxSize", "largest request", 16_384, 1),
  ],
  run(p, rng, out) {
    const lo = p.minSize as number;
    const hi = Math.max(lo, p.maxSize as number);
    let left = p.objects as number;
    while (left > 0 || out.live.size > 0) {
      if (left > 0 && (out.live.size === 0 || rng.chance(0.5))) {
        out.malloc(rng.int(lo, hi));
        left--;
      } else out.free(out.live.random(rng));
    }
  },
};

export const coalescePairs: GeneratorDefinition = {
  name: "coalesce-pairs",
  description:
    "`rounds` times: two objects of `size` allocated side by side and freed, then one of twice the size that only their merged space (or new memory) holds, then freed (malloc-lab coalescing: 4095 / 8190)",
  kind: "adversarial",
  params: [count("rounds", "rounds", 2_400, "rounds"), bytes("size", "size of each of the pair", 4_095, 1)],
  run(p, _rng, out) {
    const size = p.size as number;
    for (let r = 0; r < (p.rounds as number); r++) {
      const a = out.malloc(size);
      const b = out.malloc(size);
      out.free(a);
      out.free(b);
      out.free(out.malloc(2 * size));
    }
  },
};

/** "size:weight,..." into parallel arrays; bad text is BAD_PARAM. */
function parseWeighted(generator: string, spec: string): { sizes: number[]; weights: number[] } {
  const sizes: number[] = [];
  const weights: number[] = [];
  for (const part of spec.split(",")) {
    const m = /^\s*(\d+)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new TraceError("BAD_PARAM", `${generator}: sizes must be 'size:weight,...', got "${spec}"`);
    sizes.push(Number(m[1]));
    weights.push(Number(m[2]));
  }
  if (sizes.length === 0 || weights.every((w) => w === 0)) throw new TraceError("BAD_PARAM", `${generator}: sizes has no positive weight`);
  return { sizes, weights };
}

/** Frees the objects of one scope (ids[from..to)), keeping a share alive in `escaped`. */
function closeScope(out: Emitter, rng: Random, ids: number[], from: number, escape: number, escaped: number[]): void {
  // Most recently allocated first, as a compiler pops its obstacks.
  for (let i = ids.length - 1; i >= from; i--) {
    if (rng.chance(escape)) escaped.push(ids[i]!);
    else out.free(ids[i]!);
  }
  ids.length = from;
}

export const nestedScopes: GeneratorDefinition = {
  name: "nested-scopes",
  description:
    "a compiler's allocations: scopes open and close (at most `depth` deep), each allocating objects of a few sizes (by default nodes and obstack chunks of 2040 and 4072 bytes) that are freed when it closes, except a share that escapes to live on; now and then a large buffer (malloc-lab cccp, cp-decl, expr, amptjp)",
  kind: "randomized",
  params: [
    { name: "ops", description: "operations to emit (the final frees included)", unit: "ops", default: 6_000, min: 1, max: 50_000_000 },
    count("depth", "deepest nesting of scopes", 6, "scopes"),
    { name: "sizes", description: "node sizes and weights 'size:weight,...'", unit: "bytes", default: "24:20,48:15,100:10,200:8,500:5,1000:4,2040:10,4072:28" },
    { name: "escape", description: "share of a scope's objects that outlive it", default: 0.15, min: 0, max: 1, integer: false },
    { name: "bufferChance", description: "probability that an allocation is a large buffer", default: 0.01, min: 0, max: 1, integer: false },
    bytes("bufferSize", "largest buffer (uniform from 256 bytes up)", 4_096, 256),
    { name: "meanScope", description: "mean allocations before a scope opens or closes", unit: "allocations", default: 40, min: 1, max: 1_000_000 },
    { name: "escapedDeath", description: "probability, per allocation, that one random escaped object is freed", default: 0.05, min: 0, max: 1, integer: false },
  ],
  run(p, rng, out) {
    const { sizes, weights } = parseWeighted("nested-scopes", p.sizes as string);
    const total = weights.reduce((a, b) => a + b, 0);
    const ids: number[] = [];
    const starts: number[] = [];
    const escaped: number[] = [];
    const ops = p.ops as number;
    const turn = 1 / (p.meanScope as number);
    // Reserve room for the final frees: every live object costs one more op.
    while (out.ops + out.live.size < ops) {
      if (rng.chance(turn)) {
        const open = starts.length < (p.depth as number) && (starts.length === 0 || rng.chance(0.5));
        if (open) starts.push(ids.length);
        else if (starts.length > 0) closeScope(out, rng, ids, starts.pop()!, p.escape as number, escaped);
        continue;
      }
      const size = rng.chance(p.bufferChance as number) ? rng.int(256, p.bufferSize as number) : sizes[rng.weighted(weights, total)]!;
      ids.push(out.malloc(size));
      // Escaped objects (symbols, types) die eventually too: a few at a time, at random.
      if (escaped.length > 0 && rng.chance(p.escapedDeath as number)) {
        const k = rng.int(0, escaped.length - 1);
        out.free(escaped[k]!);
        escaped[k] = escaped[escaped.length - 1]!;
        escaped.pop();
      }
    }
    out.freeAll();
  },
};

export const course: ReadonlyArray<GeneratorDefinition> = [sizeAlternation, reallocBetween, allocFreeRandom, coalescePairs, nestedScopes];
