import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Allocator, createHeap, HeapError } from "@dmm/core";
import { ReplayError, replay } from "@dmm/bench";
import { encodeTrace, generate, readTrace, TraceBuilder, TraceError } from "@dmm/workloads";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createBuddyAllocator, strategies } from "../src/index.js";
import { apply, Hang, intact, type Live, metered, READ_BUDGET, rejectedChange, type Step, step } from "./support/damage.js";

/**
 * The held-out red team of issue 9 ("a hardened heap"): shapes of attack the overflow table
 * (overflow-detection-table.test.ts) does not throw, on every allocator, and on the layers around it.
 *
 *   1. damage: an overflow of up to 40 bytes past a live block (through the next block's links into the one after),
 *      an underflow of up to 8 bytes into a live block's own header, or one 32-bit word anywhere in the heap set to
 *      a value that looks like a pointer or a size — then random calls mixed with stale, interior and double frees;
 *   2. bad arguments on every API (malloc, calloc, realloc, free, usableSize): NaN, -1, 2^31, 2^53, Infinity,
 *      fractions, strings, null, objects, stale and interior pointers;
 *   3. mutated trace files (dmm, rep and mtrace, plain and gzipped): bit flips and truncations, read by readTrace;
 *   4. misbehaving allocators under replay: a returned pointer that is misaligned, out of range, negative, not a
 *      number or overlapping a live block, and calls that throw.
 *
 * It finds none of: a hang (a strategy walking more than READ_BUDGET link words), a crash (anything thrown but a
 * HeapError / TraceError / ReplayError), silent damage (live bytes changed or a block handed out over a live one
 * with no error first), and a rejected call that changed a byte of the heap (its index's link words included) or
 * one of its counters (stats()) —
 * the calls of two steps too (a moving realloc, a deferred malloc's pass and fit), whose first step the heap
 * undoes exactly through the strategy's journal (journal.ts) when the second is rejected. Damage of the "link"
 * kind (a link word forged to name another free block, which passes the "names a free block" check) is in: the
 * trees check the order of every link a removal's merge or an insert follows, and undo a removal exactly when the
 * insert after it is rejected (removal-log.ts). Bad returned pointers are named at the op that returned them. The
 * seed is printed; RED_TEAM_SEED replays a run, RED_TEAM_SCALE=20 runs 20 times as many trials.
 */
const seed = Number(process.env.RED_TEAM_SEED ?? Date.now() % 2 ** 31);
// What this red team found before is fixed and fails it again: buddy's forged free-list link that made a later call
// silent and its BigInt size that was a TypeError (buddy-forged-free-list-link-is-corruption.test.ts,
// buddy-rejects-non-number-arguments-as-the-core-heap-does.test.ts); worst fit's rejected merging free / splitting
// malloc that changed the heap (worst-fit-rejected-call-leaves-heap-unchanged.test.ts); the address tree's hang on a
// forged link (forged-link-is-corruption-not-a-hang.test.ts).

/** RED_TEAM_SCALE multiplies every property's runs (1500 damaged heaps per allocator, 400 bad calls, ...): a run at scale. */
const SCALE = Math.max(1, Number(process.env.RED_TEAM_SCALE ?? 1) || 1);
const DAMAGE_TRIALS = 1500 * SCALE;

type Coalescing = "immediate" | "deferred" | "none";
type Make = (coalescing: Coalescing, growable: boolean, budget: { reads: number }) => Allocator | null;

const allocators: Array<[string, Make]> = [
  ...strategies.map(
    (s) =>
      [
        s.name,
        (coalescing: Coalescing, growable: boolean, budget: { reads: number }) =>
          createHeap({ size: growable ? 0 : 4096, maxSize: 4096, coalescing, strategy: metered(s.create(), budget) }),
      ] as [string, Make],
  ),
  [
    "buddy",
    (coalescing: Coalescing, growable: boolean) =>
      coalescing === "deferred" ? null : createBuddyAllocator({ size: growable ? 0 : 4096, maxSize: 4096, coalescing }),
  ],
];

// ---- 1. damage ---------------------------------------------------------------------------------------------

