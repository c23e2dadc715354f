import { replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { describe, expect, it } from "vitest";
import { growableHeap } from "./helpers.js";

// Core layout: header 8 bytes, 8-byte alignment, smallest block 24, first block at 8; a growable heap grows by
// exactly the block a request needs, so malloc(16) costs a 24-byte block and malloc(200) a 208-byte one.
describe("metrics on a hand-computed trace (growable first-fit heap)", () => {
  // op  trace     blocks after the op                                     live  heap
  //  1  a 0 16    [8,32) used                                               16    32
  //  2  a 1 16    + [32,56) used                                            32    56
  //  3  a 2 16    + [56,80) used                                            48    80
  //  4  a 3 16    + [80,104) used                                           64   104
  //  5  f 0       [8,32) free                                               48   104
  //  6  f 2       [56,80) free (not adjacent to [8,32))                     32   104
  //  7  a 4 200   no free block fits 208: grow, [104,312) used              232  312
  const trace = new TraceBuilder()
    .malloc(0, 16).malloc(1, 16).malloc(2, 16).malloc(3, 16)
    .free(0).free(2)
    .malloc(4, 200)
    .finish();
  const result = replay(trace, growableHeap());

  it("peak live bytes follow the CS:APP rule and peak heap bytes come from stats()", () => {
    expect(result.ops).toBe(7);
    expect(result.peakLiveBytes).toBe(232);
    expect(result.peakHeapBytes).toBe(312);
  });

  it("utilization = peak live / peak heap; fragmentation = peak heap / peak live - 1", () => {
    expect(result.utilization).toBeCloseTo(232 / 312, 12);
    expect(result.fragmentation).toBeCloseTo(312 / 232 - 1, 12);
  });

  it("internal fragmentation at the peak = (usedBytes - liveBytes) / usedBytes", () => {
    // At the peak (after op 7): used blocks 24 + 24 + 208 = 256 bytes for 232 live bytes.
    expect(result.internalFragmentation).toBeCloseTo((256 - 232) / 256, 12);
  });

  it("external fragmentation at the peak = 1 - largest free payload / free bytes", () => {
    // Two free 24-byte blocks: 48 free bytes, the largest serves 16.
    expect(result.externalFragmentation.atPeak).toBeCloseTo(1 - 16 / 48, 12);
  });

  it("the mean external fragmentation averages the timeline samples after op 0", () => {
    // One sample per op: 0, 0, 0, 0, 0 (one free block), 2/3, 2/3.
    expect(result.timeline.map((p) => p.op)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(result.externalFragmentation.mean).toBeCloseTo((2 * (2 / 3)) / 7, 12);
  });

  it("the timeline records live, heap, used, free, largest free block and free blocks", () => {
    expect(result.timeline[6]).toEqual({
      op: 6, liveBytes: 32, heapBytes: 104, usedBytes: 48, freeBytes: 48, largestFreeBlock: 16, freeBlocks: 2,
      externalFragmentation: 1 - 16 / 48,
    });
    expect(result.timeline[0]).toMatchObject({ op: 0, liveBytes: 0, heapBytes: 0, freeBlocks: 0 });
  });

  it("no failures on a growable heap", () => {
    expect(result.failures).toEqual({ outOfMemory: 0, fragmented: 0 });
  });
});

describe("the peak is captured before the first op that lowers live bytes", () => {
  //  a 0 16  [8,32)        live 16
  //  a 1 40  [32,80)       live 56  <- peak 1: used 72, no free block
  //  f 0     [8,32) free   live 40
  //  a 2 100 [80,192)      live 140 <- peak 2 (the one reported): used 48 + 112 = 160, one free block of 24
  //  f 1     merges [8,80)
  const trace = new TraceBuilder().malloc(0, 16).malloc(1, 40).free(0).malloc(2, 100).free(1).finish();
  const result = replay(trace, growableHeap());

  it("reports the state at the highest peak, not the end", () => {
    expect(result.peakLiveBytes).toBe(140);
    expect(result.peakHeapBytes).toBe(192);
    expect(result.internalFragmentation).toBeCloseTo((160 - 140) / 160, 12);
    expect(result.externalFragmentation.atPeak).toBe(0); // one free block is no external fragmentation
  });
});
