import { createHeap, type Strategy } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";

/** First fit that logs the strategy calls a deferred pass makes: its vettings and its inserts, with their blocks. */
function loggingFirstFit(): Strategy & { log: string[] } {
  const inner = firstFit();
  const log: string[] = [];
  return {
    name: "logging-first-fit",
    log,
    get examined() {
      return inner.examined;
    },
    set examined(v: number) {
      inner.examined = v;
    },
    attach: (host) => inner.attach(host),
    insert(block) {
      log.push(`insert ${block}`);
      inner.insert(block);
    },
    remove(block) {
      log.push(`remove ${block}`);
      inner.remove(block);
    },
    find: (size) => inner.find(size),
    forEach: (visit) => inner.forEach(visit),
    validateInsert(block, size) {
      log.push(`validateInsert ${block} ${size}`);
      inner.validateInsert?.(block, size); // first fit's insert follows no link: it has nothing to vet
    },
    validateRemove(block) {
      log.push(`validateRemove ${block}`);
      inner.validateRemove!(block);
    },
  };
}

it("a deferred pass vets each run once, however many of its blocks are pending, and merges in the frees' order", () => {
  // Nine 24-byte blocks filling the arena: p0 … p8. Run A = p5 p6 p7 and run B = p1 p2 p3, every block of both
  // pending, A's first (p7) freed first but its lowest (p5) after all of B's; p0, p4 and p8 stay live.
  const strategy = loggingFirstFit();
  const heap = createHeap({ size: 8 + 24 * 9, strategy, coalescing: "deferred" });
  const p = Array.from({ length: 9 }, () => heap.malloc(16));
  const block = p.map((x) => x - 8);
  // The carves noted their remainders for a pass: a miss runs it, so the frees below are all it has pending.
  expect(heap.malloc(100)).toBe(0);
  for (const i of [7, 2, 3, 1, 5, 6]) heap.free(p[i]!);
  strategy.log.length = 0;
  expect(heap.malloc(100)).toBe(0); // no 112-byte block even once merged: the miss's pass runs, then fails
  const vets = strategy.log.filter((call) => call.startsWith("validate"));
  // Each run: its blocks' removals and its merged block's insert, once; A (the first freed) before B.
  expect(vets).toEqual([
    ...[5, 6, 7].map((i) => `validateRemove ${block[i]}`), `validateInsert ${block[5]} 72`,
    ...[1, 2, 3].map((i) => `validateRemove ${block[i]}`), `validateInsert ${block[1]} 72`,
  ]);
  // The merges in the same order: A's pieces out and its merged block in, then B's.
  expect(strategy.log.filter((call) => !call.startsWith("validate"))).toEqual([
    ...[5, 6, 7].map((i) => `remove ${block[i]}`), `insert ${block[5]}`,
    ...[1, 2, 3].map((i) => `remove ${block[i]}`), `insert ${block[1]}`,
  ]);
  expect(heap.stats().freeBlocks).toBe(2);
  heap.check();
});
