/**
 * @dmm/core's spare buffers hold any allocator's buffer with the side array it kept beside it (a core heap's block
 * map, the buddy allocator's side table): a buffer given back by one kind and taken by the other comes without
 * the other's side array, and each works on it as on fresh memory.
 */
import { type Allocator, createHeap } from "@dmm/core";
import { createBuddyAllocator, tlsf } from "@dmm/strategies";
import { expect, it } from "vitest";

const MiB = 1 << 20;

function sideOf(a: Allocator, field: "marks" | "meta"): unknown {
  return (a as unknown as Record<string, unknown>)[field];
}

it("a core heap growing into a disposed buddy allocator's buffer makes its own block map", () => {
  const buddy = createBuddyAllocator({ size: MiB });
  for (let i = 0; i < 60; i++) buddy.malloc(12_000);
  const buffer = buddy.memory.buffer;
  buddy.dispose!();
  const heap = createHeap({ size: 0, maxSize: MiB, strategy: tlsf() });
  const live: number[] = [];
  for (let i = 0; i < 70; i++) live.push(heap.malloc(12_000));
  expect(heap.memory.buffer === buffer, "the heap grew into the buddy allocator's buffer").toBe(true);
  expect(sideOf(heap, "marks")).toBeInstanceOf(Int32Array);
  for (const p of live.filter((_, i) => i % 3 === 0)) heap.free(p);
  heap.check();
});

it("a buddy allocator taking a disposed core heap's buffer makes its own side table", () => {
  const heap = createHeap({ size: MiB, strategy: tlsf() });
  for (let i = 0; i < 80; i++) heap.malloc(12_000);
  const buffer = heap.memory.buffer;
  heap.dispose!();
  const buddy = createBuddyAllocator({ size: MiB });
  expect(buddy.memory.buffer === buffer, "the fixed buddy arena took the heap's buffer").toBe(true);
  expect(sideOf(buddy, "meta")).toBeInstanceOf(Uint8Array);
  const live: number[] = [];
  for (let i = 0; i < 60; i++) live.push(buddy.malloc(12_000));
  for (const p of live.filter((_, i) => i % 3 === 0)) buddy.free(p);
  buddy.check();
});
