import { bestFit, firstFit, worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { demoText, switchStrategyDemo } from "../src/index.js";

describe("setStrategy on a live heap, as set_allocation_algorithm", () => {
  it("the same request lands in the 2000 hole under first fit and in the 500 hole after switching to best fit", () => {
    const r = switchStrategyDemo(firstFit(), bestFit());
    expect(r.before).toBe(r.holes[0]!.offset + 8);
    expect(r.after).toBe(r.holes[1]!.offset + 8);
    expect(r.text).toContain("first-fit -> best-fit");
  });

  it("and back from best fit to worst fit", () => {
    const r = switchStrategyDemo(bestFit(), worstFit());
    expect(r.before).toBe(r.holes[1]!.offset + 8);
    expect(r.after).toBe(r.holes[0]!.offset + 8);
  });

  it("the demo text has the map before, each policy's map and verdict, and the switch", () => {
    const text = demoText([firstFit(), bestFit(), worstFit()], firstFit(), bestFit());
    expect(text).toContain("--- Heap Stats ---\nBlock at: 8 Size: 104 [USED]\nBlock at: 120 Size: 2000 [FREE]");
    expect(text).toContain("Holes available: ~2000 and ~504. Allocating 400.");
    for (const name of ["first-fit", "best-fit", "worst-fit"]) expect(text).toContain(`=== ${name} ===`);
    expect(text.match(/ put 400 bytes into the /g)).toHaveLength(3);
    expect(text).toContain("=== switching the policy on a live heap ===");
  });
});
