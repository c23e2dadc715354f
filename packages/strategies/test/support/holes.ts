/**
 * Builds a fixed-arena heap whose free space is exactly a row of holes of known block sizes (header
 * included), each between two used 24-byte guards, in address order:
 *
 *   [guard][hole 0][guard][hole 1][guard] ... [hole k][guard][filler: the rest of the arena, used]
 *
 * Holes are freed in `freeOrder` (default: address order). Nothing else is free, so which hole a policy
 * picks is fully determined by the policy.
 */
import { createHeap, type Heap, type Strategy } from "@dmm/core";

export const HEADER = 8;

export interface Holes {
  heap: Heap;
  /** Block offset of each hole, in address order. */
  holes: number[];
}

export function heapWithHoles(strategy: Strategy, holeBlockSizes: number[], freeOrder?: number[]): Holes {
  const heap = createHeap({ size: 64 * 1024, strategy });
  const holePtrs: number[] = [];
  for (const bytes of holeBlockSizes) {
    heap.malloc(16); // guard
    holePtrs.push(heap.malloc(bytes - HEADER));
  }
  heap.malloc(16);
  const filler = heap.malloc(heap.stats().largestFreeBlock);
  if (filler === 0 || heap.stats().freeBlocks !== 0) throw new Error("the filler should take the rest of the arena");
  for (const i of freeOrder ?? holeBlockSizes.map((_, i) => i)) heap.free(holePtrs[i]!);
  heap.check();
  return { heap, holes: holePtrs.map((p) => p - HEADER) };
}
