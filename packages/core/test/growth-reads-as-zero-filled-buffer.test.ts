/**
 * A growable heap's larger buffers are not zero-filled (ensureCapacity takes uninitialised memory from
 * Buffer.allocUnsafeSlow and zeroes bytes as the top comes near them). Here that memory is forced to hold garbage
 * (0xA5), and a twin heap gets zero-filled buffers (no allocUnsafeSlow, so new ArrayBuffer): after every operation
 * both must hold the same bytes up to 4 past their extent (checkpoint reads the word at the top), the same layout
 * and the same stats — the heap reads no byte it did not zero.
 */
import type { Coalescing } from "@dmm/core";
import { firstFit, tlsf } from "@dmm/strategies";
import fc from "fast-check";
import { afterEach, expect, it, vi } from "vitest";
import { expectTwinHeaps } from "./twin-heaps.js";

type CoreModule = typeof import("@dmm/core");

const realAllocUnsafeSlow = Buffer.allocUnsafeSlow;

afterEach(() => {
  Buffer.allocUnsafeSlow = realAllocUnsafeSlow;
});

/** @dmm/core loaded afresh while Buffer.allocUnsafeSlow is `stub` (the heap binds it when its module loads). */
async function coreWith(stub: typeof Buffer.allocUnsafeSlow | undefined): Promise<CoreModule> {
  vi.resetModules();
  (Buffer as { allocUnsafeSlow: unknown }).allocUnsafeSlow = stub;
  try {
    return await import("@dmm/core");
  } finally {
    Buffer.allocUnsafeSlow = realAllocUnsafeSlow;
  }
}

const garbage: typeof Buffer.allocUnsafeSlow = (size) => realAllocUnsafeSlow(size).fill(0xa5);

type Op = { kind: "malloc" | "calloc" | "realloc" | "free"; size: number; pick: number };
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom("malloc", "malloc", "malloc", "calloc", "realloc", "free", "free"),
  // Up to 40 KiB, so a few dozen ops outgrow the first 64 KiB buffer and the 256 KiB one after it.
  size: fc.oneof(fc.integer({ min: 0, max: 256 }), fc.integer({ min: 257, max: 40_000 })),
  pick: fc.nat({ max: 1000 }),
});

it("a heap grown on uninitialised buffers holds the bytes, layout and stats of one grown on zero-filled buffers", async () => {
  const dirty = await coreWith(garbage);
  const clean = await coreWith(undefined);
  const makers = [firstFit, tlsf];
  const modes: Coalescing[] = ["immediate", "deferred", "none"];
  fc.assert(
    fc.property(fc.constantFrom(...makers), fc.constantFrom(...modes), fc.array(op, { minLength: 30, maxLength: 120 }), (make, coalescing, random) => {
      // Two large blocks first, so every run outgrows the first 64 KiB buffer (the second's payload spans the old
      // end); the random ops grow it again, through malloc, calloc, realloc and a free block at the top.
      const ops: Op[] = [{ kind: "malloc", size: 40_000, pick: 0 }, { kind: "malloc", size: 30_000, pick: 0 }, ...random];
      const options = { size: 0, maxSize: 1 << 22, coalescing };
      const a = dirty.createHeap({ ...options, strategy: make() });
      const b = clean.createHeap({ ...options, strategy: make() });
      const live: Array<[number, number]> = [];
      ops.forEach((o, i) => {
        const step = `op ${i} ${o.kind}(${o.size})`;
        if (o.kind === "free" || o.kind === "realloc") {
          if (live.length === 0) return;
          const k = o.pick % live.length;
          const [pa, pb] = live[k]!;
          if (o.kind === "free") {
            a.free(pa);
            b.free(pb);
            live.splice(k, 1);
          } else {
            const ra = a.realloc(pa, o.size);
            const rb = b.realloc(pb, o.size);
            expect(ra, step).toBe(rb);
            if (ra !== 0) live[k] = [ra, rb];
            else if (o.size === 0) live.splice(k, 1);
          }
        } else {
          const pa = o.kind === "malloc" ? a.malloc(o.size) : a.calloc(1, o.size);
          const pb = o.kind === "malloc" ? b.malloc(o.size) : b.calloc(1, o.size);
          expect(pa, step).toBe(pb);
          if (pa !== 0) live.push([pa, pb]);
        }
        expectTwinHeaps(a, b, step, "the heap on uninitialised buffers", "the one on zero-filled buffers");
      });
      a.check();
      expect(a.stats().heapBytes, "the ops grew the heap past its first buffer").toBeGreaterThan(1 << 16);
    }),
    { numRuns: 60, seed: Number(process.env.GROWTH_SEED ?? 20261201), verbose: true },
  );
  console.log(`growth-reads-as-zero-filled-buffer: fast-check seed ${process.env.GROWTH_SEED ?? 20261201} (GROWTH_SEED to change)`);
});

it("the stub makes garbage: without ensureCapacity's zeroing the twin comparison would see it", async () => {
  // Guards the test above: if allocUnsafeSlow were not used (or not stubbed), a grown buffer would read zero.
  const dirty = await coreWith(garbage);
  const heap = dirty.createHeap({ size: 0, maxSize: 1 << 22, strategy: firstFit() });
  heap.malloc(100_000);
  const tail = heap.memory.subarray(heap.memory.length - 16);
  expect([...tail]).toEqual(new Array(16).fill(0xa5));
});
