/**
 * Segregated fit's size classes at their boundaries: exact 8-byte classes below 256, then four classes per
 * power of two, and a request is served from its own class or the next non-empty one above.
 */
import { describe, expect, it } from "vitest";
import { classMinSize, segregatedFit, sizeClass } from "../src/segregated-fit.js";
import { heapWithHoles } from "./support/holes.js";

describe("sizeClass", () => {
  it("gives every 8-byte size below 256 its own class", () => {
    expect([24, 32, 200, 248].map(sizeClass)).toEqual([3, 4, 25, 31]);
  });
  it("splits each power of two from 256 into four classes by the two bits after the leading one", () => {
    expect([256, 319, 320, 383, 384, 447, 448, 511].map(sizeClass)).toEqual([32, 32, 33, 33, 34, 34, 35, 35]);
    expect([512, 639, 640, 1023, 1024].map(sizeClass)).toEqual([36, 36, 37, 39, 40]);
    expect(sizeClass(1 << 30)).toBe(120);
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
  it("takes the best fit inside a tree bin, not the bin's first block", () => {
    // 600 and 520 both sit in class 36 (512..639): a request for 512 gets the 520, though 600 came first.
    const { heap, holes } = heapWithHoles(segregatedFit(), [600, 520]);
    expect(heap.malloc(504) - 8).toBe(holes[1]);
  });
  it("moves to the next non-empty class when the request's own class cannot serve it", () => {
    // Class 36 holds only a 520; a request for 600 (block 608, also class 36) skips to the 1000 in class 39.
    const { heap, holes } = heapWithHoles(segregatedFit(), [520, 1000]);
    expect(heap.malloc(600) - 8).toBe(holes[1]);
    expect(heap.strategy.examined).toBeGreaterThanOrEqual(2); // two bins at least
  });
  it("serves equal sizes from a tree bin's chain, then its node, as holes leave and come back", () => {
    const { heap, holes } = heapWithHoles(segregatedFit(), [520, 520, 520, 520]);
    const got = [0, 1, 2, 3].map(() => heap.malloc(512));
    heap.check();
    // The first hole freed became the tree node; the other three were pushed on its chain and come out LIFO.
    expect(got.map((p) => p - 8)).toEqual([holes[3], holes[2], holes[1], holes[0]]);
    heap.free(got[3]!); // the node is gone; a freed 520 returns and becomes the node again
    heap.free(got[1]!);
    heap.check();
    expect(heap.malloc(512)).toBe(got[1]);
  });
  it("keeps the tree bin valid when a node with a chain is coalesced away", () => {
    const { heap, holes } = heapWithHoles(segregatedFit(), [520, 520, 520]);
    // hole 0 is the 520 node, holes 2 and 1 are on its chain. Freeing the guard between holes 0 and 1 merges
    // all three: the node leaves with a chain behind it (its first member takes its place), then hole 1 leaves.
    heap.free(holes[0]! + 520 + 8);
    heap.check();
    expect(heap.malloc(512) - 8).toBe(holes[2]);
    expect(heap.malloc(1000) - 8).toBe(holes[0]); // the merged 1064-byte block, class 40
    heap.check();
  });
});
