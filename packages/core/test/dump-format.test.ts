import { expect, it } from "vitest";
import { heapOf } from "./helpers.js";

it("dump() prints one line per block: offset, payload size, USED or FREE", () => {
  const heap = heapOf();
  const a = heap.malloc(16);
  heap.malloc(100);
  heap.free(a);
  expect(heap.dump()).toBe(["Block at: 8 Size: 16 [FREE]", "Block at: 32 Size: 104 [USED]", "Block at: 144 Size: 872 [FREE]"].join("\n"));
});

it("dump() of a fresh arena is its one free block; of an empty growable heap, nothing", () => {
  expect(heapOf().dump()).toBe("Block at: 8 Size: 1008 [FREE]");
  expect(heapOf({ size: 0, maxSize: 4096 }).dump()).toBe("");
  expect(heapOf({ alignment: 64 }).dump()).toBe("Block at: 56 Size: 952 [FREE]"); // [56, 1016): 968 bytes rounded down to 15 * 64
});
