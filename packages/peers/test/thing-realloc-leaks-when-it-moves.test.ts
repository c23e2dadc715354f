import { thingMalloc } from "@dmm/peers";
import { expect, it } from "vitest";

// MemPool.reallocBlock calls this.free(block) with the block address, but free() expects the data address
// (block + 8); it finds no such block and returns false, so the old block stays on the used list forever.
it("@thi.ng/malloc's realloc leaks the old block when it moves", () => {
  const pool = thingMalloc({ size: 4096 });
  const a = pool.malloc(16);
  const b = pool.malloc(16); // pins a: it cannot grow in place
  const moved = pool.realloc(a, 200);
  expect(moved).not.toBe(a);
  pool.free(moved);
  pool.free(b);
  // Everything the program holds is freed, yet one block is still in use: the old `a`.
  expect(pool.stats().usedBlocks).toBe(1);
  expect([...pool.walk()]).toEqual([{ offset: a - 8, payload: a, size: 16, free: false }]);
});

it("the adapter's fixReallocLeak moves the block without leaking", () => {
  const pool = thingMalloc({ size: 4096, fixReallocLeak: true });
  const a = pool.malloc(16);
  const b = pool.malloc(16);
  pool.memory.fill(7, a, a + 16);
  const moved = pool.realloc(a, 200);
  expect(moved).not.toBe(a);
  expect([...pool.memory.subarray(moved, moved + 16)]).toEqual(new Array(16).fill(7));
  pool.free(moved);
  pool.free(b);
  expect(pool.stats().usedBlocks).toBe(0);
  pool.check();
});