type Damage =
  | { kind: "overflow"; victim: number; bytes: Uint8Array }
  | { kind: "underflow"; victim: number; bytes: Uint8Array }
  | { kind: "word"; at: number; value: number }
  | { kind: "link"; block: number; link: number; to: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("overflow" as const), victim: fc.nat(1000), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant("underflow" as const), victim: fc.nat(1000), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({
    kind: fc.constant("word" as const),
    at: fc.nat(1023),
    // Pointer-like and size-like values are the dangerous ones: they pass more checks than noise does.
    value: fc.oneof(fc.integer({ min: -64, max: 4160 }).map((v) => v & ~7), fc.integer({ min: -64, max: 4160 }), fc.integer()),
  }),
  // A free block's link word aimed at another free block (or itself): a forged link that passes isFreeBlock, the
  // way to a cycle.
  fc.record({ kind: fc.constant("link" as const), block: fc.nat(1000), link: fc.nat(2), to: fc.nat(1000) }),
);

/** A bad call mixed into the steps: freeing or reallocating what is no longer (or never was) a live block. */
type Abuse = { kind: "stale"; pick: number; op: "free" | "realloc" | "usableSize" } | { kind: "interior"; pick: number; offset: number };

const abuse: fc.Arbitrary<Abuse> = fc.oneof(
  fc.record({ kind: fc.constant("stale" as const), pick: fc.nat(1000), op: fc.constantFrom("free" as const, "realloc" as const, "usableSize" as const) }),
  fc.record({ kind: fc.constant("interior" as const), pick: fc.nat(1000), offset: fc.integer({ min: -12, max: 40 }).filter((o) => o !== 0) }),
);

type Call = { step: Step } | { abuse: Abuse };
const call: fc.Arbitrary<Call> = fc.oneof({ weight: 4, arbitrary: step.map((s) => ({ step: s })) }, { weight: 1, arbitrary: abuse.map((a) => ({ abuse: a })) });

const OUTCOMES = ["detected", "caught later", "harmless", "silent", "crash", "hang", "rejected, changed"] as const;
type Outcome = (typeof OUTCOMES)[number];

function smash(allocator: Allocator, lives: Live[], d: Damage): boolean {
  const m = allocator.memory;
  const heapBytes = allocator.stats().heapBytes;
  let at: number;
  let bytes: Uint8Array;
  if (d.kind === "word") {
    at = (d.at * 4) % Math.max(4, heapBytes - (heapBytes % 4));
    bytes = new Uint8Array(new Int32Array([d.value]).buffer);
  } else if (d.kind === "link") {
    const free = [...allocator.walk()].filter((b) => b.free).map((b) => b.offset);
    if (free.length === 0) return false;
    at = free[d.block % free.length]! + 8 + 4 * d.link;
    bytes = new Uint8Array(new Int32Array([free[d.to % free.length]!]).buffer);
  } else {
    if (lives.length === 0) return false;
    const v = lives[d.victim % lives.length]!;
    at = d.kind === "overflow" ? v.ptr + allocator.usableSize(v.ptr) : v.ptr - d.bytes.length;
    bytes = d.bytes;
  }
  if (at < 0 || at + bytes.length > Math.min(m.length, heapBytes)) return false;
  m.set(bytes, at);
  // Bytes that landed in a live block's requested bytes are the program's own damage: put them back.
  for (const l of lives) if (l.ptr < at + bytes.length && at < l.ptr + l.size) m.fill(l.seed, l.ptr, l.ptr + l.size);
  return true;
}

function runAbuse(allocator: Allocator, lives: Live[], freed: number[], a: Abuse): void {
  if (a.kind === "stale") {
    if (freed.length === 0) return;
    const p = freed[a.pick % freed.length]!;
    // The stale pointer may have been handed out again: then it is live and the call would be legal.
    if (lives.some((l) => l.ptr === p)) return;
    if (a.op === "free") allocator.free(p);
    else if (a.op === "realloc") allocator.realloc(p, 16);
    else allocator.usableSize(p);
    throw new Error(`${a.op}(${p}) of a freed pointer was accepted`);
  }
  if (lives.length === 0) return;
  const p = lives[a.pick % lives.length]!.ptr + a.offset;
  if (p === 0 || lives.some((l) => l.ptr === p)) return; // free(NULL) is a no-op
  allocator.free(p);
  throw new Error(`free(${p}) of an interior pointer was accepted`);
}

interface Tally {
  counts: Record<Outcome, number>;
  first: string | null;
}

