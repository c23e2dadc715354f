/**
 * Segregated fit's size classes at their boundaries: exact 8-byte classes below 4 KiB (SMALL_BIN_LIMIT), then
 * four classes per power of two, and a request is served from its own class or the next non-empty one above.
 */
import { describe, expect, it } from "vitest";
import { classMinSize, segregatedFit, sizeClass } from "../src/segregated-fit.js";
import { heapWithHoles } from "./support/holes.js";

describe("sizeClass", () => {
  it("gives every 8-byte size below 4 KiB its own class", () => {
    expect([24, 32, 200, 248, 256, 1000, 4088].map(sizeClass)).toEqual([3, 4, 25, 31, 32, 125, 511]);
  });
  it("splits each power of two from 4 KiB into four classes by the two bits after the leading one", () => {
    expect([4096, 5119, 5120, 6143, 6144, 7167, 7168, 8191].map(sizeClass)).toEqual([512, 512, 513, 513, 514, 514, 515, 515]);
    expect([8192, 10239, 10240, 16383, 16384].map(sizeClass)).toEqual([516, 516, 517, 519, 520]);
    expect(sizeClass(1 << 30)).toBe(584);
  });
  it("is monotonic and classMinSize is the first size of each class", () => {
    const broken: string[] = [];
    let prev = sizeClass(24);
    for (let size = 32; size <= 1 << 20; size += 8) {
      const c = sizeClass(size);
      if (c !== prev && c !== prev + 1) broken.push(`${size} jumps from class ${prev} to ${c}`);
      if (c !== prev && classMinSize(c) !== size) broken.push(`class ${c} starts at ${size}, classMinSize says ${classMinSize(c)}`);
      prev = c;
    }
    expect(broken).toEqual([]);
  });
});

describe("segregated fit search", () => {
  it("serves equal sizes below 4 KiB from an exact small bin, LIFO", () => {
    // 1000 and 4000 bytes: small bins 125 and 500 (tree bins before session 7, which handed out the node last).
    for (const size of [1000, 4000]) {
      const { heap, holes } = heapWithHoles(segregatedFit(), [size, size, size]);
      expect([0, 1, 2].map(() => heap.malloc(size - 8) - 8)).toEqual([holes[2], holes[1], holes[0]]);
      expect(heap.lastSearchCost).toBe(1); // its own bin, one probe
    }
  });
  it("takes the best fit inside a tree bin, not the bin's first block", () => {
    // 4600 and 4200 both sit in class 512 (4096..5119): a request for 4096 gets the 4200, though 4600 came first.
    const { heap, holes } = heapWithHoles(segregatedFit(), [4600, 4200]);
    expect(heap.malloc(4088) - 8).toBe(holes[1]);
  });
  it("moves to the next non-empty class when the request's own class cannot serve it", () => {
    // Class 512 holds only a 4200; a request for 4600 (block 4608, also class 512) skips to the 8000 in class 515.
    const { heap, holes } = heapWithHoles(segregatedFit(), [4200, 8000]);
    expect(heap.malloc(4600) - 8).toBe(holes[1]);
    expect(heap.strategy.examined).toBeGreaterThanOrEqual(2); // two bins at least
  });
  it("serves equal sizes from a tree bin's chain, then its node, as holes leave and come back", () => {
    const { heap, holes } = heapWithHoles(segregatedFit(), [4200, 4200, 4200, 4200]);
    const got = [0, 1, 2, 3].map(() => heap.malloc(4192));
    heap.check();
    // The first hole freed became the tree node; the other three were pushed on its chain and come out LIFO.
    expect(got.map((p) => p - 8)).toEqual([holes[3], holes[2], holes[1], holes[0]]);
    heap.free(got[3]!); // the node is gone; a freed 4200 returns and becomes the node again
    heap.free(got[1]!);
    heap.check();
    expect(heap.malloc(4192)).toBe(got[1]);
  });
  it("keeps the tree bin valid when a node with a chain is coalesced away", () => {
    const { heap, holes } = heapWithHoles(segregatedFit(), [4200, 4200, 4200]);
    // hole 0 is the 4200 node, holes 2 and 1 are on its chain. Freeing the guard between holes 0 and 1 merges
    // all three: the node leaves with a chain behind it (its first member takes its place), then hole 1 leaves.
    heap.free(holes[0]! + 4200 + 8);
    heap.check();
    expect(heap.malloc(4192) - 8).toBe(holes[2]);
    expect(heap.malloc(8000) - 8).toBe(holes[0]); // the merged 8424-byte block, class 516
    heap.check();
  });
});
