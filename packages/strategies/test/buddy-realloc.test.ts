import { describe, expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";

function fill(m: Uint8Array, p: number, n: number, seed: number) {
  for (let i = 0; i < n; i++) m[p + i] = (seed + i * 7) & 255;
}
function expectFilled(m: Uint8Array, p: number, n: number, seed: number) {
  for (let i = 0; i < n; i++) if (m[p + i] !== ((seed + i * 7) & 255)) throw new Error(`byte ${i} lost`);
}

describe("buddy realloc", () => {
  it("stays in place when the block is already big enough", () => {
    const a = createBuddyAllocator({ size: 1024 });
    const p = a.malloc(30); // 64-byte block, 56 usable
    fill(a.memory, p, 30, 1);
    expect(a.realloc(p, 56)).toBe(p);
    expectFilled(a.memory, p, 30, 1);
    expect(a.stats().liveBytes).toBe(56);
    a.check();
  });

  it("shrinks in place, giving the upper halves back", () => {
    const a = createBuddyAllocator({ size: 1024 });
    const p = a.malloc(500); // 512-byte block at arena 0
    fill(a.memory, p, 500, 2);
    expect(a.realloc(p, 8)).toBe(p);
    expectFilled(a.memory, p, 8, 2);
    expect(a.usableSize(p)).toBe(8);
    // 16 used, then 16, 32, 64, 128, 256 free halves, then the original upper 512.
    expect([...a.walk()].map((b) => b.size + 8)).toEqual([16, 16, 32, 64, 128, 256, 512]);
    expect(a.stats().usedBytes).toBe(16);
    a.check();
  });

  it("grows in place when the buddy chain above is free (0 -> 16, 32 free -> order 6)", () => {
    const a = createBuddyAllocator({ size: 1024 });
    const p = a.malloc(8); // arena 0, order 4; 16 (order 4) and 32 (order 5) are free
    fill(a.memory, p, 8, 3);
    expect(a.realloc(p, 50)).toBe(p);
    expect(a.usableSize(p)).toBe(56);
    expectFilled(a.memory, p, 8, 3);
    a.check();
  });

  it("moves when the block is an upper buddy, keeping the data", () => {
    const a = createBuddyAllocator({ size: 1024 });
    const p = a.malloc(8);
    const q = a.malloc(8); // arena 16: the upper buddy, cannot grow in place
    fill(a.memory, q, 8, 4);
    const r = a.realloc(q, 100);
    expect(r).not.toBe(q);
    expectFilled(a.memory, r, 8, 4);
    expect(a.usableSize(r)).toBe(120);
    expect(a.usableSize(p)).toBe(8);
    a.check();
  });

  it("on failure returns NULL and the old block stays valid and unchanged", () => {
    const a = createBuddyAllocator({ size: 256 });
    a.malloc(100); // arena 0..127
    const q = a.malloc(50); // arena 128..191
    fill(a.memory, q, 50, 5);
    expect(a.realloc(q, 200)).toBe(0);
    expectFilled(a.memory, q, 50, 5);
    expect(a.usableSize(q)).toBe(56);
    expect(a.stats().failedAllocations).toBe(1);
    a.check();
  });
});
