/**
 * Heap efficiency, the measure the rlsf and talc benchmarks publish: on a fixed arena, random actions
 * (allocate, free, reallocate) until the first request fails; the share of the arena then holding live data,
 *
 *   efficiency = live bytes requested at the first failure / arena bytes
 *
 * averaged over several seeded trials. 1 would be an allocator with no header, no rounding and no
 * fragmentation; what is lost below it is internal fragmentation (headers, alignment, size classes) plus the
 * external fragmentation that made a request fail while enough bytes were free in total.
 *
 * The actions, per step: while nothing is live, or with probability `allocateChance`, malloc a size drawn
 * log-uniformly from [minSize, maxSize] (small requests are common, large ones rare, as in talc's benchmark);
 * otherwise free a random live block or, with probability `reallocChance`, realloc it to a fresh size. The
 * first NULL from malloc or realloc ends the trial. A trial is bounded by `maxActions`.
 */
import type { Allocator } from "@dmm/core";
import { Random } from "@dmm/workloads";

export interface HeapEfficiencyOptions {
  /** Bytes of the fixed arena. @defaultValue 1 MiB */
  arenaBytes?: number;
  /** Seeded trials (seeds seed, seed + 1, …). @defaultValue 10 */
  trials?: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Smallest request in bytes. @defaultValue 8 */
  minSize?: number;
  /** Largest request in bytes. @defaultValue 4096 */
  maxSize?: number;
  /** Probability that a step allocates (when something is live). @defaultValue 0.6 */
  allocateChance?: number;
  /** Probability that a step that does not allocate reallocates instead of freeing. @defaultValue 0.2 */
  reallocChance?: number;
  /** Steps per trial at most; a trial that reaches it counts at its live share then. @defaultValue 10_000_000 */
  maxActions?: number;
}

export interface HeapEfficiencyResult {
  /** Mean over trials of live bytes at the first failure / arena bytes. */
  mean: number;
  min: number;
  max: number;
  /** Each trial's share, in seed order. */
  trials: number[];
  /** Mean steps before the first failure. */
  meanActions: number;
  arenaBytes: number;
}

/** Runs the heap-efficiency trials on allocators from `create(arenaBytes)`: a fresh fixed arena per trial. */
export function heapEfficiency(create: (arenaBytes: number) => Allocator, options: HeapEfficiencyOptions = {}): HeapEfficiencyResult {
  const arenaBytes = options.arenaBytes ?? 1 << 20;
  const trials = options.trials ?? 10;
  const minSize = options.minSize ?? 8;
  const maxSize = options.maxSize ?? 4096;
  const allocateChance = options.allocateChance ?? 0.6;
  const reallocChance = options.reallocChance ?? 0.2;
  const maxActions = options.maxActions ?? 10_000_000;
  if (!Number.isInteger(arenaBytes) || arenaBytes < 64) throw new RangeError(`arenaBytes must be an integer >= 64, got ${arenaBytes}`);
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be an integer >= 1, got ${trials}`);
  if (!(minSize >= 1 && maxSize >= minSize)) throw new RangeError(`need 1 <= minSize <= maxSize, got ${minSize}, ${maxSize}`);
  const logMin = Math.log(minSize);
  const logSpan = Math.log(maxSize + 1) - logMin;
  const shares: number[] = [];
  let actions = 0;
  for (let t = 0; t < trials; t++) {
    const rng = new Random((options.seed ?? 1) + t);
    const size = (): number => Math.min(maxSize, Math.floor(Math.exp(logMin + rng.float() * logSpan)));
    const allocator = create(arenaBytes);
    // Live blocks: pointers and requested sizes in parallel arrays, removal by swapping with the last.
    let ptrs = new Float64Array(1024);
    let sizes = new Float64Array(1024);
    let live = 0;
    let liveBytes = 0;
    let step = 0;
    for (; step < maxActions; step++) {
      if (live === 0 || rng.float() < allocateChance) {
        const n = size();
        const p = allocator.malloc(n);
        if (p === 0) break;
        if (live === ptrs.length) {
          const grownPtrs = new Float64Array(live * 2);
          grownPtrs.set(ptrs);
          ptrs = grownPtrs;
          const grownSizes = new Float64Array(live * 2);
          grownSizes.set(sizes);
          sizes = grownSizes;
        }
        ptrs[live] = p;
        sizes[live++] = n;
        liveBytes += n;
        continue;
      }
      const k = Math.floor(rng.float() * live);
      if (rng.float() < reallocChance) {
        const n = size();
        const p = allocator.realloc(ptrs[k]!, n);
        if (p === 0) break;
        ptrs[k] = p;
        liveBytes += n - sizes[k]!;
        sizes[k] = n;
      } else {
        allocator.free(ptrs[k]!);
        liveBytes -= sizes[k]!;
        ptrs[k] = ptrs[--live]!;
        sizes[k] = sizes[live]!;
      }
    }
    actions += step;
    shares.push(liveBytes / arenaBytes);
  }
  return {
    mean: shares.reduce((a, b) => a + b, 0) / shares.length,
    min: Math.min(...shares),
    max: Math.max(...shares),
    trials: shares,
    meanActions: actions / trials,
    arenaBytes,
  };
}
