/**
 * Differential test of TLSF's decision against its definition, computed from walk() before every malloc: the
 * block chosen lies in the lowest non-empty list at or above the request's rounded list (mapping_search);
 * when every such list is empty, it is a block of the request's own list that fits; when nothing fits, the
 * heap grows (extending a free block at the top) or returns NULL. check() runs after every operation.
 */
import { createHeap } from "@dmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tlsf, tlsfMapping, tlsfSearchMapping } from "../src/tlsf.js";

const list = (size: number) => {
  const [fl, sl] = tlsfMapping(size);
  return fl * 32 + sl;
};
const searchList = (size: number) => {
  const [fl, sl] = tlsfSearchMapping(size);
  return fl * 32 + sl;
};
/** The core's block size for a request (alignment 8): payload + 8-byte header, rounded to 8, at least 24. */
const blockFor = (n: number) => Math.max(24, (n + 8 + 7) & ~7);

type Op = { kind: "a" | "f"; size: number; pick: number };
const op = fc.record({
  kind: fc.constantFrom<"a" | "f">("a", "a", "f"),
  // Narrow ranges, so that many free blocks share lists and neighbouring lists: rounding decisions get tested.
  size: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 240, max: 600 }), fc.integer({ min: 1000, max: 2400 })),
  pick: fc.nat(),
});

function run(ops: Op[], fixed: boolean) {
  const heap = createHeap(fixed ? { size: 48 * 1024, strategy: tlsf() } : { size: 0, maxSize: 1 << 22, strategy: tlsf() });
  const live: number[] = [];
  for (const { kind, size, pick } of ops) {
    if (kind === "f" && live.length > 0) {
      const k = pick % live.length;
      heap.free(live[k]!);
      live[k] = live[live.length - 1]!;
      live.pop();
    } else {
      const need = blockFor(size);
      const blocks = [...heap.walk()];
      const last = blocks[blocks.length - 1];
      const free = blocks.filter((b) => b.free).map((b) => ({ offset: b.offset, bytes: b.size + 8 }));
      const above = free.filter((b) => list(b.bytes) >= searchList(need));
      const lowest = above.length > 0 ? Math.min(...above.map((b) => list(b.bytes))) : -1;
      const ownFits = free.filter((b) => list(b.bytes) === list(need) && b.bytes >= need);
      const p = heap.malloc(size);
      const chosen = free.find((b) => b.offset === p - 8);
      if (lowest >= 0) {
        expect(chosen, `malloc(${size}) should use a free block`).toBeDefined();
        expect(list(chosen!.bytes)).toBe(lowest);
      } else if (ownFits.length > 0) {
        expect(ownFits.map((b) => b.offset)).toContain(p - 8);
      } else {
        // Nothing fits: NULL, or the heap grows — extending a free block at the top, if there is one.
        if (chosen) expect(last?.free && chosen.offset === last.offset).toBe(true);
      }
      if (p !== 0) live.push(p);
    }
    heap.check();
  }
}

describe("tlsf chooses as its definition says", () => {
  it("fixed arena", () => {
    fc.assert(fc.property(fc.array(op, { minLength: 40, maxLength: 200 }), (ops) => run(ops, true)), { numRuns: 80 });
  });
  it("growable heap", () => {
    fc.assert(fc.property(fc.array(op, { minLength: 40, maxLength: 200 }), (ops) => run(ops, false)), { numRuns: 80 });
  });
});
