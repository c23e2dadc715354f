import { expect, it } from "vitest";
import { expectHeapError, heapOf } from "./helpers.js";

// Found by property-overflow-never-silent: a one-byte overflow turns the next header 0x19 (24 | USED) into
// 0x49 (72 | USED). 72 bytes from 80 end at 152, a real block boundary, with consistent flags: the forged block
// swallows the two live blocks at 104 and 128, and freeing it would hand their memory out again.
function forged() {
  const heap = heapOf({ size: 4096, coalescing: "none" });
  const ptrs = Array.from({ length: 7 }, () => heap.malloc(0)); // 24-byte blocks from 8 to 176
  expect(ptrs).toEqual([16, 40, 64, 88, 112, 136, 160]);
  heap.memory[ptrs[2]! + 16] = 0x49;
  return { heap, ptrs };
}

it("free of the block with the forged size reports CORRUPTION instead of freeing its neighbours", () => {
  const { heap, ptrs } = forged();
  expect(expectHeapError(() => heap.free(ptrs[3]!), "CORRUPTION").message).toContain("spans other blocks");
});

it("check, usableSize and realloc see it too", () => {
  const { heap, ptrs } = forged();
  expectHeapError(() => heap.check(), "CORRUPTION");
  expectHeapError(() => heap.usableSize(ptrs[3]!), "CORRUPTION");
  expectHeapError(() => heap.realloc(ptrs[2]!, 100), "CORRUPTION");
});

it("a block spanning several bitmap words is checked across all of them", () => {
  const heap = heapOf({ size: 8192 });
  const big = heap.malloc(2000); // [8, 2016): 8 bitmap words
  heap.malloc(8); // [2016, 2040)
  const c = heap.malloc(8); // [2040, 2064)
  heap.malloc(8);
  // Forge big's size to 2056 (| USED): it ends at 2064, c's end, a real boundary, swallowing two blocks.
  new DataView(heap.memory.buffer).setInt32(big - 8, 2056 | 1, true);
  expect(c).toBe(2048);
  expectHeapError(() => heap.free(big), "CORRUPTION");
});
