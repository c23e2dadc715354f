/**
 * Every allocator the bench can run, by name: the registered placement strategies on the core heap, the buddy
 * allocator, and the peer baselines from @dmm/bench. Each says which coalescing modes it supports.
 */
import { type Allocator, type Coalescing, createHeap, MAX_HEAP_BYTES } from "@dmm/core";
import { peers } from "@dmm/peers";
import { createBuddyAllocator, strategies } from "@dmm/strategies";
import type { AllocatorKind, CoalescingMode } from "./types.js";

/** How to build an allocator for one run. */
export interface ArenaSpec {
  readonly coalescing: CoalescingMode;
  /** Growable heap (starts empty, grows by exactly what a request needs) or a fixed arena of `bytes`. */
  readonly growable: boolean;
  /** Arena bytes of a fixed arena; ignored when growable. */
  readonly bytes: number;
}

interface BackendBase {
  readonly name: string;
  readonly description: string;
  /** Coalescing modes it supports, in the order the report shows them. */
  readonly coalescing: readonly CoalescingMode[];
}

/** An allocator that runs in this process on a trace: a strategy on the core heap, buddy, a peer, a plugin. */
export interface JsBackend extends BackendBase {
  readonly kind: Exclude<AllocatorKind, "native">;
  /** False when the allocator cannot run in a growable heap (the fragmentation run then uses a large fixed arena). */
  readonly growable: boolean;
  /** True when free() costs O(live blocks) (a peer's documented limitation): big traces are skipped, see runCell. */
  readonly liveLinearFree?: boolean;
  /** True when free() costs O(free blocks of one size) (a peer's documented limitation): see runCell. */
  readonly sameSizeLinearFree?: boolean;
  create(spec: ArenaSpec): Allocator;
}

/** A native allocator, replayed by @dmm/bench's C program in its own process: ns/op and footprint only. */
export interface NativeBackend extends BackendBase {
  readonly kind: "native";
  readonly native: NativeSpec;
}

export type Backend = JsBackend | NativeBackend;

/**
 * The strategies registered when this module was loaded (the built-ins and any a module imported before it
 * registered). One registered later, with registerStrategy at run time, exists only in this thread: workers,
 * which load the registry afresh, cannot see it.
 */
export const STRATEGIES_AT_LOAD: ReadonlySet<string> = new Set(strategies.map((s) => s.name));

/** Largest arena the bench gives a heap. */
export const GROWABLE_MAX_BYTES = MAX_HEAP_BYTES;

export const HEAP_MODES: readonly CoalescingMode[] = ["immediate", "none", "deferred"];

function strategyBackends(): JsBackend[] {
  return strategies.map((entry) => ({
    name: entry.name,
    kind: "strategy" as const,
    description: entry.description,
    coalescing: HEAP_MODES,
    growable: true,
    create: (spec: ArenaSpec) =>
      createHeap({
        size: spec.growable ? 0 : spec.bytes,
        maxSize: spec.growable ? GROWABLE_MAX_BYTES : spec.bytes,
        strategy: entry.create(),
        coalescing: spec.coalescing as Coalescing,
      }),
  }));
}

function buddyBackend(): JsBackend {
  return {
    name: "buddy",
    kind: "buddy",
    description: "binary buddy system: power-of-two blocks, merges only with the buddy (x XOR 2^k)",
    coalescing: ["immediate", "none"],
    growable: true,
    create: (spec) =>
      createBuddyAllocator({
        size: spec.growable ? 0 : spec.bytes,
        maxSize: spec.growable ? GROWABLE_MAX_BYTES : spec.bytes,
        coalescing: spec.coalescing === "none" ? "none" : "immediate",
      }),
  };
}

/** The peer libraries (@thi.ng/malloc, npm malloc) through @dmm/bench's adapters: one fixed buffer, extent tracked like sbrk. */
function peerBackends(): JsBackend[] {
  return peers.map((peer) => ({
    name: peer.name,
    kind: "peer" as const,
    description: peer.description,
    coalescing: ["own"] as const,
    growable: true,
    liveLinearFree: peer.create({ size: 1 << 16 }).limitations.some((l) => /free\(\).*O\(live/.test(l)),
    sameSizeLinearFree: peer.create({ size: 1 << 16 }).limitations.some((l) => /O\(free blocks of that size\) per free/.test(l)),
    create: (spec: ArenaSpec) => (spec.growable ? peer.create() : peer.create({ size: spec.bytes })),
  }));
}

/** The name of the native C library reference (glibc malloc through a small C replayer). */
export const NATIVE_NAME = "glibc";

/**
 * A native allocator the C replayer runs: the C library's own malloc (`library` null), or a shared library
 * interposed with LD_PRELOAD. `missing` says why a named one cannot run here (not installed).
 */
export interface NativeSpec {
  readonly name: string;
  readonly library: string | null;
  readonly description: string;
  readonly missing?: string;
}

/** A native allocator: latency and footprint from @dmm/bench's C replayer (no heap to inspect). */
export function nativeBackend(spec: NativeSpec): NativeBackend {
  return {
    name: spec.name,
    kind: "native",
    description: spec.description,
    coalescing: ["own"],
    native: spec,
  };
}

/** The default native set: the C library's malloc alone (see natives.ts for jemalloc, tcmalloc, mimalloc, any .so). */
export const GLIBC: NativeSpec = {
  name: NATIVE_NAME,
  library: null,
  description: "the C library's malloc (glibc) replaying the same trace natively, compiled with cc -O2; ns/op and footprint",
};

/**
 * Every allocator the bench knows: strategies first, then buddy, then peers, then `extra` (plugins), then the
 * native ones (default: glibc).
 */
export function backends(extra: readonly JsBackend[] = [], natives: readonly NativeSpec[] = [GLIBC]): Backend[] {
  const all: Backend[] = strategyBackends();
  all.push(buddyBackend());
  all.push(...peerBackends(), ...extra, ...natives.map(nativeBackend));
  return all;
}

/** The backend of that name, or a BenchError listing the known names. */
export function backendByName(name: string, list: readonly Backend[] = backends()): Backend {
  const found = list.find((b) => b.name === name);
  if (!found) throw new BenchError("UNKNOWN_STRATEGY", `unknown strategy "${name}"; known: ${list.map((b) => b.name).join(", ")}`);
  return found;
}

export type BenchErrorCode = "UNKNOWN_STRATEGY" | "UNKNOWN_WORKLOAD" | "BAD_TRACE" | "BAD_OPTION" | "BAD_RESULTS" | "BAD_PLUGIN";

/** A user error the CLI reports as one line and a non-zero exit code. */
export class BenchError extends Error {
  readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, message: string) {
    super(message);
    this.name = "BenchError";
    this.code = code;
  }
}
