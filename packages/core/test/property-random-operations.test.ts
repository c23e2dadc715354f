import { firstFit } from "@dmm/strategies";
import fc from "fast-check";
import { describe, it } from "vitest";
import { opArbitrary, runOps } from "./random-ops.js";

// fast-check prints the seed and the shrunk counterexample on failure; rerun with { seed, path } to reproduce.
describe.each(["immediate", "deferred", "none"] as const)("random operations, %s coalescing", (coalescing) => {
  it.each([8, 16, 64])("alignment %i: the heap agrees with a model of live intervals after every operation", (alignment) => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 120, size: "max" }), fc.boolean(), (ops, growable) => {
        runOps(ops, { strategy: firstFit, coalescing, alignment, growable });
      }),
      { numRuns: 100 },
    );
  });
});
