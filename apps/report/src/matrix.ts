/** The matrix: allocator × coalescing × workload, and how a shard k/n picks its cells. */
import { type Backend, BenchError } from "./backends.js";
import type { Cell, CoalescingMode, WorkloadRef } from "./types.js";

export const COALESCING_MODES: readonly CoalescingMode[] = ["immediate", "none", "deferred"];
/**
 * The default: coalescing on (immediate), off (none), and deferred (merge when a search fails, then retry) for
 * the allocators where it differs from both, i.e. the core heap's strategies (the buddy system has no deferred
 * mode; the peers have their own policy).
 */
export const DEFAULT_COALESCING: readonly CoalescingMode[] = ["immediate", "none", "deferred"];

/** A shard: k of n, 1-based. */
export interface Shard {
  readonly k: number;
  readonly n: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new BenchError("BAD_OPTION", `--shard must be k/n with 1 <= k <= n, got "${text}"`);
  return { k, n };
}

export function parseCoalescing(items: readonly string[] | undefined): CoalescingMode[] {
  if (!items || items.length === 0) return [...DEFAULT_COALESCING];
  if (items.includes("all")) return [...COALESCING_MODES];
  return items.map((item) => {
    const mode = item === "on" ? "immediate" : item === "off" ? "none" : item;
    if (!(COALESCING_MODES as readonly string[]).includes(mode)) {
      throw new BenchError("BAD_OPTION", `unknown coalescing mode "${item}"; known: immediate (on), none (off), deferred, all`);
    }
    return mode as CoalescingMode;
  });
}

/** The modes a backend runs in: each requested mode it supports, or only "own" for a fixed-policy allocator. */
export function modesOf(backend: Backend, requested: readonly CoalescingMode[]): CoalescingMode[] {
  return backend.coalescing.includes("own") ? ["own"] : requested.filter((m) => backend.coalescing.includes(m));
}

/**
 * Every cell, workload-major (a worker keeps a workload's trace while its cells run). An allocator runs each
 * requested mode it supports; a peer runs once, in its own ("own") mode.
 */
export function buildMatrix(allocators: readonly Backend[], coalescing: readonly CoalescingMode[], workloads: readonly WorkloadRef[]): Cell[] {
  const cells: Cell[] = [];
  for (const workload of workloads) {
    for (const backend of allocators) {
      const modes = modesOf(backend, coalescing);
      for (const mode of modes) {
        cells.push({ index: cells.length, allocator: backend.name, allocatorKind: backend.kind, coalescing: mode, workload });
      }
    }
  }
  return cells;
}

/** The cells of shard k/n: every n-th cell starting at k − 1, so each shard gets a mix of workloads. */
export function shardCells(cells: readonly Cell[], shard: Shard | null): Cell[] {
  if (!shard) return [...cells];
  return cells.filter((c) => c.index % shard.n === shard.k - 1);
}
