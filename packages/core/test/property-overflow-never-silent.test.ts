import { createHeap, HeapError, type Heap } from "@dmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstFit } from "@dmm/strategies";
import { lifo } from "./lifo-strategy.js";

/**
 * A buffer overflow: bytes written just past the end of a live block's usable size, onto the next block's
 * header. Whatever follows, every call either works or throws a HeapError (never a RangeError, a TypeError or a
 * strategy's own Error), and if check() passes at the end, the live blocks are still disjoint, big enough and
 * hold their data: the damage was either reported or harmless (e.g. the unused second word of a free header).
 */
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

/** The requested ranges of live blocks are disjoint and hold the bytes written into them. */
function intact(heap: Heap, lives: Live[]): void {
  const spans = lives.map((l) => [l.ptr, l.ptr + l.size] as const).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) expect(spans[i]![0], "live blocks overlap").toBeGreaterThanOrEqual(spans[i - 1]![1]);
  for (const l of lives) {
    for (let i = 0; i < l.size; i++) if (heap.memory[l.ptr + i] !== l.seed) expect.fail(`payload of ${l.ptr} changed at ${i}`);
  }
}

function apply(heap: Heap, lives: Live[], s: Step, seed: number): void {
  if (s.kind === "malloc") {
    const ptr = heap.malloc(s.size);
    if (ptr !== 0) {
      heap.memory.fill(seed & 255, ptr, ptr + s.size);
      lives.push({ ptr, size: s.size, seed: seed & 255 });
    }
    return;
  }
  if (lives.length === 0) return;
  const i = s.pick % lives.length;
  if (s.kind === "free") {
    heap.free(lives[i]!.ptr);
    lives.splice(i, 1);
    return;
  }
  const ptr = heap.realloc(lives[i]!.ptr, s.size);
  if (s.size === 0) lives.splice(i, 1);
  else if (ptr !== 0) {
    heap.memory.fill(seed & 255, ptr, ptr + s.size);
    lives[i] = { ptr, size: s.size, seed: seed & 255 };
  }
}

// With the LIFO list of lifo-strategy.ts, whose find re-reads each header it trusts, and with first-fit, whose
// address tree caches subtree maxima (it once looped when a free block's header was smashed under it).
describe.each([["lifo", lifo], ["first-fit", firstFit]] as const)("an overflow into the next header (%s)", (_, strategy) => {
  it.each(["immediate", "deferred", "none"] as const)("%s coalescing: reported or harmless, never another error", (coalescing) => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 5, maxLength: 40, size: "max" }),
        fc.nat(1000),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.array(step, { maxLength: 30, size: "max" }),
        fc.boolean(),
        (before, victim, bytes, after, growable) => {
          const heap = createHeap({ size: growable ? 0 : 4096, maxSize: 4096, strategy: strategy(), coalescing });
          const lives: Live[] = [];
          let seed = 1;
          for (const s of before) apply(heap, lives, s, seed++);
          heap.check();
          if (lives.length === 0) return;
          const v = lives[victim % lives.length]!;
          const end = v.ptr + heap.usableSize(v.ptr);
          if (end >= heap.stats().heapBytes) return; // the last block: nothing above it to smash
          heap.memory.set(bytes, end);
          let damaged = false;
          for (const s of after) {
            try {
              apply(heap, lives, s, seed++);
            } catch (e) {
              if (!(e instanceof HeapError)) throw e;
              damaged = true;
              break;
            }
            intact(heap, lives); // what a call returned must never overlap or overwrite live data
          }
          try {
            heap.check();
          } catch (e) {
            if (!(e instanceof HeapError)) throw e;
            expect(e.code).toBe("CORRUPTION");
            return;
          }
          expect(damaged, "a call reported damage that check() does not see").toBe(false);
          const spans = lives.map((l) => [l.ptr, l.ptr + heap.usableSize(l.ptr)] as const).sort((x, y) => x[0] - y[0]);
          for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
          for (const l of lives) expect(heap.usableSize(l.ptr)).toBeGreaterThanOrEqual(l.size);
          intact(heap, lives);
        },
      ),
      { numRuns: 400 },
    );
  });
});
