/**
 * A free block's link word overwritten with the address of another free block passes the "names a free block"
 * check. A removal merges the removed node's two subtrees along their inner spines, writing the links it then
 * follows: a spine link forged to lead back up the tree (here to the root) or across to the other spine made that
 * merge loop forever. The spines' order is checked before the first write (the left one's keys rise and stay
 * below the removed block's, the right one's fall and stay above it), so the forged link is CORRUPTION and the
 * heap is unchanged. The heap was found by the red team (red-team.test.ts, RED_TEAM_SEED=836450383, next fit),
 * shrunk by fast-check; the same damage is tried on every strategy.
 */
import { createHeap, HeapError } from "@dmm/core";
import { strategies } from "@dmm/strategies";
import { expect, it } from "vitest";
import { Hang, metered } from "./support/damage.js";

it.each(strategies.map((s) => [s.name, s] as const))("%s: a spine link forged to name the root is CORRUPTION, not a hang, and changes nothing", (_name, entry) => {
  const budget = { reads: Number.POSITIVE_INFINITY };
  const h = createHeap({ size: 0, maxSize: 4096, coalescing: "none", strategy: metered(entry.create(), budget) });
  // Blocks of 40, 72, 64, 112, 176 and 120 bytes at 8, 48, 120, 184, 296 and 472, all freed (no merging).
  const p = [32, 64, 56, 104, 168, 112].map((n) => h.malloc(n));
  for (const q of p) h.free(q);
  const words = new Int32Array(h.memory.buffer);
  // Block 184's link word 1 (the trees' right child) names block 8, the address tree's root.
  words[(184 >> 2) + 3] = 8;
  const before = h.memory.slice();
  budget.reads = 1_000_000;
  let caught: unknown = null;
  try {
    h.malloc(105); // 112 bytes: block 184 fits exactly
  } catch (e) {
    caught = e;
  }
  expect(caught, String(caught)).not.toBeInstanceOf(Hang);
  if (caught !== null) {
    expect(caught, String(caught)).toBeInstanceOf(HeapError);
    expect((caught as HeapError).code).toBe("CORRUPTION");
    expect(h.memory.findIndex((b, i) => b !== before[i])).toBe(-1);
  }
});
