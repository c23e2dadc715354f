/**
 * Allocator.dispose on the core heap: a heap that grew gives its buffer back, and the next heap of the thread that
 * grows to that length grows into it (no fresh memory, no page faults) — holding, after every operation, the same
 * bytes, layout and stats as a twin heap on fresh memory, however dirty the disposed heap left the buffer.
 */
import { createHeap } from "@dmm/core";
import { bestFit, tlsf } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectTwinOps } from "./twin-heaps.js";

const options = { size: 0, maxSize: 1 << 24 };

it("a disposed heap's buffer is the next growing heap's, which holds what a heap on fresh memory holds", () => {
  // The first heap grows to a 1 MiB buffer and scribbles over everything it was given.
  const first = createHeap({ ...options, strategy: tlsf() });
  for (let i = 0; i < 30; i++) first.malloc(20_000);
  const buffer = first.memory.buffer;
  expect(first.memory.length).toBe(1 << 20);
  first.memory.fill(0x5a);
  first.dispose!();
  expect(first.memory.length, "the disposed heap keeps no view of the buffer").toBe(0);

  const reusing = createHeap({ ...options, strategy: bestFit() });
  const twin = createHeap({ ...options, strategy: bestFit() });
  expectTwinOps(reusing, twin, 400, "the heap on the reused buffer", "the one on fresh memory");
  // Identity as a boolean: a failing toBe would print two 1 MiB buffers.
  expect(reusing.memory.buffer === buffer, "the heap grew into the disposed heap's 1 MiB buffer at its first growth").toBe(true);
  expect(twin.memory.buffer === buffer).toBe(false);
  reusing.check();
});

it("a heap disposed twice gives its buffer back once: two later heaps never share it", () => {
  const first = createHeap({ ...options, strategy: tlsf() });
  for (let i = 0; i < 30; i++) first.malloc(20_000);
  first.dispose!();
  first.dispose!();
  const grown = [0, 1].map(() => {
    const heap = createHeap({ ...options, strategy: tlsf() });
    for (let i = 0; i < 30; i++) heap.malloc(20_000);
    return heap;
  });
  expect(grown[0]!.memory.length).toBe(1 << 20);
  expect(grown[0]!.memory.buffer === grown[1]!.memory.buffer).toBe(false);
});
