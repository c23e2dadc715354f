import { describe, expect, it } from "vitest";
import { backendByName } from "../src/backends.js";
import { buildMatrix, parseCoalescing } from "../src/matrix.js";
import { seriesLabel } from "../src/specs.js";
import type { WorkloadRef } from "../src/types.js";

const w: WorkloadRef = { name: "x", file: "x.trace", kind: "randomized", description: "" };

describe("allocators with a fixed policy", () => {
  it("run once, labelled 'own' (the JS peers are not native; glibc is the native reference)", () => {
    const names = ["first-fit", "thi.ng-malloc", "npm-malloc", "glibc"];
    const cells = buildMatrix(names.map((n) => backendByName(n)), parseCoalescing(["on", "off"]), [w]);
    expect(cells.map((c) => `${c.allocator}/${c.coalescing}/${c.allocatorKind}`)).toEqual([
      "first-fit/immediate/strategy", "first-fit/none/strategy", "thi.ng-malloc/own/peer", "npm-malloc/own/peer", "glibc/own/native",
    ]);
    expect(seriesLabel({ allocator: "npm-malloc", coalescing: "own" })).toBe("npm-malloc");
  });
});
