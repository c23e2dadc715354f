import { createHeap, type HeapOptions } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { expectHeapError, expectRejectedWithoutChange, heapOf } from "./helpers.js";

const bad: Array<[string, unknown]> = [
  ["size negative", { size: -8 }],
  ["size fractional", { size: 100.5 }],
  ["size NaN", { size: Number.NaN }],
  ["size a string", { size: "1024" }],
  ["size missing", { size: undefined }],
  ["size above 1 GiB", { size: 2 ** 31 }],
  ["maxSize below size", { size: 1024, maxSize: 512 }],
  ["maxSize fractional", { maxSize: 2048.5 }],
  ["maxSize above 1 GiB", { maxSize: 2 ** 32 }],
  ["alignment 4", { alignment: 4 }],
  ["alignment 12", { alignment: 12 }],
  ["alignment 0", { alignment: 0 }],
  ["alignment 8192", { alignment: 8192 }],
  ["alignment NaN", { alignment: Number.NaN }],
  ["coalescing unknown", { coalescing: "always" }],
  ["strategy missing", { strategy: undefined }],
  ["strategy not a strategy", { strategy: { name: "x" } }],
];

describe("INVALID_OPTIONS", () => {
  it.each(bad)("%s", (what, override) => {
    const options = { size: 1024, strategy: firstFit(), ...(override as object) } as HeapOptions;
    const error = expectHeapError(() => createHeap(options), "INVALID_OPTIONS");
    const field = what.split(" ")[0]!;
    expect(error.message).toContain(field);
  });

  it("options that are not an object", () => {
    expectHeapError(() => createHeap(null as unknown as HeapOptions), "INVALID_OPTIONS");
    expectHeapError(() => createHeap(undefined as unknown as HeapOptions), "INVALID_OPTIONS");
  });

  it("setStrategy with something that is not a strategy leaves the heap as it was", () => {
    const heap = heapOf();
    heap.malloc(16);
    expectRejectedWithoutChange(heap, () => heap.setStrategy({} as never), "INVALID_OPTIONS");
    expect(heap.malloc(16)).toBe(40);
  });

  it("the edges are accepted: size 0, maxSize = size, alignment 8 and 4096", () => {
    expect(() => createHeap({ size: 0, strategy: firstFit() })).not.toThrow();
    expect(() => createHeap({ size: 64, maxSize: 64, alignment: 4096, strategy: firstFit() })).not.toThrow();
  });
});
