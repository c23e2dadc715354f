/**
 * Random operation sequences against a model of live intervals, shared by the property tests. After every
 * operation: check(), and every live block is aligned, inside memory, at least its requested size, disjoint
 * from the others and still holding the bytes written into it.
 */
import type { Heap, Strategy } from "@dmm/core";
import { createHeap } from "@dmm/core";
import fc from "fast-check";
import { expect } from "vitest";

export type Op =
  | { kind: "malloc"; size: number }
  | { kind: "calloc"; count: number; size: number }
  | { kind: "realloc"; pick: number; size: number }
  | { kind: "free"; pick: number };

const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 3, arbitrary: fc.integer({ min: 65, max: 600 }) },
  { weight: 1, arbitrary: fc.integer({ min: 601, max: 2000 }) },
);
const pick = fc.nat({ max: 1000 });

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("malloc" as const), size }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("calloc" as const), count: fc.integer({ min: 0, max: 8 }), size: fc.integer({ min: 0, max: 100 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("realloc" as const), pick, size }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("free" as const), pick }) },
);

interface Live {
  ptr: number;
  size: number;
  seed: number;
}

function pattern(seed: number, i: number): number {
  return (seed * 131 + i * 17 + (i >> 8)) & 255;
}

function write(heap: Heap, live: Live): void {
  const m = heap.memory;
  for (let i = 0; i < live.size; i++) m[live.ptr + i] = pattern(live.seed, i);
}

function intact(heap: Heap, live: Live, length = live.size): boolean {
  const m = heap.memory;
  for (let i = 0; i < length; i++) if (m[live.ptr + i] !== pattern(live.seed, i)) return false;
  return true;
}

/** The first and last EDGE bytes of a payload: where a neighbour's overrun or a misplaced block would show. */
const EDGE = 96;
function edgesIntact(heap: Heap, live: Live): boolean {
  const m = heap.memory;
  const n = live.size;
  for (let i = 0; i < Math.min(n, EDGE); i++) if (m[live.ptr + i] !== pattern(live.seed, i)) return false;
  for (let i = Math.max(EDGE, n - EDGE); i < n; i++) if (m[live.ptr + i] !== pattern(live.seed, i)) return false;
  return true;
}

/**
 * Checks every invariant the model knows. Payloads are compared at their edges after each operation (spans
 * are checked disjoint separately, so a misplaced block shows at an edge) and in full at the end of a run.
 */
function verify(heap: Heap, lives: Live[], full = false): void {
  heap.check();
  // Plain comparisons with expect.fail: this runs after every operation, and expect() per value is slow.
  const alignment = heap.alignment;
  const spans: Array<[number, number]> = [];
  let liveBytes = 0;
  for (const l of lives) {
    const usable = heap.usableSize(l.ptr);
    if (l.ptr % alignment !== 0) expect.fail(`${l.ptr} is not aligned to ${alignment}`);
    if (usable < l.size) expect.fail(`usableSize(${l.ptr}) = ${usable} < requested ${l.size}`);
    if (l.ptr + usable > heap.memory.length) expect.fail(`${l.ptr} + ${usable} lies outside memory`);
    if (!(full ? intact(heap, l) : edgesIntact(heap, l))) expect.fail(`payload of ${l.ptr} was not preserved`);
    spans.push([l.ptr, l.ptr + usable]);
    liveBytes += l.size;
  }
  spans.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) expect.fail(`blocks ${spans[i - 1]![0]} and ${spans[i]![0]} overlap`);
  }
  const stats = heap.stats();
  if (stats.liveBytes !== liveBytes) expect.fail(`stats.liveBytes ${stats.liveBytes}, model ${liveBytes}`);
  if (stats.usedBlocks !== lives.length) expect.fail(`stats.usedBlocks ${stats.usedBlocks}, model ${lives.length}`);
}

export interface RunOptions {
  strategy: () => Strategy;
  coalescing: "immediate" | "deferred" | "none";
  alignment: number;
  growable: boolean;
}

/** Replays `ops` on a fresh heap, verifying after every operation; frees everything at the end. */
export function runOps(ops: Op[], o: RunOptions): Heap {
  const heap = createHeap({
    size: o.growable ? 0 : 8192,
    maxSize: o.growable ? 1 << 20 : 8192,
    strategy: o.strategy(),
    coalescing: o.coalescing,
    alignment: o.alignment,
  });
  const lives: Live[] = [];
  let seed = 1;
  for (const op of ops) {
    switch (op.kind) {
      case "malloc": {
        const ptr = heap.malloc(op.size);
        if (o.growable) expect(ptr, "a growable heap serves every request").not.toBe(0);
        if (ptr !== 0) {
          const live = { ptr, size: op.size, seed: seed++ };
          write(heap, live);
          lives.push(live);
        }
        break;
      }
      case "calloc": {
        const ptr = heap.calloc(op.count, op.size);
        if (ptr !== 0) {
          const usable = heap.usableSize(ptr);
          for (let i = 0; i < usable; i++) if (heap.memory[ptr + i] !== 0) expect.fail(`calloc byte ${i} of ${ptr} is not zero`);
          const live = { ptr, size: op.count * op.size, seed: seed++ };
          write(heap, live);
          lives.push(live);
        }
        break;
      }
      case "realloc": {
        if (lives.length === 0) break;
        const i = op.pick % lives.length;
        const old = lives[i]!;
        const ptr = heap.realloc(old.ptr, op.size);
        if (op.size === 0) {
          expect(ptr).toBe(0);
          lives.splice(i, 1);
        } else if (ptr === 0) {
          expect(intact(heap, old), "a failed realloc leaves the block unchanged").toBe(true);
        } else {
          const moved = { ptr, size: old.size, seed: old.seed };
          expect(intact(heap, moved, Math.min(old.size, op.size)), "realloc keeps the contents").toBe(true);
          const live = { ptr, size: op.size, seed: seed++ };
          write(heap, live);
          lives[i] = live;
        }
        break;
      }
      case "free": {
        if (lives.length === 0) break;
        const i = op.pick % lives.length;
        heap.free(lives[i]!.ptr);
        lives.splice(i, 1);
        break;
      }
    }
    verify(heap, lives);
  }
  verify(heap, lives, true);
  while (lives.length > 0) {
    heap.free(lives.pop()!.ptr);
    verify(heap, lives);
  }
  const s = heap.stats();
  expect(s).toMatchObject({ usedBlocks: 0, usedBytes: 0, liveBytes: 0 });
  if (o.coalescing === "immediate" && s.heapBytes > 0 && [...heap.walk()].length > 0) expect(s.freeBlocks).toBe(1);
  return heap;
}
