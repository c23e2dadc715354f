import { type Allocator, createHeap, HeapError, type Strategy, type StrategyHost } from "@dmm/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createBuddyAllocator, strategies } from "../src/index.js";

/**
 * A buffer overflow, as a red team would throw it at every allocator: 1–24 random bytes written just past the end
 * of a live block's usable size — over the next block's header and, when that block is free, its link words — and
 * then more random malloc / free / realloc. Each trial ends in exactly one of:
 *
 *   detected at the call  a later call threw a HeapError before any live data was touched (the block that call
 *                         was freeing or resizing aside: a rejected call that still wrote into it is counted
 *                         apart, in "rejected, changed", as well);
 *   caught later          no call noticed, but check() reports CORRUPTION, with live data still intact;
 *   harmless              no call noticed, check() passes and every live block is intact (e.g. an unused word);
 *   silent                a call handed out memory over a live block or live bytes changed, with no error first;
 *   crash                 something other than a HeapError was thrown (RangeError, TypeError, a plain Error);
 *   hang                  a strategy read more than READ_BUDGET link words in one trial (its walk never ends).
 *
 * The table is printed per allocator; the test fails on any silent, crash or hang, naming the first such trial and
 * the seed (set OVERFLOW_SEED to replay a run).
 */
const OUTCOMES = ["detected at the call", "caught later", "harmless", "silent", "crash", "hang"] as const;
type Outcome = (typeof OUTCOMES)[number];
/** Of the trials detected at the call: those where the rejected call had already changed the heap's bytes. */
const CHANGED = "rejected, changed";
const TRIALS = 1500;
const READ_BUDGET = 2_000_000;
const seed = Number(process.env.OVERFLOW_SEED ?? Date.now() % 2 ** 31);

class Hang extends Error {}

/**
 * The strategy sees the heap through a host whose `words` counts every read: the trial's budget of link reads,
 * so a walk through smashed links that never ends is reported as a hang instead of freezing the test.
 */
function metered(inner: Strategy, budget: { reads: number }): Strategy {
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
    ...(inner.check && { check: () => inner.check!() }),
    ...(inner.largest && { largest: () => inner.largest!() }),
  };
  return strategy;
}

type Step = { kind: "malloc"; size: number } | { kind: "free"; pick: number } | { kind: "realloc"; pick: number; size: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("malloc" as const), size: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ kind: fc.constant("free" as const), pick: fc.nat(1000) }),
  fc.record({ kind: fc.constant("realloc" as const), pick: fc.nat(1000), size: fc.integer({ min: 0, max: 300 }) }),
);

interface Live {
  ptr: number;
  size: number;
  seed: number;
}

/** Live requested ranges are disjoint and hold their bytes. */
function intact(allocator: Allocator, lives: Live[]): boolean {
  const spans = lives.map((l) => [l.ptr, l.ptr + l.size] as const).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![1]) return false;
  const m = allocator.memory;
  for (const l of lives) for (let i = 0; i < l.size; i++) if (m[l.ptr + i] !== l.seed) return false;
  return true;
}

/** The live block a free or realloc step works on (its bytes are the call's to change), or -1. */
function target(lives: Live[], s: Step): number {
  return s.kind === "malloc" || lives.length === 0 ? -1 : lives[s.pick % lives.length]!.ptr;
}

