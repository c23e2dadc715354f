import type { HeapStats } from "@dmm/core";

/**
 * Counts used and free blocks during one physical walk of a peer's heap, and turns the counts into HeapStats.
 * One instance per adapter, reset at the start of each stats() call, so a walk allocates nothing but the result.
 * Peers do not record requested sizes, so liveBytes and peakLiveBytes are NaN (the replay counts live bytes itself).
 */
export class BlockTally {
  private usedBlocks = 0;
  private usedBytes = 0;
  private freeBlocks = 0;
  private freeBytes = 0;
  private largestFreePayload = 0;

  reset(): this {
    this.usedBlocks = this.usedBytes = this.freeBlocks = this.freeBytes = this.largestFreePayload = 0;
    return this;
  }

  /** A used block of `blockBytes` bytes, header (and footer) included. */
  used(blockBytes: number): void {
    this.usedBlocks++;
    this.usedBytes += blockBytes;
  }

  /** A free block of `blockBytes` bytes, header included, whose payload holds `payloadBytes`. */
  free(blockBytes: number, payloadBytes: number): void {
    this.freeBlocks++;
    this.freeBytes += blockBytes;
    if (payloadBytes > this.largestFreePayload) this.largestFreePayload = payloadBytes;
  }

  stats(heapBytes: number, peakHeapBytes: number, failedAllocations: number): HeapStats {
    return {
      heapBytes,
      peakHeapBytes,
      liveBytes: Number.NaN,
      peakLiveBytes: Number.NaN,
      usedBlocks: this.usedBlocks,
      usedBytes: this.usedBytes,
      freeBlocks: this.freeBlocks,
      freeBytes: this.freeBytes,
      largestFreeBlock: this.largestFreePayload,
      failedAllocations,
    };
  }
}
