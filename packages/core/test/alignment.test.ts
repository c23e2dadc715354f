import { describe, expect, it } from "vitest";
import { heapOf, layout } from "./helpers.js";

describe.each([8, 16, 64])("alignment %i", (alignment) => {
  it("every pointer is a multiple of the alignment, through malloc, calloc, realloc and reuse", () => {
    const heap = heapOf({ size: 0, maxSize: 1 << 20, alignment });
    const live: number[] = [];
    for (let i = 0; i < 60; i++) {
      const size = (i * 37) % 200;
      const p = i % 3 === 0 ? heap.calloc(1, size) : heap.malloc(size);
      expect(p % alignment).toBe(0);
      live.push(p);
      if (i % 4 === 1) heap.free(live.splice((i * 7) % live.length, 1)[0]!);
      if (i % 5 === 2) {
        const j = (i * 3) % live.length;
        live[j] = heap.realloc(live[j]!, size + 50);
        expect(live[j]! % alignment).toBe(0);
      }
    }
    for (const b of heap.walk()) {
      expect(b.payload % alignment).toBe(0);
      expect((b.size + 8) % alignment).toBe(0);
    }
    heap.check();
  });
});

it("pins the first blocks: payloads at 16 then 48 (alignment 16), at 64 then 128 (alignment 64)", () => {
  const h16 = heapOf({ alignment: 16 });
  expect([h16.malloc(1), h16.malloc(1)]).toEqual([16, 48]); // blocks of 32 from 8
  expect(layout(h16)[0]).toEqual([8, 24, false]);
  const h64 = heapOf({ alignment: 64 });
  expect([h64.malloc(1), h64.malloc(1)]).toEqual([64, 128]); // blocks of 64 from 56
  expect(layout(h64)[0]).toEqual([56, 56, false]);
  expect(h64.malloc(57)).toBe(192); // 57 + 8 > 64: a 128-byte block
  expect(h64.usableSize(192)).toBe(120);
});
