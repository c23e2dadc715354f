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
    ...(inner.check && { check: () => inner.check!() }),
    ...(inner.largest && { largest: () => inner.largest!() }),
    ...(inner.growBy && { growBy: (need: number) => inner.growBy!(need) }),
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

/**
 * Where each live block lies, header to end of its usable bytes, taken before a call (usableSize may throw on a
 * damaged header: then the requested bytes stand in for it).
 */
export function extentsOf(allocator: Allocator, lives: Live[]): Array<readonly [number, number]> {
  return lives.map((l) => {
    let usable = l.size;
    try {
      usable = Math.max(usable, allocator.usableSize(l.ptr));
    } catch {
      // the header is what is damaged: the request's bytes are still the block's
    }
    return [l.ptr - 8, l.ptr + usable] as const;
  });
}

/** Every byte that differs lies outside every live block's extent: only free blocks' words changed. */
export function freeSpaceOnly(before: Uint8Array, now: Uint8Array, extents: Array<readonly [number, number]>): boolean {
  if (now.length !== before.length) return false;
  for (const [from, to] of extents) for (let i = from; i < to; i++) if (now[i] !== before[i]) return false;
  return true;
}

/**
 * The known gap: a call of two steps that both change the free index — a realloc that must move (malloc, then
 * free of the old block) or an allocation under deferred coalescing (a merge pass, then the fit found after it)
 * — rejected by its second step, after the first rearranged free blocks. The heap vets the second step before the
 * first, and when the second is rejected all the same it undoes the first through the strategy's remove / insert
 * (core heap.ts move, findAfterPass): exact for the treaps (one shape per set of blocks) as long as the undo's own
 * path is clean. What is left, and counted here: the damage lies on the path the undo retraces (a smashed subtree
 * the first step's insert re-parented under the new block, a list head with a smashed header the new block was
 * pushed onto), or a list strategy put a piece back at its list's head, or an address tree's subtree maxima were
 * recomputed from a smashed header. Live blocks are untouched (freeSpaceOnly) and the rejected realloc's block
 * stays live. KNOWN_GAP=fail counts these trials as failures (to measure what is left, e.g. over many seeds).
 */
export function knownGap(allocator: Allocator, lives: Live[], s: Step, coalescing: string): boolean {
  if (process.env.KNOWN_GAP === "fail") return false;
  if (s.kind === "malloc") return coalescing === "deferred";
  if (s.kind !== "realloc" || lives.length === 0) return false;
  let usable = 0;
  try {
    usable = allocator.usableSize(lives[s.pick % lives.length]!.ptr);
  } catch {
    return false;
  }
  return s.size > usable;
}
