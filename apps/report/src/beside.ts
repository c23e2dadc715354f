/**
 * The runs beside the matrix, one allocator at a time: Robson's adaptive adversary and heap efficiency. Each
 * allocator's worker plays them after its cells (see pool.ts), so they run on all cores, like the cells.
 */
import { heapEfficiency } from "@dmm/bench";
import { robsonAdversary } from "@dmm/workloads";
import { type Backend, GROWABLE_MAX_BYTES } from "./backends.js";
import { modesOf } from "./matrix.js";
import type { AdversaryResult, CoalescingMode, EfficiencyResult } from "./types.js";

/** The adversary's largest request (Robson's n) and its live-memory cap M, both in 16-byte units. */
export function adversaryParams(quick: boolean): { n: number; M: number; seed: number } {
  return quick ? { n: 64, M: 4096, seed: 1 } : { n: 256, M: 16384, seed: 1 };
}

/** Plays Robson's adaptive adversary against each allocator in each of its coalescing modes. */
export function runAdversary(allocators: readonly Backend[], coalescing: readonly CoalescingMode[], quick: boolean): AdversaryResult[] {
  const params = adversaryParams(quick);
  const out: AdversaryResult[] = [];
  for (const backend of allocators) {
    if (backend.kind === "native") continue;
    const modes = modesOf(backend, coalescing);
    for (const mode of modes) {
      try {
        const r = robsonAdversary(backend.create({ coalescing: mode, growable: backend.growable, bytes: GROWABLE_MAX_BYTES }), params);
        out.push({ allocator: backend.name, coalescing: mode, n: params.n, M: r.M, heapExtent: r.heapExtent, bound: r.bound, ratio: r.ratio, boundRatio: r.boundRatio });
      } catch {
        // An allocator that cannot play (e.g. a peer without addresses) is left out of the chart.
      }
    }
  }
  return out;
}

/** Heap efficiency's arena and trials: 1 MiB, 10 seeded trials (3 when quick). */
export function efficiencyParams(quick: boolean): { arenaBytes: number; trials: number } {
  return { arenaBytes: 1 << 20, trials: quick ? 3 : 10 };
}

/** Heap efficiency of each allocator in each of its coalescing modes, on a fixed arena. */
export function runEfficiency(allocators: readonly Backend[], coalescing: readonly CoalescingMode[], quick: boolean): EfficiencyResult[] {
  const params = efficiencyParams(quick);
  const out: EfficiencyResult[] = [];
  for (const backend of allocators) {
    if (backend.kind === "native") continue;
    for (const mode of modesOf(backend, coalescing)) {
      try {
        const r = heapEfficiency((bytes) => backend.create({ coalescing: mode, growable: false, bytes }), params);
        out.push({ allocator: backend.name, coalescing: mode, arenaBytes: r.arenaBytes, trials: r.trials.length, mean: r.mean, min: r.min, max: r.max });
      } catch {
        // An allocator without a fixed arena of its own is left out of the chart.
      }
    }
  }
  return out;
}

/** What runs beside the cells, for each allocator of the run but the native ones, in its modes among `coalescing`. */
export interface BesideRuns {
  readonly adversary: boolean;
  readonly efficiency: boolean;
  readonly coalescing: readonly CoalescingMode[];
}

/** The beside runs of one allocator (empty lists for a native one or when not asked). */
export function runBeside(backend: Backend, beside: BesideRuns, quick: boolean): { adversary: AdversaryResult[]; efficiency: EfficiencyResult[] } {
  return {
    adversary: beside.adversary ? runAdversary([backend], beside.coalescing, quick) : [],
    efficiency: beside.efficiency ? runEfficiency([backend], beside.coalescing, quick) : [],
  };
}
