/**
 * `patterns: false` (the report's fixed-arena replay, after the growable replay verified every payload byte):
 * no payload byte is written or read, but a payload that overlaps a live one and a calloc that does not zero are
 * still caught at their op.
 */
import { replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

/** Hands out its second block 8 bytes into the first. */
class OverlappingAllocator extends ForwardingAllocator {
  private first = 0;
  private calls = 0;
  override malloc(size: number): number {
    const p = this.inner.malloc(size);
    if (this.calls++ === 0) this.first = p;
    return this.calls === 2 ? this.first + 8 : p;
  }
}

/** Flips a byte of the block at 16 (id 0's, while it is live) on every free. */
class Scribbler extends ForwardingAllocator {
  override free(ptr: number): void {
    this.inner.free(ptr);
    this.memory[16 + 8] ^= 0xff;
  }
}

/** Remembers the payloads it handed out. */
class Recorder extends ForwardingAllocator {
  readonly payloads: Array<[number, number]> = [];
  override malloc(size: number): number {
    const p = this.inner.malloc(size);
    this.payloads.push([p, size]);
    return p;
  }
}

it("writes no payload pattern", () => {
  const t = new TraceBuilder().malloc(0, 64).malloc(1, 64).finish();
  const plain = new Recorder(growableHeap());
  replay(t, plain, { patterns: false });
  // The first half of each payload (the heap may keep a stale footer in the last word of a fresh block).
  expect(plain.payloads.every(([p, n]) => plain.memory.subarray(p, p + n / 2).every((b) => b === 0))).toBe(true);
  // With patterns on (the default), the same replay writes each id's pattern there.
  const patterned = new Recorder(growableHeap());
  replay(t, patterned);
  expect(patterned.payloads.every(([p, n]) => patterned.memory.subarray(p, p + n / 2).some((b) => b !== 0))).toBe(true);
});

it("does not read the payloads either: a scribbled live block passes", () => {
  const t = new TraceBuilder().malloc(0, 32).malloc(1, 32).free(1).free(0).finish();
  expect(() => replay(t, new Scribbler(growableHeap()))).toThrow(expect.objectContaining({ code: "INTEGRITY" }));
  expect(replay(t, new Scribbler(growableHeap()), { patterns: false }).ops).toBe(4);
});

it("still names an overlapping payload at the malloc that returned it", () => {
  const t = new TraceBuilder().malloc(0, 32).malloc(1, 32).free(0).free(1).finish();
  expect(() => replay(t, new OverlappingAllocator(growableHeap()), { patterns: false })).toThrow(
    expect.objectContaining({ code: "POINTER", opIndex: 1, ids: [1, 0] }),
  );
});

it("still catches a calloc that does not zero", () => {
  class DirtyCalloc extends ForwardingAllocator {
    override calloc(count: number, size: number): number {
      const p = this.inner.malloc(count * size);
      this.memory.fill(0xaa, p, p + count * size);
      return p;
    }
  }
  const t = new TraceBuilder().calloc(0, 4, 4).free(0).finish();
  expect(() => replay(t, new DirtyCalloc(growableHeap()), { patterns: false })).toThrow(expect.objectContaining({ code: "INTEGRITY", opIndex: 0 }));
});
