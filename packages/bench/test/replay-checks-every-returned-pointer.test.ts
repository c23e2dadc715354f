import { type Allocator } from "@dmm/core";
import { ReplayError, replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { describe, expect, it } from "vitest";
import { ForwardingAllocator, growableHeap } from "./helpers.js";

/**
 * Every pointer an allocator returns is checked at the op that returned it: a number, a multiple of 8, its payload
 * inside `memory` and overlapping no live block, with integrity on or off (off: what a replay that only counts uses). The message prints the pointer as the number
 * the allocator returned — not as it would read from a Uint32 slot (a negative pointer is not 4294967280).
 * Before, a misaligned pointer was never noticed, and the others were caught 25–370 ops later.
 */
class Lying extends ForwardingAllocator {
  calls = 0;
  constructor(
    inner: Allocator,
    readonly which: number,
    readonly lie: (p: number, memoryLength: number) => number,
  ) {
    super(inner);
  }
  override malloc(size: number): number {
    const p = this.inner.malloc(size);
    return this.calls++ === this.which ? this.lie(p, this.memory.length) : p;
  }
  override realloc(ptr: number, size: number): number {
    const p = this.inner.realloc(ptr, size);
    return this.lie(p, this.memory.length);
  }
}

function trace(): ReturnType<TraceBuilder["finish"]> {
  const b = new TraceBuilder();
  for (let i = 0; i < 6; i++) b.malloc(i, 40);
  for (let i = 0; i < 6; i++) b.free(i);
  return b.finish();
}

function rejection(allocator: Allocator, integrity = true, t = trace()): ReplayError {
  let caught: unknown;
  try {
    replay(t, allocator, { integrity });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ReplayError);
  return caught as ReplayError;
}

describe.each([true, false])("integrity %s", (integrity) => {
  const cases: Array<[string, (p: number, length: number) => number, RegExp]> = [
    ["p + 1", (p) => p + 1, /malloc\(40\) returned \d*[13579]: not a multiple of 8/],
    ["p + 4", (p) => p + 4, /malloc\(40\) returned \d+: not a multiple of 8/],
    ["negative", () => -16, /malloc\(40\) returned -16: a negative offset/],
    ["NaN", () => Number.NaN, /malloc\(40\) returned NaN: not an integer/],
    ["fractional", (p) => p + 0.5, /returned \d+\.5: not an integer/],
    ["past the end of memory", (_p, length) => length, /returned \d+: its 40 bytes end at \d+, past the end of memory/],
    ["straddling the end of memory", (_p, length) => length - 16, /past the end of memory/],
  ];
  it.each(cases)("a returned pointer %s is POINTER at the op that returned it", (_what, lie, message) => {
    const e = rejection(new Lying(growableHeap(), 2, lie), integrity);
    expect(e.code).toBe("POINTER");
    expect(e.opIndex).toBe(2);
    expect(e.ids[0]).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain("4294967280");
  });

  it("a realloc that returns a misaligned pointer is POINTER at the realloc", () => {
    const t = new TraceBuilder().malloc(0, 40).realloc(0, 400).free(0).finish();
    const e = rejection(new Lying(growableHeap(), -1, (p) => p + 2), integrity, t);
    expect(e.code).toBe("POINTER");
    expect(e.opIndex).toBe(1);
    expect(e.message).toMatch(/realloc\(16, 400\) returned \d+: not a multiple of 8/);
  });

  it("a payload overlapping a live block is POINTER at its malloc, naming both ids", () => {
    const e = rejection(new Lying(growableHeap(), 3, (p) => p - 48 - 16), integrity); // 16 bytes into id 1's block
    expect(e.code).toBe("POINTER");
    expect(e.opIndex).toBe(3);
    expect(e.ids).toEqual([3, 1, 2]);
    expect(e.message).toMatch(/overlaps the live block of id 1 at \[\d+, \d+\), id 2 at/);
  });

  it("a realloc that moves onto a live block is POINTER at the realloc", () => {
    const t = new TraceBuilder().malloc(0, 40).malloc(1, 40).realloc(0, 400).free(0).free(1).finish();
    class OntoNeighbour extends ForwardingAllocator {
      override realloc(ptr: number, size: number): number {
        this.inner.realloc(ptr, size);
        return ptr + 48; // id 1's payload
      }
    }
    const e = rejection(new OntoNeighbour(growableHeap()), integrity, t);
    expect(e.code).toBe("POINTER");
    expect(e.opIndex).toBe(2);
    expect(e.ids).toEqual([0, 1]);
  });
});

it("a block handed out again after it was freed is fine: freed payloads leave the interval set", () => {
  const b = new TraceBuilder();
  for (let round = 0; round < 50; round++) {
    b.malloc(round, 8 + round);
    b.realloc(round, 100 + round);
    b.free(round);
  }
  const t = b.finish();
  expect(() => replay(t, growableHeap())).not.toThrow();
  expect(() => replay(t, growableHeap(), { integrity: false })).not.toThrow();
});
