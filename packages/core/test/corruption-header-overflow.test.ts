import type { Coalescing } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { expectHeapError, expectSameBytes, heapOf } from "./helpers.js";

// a = 16 ([8, 32)), b = 40 ([32, 56)), c = 64 ([56, 80)), free rest [80, 1024).
// Writing past a's 16 usable bytes lands on b's header: bytes 32..35 are its size word, 36..39 its requested size.
function smashed(coalescing: Coalescing, pattern: number, bytes = 8) {
  const heap = heapOf({ coalescing });
  const a = heap.malloc(16);
  const b = heap.malloc(16);
  const c = heap.malloc(16);
  heap.memory.fill(pattern, a + 16, a + 16 + bytes);
  return { heap, a, b, c };
}

describe.each(["immediate", "deferred", "none"] as const)("an overflow into the next header (%s coalescing)", (coalescing) => {
  describe.each([0x41, 0x00, 0xff, 0x18])("pattern 0x%s", (pattern) => {
    it("check() reports CORRUPTION", () => {
      const { heap } = smashed(coalescing, pattern);
      expectHeapError(() => heap.check(), "CORRUPTION");
    });

    it("free of the smashed block or of the block below it reports CORRUPTION", () => {
      const { heap, a, b } = smashed(coalescing, pattern);
      expectHeapError(() => heap.free(b), "CORRUPTION");
      expectHeapError(() => heap.free(a), "CORRUPTION");
    });

    it("realloc of either block reports CORRUPTION", () => {
      const { heap, a, b } = smashed(coalescing, pattern);
      for (const size of [8, 16, 100]) {
        expectHeapError(() => heap.realloc(a, size), "CORRUPTION");
        expectHeapError(() => heap.realloc(b, size), "CORRUPTION");
      }
      expectHeapError(() => heap.usableSize(b), "CORRUPTION");
    });

    it("a call rejected for CORRUPTION writes nothing", () => {
      const { heap, a, b } = smashed(coalescing, pattern);
      const bytes = heap.memory.slice();
      const stats = heap.stats();
      for (const call of [() => heap.free(a), () => heap.free(b), () => heap.realloc(a, 200), () => heap.realloc(a, 1)]) {
        expectHeapError(call, "CORRUPTION");
        expectSameBytes(heap.memory, bytes);
        expect(heap.stats()).toEqual(stats);
      }
    });

    it("walk() and dump() report CORRUPTION instead of walking garbage", () => {
      const { heap } = smashed(coalescing, pattern);
      expectHeapError(() => [...heap.walk()], "CORRUPTION");
      expectHeapError(() => heap.dump(), "CORRUPTION");
    });
  });
});

it("the message names the broken invariant and the block", () => {
  const { heap } = smashed("immediate", 0x41);
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toMatch(/block at 32: header size \d+ is impossible/);
});

it("a smashed requested-size word is caught too", () => {
  const { heap, b } = smashed("immediate", 0xff, 0);
  heap.memory.fill(0xff, b - 4, b); // requested = 2^32 - 1 > the block
  expect(expectHeapError(() => heap.free(b), "CORRUPTION").message).toContain("requested size exceeds the block");
});

it("a requested size lowered by an overflow breaks the live-bytes invariant check() verifies", () => {
  const { heap, b } = smashed("immediate", 0, 0);
  new DataView(heap.memory.buffer).setInt32(b - 4, 1, true);
  expect(expectHeapError(() => heap.check(), "CORRUPTION").message).toContain("stats.liveBytes is 48 but the heap holds 33");
});
