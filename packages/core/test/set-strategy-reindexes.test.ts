import { createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { lifo } from "./lifo-strategy.js";

it("setStrategy on a live heap re-indexes every free block, and allocation continues", () => {
  const heap = createHeap({ size: 4096, strategy: firstFit() });
  const ptrs = Array.from({ length: 12 }, (_, i) => heap.malloc(16 + i * 8));
  for (let i = 0; i < 12; i += 2) heap.free(ptrs[i]!);
  const freeBefore = [...heap.walk()].filter((b) => b.free).map((b) => b.offset);

  const next = lifo();
  heap.setStrategy(next);
  expect(heap.strategy).toBe(next);
  expect(heap.name).toBe("lifo");
  heap.check();
  const indexed: number[] = [];
  next.forEach((b) => indexed.push(b));
  expect(indexed.sort((x, y) => x - y)).toEqual(freeBefore);

  // LIFO serves from the most recently inserted block that fits; then back to first fit.
  const p = heap.malloc(16);
  expect(p).not.toBe(0);
  heap.check();
  heap.free(p);
  heap.setStrategy(firstFit());
  expect(heap.malloc(16)).toBe(ptrs[0]); // the lowest hole
  heap.check();
});
