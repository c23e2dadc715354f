/** Bad input: a typed HeapError, and an allocator that is exactly as it was (check() passes, same map). */
import { HeapError } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";

function setup() {
  const a = createBuddyAllocator({ size: 4096 });
  const p = a.malloc(100);
  const q = a.malloc(20);
  const r = a.malloc(300);
  return { a, p, q, r };
}

function snapshot(a: ReturnType<typeof createBuddyAllocator>) {
  return JSON.stringify({ blocks: [...a.walk()], stats: a.stats() });
}

function snapshotBytes(a: ReturnType<typeof createBuddyAllocator>) {
  return { bytes: a.memory.slice(), stats: a.stats() };
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HeapError);
    expect((e as HeapError).code).toBe(code);
    return;
  }
  throw new Error(`expected HeapError ${code}`);
}

describe("buddy rejects bad input and stays unchanged", () => {
  it("INVALID_SIZE for negative, fractional, NaN and non-number sizes", () => {
    const { a } = setup();
    const before = snapshot(a);
    for (const bad of [-1, 1.5, NaN, Infinity, "8" as unknown as number]) {
      expectCode(() => a.malloc(bad), "INVALID_SIZE");
      expectCode(() => a.calloc(bad, 4), "INVALID_SIZE");
      expectCode(() => a.calloc(4, bad), "INVALID_SIZE");
    }
    expect(snapshot(a)).toBe(before);
    a.check();
  });

  it("INVALID_POINTER for interior, out-of-range, misaligned and never-allocated pointers", () => {
    const { a, p, r } = setup();
    const before = snapshot(a);
    for (const bad of [p + 8, r + 16, 4, 5000, -16, p + 3, 1.5, "16" as unknown as number]) {
      expectCode(() => a.free(bad), "INVALID_POINTER");
      expectCode(() => a.realloc(bad, 10), "INVALID_POINTER");
      expectCode(() => a.usableSize(bad), "INVALID_POINTER");
    }
    expect(snapshot(a)).toBe(before);
    a.check();
  });

  it("DOUBLE_FREE for freeing or reallocating a freed block, also after it merged away", () => {
    const { a, p, q } = setup();
    a.free(q);
    const before = snapshot(a);
    expectCode(() => a.free(q), "DOUBLE_FREE");
    expectCode(() => a.realloc(q, 8), "DOUBLE_FREE");
    a.free(p); // p's block (128 bytes) merges with the free pieces around it
    const merged = snapshot(a);
    expectCode(() => a.free(q), "DOUBLE_FREE");
    expect(snapshot(a)).toBe(merged);
    expect(before).not.toBe(merged);
    a.check();
  });

  it("INVALID_OPTIONS for options that make no sense", () => {
    for (const bad of [
      { size: -1 },
      { size: 1.5 },
      { size: 2 ** 31 },
      { size: 4096, maxSize: 1024 },
      { size: 0, maxSize: 2 ** 31 },
      { size: 64, coalescing: "deferred" },
      null,
    ]) {
      expectCode(() => createBuddyAllocator(bad as never), "INVALID_OPTIONS");
    }
  });

  it("CORRUPTION when a buffer overflow overwrites the next block's header: found by free, realloc and check", () => {
    const { a, p, q } = setup();
    // p (100 bytes) is a 128-byte block; q's header sits right after it.
    expect(q).toBe(p + 128);
    a.memory.fill(0x41, p, p + 128 + 4); // overflow by 4 bytes into q's header
    expectCode(() => a.check(), "CORRUPTION");
    expectCode(() => a.free(q), "CORRUPTION");
    expectCode(() => a.realloc(q, 64), "CORRUPTION");
    expect(() => a.free(p)).not.toThrow(); // p itself is intact; q is not p's buddy's block, nothing to merge
  });

  it("CORRUPTION when only the next block's header word is overwritten (its requested word intact)", () => {
    const { a, p, q } = setup();
    a.memory.fill(0x41, p + a.usableSize(p), p + a.usableSize(p) + 4); // q's header word, nothing else
    const before = snapshotBytes(a);
    expectCode(() => a.free(q), "CORRUPTION");
    expectCode(() => a.realloc(q, 64), "CORRUPTION");
    expectCode(() => a.usableSize(q), "CORRUPTION");
    expect(snapshotBytes(a)).toEqual(before);
  });

  it("CORRUPTION when a free buddy's header is overwritten: free refuses to merge and changes nothing", () => {
    const a = createBuddyAllocator({ size: 64 });
    const p = a.malloc(8); // arena 0..15, buddy 16..31 free
    a.memory[p + 8] = 0x7f; // overflow into the free buddy's header
    expectCode(() => a.free(p), "CORRUPTION");
    expect(a.usableSize(p)).toBe(8); // still live
    expect(a.stats().usedBlocks).toBe(1);
  });

  it("CORRUPTION when malloc would hand out a free block whose header or links were overwritten", () => {
    const a = createBuddyAllocator({ size: 64 });
    const p = a.malloc(8); // arena 0..15; free: 16..31 (order 4), 32..63 (order 5)
    const before = snapshot(a);
    const words = new Int32Array(a.memory.buffer);
    const header = words[(p + 8) >> 2]!;
    a.memory.fill(0x41, p, p + 8 + 4); // overflow into the order-4 buddy's header
    expectCode(() => a.malloc(8), "CORRUPTION");
    words[(p + 8) >> 2] = header; // the header restored...
    words[(p + 16) >> 2] = 12345; // ...but its next link forged
    expectCode(() => a.malloc(8), "CORRUPTION");
    words[(p + 16) >> 2] = -1; // NIL: the list ends there, as it did
    expect(snapshot(a)).toBe(before);
    a.check();
  });

  it("CORRUPTION when the larger free block malloc would split has a damaged header: nothing is split", () => {
    const a = createBuddyAllocator({ size: 64 });
    a.malloc(8); // [0, 16)
    const q = a.malloc(8); // [16, 32): the order-4 list is empty, [32, 64) is the only free block
    a.memory.fill(0x41, q + 8, q + 12); // q overflows into its header
    const before = snapshotBytes(a);
    expectCode(() => a.malloc(8), "CORRUPTION");
    expect(snapshotBytes(a)).toEqual(before);
  });

  it("CORRUPTION for forged links that name a real free block: a head with a previous block, a misaligned alias", () => {
    // Four order-4 blocks at 0, 16, 32, 48; 0 and 48 freed (their buddies are used): the order-4 list is 48 -> 0.
    const setupList = () => {
      const a = createBuddyAllocator({ size: 64 });
      const ps = [a.malloc(8), a.malloc(8), a.malloc(8), a.malloc(8)];
      a.free(ps[0]!);
      a.free(ps[3]!);
      return { a, ps, words: new Int32Array(a.memory.buffer) };
    };
    {
      const { a, words } = setupList();
      words[(48 >> 2) + 3] = 0; // the head's previous link forged to the other free block of its order
      const before = snapshotBytes(a);
      expectCode(() => a.malloc(8), "CORRUPTION");
      expect(snapshotBytes(a)).toEqual(before);
    }
    {
      const { a, ps, words } = setupList();
      a.memory.fill(7, ps[1]!, ps[1]! + 8); // the used block at 16
      words[(48 >> 2) + 2] = 8; // the head's next link: inside block 0's granule, not its start
      const before = snapshotBytes(a);
      expectCode(() => a.malloc(8), "CORRUPTION");
      expect(snapshotBytes(a)).toEqual(before);
    }
  });

  it("a valid request too large for the arena is NULL, not an error", () => {
    const { a } = setup();
    expect(a.malloc(4096)).toBe(0);
    expect(a.malloc(2 ** 31)).toBe(0);
    expect(a.calloc(2 ** 20, 2 ** 20)).toBe(0);
    expect(a.stats().failedAllocations).toBe(3);
    a.check();
  });

  it("free(NULL) is a no-op; realloc(NULL, n) is malloc; realloc(p, 0) frees", () => {
    const { a, p } = setup();
    const before = snapshot(a);
    a.free(0);
    expect(snapshot(a)).toBe(before);
    const n = a.realloc(0, 40);
    expect(a.usableSize(n)).toBe(56);
    expect(a.realloc(p, 0)).toBe(0);
    expectCode(() => a.free(p), "DOUBLE_FREE");
    a.check();
  });
});
