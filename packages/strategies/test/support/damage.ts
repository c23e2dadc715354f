/**
 * The machinery the overflow table (overflow-detection-table.test.ts) and the red team (red-team.test.ts) share:
 * a strategy whose link-word reads are metered (so a walk through smashed links that never ends is reported as a
 * hang instead of freezing the test), random steps over live blocks that remember the bytes they wrote, and the
 * judgement of one call on a damaged heap.
 */
import { type Allocator, HeapError, type Strategy, type StrategyHost } from "@dmm/core";
import fc from "fast-check";

/** Link-word reads one trial may make: far more than any honest run of its few dozen calls needs. */
export const READ_BUDGET = 2_000_000;

/** Thrown by a metered strategy that read more than its budget of link words. */
export class Hang extends Error {}

/**
 * The strategy sees the heap through a host whose `words` counts every read against `budget.reads`; every other
 * member, the optional ones included, is the inner strategy's.
 */
export function metered(inner: Strategy, budget: { reads: number }): Strategy {
  const proxies = new WeakMap<Int32Array, Int32Array>();
  const wrap = (words: Int32Array): Int32Array => {
    let p = proxies.get(words);
    if (p === undefined) {
      p = new Proxy(words, {
        get(target, key) {
          if (typeof key === "string" && --budget.reads < 0) throw new Hang(`more than ${READ_BUDGET} link-word reads`);
          const value = Reflect.get(target, key);
          return typeof value === "function" ? value.bind(target) : value;
        },
        set(target, key, value) {
          return Reflect.set(target, key, value);
        },
      });
      proxies.set(words, p);
    }
    return p;
  };
  const strategy: Strategy = {
    name: inner.name,
    get examined() {
      return inner.examined;
    },
    set examined(v) {
      inner.examined = v;
    },
    get carveHigh() {
      return inner.carveHigh;
    },
    attach(host: StrategyHost) {
      inner.attach({
        get words() {
          return wrap(host.words);
        },
        get marks() {
          return host.marks;
        },
        minBlockSize: host.minBlockSize,
        alignment: host.alignment,
        base: host.base,
        get top() {
          return host.top;
        },
        isFreeBlock: (offset) => host.isFreeBlock(offset),
      });
    },
    insert: (b) => inner.insert(b),
    remove: (b) => inner.remove(b),
    find: (s) => inner.find(s),
    forEach: (v) => inner.forEach(v),
    ...(inner.validateInsert && { validateInsert: (b: number, size: number) => inner.validateInsert!(b, size) }),
    ...(inner.validateRemove && { validateRemove: (b: number) => inner.validateRemove!(b) }),
    ...(inner.begin && { begin: () => inner.begin!() }),
    ...(inner.commit && { commit: () => inner.commit!() }),
    ...(inner.rollback && { rollback: () => inner.rollback!() }),
    ...(inner.check && { check: () => inner.check!() }),
    ...(inner.largest && { largest: () => inner.largest!() }),
    ...(inner.growBy && { growBy: (need: number) => inner.growBy!(need) }),
    ...(inner.unfind && { unfind: () => inner.unfind!() }),
  };
  return strategy;
}

export type Step = { kind: "malloc"; size: number } | { kind: "free"; pick: number } | { kind: "realloc"; pick: number; size: number };

export const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("malloc" as const), size: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ kind: fc.constant("free" as const), pick: fc.nat(1000) }),
  fc.record({ kind: fc.constant("realloc" as const), pick: fc.nat(1000), size: fc.integer({ min: 0, max: 300 }) }),
);

/** A live allocation: its pointer, the bytes requested, and the byte value they were filled with. */
export interface Live {
  ptr: number;
  size: number;
  seed: number;
}

/** Live requested ranges are disjoint and hold their bytes. */
export function intact(allocator: Allocator, lives: Live[]): boolean {
  const spans = lives.map((l) => [l.ptr, l.ptr + l.size] as const).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![1]) return false;
  const m = allocator.memory;
  for (const l of lives) for (let i = 0; i < l.size; i++) if (m[l.ptr + i] !== l.seed) return false;
  return true;
}

/** The live block a free or realloc step works on (its bytes are the call's to change), or -1. */
export function target(lives: Live[], s: Step): number {
  return s.kind === "malloc" || lives.length === 0 ? -1 : lives[s.pick % lives.length]!.ptr;
}

/** Runs one step, filling what it allocates with `seed & 255` and keeping `lives` up to date. */
export function apply(allocator: Allocator, lives: Live[], s: Step, seed: number): void {
  if (s.kind === "malloc") {
    const ptr = allocator.malloc(s.size);
    if (ptr !== 0) {
      allocator.memory.fill(seed & 255, ptr, ptr + s.size);
      lives.push({ ptr, size: s.size, seed: seed & 255 });
    }
    return;
  }
  if (lives.length === 0) return;
  const i = s.pick % lives.length;
  if (s.kind === "free") {
    allocator.free(lives[i]!.ptr);
    lives.splice(i, 1);
    return;
  }
  const ptr = allocator.realloc(lives[i]!.ptr, s.size);
  if (s.size === 0) lives.splice(i, 1);
  else if (ptr !== 0) {
    lives[i] = { ptr, size: s.size, seed: seed & 255 };
    allocator.memory.fill(seed & 255, ptr, ptr + s.size);
  }
}

/** How a rejected call left the heap's bytes, judged against a copy taken just before it. */
export function rejectedChange(before: Uint8Array, now: Uint8Array): boolean {
  if (now.length !== before.length) return true;
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) return true;
  return false;
}

/** Whether `e` is a HeapError (the only thing any call on a damaged heap may throw). */
export function isHeapError(e: unknown): e is HeapError {
  return e instanceof HeapError;
}
