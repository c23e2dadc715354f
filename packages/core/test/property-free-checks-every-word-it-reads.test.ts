import { createHeap, HeapError, type Heap } from "@dmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstFit, tlsf } from "@dmm/strategies";
import { expectSameBytes } from "./helpers.js";

/**
 * free validates, before it changes anything, every word it reads: the freed block's header and request, the
 * header (and request or footer) of the block above, the header above that, and the footer and header of a free
 * block below. free takes a fused fast path when all of them look sound and the full checks otherwise, so this
 * damages one of those words (a flipped bit or a random value) and then frees the block. Either free throws a
 * HeapError and the heap is byte-for-byte and stat-for-stat as it was, or it succeeds, and then every later
 * call either works without touching live data or throws a HeapError. And when check() (run on a twin heap
 * with the same damage) finds nothing wrong, free must succeed: its checks are a subset of check()'s.
 */
interface Live {
  ptr: number;
  size: number;
  seed: number;
}

const WORDS = ["header", "requested", "nextHeader", "nextSecond", "afterHeader", "footerBelow", "prevHeader"] as const;

function build(strategy: "tlsf" | "first-fit", sizes: number[], frees: number[]): { heap: Heap; lives: Live[] } {
  const heap = createHeap({ size: 0, maxSize: 1 << 16, strategy: strategy === "tlsf" ? tlsf() : firstFit() });
  const lives: Live[] = [];
  sizes.forEach((size, i) => {
    const ptr = heap.malloc(size);
    if (ptr === 0) return;
    heap.memory.fill(i & 255, ptr, ptr + size);
    lives.push({ ptr, size, seed: i & 255 });
  });
  for (const f of frees) {
    if (lives.length < 2) break;
    const [gone] = lives.splice(f % lives.length, 1);
    heap.free(gone!.ptr);
  }
  return { heap, lives };
}

/** Byte offset of the word to damage around the block whose payload is `ptr`, or -1 when it does not exist. */
function target(heap: Heap, ptr: number, word: (typeof WORDS)[number]): number {
  const view = new DataView(heap.memory.buffer);
  const block = ptr - 8;
  const top = heap.stats().heapBytes;
  const next = block + (view.getInt32(block, true) & ~7);
  const after = next < top ? next + (view.getInt32(next, true) & ~7) : top;
  switch (word) {
    case "header": return block;
    case "requested": return block + 4;
    case "nextHeader": return next < top ? next : -1;
    case "nextSecond": return next < top ? (view.getInt32(next, true) & 1 ? next + 4 : after - 4) : -1;
    case "afterHeader": return after < top ? after : -1;
    case "footerBelow": return view.getInt32(block, true) & 2 ? block - 4 : -1; // else user data of a live block
    case "prevHeader": return view.getInt32(block, true) & 2 ? block - view.getInt32(block - 4, true) : -1;
  }
}

/** stats(), or the code of the HeapError it throws: on a damaged heap stats may find the damage (a smashed link). */
function statsOrError(heap: Heap): unknown {
  try {
    return heap.stats();
  } catch (e) {
    if (!(e instanceof HeapError)) throw e;
    return e.code;
  }
}

function intact(heap: Heap, lives: Live[]): void {
  const spans = lives.map((l) => [l.ptr, l.ptr + l.size] as const).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) expect(spans[i]![0], "live blocks overlap").toBeGreaterThanOrEqual(spans[i - 1]![1]);
  for (const l of lives) {
    for (let i = 0; i < l.size; i++) if (heap.memory[l.ptr + i] !== l.seed) expect.fail(`payload of ${l.ptr} changed at ${i}`);
  }
}

describe.each(["tlsf", "first-fit"] as const)("free of a block with one damaged word around it (%s)", (strategy) => {
  it("is rejected without change, or succeeds and later calls stay safe; it succeeds when check() sees no damage", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 3, maxLength: 40 }),
        fc.array(fc.nat(100), { maxLength: 20 }),
        fc.nat(100),
        fc.constantFrom(...WORDS),
        fc.oneof(fc.integer({ min: 0, max: 31 }).map((bit) => ({ bit })), fc.integer().map((value) => ({ value }))),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 20 }),
        (sizes, frees, pick, word, damage, later) => {
          const { heap, lives } = build(strategy, sizes, frees);
          const twin = build(strategy, sizes, frees).heap;
          if (lives.length === 0) return;
          const victim = lives[pick % lives.length]!;
          const at = target(heap, victim.ptr, word);
          if (at < 0) return;
          for (const h of [heap, twin]) {
            const view = new DataView(h.memory.buffer);
            view.setInt32(at, "bit" in damage ? view.getInt32(at, true) ^ (1 << damage.bit) : damage.value, true);
          }
          let soundByCheck = true;
          try {
            twin.check();
          } catch (e) {
            if (!(e instanceof HeapError)) throw e;
            soundByCheck = false;
          }
          const before = { bytes: heap.memory.slice(), stats: statsOrError(heap) };
          if (typeof before.stats === "string") expect(soundByCheck, `stats() threw ${before.stats} on a heap check() accepts`).toBe(false);
          try {
            heap.free(victim.ptr);
          } catch (e) {
            if (!(e instanceof HeapError)) throw e;
            expect(soundByCheck, `free threw ${e.code} (${e.message}) on a heap check() accepts`).toBe(false);
            expectSameBytes(heap.memory, before.bytes);
            expect(statsOrError(heap)).toEqual(before.stats);
            return;
          }
          lives.splice(lives.indexOf(victim), 1);
          for (const [i, size] of later.entries()) {
            let ptr: number;
            try {
              ptr = heap.malloc(size);
            } catch (e) {
              if (!(e instanceof HeapError)) throw e;
              return;
            }
            intact(heap, lives);
            if (ptr !== 0) {
              heap.memory.fill((i + 100) & 255, ptr, ptr + size);
              lives.push({ ptr, size, seed: (i + 100) & 255 });
            }
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});
