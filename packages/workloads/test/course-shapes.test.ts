/**
 * The course-trace shapes op by op: what makes each one hard (the large blocks freed between live small ones,
 * a live small object right after the growing buffer, two neighbours freed before a request of both) must be
 * in the trace, or the policies they are meant to separate would look alike.
 */
import { describe, expect, it } from "vitest";
import { generate, traceStats } from "@dmm/workloads";
import { opsOf } from "./helpers.js";

describe("size-alternation", () => {
  it("alternates small and large, frees every large one, then asks for the follow-up size", () => {
    const ops = opsOf(generate("size-alternation", { pairs: 2, small: 16, large: 112, followUp: 128 }));
    expect(ops).toEqual([
      "a 0 16", "a 1 112", "a 2 16", "a 3 112",
      "f 1", "f 3",
      "a 3 128", "a 1 128",
      "f 0", "f 3", "f 2", "f 1",
    ]);
  });
  it("peaks with every small object and every follow-up live", () => {
    const stats = traceStats(generate("size-alternation", { pairs: 100, small: 64, large: 448, followUp: 512 }));
    expect(stats.peakLiveBytes).toBe(100 * (64 + 512));
  });
});

describe("realloc-between", () => {
  it("grows the buffer by `step` and allocates the next small object before freeing the previous one", () => {
    const ops = opsOf(generate("realloc-between", { steps: 2, startSize: 4092, step: 5, small: 16 }));
    expect(ops).toEqual(["a 0 4092", "a 1 16", "r 0 4097", "a 2 16", "f 1", "r 0 4102", "a 1 16", "f 2", "f 0", "f 1"]);
  });
});

describe("coalesce-pairs", () => {
  it("frees two neighbours, then asks for their combined size", () => {
    expect(opsOf(generate("coalesce-pairs", { rounds: 1, size: 4095 }))).toEqual(["a 0 4095", "a 1 4095", "f 0", "f 1", "a 1 8190", "f 1"]);
  });
});

describe("alloc-free-random", () => {
  it("allocates each object once and frees it once, sizes within [minSize, maxSize]", () => {
    const trace = generate("alloc-free-random", { objects: 500, minSize: 10, maxSize: 20, seed: 7 });
    const ops = [...trace];
    expect(ops.filter((o) => o.kind === "a")).toHaveLength(500);
    expect(ops.filter((o) => o.kind === "f")).toHaveLength(500);
    expect(ops.every((o) => o.kind !== "a" || (o.size >= 10 && o.size <= 20))).toBe(true);
    expect(traceStats(trace).peakLiveObjects).toBeGreaterThan(10);
  });
});

describe("nested-scopes", () => {
  it("asks only for the listed node sizes, or buffers from 256 bytes up to bufferSize", () => {
    const sizes = [...generate("nested-scopes", { ops: 4000, sizes: "8:1,40:1", bufferChance: 0.05, bufferSize: 300 })]
      .filter((o) => o.kind === "a")
      .map((o) => o.size);
    expect(sizes.some((s) => s >= 256)).toBe(true);
    expect(sizes.every((s) => s === 8 || s === 40 || (s >= 256 && s <= 300))).toBe(true);
  });
  it("frees a closed scope's objects newest first", () => {
    const ops = [...generate("nested-scopes", { ops: 2000, escape: 0, escapedDeath: 0, seed: 3 })];
    // With nothing escaping, every run of frees (before the final ones) releases the newest live objects first.
    const live: number[] = [];
    let lifo = true;
    for (const o of ops.slice(0, 1500)) {
      if (o.kind === "a") live.push(o.id);
      else if (o.kind === "f") lifo &&= live.pop() === o.id;
    }
    expect(lifo).toBe(true);
  });
  it("rejects a malformed size list with BAD_PARAM", () => {
    expect(() => generate("nested-scopes", { sizes: "8-16" })).toThrow(/BAD_PARAM/);
  });
});
