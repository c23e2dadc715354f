import { describe, expect, it } from "vitest";
import { buddyOf, buddyOrderFor, createBuddyAllocator } from "../src/buddy.js";

describe("the buddy of the block at x of order k is x XOR 2^k", () => {
  it("worked examples (as Linux __find_buddy_pfn)", () => {
    expect(buddyOf(64, 5)).toBe(96); // 64..95 pairs with 96..127 ...
    expect(buddyOf(96, 5)).toBe(64); // ... seen from either side
    expect(buddyOf(64, 6)).toBe(0); // merged 64..127 pairs with 0..63
    expect(buddyOf(32, 4)).toBe(48); // not 16: 16..31 belongs with 0..15
    expect(buddyOf(0, 10)).toBe(1024);
  });

  it("the pair's parent is the lower of the two: x & ~2^k", () => {
    for (let k = 4; k < 12; k++) {
      for (let x = 0; x < 1 << 13; x += 1 << k) {
        const b = buddyOf(x, k);
        expect(buddyOf(b, k)).toBe(x);
        expect(Math.min(x, b)).toBe(x & ~(1 << k));
      }
    }
  });

  it("order of a request: ceil(log2(size + 8)), at least 4", () => {
    expect([0, 8, 9, 24, 25, 56, 57, 1016, 1017].map(buddyOrderFor)).toEqual([4, 4, 5, 5, 6, 6, 7, 10, 11]);
  });

  it("the allocator merges exactly the XOR buddy: freeing arena block 32 (order 5) merges with 0, not 64", () => {
    const a = createBuddyAllocator({ size: 128 });
    const p0 = a.malloc(24); // arena 0
    const p1 = a.malloc(24); // arena 32
    const p2 = a.malloc(24); // arena 64 (its buddy 96 stays free)
    expect([p0, p1, p2]).toEqual([8, 40, 72]);
    a.free(p0);
    a.free(p1); // buddy of 32 at order 5 is 32 ^ 32 = 0 (free): merge to order 6 at 0; its buddy 64 is used
    expect([...a.walk()].map((b) => [b.offset, b.size + 8, b.free])).toEqual([
      [0, 64, true],
      [64, 32, false],
      [96, 32, true],
    ]);
    a.check();
    a.free(p2); // 64 + 96 -> order 6 at 64, then with 0 -> order 7 at 0
    expect(a.stats().freeBlocks).toBe(1);
    a.check();
  });
});
