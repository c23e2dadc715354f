import { createHeap, HeapError } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import fc from "fast-check";
import { expect, it } from "vitest";
import { expectSameBytes } from "./helpers.js";

/**
 * On a heap shaped by random mallocs and frees, any number that is not a live pointer — near a block start,
 * inside a block, in free memory, a freed pointer, out of range — is rejected by free, realloc and usableSize
 * with INVALID_POINTER or DOUBLE_FREE, and the heap is left byte-for-byte as it was.
 */
it("free, realloc and usableSize accept exactly the live pointers", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.boolean()), { minLength: 1, maxLength: 40, size: "max" }),
      fc.constantFrom(8, 16, 64),
      fc.constantFrom("immediate" as const, "deferred" as const, "none" as const),
      fc.array(fc.tuple(fc.nat(1000), fc.integer({ min: -80, max: 80 })), { minLength: 1, maxLength: 30, size: "max" }),
      (allocs, alignment, coalescing, probes) => {
        const heap = createHeap({ size: 0, maxSize: 1 << 16, strategy: firstFit(), alignment, coalescing });
        const live = new Set<number>();
        const freed: number[] = [];
        for (const [size, keep] of allocs) {
          const p = heap.malloc(size);
          live.add(p);
          if (!keep) {
            heap.free(p);
            live.delete(p);
            freed.push(p);
          }
        }
        const anchors = [...live, ...freed, ...[...heap.walk()].map((b) => b.payload), 0, heap.stats().heapBytes];
        for (const [pick, delta] of probes) {
          const p = anchors[pick % anchors.length]! + delta;
          if (live.has(p) || p === 0) continue;
          const before = heap.memory.slice();
          const stats = heap.stats();
          for (const call of [() => heap.free(p), () => heap.realloc(p, 8), () => heap.usableSize(p)]) {
            let error: unknown;
            try {
              call();
            } catch (e) {
              error = e;
            }
            if (!(error instanceof HeapError)) expect.fail(`pointer ${p} was accepted (live: ${[...live].join(",")})`);
            if (error.code !== "INVALID_POINTER" && error.code !== "DOUBLE_FREE") expect.fail(`${p}: ${error.message}`);
            // DOUBLE_FREE is right only for a pointer some free() released (its block possibly merged since).
            if (error.code === "DOUBLE_FREE" && !freed.includes(p)) expect.fail(`${p} was never freed: ${error.message}`);
          }
          expect(heap.stats()).toEqual(stats);
          expectSameBytes(heap.memory, before);
        }
        heap.check();
      },
    ),
    { numRuns: 100 },
  );
});

