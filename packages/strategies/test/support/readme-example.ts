/**
 * The strategies README's "write your own strategy" example, verbatim (custom-strategy-example.test.ts checks that it
 * compiles, registers and runs; if it changes, fix the README too). Importing this module registers it. It is also
 * the plain list walk that first-fit-lifo's differential test compares with (first-fit-lifo-matches-a-list-walk).
 */
import { blockSize, getLink, setLink, type Strategy, type StrategyHost } from "@dmm/core";
import { registerStrategy } from "@dmm/strategies";

// --- README example begins ---
/** LIFO first fit: scan a doubly linked list of free blocks, most recently freed first. O(n) find, O(1) free. */
export function lifoFirstFit(): Strategy {
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
