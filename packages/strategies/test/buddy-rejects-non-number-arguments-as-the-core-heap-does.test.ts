import { type Allocator, createHeap, HeapError } from "@dmm/core";
import { describe, expect, it } from "vitest";
import { createBuddyAllocator } from "../src/buddy.js";
import { firstFit } from "../src/index.js";

/**
 * A size or pointer that is not a number — a BigInt, a Symbol, an object (whose valueOf must not run), a string —
 * is INVALID_SIZE / INVALID_POINTER in buddy exactly as in the core heap: the same rule (@dmm/core's assertSize for
 * sizes), the same message, nothing changed. Buddy's malloc tested `size >>> 0` first, which throws a TypeError on
 * a BigInt (the red team's finding) or a Symbol.
 */
let valueOfCalls = 0;
const sneaky = {
  valueOf() {
    valueOfCalls++;
    return 16;
  },
};
const notNumbers: Array<[string, unknown]> = [
  ["16n", 16n],
  ["a Symbol", Symbol("16")],
  ["an object with valueOf", sneaky],
  ['"16"', "16"],
  ["true", true],
  ["null", null],
  ["undefined", undefined],
];

function allocators(): Array<[string, Allocator]> {
  return [
    ["core heap", createHeap({ size: 4096, strategy: firstFit() })],
    ["buddy", createBuddyAllocator({ size: 4096 })],
  ];
}

/** The HeapError `call` throws (its code and message), with the allocator's bytes and stats unchanged. */
function rejection(a: Allocator, call: () => unknown): string {
  const before = { bytes: a.memory.slice(), stats: a.stats() };
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught, `${a.name}: ${String(caught)}`).toBeInstanceOf(HeapError);
  expect(Buffer.compare(a.memory, before.bytes), `${a.name}: the rejected call changed the heap's bytes`).toBe(0);
  expect(a.stats()).toEqual(before.stats);
  a.check();
  return `${(caught as HeapError).code}: ${(caught as HeapError).message}`;
}

describe.each(notNumbers)("%s", (_, bad) => {
  it("as a size: INVALID_SIZE from malloc, calloc and realloc, the same error as the core heap's", () => {
    valueOfCalls = 0;
    const seen = allocators().map(([name, a]) => {
      const p = a.malloc(24);
      const errors = [
        rejection(a, () => a.malloc(bad as number)),
        rejection(a, () => a.calloc(bad as number, 4)),
        rejection(a, () => a.calloc(4, bad as number)),
        rejection(a, () => a.realloc(p, bad as number)),
        rejection(a, () => a.realloc(0, bad as number)),
      ];
      for (const e of errors) expect(e, name).toMatch(/^INVALID_SIZE: /);
      return errors;
    });
    expect(seen[1]).toEqual(seen[0]);
    expect(valueOfCalls).toBe(0);
  });

  it("as a pointer: INVALID_POINTER from free, realloc and usableSize, as in the core heap", () => {
    valueOfCalls = 0;
    for (const [name, a] of allocators()) {
      a.malloc(24);
      for (const call of [() => a.free(bad as number), () => a.realloc(bad as number, 16), () => a.usableSize(bad as number)]) {
        expect(rejection(a, call), name).toMatch(/^INVALID_POINTER: /);
      }
    }
    expect(valueOfCalls).toBe(0);
  });
});
