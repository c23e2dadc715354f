/**
 * Allocator.dispose: a disposed core heap or buddy allocator has given its buffer away (the next heap of its
 * thread may be writing it), so every later call but dispose is HeapError INVALID_OPTIONS — not an answer made up
 * from empty views (before, a free of an old pointer returned as if it had worked, and malloc returned NULL).
 */
import { type Allocator, createHeap, HeapError } from "@dmm/core";
import { createBuddyAllocator, tlsf } from "@dmm/strategies";
import { expect, it } from "vitest";

const makers: Array<[string, () => Allocator]> = [
  ["core heap", () => createHeap({ size: 0, maxSize: 1 << 24, strategy: tlsf() })],
  ["buddy", () => createBuddyAllocator({ size: 0, maxSize: 1 << 24 })],
];

it.each(makers)("a disposed %s refuses every call but dispose, and heaps made after it work", (_, make) => {
  const a = make();
  const ptrs = Array.from({ length: 200 }, () => a.malloc(1000));
  a.dispose!();
  const calls: Array<[string, () => unknown]> = [
    ["malloc", () => a.malloc(8)],
    ["calloc", () => a.calloc(2, 8)],
    ["realloc", () => a.realloc(ptrs[1]!, 3000)],
    ["free", () => a.free(ptrs[3]!)],
    ["usableSize", () => a.usableSize(ptrs[4]!)],
    ["stats", () => a.stats()],
    ["check", () => a.check()],
    ["walk", () => [...a.walk()]],
  ];
  for (const [name, call] of calls) {
    let error: unknown = null;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error, name).toBeInstanceOf(HeapError);
    expect((error as HeapError).code, name).toBe("INVALID_OPTIONS");
    expect((error as HeapError).message, name).toMatch(/disposed/);
  }
  expect(() => a.dispose!()).not.toThrow();

  // The next allocator (which may grow into the buffer given back) is a working one.
  const b = make();
  const p = b.malloc(1000);
  expect(p).toBeGreaterThan(0);
  b.free(p);
  b.check();
  b.dispose!();
});