function apply(allocator: Allocator, lives: Live[], s: Step, seed: number): void {
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

interface Trial {
  before: Step[];
  victim: number;
  bytes: Uint8Array;
  after: Step[];
  growable: boolean;
  coalescing: "immediate" | "deferred" | "none";
}

function runTrial(make: (t: Trial, budget: { reads: number }) => Allocator | null, t: Trial, changed: { n: number }): Outcome | null {
  const budget = { reads: Number.POSITIVE_INFINITY };
  const allocator = make(t, budget);
  if (allocator === null) return null;
  const lives: Live[] = [];
  let stamp = 1;
  for (const s of t.before) apply(allocator, lives, s, stamp++);
  allocator.check();
  if (lives.length === 0) return null;
  const v = lives[t.victim % lives.length]!;
  const end = v.ptr + allocator.usableSize(v.ptr);
  if (end + t.bytes.length > allocator.memory.length || end >= allocator.stats().heapBytes) return null; // nothing above to smash
  allocator.memory.set(t.bytes, end);
  // Bytes that landed in another live block's payload are the program's own damage, not the allocator's: put
  // them back, keeping what hit headers, footers and free blocks' links.
  for (const l of lives) if (l.ptr < end + t.bytes.length && end < l.ptr + l.size) allocator.memory.fill(l.seed, l.ptr, l.ptr + l.size);
  budget.reads = READ_BUDGET;
  let before = allocator.memory.slice();
  let working = -1;
  try {
    for (const s of t.after) {
      before = allocator.memory.slice();
      working = target(lives, s);
      apply(allocator, lives, s, stamp++);
      if (!intact(allocator, lives)) return "silent";
    }
    try {
      allocator.check();
    } catch (e) {
      if (e instanceof HeapError && e.code === "CORRUPTION") return "caught later";
      throw e;
    }
    if (!intact(allocator, lives)) return "silent";
    for (const l of lives) if (allocator.usableSize(l.ptr) < l.size) return "silent";
    return "harmless";
  } catch (e) {
    if (e instanceof Hang) return "hang";
    if (e instanceof HeapError) {
      if (!intact(allocator, lives.filter((l) => l.ptr !== working))) return "silent";
      const now = allocator.memory;
      if (now.length !== before.length || now.some((b, i) => b !== before[i])) changed.n++;
      return "detected at the call";
    }
    return "crash";
  }
}

const allocators: Array<[string, (t: Trial, budget: { reads: number }) => Allocator | null]> = [
  ...strategies.map(
    (s) =>
      [
        s.name,
        (t: Trial, budget: { reads: number }) =>
          createHeap({ size: t.growable ? 0 : 4096, maxSize: 4096, coalescing: t.coalescing, strategy: metered(s.create(), budget) }),
      ] as [string, (t: Trial, budget: { reads: number }) => Allocator | null],
  ),
  [
    "buddy",
    (t: Trial) => (t.coalescing === "deferred" ? null : createBuddyAllocator({ size: t.growable ? 0 : 4096, maxSize: 4096, coalescing: t.coalescing })),
  ],
];

const table: Record<string, Record<Outcome, number>> = {};
const changedBy: Record<string, { n: number }> = {};
const firstBad: string[] = [];

describe(`an overflow past a live block, ${TRIALS} trials per allocator (seed ${seed})`, () => {
  it.each(allocators)("%s: every overflow is detected, caught later or harmless", (name, make) => {
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    const changed = { n: 0 };
    table[name] = counts;
    changedBy[name] = changed;
    let bad: string | null = null;
    fc.assert(
      fc.property(
        fc.record({
          before: fc.array(step, { minLength: 5, maxLength: 40, size: "max" }),
          victim: fc.nat(1000),
          bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
          after: fc.array(step, { maxLength: 30, size: "max" }),
          growable: fc.boolean(),
          coalescing: fc.constantFrom("immediate" as const, "deferred" as const, "none" as const),
        }),
        (t) => {
          const outcome = runTrial(make, t, changed);
          if (outcome === null) return;
          counts[outcome]++;
          if (bad === null && (outcome === "silent" || outcome === "crash" || outcome === "hang")) {
            bad = `${name}: ${outcome} — ${JSON.stringify({ ...t, bytes: [...t.bytes] })}`;
          }
        },
      ),
      { numRuns: TRIALS, seed },
    );
    if (bad !== null) firstBad.push(bad);
    expect(counts.silent + counts.crash + counts.hang, bad ?? "").toBe(0);
  });

  afterAll(() => {
    const rows = Object.entries(table).map(([allocator, c]) => ({ allocator, ...c, [CHANGED]: changedBy[allocator]!.n }));
    console.log(`overflow trials per allocator (seed ${seed}; OVERFLOW_SEED=${seed} replays them)`);
    console.table(rows);
    for (const b of firstBad) console.log(`first failing trial: ${b}`);
  });
});
