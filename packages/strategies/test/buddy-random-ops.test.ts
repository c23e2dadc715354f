/**
 * Random operations on small buddy allocators, check() after every one, with a shadow model: every live
 * payload holds a pattern that must survive, no two live payloads overlap, stats agree with the model.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";

type Op = { kind: "a" | "r" | "f"; size: number; pick: number };
const op = fc.record({
  kind: fc.constantFrom<"a" | "r" | "f">("a", "a", "r", "f"),
  size: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 1500 })),
  pick: fc.nat(),
});

function run(ops: Op[], options: Parameters<typeof createBuddyAllocator>[0]) {
  const a = createBuddyAllocator(options);
  const live = new Map<number, { size: number; tag: number }>();
  let tag = 1;
  const stamp = (p: number, size: number, t: number) => a.memory.fill(t & 255, p, p + size);
  const verify = () => {
    for (const [p, { size, tag: t }] of live) {
      for (let i = 0; i < size; i++) if (a.memory[p + i] !== (t & 255)) throw new Error(`payload of ${p} damaged at ${i}`);
    }
    const spans = [...live.keys()].map((p) => [p, p + a.usableSize(p)] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![1]) throw new Error("live blocks overlap");
  };
  for (const { kind, size, pick } of ops) {
    const keys = [...live.keys()];
    if (kind === "a" || keys.length === 0) {
      const p = a.malloc(size);
      if (p !== 0) {
        expect(p % 8).toBe(0);
        expect(a.usableSize(p)).toBeGreaterThanOrEqual(size);
        live.set(p, { size, tag: tag++ });
        stamp(p, size, tag - 1);
      }
    } else if (kind === "f") {
      const p = keys[pick % keys.length]!;
      a.free(p);
      live.delete(p);
    } else {
      const p = keys[pick % keys.length]!;
      const old = live.get(p)!;
      const q = a.realloc(p, size);
      if (size === 0) live.delete(p);
      else if (q !== 0) {
        for (let i = 0; i < Math.min(old.size, size); i++) if (a.memory[q + i] !== (old.tag & 255)) throw new Error("realloc lost data");
        live.delete(p);
        live.set(q, { size, tag: tag++ });
        stamp(q, size, tag - 1);
      }
    }
    a.check();
    verify();
    const s = a.stats();
    expect(s.usedBlocks).toBe(live.size);
    expect(s.liveBytes).toBe([...live.values()].reduce((n, v) => n + v.size, 0));
    expect(s.usedBytes + s.freeBytes).toBe(s.heapBytes); // blocks tile the arena, and the arena is the heap
  }
  for (const p of live.keys()) a.free(p);
  a.check();
  return a;
}

describe("buddy random operations", () => {
  it("fixed arena, immediate coalescing: frees back to the arena's decomposition", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 0, max: 9000 }), (ops, size) => {
        const a = run(ops, { size });
        const blocks = [...a.walk()];
        // Everything merged: one block per set bit of the arena size (its binary decomposition).
        const arena = size & ~15;
        expect(blocks.length).toBe(arena.toString(2).replace(/0/g, "").length);
      }),
      { numRuns: 150 },
    );
  });

  it("fixed arena, no coalescing", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => void run(ops, { size: 8192, coalescing: "none" })), { numRuns: 100 });
  });

  it("growable arena, both modes", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.boolean(), (ops, merge) => {
        const a = run(ops, { size: 0, maxSize: 1 << 16, coalescing: merge ? "immediate" : "none" });
        expect(a.stats().heapBytes).toBeLessThanOrEqual(1 << 16);
      }),
      { numRuns: 100 },
    );
  });
});
