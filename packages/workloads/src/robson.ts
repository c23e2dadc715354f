/**
 * Robson's adversary, played live against an allocator.
 *
 * Robson (1971, 1974) showed that any allocator serving objects of sizes 1, 2, 4 … n units with at most M units
 * live at once can be forced to use an address range of M·(1 + ½·log2 n) − n + 1 units. The construction runs
 * one phase per size class. Phase 0 fills M units with size-1 objects. Phase k (size s = 2^k) first frees every
 * object it can while keeping each free gap between the survivors smaller than s — so no freed space can hold
 * the coming requests — then allocates size-s objects up to M live units again; all of them must go somewhere
 * new.
 *
 * Worked example, M = 8, first fit, phases 0..2 (n = 4), one character per unit:
 *   phase 0: 11111111                     8 size-1 objects
 *   phase 1: .1.1.1.1 2222                drop every other one (gaps of 1 < 2), 4 units of size-2 objects
 *   phase 2: ...1...1 ..22 4444           gaps of 3 < 4 and 2 < 4; extent 16 = 2·M (bound: 2·8 − 4 + 1 = 13)
 *
 * The adversary reads the allocator's addresses through `walk()` (the Allocator contract), so it adapts to any
 * placement policy. Units: a size-s object requests s·unit − headerBytes bytes, so that its block spans exactly
 * s units. By default the unit is the allocator's own minimum block and headerBytes its header, measured by
 * one malloc(1) before the game (walk() shows the block's offset, payload and size; it is freed again): on the
 * core heap 24 bytes and 8, on the buddy system 16 and 8. A size-1 request is then exactly one smallest block
 * everywhere; with a fixed 16-byte unit it would be 1.5 units on a heap whose smallest block is 24 bytes.
 */
import type { Allocator } from "@dmm/core";
import { TraceError } from "./errors.js";
import { Random } from "./random.js";
import { TraceBuilder, type Trace } from "./trace.js";
import type { GeneratorDefinition } from "./generators/definition.js";

export interface RobsonOptions {
  /** Largest object size, in units: a power of two >= 1. Sizes are 1, 2, 4 … n units. */
  n: number;
  /** Most live memory at any time, in units (the sum of live objects' sizes). Must be >= n. */
  M: number;
  /** Bytes per unit. @defaultValue the allocator's minimum block (header included), measured; 16 if it cannot be */
  unit?: number;
  /**
   * Bytes of block header the allocator adds; requests are size·unit − headerBytes.
   * @defaultValue the allocator's header, measured with the unit; 8 if it cannot be
   */
  headerBytes?: number;
  /** Shuffles the order in which each phase's victims are freed. @defaultValue 1 */
  seed?: number;
}

export interface RobsonResult {
  /** The realized operations (mallocs and frees on ids), replayable against any allocator. */
  trace: Trace;
  /** Address range the allocator used, in units: the highest end (ptr + usableSize) of any block / unit. */
  heapExtent: number;
  /** The same in bytes. */
  heapExtentBytes: number;
  /** Live limit in units (as given). */
  M: number;
  /** Largest size in units (as given). */
  n: number;
  /** Bytes per unit. */
  unit: number;
  /** Robson's lower bound in units: M·(1 + ½·log2 n) − n + 1. */
  bound: number;
  /** heapExtent / M: what the allocator needed per unit of live memory. */
  ratio: number;
  /** bound / M: what every allocator can be forced to need. */
  boundRatio: number;
  /** Requests the allocator refused (NULL): with a fixed arena too small, the game stops early. */
  failures: number;
}

/**
 * The allocator's smallest block and header, in bytes: the block walk() shows for a malloc(1), which is freed
 * again. Null when the allocator does not show that block (its walk does not list the payload it returned).
 */
export function measureMinimumBlock(allocator: Allocator): { unit: number; headerBytes: number } | null {
  const ptr = allocator.malloc(1);
  if (ptr === 0) return null;
  let found: { unit: number; headerBytes: number } | null = null;
  try {
    for (const block of allocator.walk()) {
      if (block.payload === ptr && !block.free) {
        found = { unit: block.payload - block.offset + block.size, headerBytes: block.payload - block.offset };
        break;
      }
    }
  } catch {
    // An allocator whose walk cannot run (a peer without block addresses): the defaults apply.
  } finally {
    allocator.free(ptr);
  }
  return found;
}

function checkOptions(o: RobsonOptions): Required<RobsonOptions> {
  const full = { unit: 16, headerBytes: 8, seed: 1, ...o };
  const { n, M, unit, headerBytes } = full;
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0 || n > 2 ** 20)
    throw new TraceError("BAD_PARAM", `robson: n must be a power of two in [1, 2^20], got ${n}`);
  if (!Number.isInteger(M) || M < n || M > 2 ** 24) throw new TraceError("BAD_PARAM", `robson: M must be a whole number in [n, 2^24], got ${M}`);
  if (!Number.isInteger(unit) || unit < 1) throw new TraceError("BAD_PARAM", `robson: unit must be a positive whole number, got ${unit}`);
  if (!Number.isInteger(headerBytes) || headerBytes < 0 || headerBytes >= unit)
    throw new TraceError("BAD_PARAM", `robson: headerBytes must be in [0, unit), got ${headerBytes}`);
  return full;
}

