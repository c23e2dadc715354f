/**
 * Seeded random operation sequences for the tests, and a replayer that fills every payload with a pattern
 * and verifies it, so an allocator that hands out overlapping blocks, loses data on realloc or scribbles on
 * live memory fails loudly. Works on any Allocator (heaps with any strategy, the buddy allocator).
 */
import type { Allocator } from "@dmm/core";

export const MALLOC = 0;
export const CALLOC = 1;
export const REALLOC = 2;
export const FREE = 3;

export interface Op {
  kind: number;
  id: number;
  size: number;
  count: number;
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TraceOptions {
  ops: number;
  /** Live objects the trace hovers around. */
  live: number;
  /** Largest request in bytes. */
  maxSize: number;
}

/** Sizes: 70% small (1–64), 25% medium (65–1024), 5% large (up to maxSize); ops: malloc, calloc, realloc, free. */
export function randomTrace(seed: number, { ops, live, maxSize }: TraceOptions): Op[] {
  const random = prng(seed);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const size = () => {
    const r = random();
    return r < 0.7 ? between(1, 64) : r < 0.95 ? between(65, Math.min(1024, maxSize)) : between(1, maxSize);
  };
  const out: Op[] = [];
  const liveIds: number[] = [];
  let next = 0;
  for (let i = 0; i < ops; i++) {
    const r = random();
    const grow = liveIds.length === 0 || random() < (liveIds.length < live ? 0.7 : 0.3);
    if (grow) {
      const id = next++;
      liveIds.push(id);
      if (r < 0.1) out.push({ kind: CALLOC, id, size: between(1, 32), count: between(1, 16) });
      else out.push({ kind: MALLOC, id, size: size(), count: 0 });
    } else {
      const k = Math.floor(random() * liveIds.length);
      const id = liveIds[k]!;
      if (r < 0.2) {
        out.push({ kind: REALLOC, id, size: size(), count: 0 });
      } else {
        liveIds[k] = liveIds[liveIds.length - 1]!;
        liveIds.pop();
        out.push({ kind: FREE, id, size: 0, count: 0 });
      }
    }
  }
  return out;
}

function patternByte(id: number, generation: number, i: number): number {
  return (Math.imul(id, 131) + Math.imul(generation, 17) + i * 7 + 1) & 255;
}

/** Where the replay stands: live pointers and what their payloads must hold. */
export interface ReplayState {
  ptr: Map<number, number>;
  size: Map<number, number>;
  generation: Map<number, number>;
  failures: number;
}

function fill(a: Allocator, p: number, id: number, gen: number, size: number): void {
  const m = a.memory;
  for (let i = 0; i < size; i++) m[p + i] = patternByte(id, gen, i);
}

function verify(a: Allocator, p: number, id: number, gen: number, size: number, when: string): void {
  const m = a.memory;
  for (let i = 0; i < size; i++) {
    if (m[p + i] !== patternByte(id, gen, i)) {
      throw new Error(`${a.name}: payload of object ${id} at ${p} damaged at byte ${i} (${when})`);
    }
  }
}

/**
 * Replays `ops` on `a`, checking each payload whenever the trace touches it, `a.check()` every `checkEvery`
 * ops, and every live payload every `verifyEvery` ops (default 10 × checkEvery).
 */
export function replayWithPatterns(a: Allocator, ops: readonly Op[], checkEvery: number, verifyEvery = checkEvery * 10): ReplayState {
  const state: ReplayState = { ptr: new Map(), size: new Map(), generation: new Map(), failures: 0 };
  const { ptr, size, generation } = state;
  let gen = 0;
  ops.forEach((op, i) => {
    const where = `op ${i} (${["malloc", "calloc", "realloc", "free"][op.kind]} id ${op.id})`;
    if (op.kind === MALLOC || op.kind === CALLOC) {
      const bytes = op.kind === CALLOC ? op.count * op.size : op.size;
      const p = op.kind === CALLOC ? a.calloc(op.count, op.size) : a.malloc(bytes);
      if (p === 0) {
        state.failures++;
      } else {
        if (p % 8 !== 0) throw new Error(`${a.name}: ${where} returned misaligned ${p}`);
        if (a.usableSize(p) < bytes) throw new Error(`${a.name}: ${where} usableSize ${a.usableSize(p)} < ${bytes}`);
        if (op.kind === CALLOC) {
          const m = a.memory;
          for (let j = 0; j < bytes; j++) if (m[p + j] !== 0) throw new Error(`${a.name}: ${where} calloc byte ${j} is not zero`);
        }
        fill(a, p, op.id, ++gen, bytes);
        ptr.set(op.id, p);
        size.set(op.id, bytes);
        generation.set(op.id, gen);
      }
    } else if (ptr.has(op.id)) {
      const p = ptr.get(op.id)!;
      const old = size.get(op.id)!;
      verify(a, p, op.id, generation.get(op.id)!, old, where);
      if (op.kind === FREE) {
        a.free(p);
        ptr.delete(op.id);
      } else {
        const q = a.realloc(p, op.size);
        if (q === 0) {
          state.failures++;
          verify(a, p, op.id, generation.get(op.id)!, old, `${where}, failed realloc left it`);
        } else {
          verify(a, q, op.id, generation.get(op.id)!, Math.min(old, op.size), `${where}, moved`);
          fill(a, q, op.id, ++gen, op.size);
          ptr.set(op.id, q);
          size.set(op.id, op.size);
          generation.set(op.id, gen);
        }
      }
    }
    if ((i + 1) % checkEvery === 0) a.check();
    if ((i + 1) % verifyEvery === 0) {
      for (const [id, p] of ptr) verify(a, p, id, generation.get(id)!, size.get(id)!, `after ${where}`);
    }
  });
  a.check();
  return state;
}

/** Frees every live object of a replay (verifying each payload first), then checks the allocator. */
export function freeAll(a: Allocator, state: ReplayState): void {
  for (const [id, p] of state.ptr) {
    verify(a, p, id, state.generation.get(id)!, state.size.get(id)!, "final free");
    a.free(p);
  }
  state.ptr.clear();
  a.check();
}
