import { createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { layout } from "./helpers.js";
import { opArbitrary } from "./random-ops.js";
import { ReferenceHeap } from "./reference-model.js";

// The real heap (boundary tags, bitmaps, a treap index) and a naive array-of-blocks model of the same rules
// (split from the low end, coalescing, growth by exactly what is needed, realloc in place before moving) must
// produce the same heap map, the same pointers and the same NULLs after every operation.
describe.each(["immediate", "deferred", "none"] as const)("%s coalescing", (coalescing) => {
  it.each([8, 16, 64])("alignment %i: same pointers and heap map as the reference model", (alignment) => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 100, size: "max" }), fc.boolean(), (ops, growable) => {
        const size = growable ? 0 : 6000;
        const maxSize = growable ? 20_000 : 6000;
        const heap = createHeap({ size, maxSize, strategy: firstFit(), coalescing, alignment });
        const model = new ReferenceHeap(size, maxSize, alignment, coalescing);
        const live: number[] = [];
        for (const op of ops) {
          let got: number;
          let want: number;
          if (op.kind === "malloc" || op.kind === "calloc") {
            const n = op.kind === "malloc" ? op.size : op.count * op.size;
            got = op.kind === "malloc" ? heap.malloc(n) : heap.calloc(op.count, op.size);
            want = model.malloc(n);
            if (got !== 0) live.push(got);
          } else if (live.length === 0) {
            continue;
          } else {
            const i = op.pick % live.length;
            if (op.kind === "free") {
              heap.free(live[i]!);
              model.free(live[i]!);
              live.splice(i, 1);
              got = want = 0;
            } else {
              got = heap.realloc(live[i]!, op.size);
              want = model.realloc(live[i]!, op.size);
              if (op.size === 0) live.splice(i, 1);
              else if (got !== 0) live[i] = got;
            }
          }
          expect(got).toBe(want);
          expect(layout(heap)).toEqual(model.layout());
          expect(heap.stats().heapBytes).toBe(Math.max(size, model.top));
        }
      }),
      { numRuns: 40 },
    );
  });
});
