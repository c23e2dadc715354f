import { peers, replay } from "@dmm/bench";
import { describe, expect, it } from "vitest";
import { randomTrace } from "./helpers.js";

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

  it("follows C realloc semantics at the edges", () => {
    const a = peer.create({ size: 1 << 16 });
    const p = a.realloc(0, 40); // realloc(NULL, n) = malloc(n)
    expect(p).not.toBe(0);
    expect(a.realloc(p, 0)).toBe(0); // realloc(p, 0) frees p
    expect(a.stats().usedBlocks).toBe(0);
    expect(a.malloc(1 << 20)).toBe(0); // too large: NULL, not an exception
  });
});
