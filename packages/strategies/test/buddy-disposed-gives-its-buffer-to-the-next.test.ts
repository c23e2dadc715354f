/**
 * Allocator.dispose on the buddy allocator: a disposed buddy arena's buffer is the next one's that grows to that
 * length (@dmm/core's spare buffers), zeroed past the copied arena as a fresh buffer is — after every operation the
 * reusing allocator holds the stats, blocks and bytes of a twin on fresh memory.
 */
import type { Allocator } from "@dmm/core";
import { createBuddyAllocator } from "@dmm/strategies";
import { expect, it } from "vitest";

const options = { size: 0, maxSize: 1 << 24 };

function expectTwins(a: Allocator, b: Allocator, step: string): void {
  const stats = a.stats();
  expect(stats, step).toEqual(b.stats());
  expect([...a.walk()], step).toEqual([...b.walk()]);
  expect(a.memory.length, step).toBe(b.memory.length);
  const ma = Buffer.from(a.memory.buffer, a.memory.byteOffset, a.memory.length);
  const mb = Buffer.from(b.memory.buffer, b.memory.byteOffset, b.memory.length);
  if (!ma.equals(mb)) {
    const first = ma.findIndex((byte, i) => byte !== mb[i]);
    expect.fail(`${step}: byte ${first} is ${ma[first]} on the reused buffer, ${mb[first]} on fresh memory`);
  }
}

it("a disposed buddy allocator's buffer is the next growing one's, which holds what one on fresh memory holds", () => {
  const first = createBuddyAllocator(options);
  for (let i = 0; i < 40; i++) first.malloc(12_000);
  const buffer = first.memory.buffer;
  expect(first.memory.length).toBe(1 << 20);
  first.memory.fill(0x5a);
  first.dispose!();
  expect(first.memory.length, "the disposed allocator keeps no view of the buffer").toBe(0);

  const reusing = createBuddyAllocator(options);
  const twin = createBuddyAllocator(options);
  const live: Array<[number, number]> = [];
  for (let i = 0; i < 300; i++) {
    const step = `op ${i}`;
    if (i % 3 === 2 && live.length > 0) {
      const [a, b] = live.splice((i * 7) % live.length, 1)[0]!;
      reusing.free(a);
      twin.free(b);
    } else {
      const size = (i * 2654435761) % 9000;
      const a = i % 5 === 0 ? reusing.calloc(1, size) : reusing.malloc(size);
      const b = i % 5 === 0 ? twin.calloc(1, size) : twin.malloc(size);
      expect(a, step).toBe(b);
      if (a !== 0) live.push([a, b]);
    }
    expectTwins(reusing, twin, step);
  }
  // Identity as a boolean: a failing toBe would print two 1 MiB buffers.
  expect(reusing.memory.buffer === buffer, "the allocator that outgrew 512 KiB grew into the disposed one's 1 MiB buffer").toBe(true);
  reusing.check();
});
