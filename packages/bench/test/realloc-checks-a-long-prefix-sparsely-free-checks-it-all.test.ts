/**
 * Around a realloc the kept prefix of a block longer than SPARSE_FROM is checked sparsely (every byte of its
 * first and last SPARSE_EDGE bytes, one word in every SPARSE_STRIDE bytes between), so a buffer grown step by
 * step is not quadratic in its final size; free checks every byte. Damage a sparse check can see is reported at
 * the realloc; damage between its samples is still reported, at the free.
 */
import { ReplayError, replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { SPARSE_EDGE, SPARSE_FROM, SPARSE_STRIDE } from "../src/integrity.js";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

/** Moves the block on realloc, copying it, then flips one byte of the new block at `damage`. */
class DamagingRealloc extends ForwardingAllocator {
  constructor(private readonly damage: number) {
    super(growableHeap());
  }
  override realloc(ptr: number, size: number): number {
    const q = this.inner.realloc(ptr, size);
    this.memory[q + this.damage]! ^= 0xff;
    return q;
  }
}

const big = 4 * SPARSE_FROM;
// id 0: a long block grown once; id 1 keeps it from growing in place; then both are freed.
const trace = new TraceBuilder().malloc(0, big).malloc(1, 8).realloc(0, big + 512).free(0).free(1).finish();

function failure(damage: number): ReplayError {
  try {
    replay(trace, new DamagingRealloc(damage));
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  throw new Error(`damage at byte ${damage} went unnoticed`);
}

it.each([0, SPARSE_EDGE - 1, SPARSE_EDGE, SPARSE_EDGE + SPARSE_STRIDE, big - 1])("reports damage at sampled byte %i at the realloc", (damage) => {
  const e = failure(damage);
  expect(e.code).toBe("INTEGRITY");
  expect(e.opIndex).toBe(2);
  expect(e.message).toMatch(new RegExp(`byte ${damage} of id 0's block`));
});

it.each([SPARSE_EDGE + 4, SPARSE_EDGE + SPARSE_STRIDE - 1, big - SPARSE_EDGE - 1])("reports damage between the samples (byte %i) at the free", (damage) => {
  const e = failure(damage);
  expect(e.code).toBe("INTEGRITY");
  expect(e.opIndex).toBe(3);
  expect(e.message).toMatch(new RegExp(`byte ${damage} of id 0's block`));
});
