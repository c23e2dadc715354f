/**
 * The README's "write your own strategy" example, verbatim: it must compile against the exported types,
 * register, and pass the heap's checker on a random run. If this test breaks, fix the README too.
 */
import { blockSize, createHeap, getLink, setLink, type Strategy, type StrategyHost } from "@dmm/core";
import { registerStrategy, strategies, strategyByName } from "@dmm/strategies";
import { expect, it } from "vitest";
import { freeAll, randomTrace, replayWithPatterns } from "./support/random-trace.js";

// --- README example begins ---
/** LIFO first fit: scan a doubly linked list of free blocks, most recently freed first. O(n) find, O(1) free. */
function lifoFirstFit(): Strategy {
  const NEXT = 0, PREV = 1; // link words in each free block's payload
  let host: StrategyHost;
  let head = 0;
  return {
    name: "lifo-first-fit",
    examined: 0,
    attach(h) { host = h; head = 0; },
    insert(block) {
      setLink(host.words, block, NEXT, head);
      setLink(host.words, block, PREV, 0);
      if (head !== 0) setLink(host.words, head, PREV, block);
      head = block;
    },
    remove(block) {
      const w = host.words, next = getLink(w, block, NEXT), prev = getLink(w, block, PREV);
      if (prev !== 0) setLink(w, prev, NEXT, next); else head = next;
      if (next !== 0) setLink(w, next, PREV, prev);
    },
    find(size) {
      this.examined = 0;
      for (let b = head; b !== 0; b = getLink(host.words, b, NEXT)) {
        this.examined++;
        if (blockSize(host.words, b) >= size) return b;
      }
      return 0;
    },
    forEach(visit) {
      for (let b = head; b !== 0; b = getLink(host.words, b, NEXT)) visit(b);
    },
  };
}

registerStrategy({ name: "lifo-first-fit", description: "most recently freed block that fits (list scan)", create: lifoFirstFit });
// --- README example ends ---

it("registers a user's strategy, which then runs like the built-in ones", () => {
  expect(strategies.map((s) => s.name)).toContain("lifo-first-fit");
  const heap = createHeap({ size: 64 * 1024, strategy: strategyByName("lifo-first-fit").create() });
  const state = replayWithPatterns(heap, randomTrace(5, { ops: 1500, live: 80, maxSize: 2048 }), 25);
  freeAll(heap, state);
  expect([...heap.walk()].length).toBe(1);
  expect(() => registerStrategy({ name: "lifo-first-fit", description: "again", create: lifoFirstFit })).toThrow(/already registered/);
});
