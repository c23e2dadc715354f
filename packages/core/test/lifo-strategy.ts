/**
 * A third-party strategy written against @dmm/core's exported types and accessors alone: a LIFO doubly linked
 * free list (most recently freed first) whose links live in the free blocks' payload.
 */
import { blockSize, getLink, LINK_WORDS, setLink, type Strategy, type StrategyHost } from "@dmm/core";

const NEXT = 0;
const PREV = 1;

export function lifo(): Strategy {
  if (LINK_WORDS < 2) throw new Error("a doubly linked list needs two link words");
  let host: StrategyHost | undefined;
  let head = 0;
  let count = 0;
  const strategy: Strategy = {
    name: "lifo",
    examined: 0,
    attach(h) {
      host = h;
      head = 0;
      count = 0;
    },
    insert(block) {
      const w = host!.words;
      setLink(w, block, NEXT, head);
      setLink(w, block, PREV, 0);
      if (head !== 0) setLink(w, head, PREV, block);
      head = block;
      count++;
    },
    remove(block) {
      const w = host!.words;
      const next = getLink(w, block, NEXT);
      const prev = getLink(w, block, PREV);
      if (prev !== 0) setLink(w, prev, NEXT, next);
      else head = next;
      if (next !== 0) setLink(w, next, PREV, prev);
      count--;
    },
    find(size) {
      const w = host!.words;
      let examined = 0;
      for (let b = head; b !== 0; b = getLink(w, b, NEXT)) {
        examined++;
        if (blockSize(w, b) >= size) {
          strategy.examined = examined;
          return b;
        }
      }
      strategy.examined = examined;
      return 0;
    },
    forEach(visit) {
      const w = host!.words;
      let seen = 0;
      for (let b = head; b !== 0; b = getLink(w, b, NEXT)) {
        if (++seen > count) throw new Error("the free list is longer than its count (a cycle?)");
        visit(b);
      }
    },
    check() {
      const w = host!.words;
      let prev = 0;
      for (let b = head, n = 0; b !== 0; prev = b, b = getLink(w, b, NEXT), n++) {
        if (n > count) throw new Error("the free list has a cycle");
        if (getLink(w, b, PREV) !== prev) throw new Error(`block ${b}'s back link is ${getLink(w, b, PREV)}, not ${prev}`);
      }
    },
  };
  return strategy;
}