/** Robson's lower bound, in units. */
export function robsonBound(M: number, n: number): number {
  return M * (1 + 0.5 * Math.log2(n)) - n + 1;
}

/** Plays Robson's adversary against `allocator`; see the file comment. The allocator should start empty. */
export function robsonAdversary(allocator: Allocator, options: RobsonOptions): RobsonResult {
  const measured = options.unit === undefined || options.headerBytes === undefined ? measureMinimumBlock(allocator) : null;
  const { n, M, unit, headerBytes, seed } = checkOptions({
    ...options,
    unit: options.unit ?? measured?.unit ?? 16,
    headerBytes: options.headerBytes ?? (options.unit === undefined ? measured?.headerBytes : undefined) ?? 8,
  });
  const rng = new Random(seed);
  const b = new TraceBuilder();
  const idOf = new Map<number, number>(); // payload -> id
  const ptrOf: number[] = [];
  const unitsOf: number[] = [];
  const spare: number[] = [];
  let nextId = 0;
  let live = 0;
  let highWater = 0;
  let failures = 0;

  const allocate = (units: number): boolean => {
    const ptr = allocator.malloc(units * unit - headerBytes);
    if (ptr === 0) {
      failures++;
      return false;
    }
    const id = spare.length > 0 ? spare.pop()! : nextId++;
    b.malloc(id, units * unit - headerBytes);
    idOf.set(ptr, id);
    ptrOf[id] = ptr;
    unitsOf[id] = units;
    live += units;
    highWater = Math.max(highWater, ptr + allocator.usableSize(ptr));
    return true;
  };
  const release = (id: number): void => {
    allocator.free(ptrOf[id]!);
    b.free(id);
    idOf.delete(ptrOf[id]!);
    live -= unitsOf[id]!;
    spare.push(id);
  };

  for (let s = 1; s <= n; s *= 2) {
    if (s > 1) {
      // Keep a survivor wherever dropping it would open a gap of s units (s·unit bytes, header included).
      const need = s * unit;
      const used: Array<{ start: number; end: number; id: number }> = [];
      let base = -1;
      let top = 0;
      for (const block of allocator.walk()) {
        if (base < 0) base = block.offset;
        top = Math.max(top, block.payload + block.size);
        const id = block.free ? undefined : idOf.get(block.payload);
        if (id !== undefined) used.push({ start: block.offset, end: block.payload + block.size, id });
      }
      const victims: number[] = [];
      let keptEnd = base;
      for (let j = 0; j < used.length; j++) {
        const nextStart = j + 1 < used.length ? used[j + 1]!.start : top;
        if (nextStart - keptEnd < need) victims.push(used[j]!.id);
        else keptEnd = used[j]!.end;
      }
      for (let i = victims.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [victims[i], victims[j]] = [victims[j]!, victims[i]!];
      }
      for (const id of victims) release(id);
    }
    while (live + s <= M) if (!allocate(s)) break;
    if (failures > 0) break;
  }

  const bound = robsonBound(M, n);
  const heapExtent = highWater / unit;
  const trace = b.finish({
    name: "robson-adaptive",
    generator: "robson-adaptive",
    params: JSON.stringify({ n, M, unit, headerBytes }),
    seed: String(seed),
    source: `played against ${allocator.name}`,
  });
  return { trace, heapExtent, heapExtentBytes: highWater, M, n, unit, bound, ratio: heapExtent / M, boundRatio: bound / M, failures };
}

/**
 * The same phases without looking at addresses: each phase frees random objects down to half of M, then
 * allocates the phase's size up to M. The baseline that shows what adaptivity adds.
 */
export const robsonOblivious: GeneratorDefinition = {
  name: "robson-oblivious",
  description:
    "Robson's phases (sizes 1, 2, 4 … n units, live <= M units) with random frees down to M/2 each phase: the non-adaptive baseline of the adaptive adversary",
  kind: "adversarial",
  params: [
    { name: "n", description: "largest size, a power of two", unit: "units", default: 256, min: 1, max: 2 ** 20 },
    { name: "M", description: "live limit", unit: "units", default: 4096, min: 1, max: 2 ** 24 },
    { name: "unit", description: "bytes per unit", unit: "bytes", default: 16, min: 1, max: 4096 },
    { name: "headerBytes", description: "header bytes subtracted from each request", unit: "bytes", default: 8, min: 0, max: 4095 },
  ],
  run(p, rng, out) {
    const { n, M, unit, headerBytes } = checkOptions({ n: p.n as number, M: p.M as number, unit: p.unit as number, headerBytes: p.headerBytes as number });
    let live = 0;
    const units = (id: number): number => (out.sizeOf(id) + headerBytes) / unit;
    for (let s = 1; s <= n; s *= 2) {
      while (live > M / 2) {
        const id = out.live.random(rng);
        live -= units(id);
        out.free(id);
      }
      while (live + s <= M) {
        out.malloc(s * unit - headerBytes);
        live += s;
      }
    }
  },
};
