import type { Strategy } from "@dmm/core";
import { createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import fc from "fast-check";
import { expect, it } from "vitest";

/** First fit that counts its finds, so a test can tell a malloc that missed (and merged) from one that fit. */
function countingFirstFit(): Strategy & { finds: number } {
  const inner = firstFit();
  return {
    name: "counting-first-fit",
    finds: 0,
    get examined() {
      return inner.examined;
    },
    set examined(v: number) {
      inner.examined = v;
    },
    attach: (host) => inner.attach(host),
    insert: (block) => inner.insert(block),
    remove: (block) => inner.remove(block),
    find(size) {
      this.finds++;
      return inner.find(size);
    },
    forEach: (visit) => inner.forEach(visit),
  };
}

function adjacentFreePairs(heap: ReturnType<typeof createHeap>): number {
  let pairs = 0;
  let previousFree = false;
  for (const block of heap.walk()) {
    if (block.free && previousFree) pairs++;
    previousFree = block.free;
  }
  return pairs;
}

it("after a deferred pass no two free blocks are adjacent, however many frees it has to catch up on", () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ malloc: fc.boolean(), size: fc.integer({ min: 0, max: 300 }), pick: fc.nat() }), { maxLength: 400 }),
      (steps) => {
        const strategy = countingFirstFit();
        const heap = createHeap({ size: 8192, strategy, coalescing: "deferred" });
        const live: number[] = [];
        for (const step of steps) {
          if (step.malloc || live.length === 0) {
            const finds = strategy.finds;
            const p = heap.malloc(step.size);
            if (p !== 0) live.push(p);
            // Two finds: the first missed, a pass merged, the second found (or the heap was full).
            if (strategy.finds - finds === 2 && p !== 0) expect(adjacentFreePairs(heap)).toBe(0);
          } else {
            heap.free(live.splice(step.pick % live.length, 1)[0]!);
          }
        }
        heap.check();
      },
    ),
    { numRuns: 60 },
  );
});

it("more frees than the pass remembers fall back to a whole-heap pass", () => {
  const heap = createHeap({ size: 24 * 6000 + 8, strategy: firstFit(), coalescing: "deferred" });
  const blocks: number[] = [];
  for (let p = heap.malloc(16); p !== 0; p = heap.malloc(16)) blocks.push(p);
  expect(blocks.length).toBe(6000);
  for (let i = blocks.length - 1; i >= 0; i -= 2) heap.free(blocks[i]!); // 3000 frees, none adjacent
  for (let i = blocks.length - 2; i >= 0; i -= 2) heap.free(blocks[i]!); // 3000 more: past the 4096 remembered
  expect(heap.stats().freeBlocks).toBe(6000);
  expect(heap.malloc(24 * 6000 - 8)).toBe(16); // fits only once everything merged
  heap.check();
});

it("a split remainder next to an older free block is merged by the next pass", () => {
  const heap = createHeap({ size: 8 + 24 + 112 + 112 + 24, strategy: firstFit(), coalescing: "deferred" });
  heap.malloc(16); // guard below
  const f = heap.malloc(104); // 112-byte block
  const g = heap.malloc(104);
  heap.malloc(16); // guard above: the arena is full
  heap.free(g);
  expect(heap.malloc(1000)).toBe(0); // a miss: the pass finds g alone and forgets it
  heap.free(f); // f and g are now free neighbours, f remembered, g not
  const small = heap.malloc(16); // first fit carves f: its 88-byte remainder touches g
  expect(small).toBe(f);
  // Only the remainder and g merged (88 + 112 = 200 bytes) can serve this.
  expect(heap.malloc(190)).toBe(f + 24);
  heap.check();
});
