/**
 * heapEfficiency: the live share of a fixed arena when a request first fails, per seeded trial. A fake
 * allocator that refuses any request taking live bytes past a known limit makes the answer computable.
 */
import type { Allocator } from "@dmm/core";
import { createHeap } from "@dmm/core";
import { heapEfficiency } from "@dmm/bench";
import { bestFit, worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";

/** Serves requests while live bytes stay <= limit; records the live bytes at its first refusal. */
function limited(limit: number, refusals: number[]): Allocator {
  const size = new Map<number, number>();
  let live = 0;
  let next = 8;
  const fake = {
    malloc(n: number) {
      if (live + n > limit) {
        refusals.push(live);
        return 0;
      }
      size.set(next, n);
      live += n;
      return (next += 8) - 8;
    },
    realloc(p: number, n: number) {
      if (live - size.get(p)! + n > limit) {
        refusals.push(live);
        return 0;
      }
      live += n - size.get(p)!;
      size.set(p, n);
      return p;
    },
    free(p: number) {
      live -= size.get(p)!;
      size.delete(p);
    },
  };
  return fake as unknown as Allocator;
}

describe("heapEfficiency", () => {
  it("is the live bytes at the first failure over the arena, per trial, and their mean", () => {
    const refusals: number[] = [];
    const r = heapEfficiency(() => limited(50_000, refusals), { arenaBytes: 100_000, trials: 4, seed: 3 });
    expect(refusals).toHaveLength(4);
    expect(r.trials).toEqual(refusals.map((live) => live / 100_000));
    expect(r.mean).toBeCloseTo(refusals.reduce((a, b) => a + b, 0) / 4 / 100_000, 12);
    expect(r.min).toBe(Math.min(...r.trials));
    expect(r.max).toBe(Math.max(...r.trials));
    // The limit is hit within one request (at most maxSize = 4096 bytes) of 50 000.
    for (const share of r.trials) expect(share).toBeGreaterThan((50_000 - 4096) / 100_000);
  });

  it("is deterministic for a seed and separates a policy that keeps large holes from one that splits them", () => {
    const heap = (strategy: () => ReturnType<typeof bestFit>) => (bytes: number) => createHeap({ size: bytes, strategy: strategy() });
    const best = heapEfficiency(heap(bestFit), { arenaBytes: 1 << 18, trials: 3 });
    expect(heapEfficiency(heap(bestFit), { arenaBytes: 1 << 18, trials: 3 })).toEqual(best);
    const worst = heapEfficiency(heap(worstFit), { arenaBytes: 1 << 18, trials: 3 });
    expect(best.mean).toBeLessThan(1);
    expect(best.mean).toBeGreaterThan(worst.mean + 0.1);
  });
});
