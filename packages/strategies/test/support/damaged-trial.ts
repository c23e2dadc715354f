/**
 * A trial of the overflow table (overflow-detection-table.test.ts), replayed as a named test: the steps before,
 * the overflow, then the steps after, of which the last must be rejected. Trials found by the table and the red
 * team, shrunk by fast-check, keep what they found as a test of its own.
 */
import { type Allocator, createHeap, HeapError, type Strategy } from "@dmm/core";
import { expect } from "vitest";
import { apply, type Live, type Step } from "./damage.js";

export interface Trial {
  before: Step[];
  /** The live block (index into the live blocks, modulo their count) whose usable end the bytes overflow. */
  victim: number;
  bytes: number[];
  after: Step[];
  growable: boolean;
  coalescing: "immediate" | "deferred" | "none";
}

/**
 * Replays `t` on a heap of `strategy`; the last step after the overflow must throw CORRUPTION. Returns the
 * heap's bytes and stats just before that call and just after it.
 */
export function rejectedLastStep(strategy: Strategy, t: Trial): { allocator: Allocator; before: Uint8Array; after: Uint8Array; statsBefore: unknown; statsAfter: unknown } {
  const allocator = createHeap({ size: t.growable ? 0 : 4096, maxSize: 4096, coalescing: t.coalescing, strategy });
  const lives: Live[] = [];
  let stamp = 1;
  for (const s of t.before) apply(allocator, lives, s, stamp++);
  const v = lives[t.victim % lives.length]!;
  const end = v.ptr + allocator.usableSize(v.ptr);
  allocator.memory.set(t.bytes, end);
  for (const s of t.after.slice(0, -1)) apply(allocator, lives, s, stamp++);
  const before = allocator.memory.slice();
  const statsBefore = statsOf(allocator);
  let caught: unknown = null;
  try {
    apply(allocator, lives, t.after.at(-1)!, stamp++);
  } catch (e) {
    caught = e;
  }
  expect(caught, "the last step is rejected").toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  return { allocator, before, after: allocator.memory.slice(), statsBefore, statsAfter: statsOf(allocator) };
}

/** The heap's counters, or the error stats() throws on the damaged heap. */
function statsOf(allocator: Allocator): unknown {
  try {
    return allocator.stats();
  } catch (e) {
    return String(e);
  }
}

/** The offsets of the bytes that differ (at most 8), for a failure message that shows where. */
export function changedBytes(before: Uint8Array, after: Uint8Array): number[] {
  const at: number[] = [];
  for (let i = 0; i < before.length && at.length < 8; i++) if (before[i] !== after[i]) at.push(i);
  return at;
}
