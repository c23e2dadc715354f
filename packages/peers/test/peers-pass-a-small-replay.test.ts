import { replay } from "@dmm/bench";
import { peers } from "@dmm/peers";
import { TraceBuilder } from "@dmm/workloads";
import { describe, expect, it } from "vitest";
import { randomTrace } from "../../bench/test/helpers.js";

describe.each(peers.map((p) => [p.name, p] as const))("%s", (_name, peer) => {
  it("replays a random trace with integrity checks and check() every 100 ops", () => {
    const allocator = peer.create({ size: 1 << 20 });
    const result = replay(randomTrace(3000, 11), allocator, { checkEvery: 100 });
    expect(result.failures).toEqual({ outOfMemory: 0, fragmented: 0 });
    expect(result.peakHeapBytes).toBeGreaterThan(result.peakLiveBytes);
    expect(result.timeline.at(-1)!.liveBytes).toBe(0);
    expect(allocator.limitations.length).toBeGreaterThan(0);
    expect(allocator.name).toBe(peer.name);
  });

  it("walks blocks in address order that tile the heap, and rejects a double free", () => {
    const a = peer.create({ size: 1 << 16 });
    const p = a.malloc(100);
    const q = a.malloc(20);
    a.free(p);
    const blocks = [...a.walk()];
    expect(blocks.map((b) => b.free)).toEqual([true, false]);
    expect(blocks[1]!.payload).toBe(q);
    expect(blocks[0]!.size).toBeGreaterThanOrEqual(100);
    expect(a.stats()).toMatchObject({ usedBlocks: 1, freeBlocks: 1 });
    expect(() => a.free(p)).toThrow(/DOUBLE_FREE|INVALID_POINTER/);
    a.check();
  });

  it("reports stats() that agree with walk() in the middle of a trace", () => {
    const allocator = peer.create({ size: 1 << 20 });
    const { columns } = randomTrace(3000, 12);
    const partial = new TraceBuilder();
    for (let i = 0; i < 1500; i++) partial.push(columns.kind[i]!, columns.id[i]!, columns.size[i]!, columns.count[i]!);
    replay(partial.finish(), allocator);
    const blocks = [...allocator.walk()];
    const free = blocks.filter((b) => b.free);
    const used = blocks.filter((b) => !b.free);
    const stats = allocator.stats();
    expect(stats.freeBlocks).toBe(free.length);
    expect(stats.usedBlocks).toBe(used.length);
    expect(stats.largestFreeBlock).toBe(Math.max(0, ...free.map((b) => b.size)));
    expect(stats.usedBytes + stats.freeBytes).toBe(stats.heapBytes - blocks[0]!.offset);
    expect(free.length).toBeGreaterThan(1);
  });

  it("follows C realloc semantics at the edges", () => {
    const a = peer.create({ size: 1 << 16 });
    const p = a.realloc(0, 40); // realloc(NULL, n) = malloc(n)
    expect(p).not.toBe(0);
    expect(a.realloc(p, 0)).toBe(0); // realloc(p, 0) frees p
    expect(a.stats().usedBlocks).toBe(0);
    expect(a.malloc(1 << 20)).toBe(0); // too large: NULL, not an exception
  });
});
