import { describe, expect, it } from "vitest";
import { backendByName, BenchError } from "../src/backends.js";
import { buildMatrix, parseCoalescing, parseShard, shardCells } from "../src/matrix.js";
import type { WorkloadRef } from "../src/types.js";

const w = (name: string): WorkloadRef => ({ name, file: `${name}.trace`, kind: "randomized", description: "" });

describe("the matrix", () => {
  it("has one cell per allocator × supported coalescing mode × workload, indexed in order", () => {
    const ff = backendByName("first-fit");
    const cells = buildMatrix([ff], parseCoalescing(["on", "off"]), [w("x"), w("y")]);
    expect(cells.map((c) => `${c.allocator}/${c.coalescing}/${c.workload.name}`)).toEqual([
      "first-fit/immediate/x", "first-fit/none/x", "first-fit/immediate/y", "first-fit/none/y",
    ]);
    expect(cells.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it("runs deferred coalescing by default, only for the allocators that have it", () => {
    const cells = buildMatrix([backendByName("tlsf"), backendByName("buddy")], parseCoalescing(undefined), [w("x")]);
    expect(cells.map((c) => `${c.allocator}/${c.coalescing}`)).toEqual([
      "tlsf/immediate", "tlsf/none", "tlsf/deferred", "buddy/immediate", "buddy/none",
    ]);
  });

  it("splits into shards that cover every cell exactly once", () => {
    const cells = buildMatrix([backendByName("first-fit")], parseCoalescing(undefined), [w("a"), w("b"), w("c")]);
    const shards = [1, 2, 3, 4].map((k) => shardCells(cells, parseShard(`${k}/4`)));
    const seen = shards.flat().map((c) => c.index).sort((a, b) => a - b);
    expect(seen).toEqual(cells.map((c) => c.index));
    expect(Math.max(...shards.map((s) => s.length)) - Math.min(...shards.map((s) => s.length))).toBeLessThanOrEqual(1);
  });

  it("rejects a malformed shard and an unknown coalescing mode, naming them", () => {
    expect(() => parseShard("3/2")).toThrow(/3\/2/);
    expect(() => parseShard("x")).toThrow(BenchError);
    expect(() => parseCoalescing(["sometimes"])).toThrow(/sometimes/);
  });
});
