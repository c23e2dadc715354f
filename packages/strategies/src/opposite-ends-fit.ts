import type { Strategy, StrategyHost } from "@dmm/core";
import { BestFit } from "./best-fit.js";

/** Weight of a new request in the running mean of request sizes: 1 / 2^MEAN_SHIFT (1/16). */
const MEAN_SHIFT = 4;
/** Bytes a small request that misses grows the heap by, when the heap's top block is a large one. */
const SLAB_BYTES = 1024;

/**
 * Best fit that keeps small and large blocks apart: the idea, surveyed by Wilson, Johnstone, Neely & Boles
 * ("Dynamic Storage Allocation: A Survey and Critical Review", 1995), of placing objects of different sizes
 * in different areas of memory. The block is chosen exactly as best fit chooses it — the smallest free block
 * that fits, ties to the lowest address — and then:
 *
 * - a small request (block size below the running mean of the sizes searched for, each `find` weighing 1/16)
 *   is carved from
 *   the chosen block's HIGH end, a large one from its LOW end, so in a free block that serves both the large
 *   blocks pile up from the bottom and the small ones from the top;
 * - a small request that nothing fits, arriving when the last growth of the heap was for a large request
 *   (so the block at the top is large) that would fit in a slab of SLAB_BYTES beside it, asks the heap for
 *   that slab instead of its own size and takes the slab's high end: the large requests that follow are
 *   served from the slab's low end, next to the large block below, instead of each one growing the heap
 *   right after a small block. (A large block too big for the slab, such as a buffer being reallocated ever
 *   larger, gets no slab: it could not come from one, and would only grow into the gap and leave it.)
 *
 *   heap top ->  [large][ free ... ][small]      the next large: [large][large][ free ][small]
 *
 * Why: with sizes alternating small / large (malloc-lab's binary and binary2 traces: 64 B / 448 B, then
 * 512 B), exact growth interleaves them, so the large blocks, once freed, leave holes each too small for the
 * next larger request: every classic policy ends at about 55%. Kept apart, freed large blocks are neighbours
 * and merge into holes that hold the larger requests (about 94% on the binary shape, 88% on binary2, against
 * 55% and 51% for best fit). A slab's unused part counts in the heap's extent: at most SLAB_BYTES per slab
 * in use, which is why slabs are only taken after a large block.
 */
export function oppositeEndsFit(): Strategy {
  return new OppositeEndsFit();
}

class OppositeEndsFit extends BestFit {
  override readonly name = "opposite-ends-fit";
  carveHigh = false;
  /** Running mean of the block sizes requested, in bytes (0 before the first request). */
  private meanSize = 0;
  /** Bytes of the large request the heap last grew for (its top block), 0 when the last growth was small. */
  private largeAtTop = 0;

  override attach(host: StrategyHost): void {
    super.attach(host);
    this.meanSize = 0;
    this.largeAtTop = 0;
    this.carveHigh = false;
    this.beforeFind.fill(0);
  }

  override begin(): void {
    super.begin();
    this.savedMeanSize = this.meanSize;
    this.savedLargeAtTop = this.largeAtTop;
    this.savedCarveHigh = this.carveHigh;
    this.savedBeforeFind[0] = this.beforeFind[0]!;
    this.savedBeforeFind[1] = this.beforeFind[1]!;
    this.savedBeforeFind[2] = this.beforeFind[2]!;
    this.journal.onRollback(this.restorePolicy);
  }

  /**
   * The policy's state before the last find (the mean, largeAtTop, carveHigh as 0 / 1), for unfind: a rejected
   * malloc's request never entered the mean, and its growth never happened.
   */
  private readonly beforeFind = new Float64Array(3);
  unfind(): void {
    const b = this.beforeFind;
    this.meanSize = b[0]!;
    this.largeAtTop = b[1]!;
    this.carveHigh = b[2] === 1;
  }

  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedMeanSize = 0;
  private savedLargeAtTop = 0;
  private savedCarveHigh = false;
  private readonly savedBeforeFind = new Float64Array(3);
  private readonly restorePolicy = (): void => {
    this.meanSize = this.savedMeanSize;
    this.largeAtTop = this.savedLargeAtTop;
    this.carveHigh = this.savedCarveHigh;
    this.beforeFind.set(this.savedBeforeFind);
  };

  override find(size: number): number {
    const block = super.find(size);
    const b = this.beforeFind;
    b[0] = this.meanSize;
    b[1] = this.largeAtTop;
    b[2] = this.carveHigh ? 1 : 0;
    this.meanSize = this.meanSize === 0 ? size : this.meanSize + (size - this.meanSize) / (1 << MEAN_SHIFT);
    this.carveHigh = size < this.meanSize;
    return block;
  }

  growBy(need: number): number {
    // Called after a find that missed, so carveHigh says whether that request was small.
    const large = this.largeAtTop;
    this.largeAtTop = this.carveHigh ? 0 : need;
    // A slab is for the large requests that follow: worth it only if one like the last fits beside this one.
    return this.carveHigh && large > 0 && large + need <= SLAB_BYTES ? SLAB_BYTES : need;
  }
}
