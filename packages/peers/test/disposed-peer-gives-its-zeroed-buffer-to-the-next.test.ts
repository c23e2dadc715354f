/**
 * Allocator.dispose on a peer: the bytes its library and its callers wrote are zeroed, and the next peer of that
 * size takes the buffer instead of fresh memory. The zeroing covers every written byte (the disposed buffer is all
 * zero, whatever a replay with integrity patterns wrote), so the next peer starts on what a fresh buffer holds and
 * replays as a peer on fresh memory does.
 */
import { replay } from "@dmm/bench";
import { peers } from "@dmm/peers";
import { describe, expect, it } from "vitest";
import { randomTrace } from "../../bench/test/helpers.js";

const SIZE = 1 << 20;

describe.each(peers.map((p) => [p.name, p] as const))("%s", (_name, peer) => {
  it("a disposed peer's buffer is all zero and the next peer of its size replays on it as on fresh memory", () => {
    const first = peer.create({ size: SIZE });
    const buffer = first.memory.buffer;
    replay(randomTrace(3000, 11), first, {}); // payload patterns everywhere the blocks went
    const view = new Uint8Array(buffer);
    expect(view.some((byte) => byte !== 0)).toBe(true);
    first.dispose!();
    expect(first.memory.length, "the disposed peer keeps no view of the buffer").toBe(0);
    const dirty = view.findIndex((byte) => byte !== 0);
    expect(dirty, `byte ${dirty} of the disposed buffer was written and not zeroed`).toBe(-1);
    expect(() => first.malloc(8)).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));

    expect(peer.create({ size: SIZE / 2 }).memory.buffer === buffer, "another size does not take it").toBe(false);
    const reusing = peer.create({ size: SIZE });
    expect(reusing.memory.buffer === buffer, "the next peer of that size takes it").toBe(true);
    const twin = peer.create({ size: SIZE });
    const trace = randomTrace(3000, 12);
    const a = replay(trace, reusing, {});
    const b = replay(trace, twin, {});
    // (Not byte for byte: npm-malloc's skip-list heights come from Math.random. The buffer it took was all zero.)
    expect({ ...a, elapsedMs: 0 }).toEqual({ ...b, elapsedMs: 0 });
    reusing.check();
  });
});
