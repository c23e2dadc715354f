import { createHeap } from "@dmm/core";
import { bestFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectHeapError } from "./helpers.js";

/**
 * A forged but self-consistent header: b's size rewritten to span b and the live block c above it, and b's request
 * word set to match, so every rule that reads only the buffer (size ends at a real boundary, flags agree, the
 * request needs that size) holds. The start bitmap, which lives outside the buffer, knows c starts inside: the
 * header is forged. Before, free(b) accepted it and the next malloc handed out memory over c.
 */
function forged() {
  const heap = createHeap({ size: 4096, strategy: bestFit() });
  const a = heap.malloc(24); // [8, 40)
  const b = heap.malloc(40); // [40, 88)
  const c = heap.malloc(40); // [88, 136)
  heap.malloc(24);
  heap.memory.fill(0xcc, c, c + 40);
  const view = new DataView(heap.memory.buffer);
  view.setInt32(b - 8, (48 + 48) | 1, true); // 96 bytes | USED: ends at 136, c's end
  view.setInt32(b - 4, 88, true); // a request that needs exactly 96 bytes
  return { heap, a, b, c };
}

it("free of the forged block is CORRUPTION naming the swallowed block, and changes nothing", () => {
  const { heap, b } = forged();
  const before = { bytes: heap.memory.slice(), stats: heap.stats() };
  expect(expectHeapError(() => heap.free(b), "CORRUPTION").message).toContain("spans other blocks (one starts at 88)");
  expect(heap.memory).toEqual(before.bytes);
  expect(heap.stats()).toEqual(before.stats);
});

it("realloc and usableSize of it are rejected too, and no malloc hands out the live block", () => {
  const { heap, b, c } = forged();
  expectHeapError(() => heap.realloc(b, 10), "CORRUPTION");
  expectHeapError(() => heap.realloc(b, 200), "CORRUPTION");
  expectHeapError(() => heap.usableSize(b), "CORRUPTION");
  for (let i = 0; i < 20; i++) {
    const p = heap.malloc(40);
    if (p === 0) break;
    expect(p + 40 <= c || p >= c + 40, `malloc returned ${p}, over the live block at ${c}`).toBe(true);
  }
  expect(heap.memory.subarray(c, c + 40).every((x) => x === 0xcc)).toBe(true);
});

it("check() names it", () => {
  const { heap } = forged();
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("spans other blocks");
});