function damageTrial(make: Make, t: { before: Step[]; damage: Damage; after: Call[]; growable: boolean; coalescing: Coalescing }, tally: Tally): Outcome | null {
  const budget = { reads: Number.POSITIVE_INFINITY };
  const allocator = make(t.coalescing, t.growable, budget);
  if (allocator === null) return null;
  const lives: Live[] = [];
  const freed: number[] = [];
  let stamp = 1;
  for (const s of t.before) {
    const gone = s.kind === "malloc" || lives.length === 0 ? -1 : lives[s.pick % lives.length]!.ptr;
    apply(allocator, lives, s, stamp++);
    if (gone >= 0 && !lives.some((l) => l.ptr === gone)) freed.push(gone);
  }
  allocator.check();
  if (!smash(allocator, lives, t.damage)) return null;
  budget.reads = READ_BUDGET;
  for (const c of t.after) {
    const before = allocator.memory.slice();
    const statsBefore = statsOf(allocator);
    const working = "step" in c && c.step.kind !== "malloc" && lives.length > 0 ? lives[c.step.pick % lives.length]!.ptr : -1;
    try {
      if ("step" in c) {
        apply(allocator, lives, c.step, stamp++);
        if (working >= 0 && !lives.some((l) => l.ptr === working)) freed.push(working);
      } else runAbuse(allocator, lives, freed, c.abuse);
    } catch (e) {
      if (e instanceof Hang) {
        tally.first ??= `hang: ${JSON.stringify(c)} ${(e.stack ?? "").split("\n").slice(1, 12).map((l) => l.trim().replace(/ \(.*/, "")).join(" < ")}`;
        return "hang";
      }
      if (!(e instanceof HeapError)) {
        tally.first ??= `crash: ${String(e)}`;
        return "crash";
      }
      if (!intact(allocator, lives.filter((l) => l.ptr !== working))) {
        tally.first ??= `silent: ${JSON.stringify(c)} (${e.message})`;
        return "silent";
      }
      if (rejectedChange(before, allocator.memory)) {
        tally.first ??= `rejected, changed: ${JSON.stringify(c)} (${e.message})`;
        return "rejected, changed";
      }
      const statsAfter = statsOf(allocator);
      if (statsBefore !== null && statsAfter !== statsBefore) {
        tally.first ??= `rejected, changed its counters: ${JSON.stringify(c)} (${e.message}): ${statsBefore} -> ${statsAfter}`;
        return "rejected, changed";
      }
      return "detected";
    }
    if (!intact(allocator, lives)) {
      tally.first ??= `silent: ${JSON.stringify(c)} accepted, after ${JSON.stringify({ ...t.damage, bytes: "bytes" in t.damage ? [...t.damage.bytes] : undefined })}`;
      return "silent";
    }
  }
  try {
    allocator.stats(); // may throw CORRUPTION on a damaged heap (detection), nothing else
    allocator.check();
  } catch (e) {
    if (e instanceof Hang) return "hang";
    if (e instanceof HeapError && e.code === "CORRUPTION") return "caught later";
    tally.first ??= `crash at the end: ${String(e)}`;
    return "crash";
  }
  return intact(allocator, lives) ? "harmless" : "silent";
}

/** The allocator's counters as a string, or null when stats() rejects the damaged heap (it may: CORRUPTION). */
function statsOf(allocator: Allocator): string | null {
  try {
    return JSON.stringify(allocator.stats());
  } catch {
    return null;
  }
}

const tallies: Record<string, Tally> = {};

