/**
 * A free block inside a list (not its head) is removed by a merging free whose only free neighbour it is: the first
 * removal of a free is not vetted beforehand (a strategy's remove is atomic), so the list's remove itself must check
 * the previous link before it writes through it. Two equal blocks freed in turn share one list (tlsf's exact small
 * list, segregated fit's small bin), the first one then inside it with a previous link naming the second; that link
 * is overwritten with a used block's address, and freeing the first block's upper neighbour must be CORRUPTION that
 * changes nothing. (The check is written out inside remove on both strategies' hot paths; remove it and this fails,
 * where the red team's random damage did not always land there.)
 */
import { createHeap, HeapError, LINK0 } from "@dmm/core";
import { segregatedFit, tlsf } from "@dmm/strategies";
import { expect, it } from "vitest";

it.each([
  ["tlsf", tlsf],
  ["segregated-fit", segregatedFit],
] as const)("%s: a smashed previous link of a block inside its list is CORRUPTION, and the heap is unchanged", (_name, create) => {
  const h = createHeap({ size: 4096, strategy: create() });
  // 48-byte blocks at 8, 56, 104, 152 and 200; the rest of the arena is free above them.
  const [inner, neighbour, guard, head, guard2] = [40, 40, 40, 40, 40].map((n) => h.malloc(n));
  expect([inner, neighbour, guard, head, guard2]).toEqual([16, 64, 112, 160, 208]);
  h.free(inner);
  h.free(head); // the list's head now; `inner` follows it, its previous link naming block 152
  const words = new Int32Array(h.memory.buffer);
  const prevLink = ((inner - 8) >> 2) + LINK0 + 1;
  expect(words[prevLink]).toBe(head - 8);
  words[prevLink] = guard - 8; // a used block
  const before = h.memory.slice();
  let caught: unknown = null;
  try {
    h.free(neighbour); // merges with `inner` below it only: inner's removal is the free's first
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  expect((caught as HeapError).message).toMatch(/previous link/);
  expect(h.memory.findIndex((b, i) => b !== before[i])).toBe(-1);
});
