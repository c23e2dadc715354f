import { HeapError } from "@dmm/core";
import { expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";

/**
 * A free block's NEXT word forged to name another free block of its order — itself, or one further down its list —
 * passes the tests that the link names a free block of that order. Unlinking through it makes that block the list's
 * head (or drops the blocks between from the list): with NEXT = itself, the block is handed out and stays the head,
 * and the next push onto that list writes its PREV word into the live block's data (the red team's silent damage,
 * RED_TEAM_SEED=834178842 with "link" damage). The rule checks that the next block links back: CORRUPTION at the
 * call that would unlink it, with nothing changed.
 *
 * The heap: eight 16-byte blocks at 0, 16, …, 112 (payloads 8, 24, …, 120), then the ones at 0, 32 and 64 freed
 * (their buddies 16, 48 and 80 are live, so none merges): the order-4 list is 64 -> 32 -> 0.
 */
function setup(forgedNext: number) {
  const a = createBuddyAllocator({ size: 1024 });
  const ptrs = Array.from({ length: 8 }, () => a.malloc(8));
  expect(ptrs).toEqual([8, 24, 40, 56, 72, 88, 104, 120]);
  for (const p of [8, 40, 72]) a.free(p);
  const words = new Int32Array(a.memory.buffer);
  expect(words[64 / 4 + 2]).toBe(32); // the head's NEXT
  words[64 / 4 + 2] = forgedNext;
  return a;
}

function expectRejectedUnchanged(a: ReturnType<typeof setup>, call: () => unknown): void {
  const before = { bytes: a.memory.slice(), stats: a.stats() };
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HeapError);
  expect((caught as HeapError).code).toBe("CORRUPTION");
  expect((caught as HeapError).message).toMatch(/block at 64: free list of order 4 does not run through this block both ways/);
  expect(a.stats()).toEqual(before.stats);
  expect(Buffer.compare(a.memory, before.bytes), "the rejected call changed the heap's bytes").toBe(0);
}

it("a head whose NEXT is forged to itself is CORRUPTION at the malloc that would hand it out, nothing changed", () => {
  const a = setup(64);
  expectRejectedUnchanged(a, () => a.malloc(8));
});

it("a head whose NEXT is forged to skip a block is CORRUPTION at the malloc that would unlink it, nothing changed", () => {
  const a = setup(0);
  expectRejectedUnchanged(a, () => a.malloc(8));
});