describe(`red team (seed ${seed}; RED_TEAM_SEED=${seed} replays it)`, () => {
  it.each(allocators)(`%s: ${DAMAGE_TRIALS} damaged heaps: never a hang, a crash, silent damage or a rejected call that changed the heap`, (name, make) => {
    const tally: Tally = { counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>, first: null };
    tallies[name] = tally;
    fc.assert(
      fc.property(
        fc.record({
          before: fc.array(step, { minLength: 5, maxLength: 40, size: "max" }),
          damage,
          after: fc.array(call, { maxLength: 30, size: "max" }),
          growable: fc.boolean(),
          coalescing: fc.constantFrom("immediate" as const, "deferred" as const, "none" as const),
        }),
        (t) => {
          const outcome = damageTrial(make, t, tally);
          if (outcome !== null) tally.counts[outcome]++;
        },
      ),
      { numRuns: DAMAGE_TRIALS, seed },
    );
    const c = tally.counts;
    expect(c.silent + c.crash + c.hang + c["rejected, changed"], `${name}: ${tally.first ?? ""}`).toBe(0);
  });

  // ---- 2. bad arguments ----------------------------------------------------------------------------------

  const badSize = fc.constantFrom<unknown>(Number.NaN, -1, -0.5, 1.5, 2 ** 31, 2 ** 53, Number.POSITIVE_INFINITY, "16", null, undefined, {}, [], true, 16n);
  const badPointer = fc.constantFrom<unknown>(Number.NaN, -8, 1.5, 2 ** 31, Number.POSITIVE_INFINITY, "16", null, undefined, {}, 16n, 4, 12, 4096, 1 << 20);

  it.each(allocators)("%s: bad arguments on every API are a HeapError (or NULL for a valid size too large) and change nothing", (name, make) => {
    let calls = 0;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom("malloc", "calloc count", "calloc size", "realloc size", "realloc pointer", "free", "usableSize", "stale", "interior"),
        badSize,
        badPointer,
        fc.integer({ min: 1, max: 40 }),
        (sizes, api, size, pointer, offset) => {
          const allocator = make("immediate", false, { reads: Number.POSITIVE_INFINITY })!;
          const ptrs = sizes.map((s) => allocator.malloc(s)).filter((p) => p !== 0);
          const victim = ptrs.pop()!;
          allocator.free(victim); // a stale pointer
          const live = ptrs[0] ?? allocator.malloc(8);
          if (live === victim && api === "stale") return; // handed out again: a legal free
          const before = allocator.memory.slice();
          const stats = JSON.stringify({ ...allocator.stats(), failedAllocations: 0 });
          const call = (): unknown => {
            switch (api) {
              case "malloc":
                return allocator.malloc(size as number);
              case "calloc count":
                return allocator.calloc(size as number, 8);
              case "calloc size":
                return allocator.calloc(2, size as number);
              case "realloc size":
                return allocator.realloc(live, size as number);
              case "realloc pointer":
                return allocator.realloc(pointer as number, 16);
              case "free":
                return allocator.free(pointer as number);
              case "usableSize":
                return allocator.usableSize(pointer as number);
              case "stale":
                return allocator.free(victim);
              default:
                if (ptrs.includes(live + offset)) return undefined; // another live block: a legal free
                return allocator.free(live + offset);
            }
          };
          calls++;
          let result: unknown;
          try {
            result = call();
          } catch (e) {
            expect(e, `${name} ${api}(${String(size)}, ${String(pointer)})`).toBeInstanceOf(HeapError);
            expect(["INVALID_SIZE", "INVALID_POINTER", "DOUBLE_FREE"]).toContain((e as HeapError).code);
            expect(rejectedChange(before, allocator.memory), `${name} ${api}: a rejected call changed the heap`).toBe(false);
            expect(JSON.stringify({ ...allocator.stats(), failedAllocations: 0 })).toBe(stats);
            allocator.check();
            return;
          }
          // Not rejected: only a valid size too large for the heap (NULL), or a pointer argument that happens to
          // be a live block (4096 past a small heap is not; 16 may be).
          if (api === "interior" && ptrs.includes(live + offset)) return;
          if (api === "free" || api === "usableSize" || api === "realloc pointer") {
            expect(ptrs.includes(pointer as number) || pointer === live, `${name} ${api}(${String(pointer)}) was accepted`).toBe(true);
            return;
          }
          expect(result, `${name} ${api}(${String(size)}) was accepted`).toBe(0);
          expect(Number.isInteger(size) && (size as number) >= 0).toBe(true);
          expect(rejectedChange(before, allocator.memory)).toBe(false);
          allocator.check();
        },
      ),
      { numRuns: 400 * SCALE, seed },
    );
    expect(calls).toBeGreaterThan(0);
  });

  // ---- 3. mutated traces ---------------------------------------------------------------------------------

  it("mutated trace files: readTrace gives a whole trace or a TraceError naming the file (and its line), nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dmm-red-team-"));
    try {
      const base = generate("mixed", { seed: 7, ops: 60, live: 10 });
      const mtrace = readFileSync(fileURLToPath(new URL("../../workloads/test/fixtures/cc1-head.mtrace", import.meta.url))).subarray(0, 4000);
      const originals: Array<[string, Uint8Array]> = [
        ["t.trace", encodeTrace(base)],
        ["t.trace.gz", encodeTrace(base, { gzip: true })],
        ["t.rep", encodeTrace(base, { format: "rep" })],
        ["t.rep.gz", encodeTrace(base, { format: "rep", gzip: true })],
        ["t.mtrace", mtrace],
        ["t.mtrace.gz", gzipSync(mtrace)],
      ];
      let files = 0;
      const codes = new Set<string>();
      await fc.assert(
        fc.asyncProperty(
          fc.nat(originals.length - 1),
          fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 0, maxLength: 6 }),
          fc.option(fc.nat(), { nil: undefined }),
          async (which, flips, cut) => {
            const [fileName, original] = originals[which]!;
            const bytes = original.slice(0, cut === undefined ? original.length : cut % (original.length + 1));
            for (const [at, bit] of flips) if (bytes.length > 0) bytes[at % bytes.length]! ^= 1 << bit;
            const path = join(dir, `${files++}-${fileName}`);
            writeFileSync(path, bytes);
            try {
              const trace = await readTrace(path);
              expect([...trace].length).toBe(trace.length);
            } catch (e) {
              expect(e, String(e)).toBeInstanceOf(TraceError);
              const err = e as TraceError;
              codes.add(err.code);
              expect(err.file).toBe(path);
              if (!["UNREADABLE", "BAD_GZIP", "UNKNOWN_FORMAT"].includes(err.code)) expect(err.line, err.message).toBeGreaterThanOrEqual(1);
            }
          },
        ),
        { numRuns: 300 * SCALE, seed },
      );
      expect(codes.size).toBeGreaterThan(1); // the mutations did reach the parsers' error paths
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // ---- 4. misbehaving allocators under replay ------------------------------------------------------------

  it("misbehaving allocators under replay: a ReplayError naming the op that misbehaved, nothing else", () => {
    const t = (() => {
      const b = new TraceBuilder();
      for (let i = 0; i < 24; i++) b.malloc(i, 8 + ((i * 37) % 200));
      for (let i = 0; i < 24; i += 3) b.realloc(i, 300);
      for (let i = 0; i < 24; i++) b.free(i);
      return b.finish();
    })();
    const lies: Array<[string, (p: number, memory: number, live: number) => unknown]> = [
      ["p + 1", (p) => p + 1],
      ["p + 4", (p) => p + 4],
      ["negative", () => -16],
      ["NaN", () => Number.NaN],
      ["a fraction", (p) => p + 0.25],
      ["a string", (p) => String(p)],
      ["undefined", () => undefined],
      ["an object", (p) => ({ p })],
      ["past the end of memory", (_p, memory) => memory],
      ["a live block's pointer", (_p, _m, live) => live],
      ["throws an Error", () => {
        throw new Error("boom");
      }],
      ["throws a string", () => {
        throw "boom";
      }],
    ];
    fc.assert(
      fc.property(fc.nat(lies.length - 1), fc.nat(t.length - 1), fc.boolean(), (which, at, integrity) => {
        const [what, lie] = lies[which]!;
        const inner = createHeap({ size: 0, maxSize: 1 << 20, strategy: strategies[0]!.create() });
        let op = -1;
        let liedAt = -1;
        const live = new Set<number>();
        const wrap = (old: number, real: () => number): number => {
          op++;
          const p = real();
          live.delete(old);
          const other = [...live].find((q) => q !== p) ?? 0;
          if (p !== 0) live.add(p);
          if (op < at || liedAt >= 0 || p === 0 || (what === "a live block's pointer" && other === 0)) return p;
          liedAt = op;
          return lie(p, inner.memory.length, other) as number;
        };
        const allocator: Allocator = {
          name: "liar",
          get memory() {
            return inner.memory;
          },
          malloc: (n) => wrap(0, () => inner.malloc(n)),
          calloc: (c, n) => wrap(0, () => inner.calloc(c, n)),
          realloc: (p, n) => wrap(p, () => inner.realloc(p, n)),
          free: (p) => {
            op++;
            live.delete(p);
            inner.free(p);
          },
          usableSize: (p) => inner.usableSize(p),
          stats: () => inner.stats(),
          check: () => inner.check(),
          walk: () => inner.walk(),
        };
        let caught: unknown = null;
        try {
          replay(t, allocator, { integrity });
        } catch (e) {
          caught = e;
        }
        if (liedAt < 0) {
          expect(caught).toBe(null);
          return;
        }
        // An overlapping pointer is only visible to the integrity checks.
        if (what === "a live block's pointer" && !integrity) return;
        expect(caught, `${what} at op ${liedAt}: ${String(caught)}`).toBeInstanceOf(ReplayError);
        const err = caught as ReplayError;
        expect(err.opIndex, err.message).toBe(liedAt);
        expect(err.code).toBe(what.startsWith("throws") ? "ALLOCATOR" : "POINTER");
      }),
      { numRuns: 600 * SCALE, seed },
    );
  });

  afterAll(() => {
    const rows = Object.entries(tallies).map(([allocator, t]) => ({ allocator, ...t.counts }));
    console.log(`red team damage trials per allocator (seed ${seed}; RED_TEAM_SEED=${seed} replays them)`);
    console.table(rows);
  });
});
