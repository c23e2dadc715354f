import { expect, it } from "vitest";
import { expectHeapError, heapOf } from "./helpers.js";

// Found by property-overflow-never-silent: a one-byte overflow that only clears the USED bit of the block
// above. That block was created by growth as a free block, so its last word still holds its old footer (288),
// which then "confirms" the forged free header. Without a second copy of the bit, realloc(a) would grow into the
// live block b and hand out memory that overlaps it.
function flipped() {
  const heap = heapOf({ size: 0, maxSize: 1 << 20 });
  const a = heap.malloc(0); // [8, 32)
  const b = heap.malloc(273); // [32, 320): 288 bytes, footer slot 316 still holds 288
  heap.malloc(0); // [320, 344)
  expect(new DataView(heap.memory.buffer).getInt32(316, true)).toBe(288);
  heap.memory[a + 16] = 0x20; // 0x121 (288 | USED) becomes 0x120: "free"
  return { heap, a, b };
}

it("realloc of the block below does not grow into the live block", () => {
  const { heap, a } = flipped();
  expectHeapError(() => heap.realloc(a, 17), "CORRUPTION");
});

it("free of the block below does not merge with it; check and free of it report CORRUPTION", () => {
  const { heap, a, b } = flipped();
  expectHeapError(() => heap.free(a), "CORRUPTION");
  expectHeapError(() => heap.free(b), "CORRUPTION");
  expectHeapError(() => heap.check(), "CORRUPTION");
});
