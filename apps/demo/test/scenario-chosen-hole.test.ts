/** The kernel module's scenario: holes of ~2000 and ~500 bytes, a request of 400; the hole each policy picks. */
import { bestFit, firstFit, nextFit, segregatedFit, tlsf, worstFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { runScenario } from "../src/index.js";

describe("which hole each policy chooses for 400 bytes", () => {
  it("the setup leaves exactly the two holes, the 2000 below the 500", () => {
    const r = runScenario(firstFit());
    expect(r.holes).toEqual([
      { offset: 120, size: 2000 },
      { offset: 2240, size: 504 },
    ]);
    expect(r.mapBefore.split("\n")).toEqual([
      "Block at: 8 Size: 104 [USED]",
      "Block at: 120 Size: 2000 [FREE]",
      "Block at: 2128 Size: 104 [USED]",
      "Block at: 2240 Size: 504 [FREE]",
      "Block at: 2752 Size: 104 [USED]",
      "Block at: 2864 Size: 1224 [USED]",
    ]);
  });

  it("first fit takes the 2000 hole: the first in address order", () => {
    const r = runScenario(firstFit());
    expect(r.chosen).toBe(0);
    expect(r.pointer).toBe(128);
    expect(r.leftOver).toBe(1592);
    expect(r.mapAfter).toContain("Block at: 120 Size: 400 [USED]\nBlock at: 528 Size: 1592 [FREE]");
    expect(r.verdict).toMatch(/^first-fit put 400 bytes into the 2000-byte hole at 120: it is the first hole/);
  });

  it("best fit takes the 500 hole: the smallest that fits, 96 bytes left", () => {
    const r = runScenario(bestFit());
    expect(r.chosen).toBe(1);
    expect(r.leftOver).toBe(96);
    expect(r.mapAfter).toContain("Block at: 2240 Size: 400 [USED]\nBlock at: 2648 Size: 96 [FREE]");
    expect(r.verdict).toMatch(/504-byte hole at 2240: it is the smallest hole/);
  });

  it("worst fit takes the 2000 hole: the largest", () => {
    const r = runScenario(worstFit());
    expect(r.chosen).toBe(0);
    expect(r.verdict).toMatch(/2000-byte hole at 120: it is the largest hole/);
  });

  it("with the 500 hole first, first fit and best fit agree and worst fit still takes the 2000", () => {
    const options = { blocks: [100, 500, 100, 2000, 100] };
    expect(runScenario(firstFit(), options).holes.map((h) => h.size)).toEqual([504, 2000]);
    expect(runScenario(firstFit(), options).chosen).toBe(0);
    expect(runScenario(bestFit(), options).chosen).toBe(0);
    expect(runScenario(worstFit(), options).chosen).toBe(1);
  });

  it("the other policies: next fit (fresh rover) as first fit, segregated fit and TLSF as best fit", () => {
    expect(runScenario(nextFit()).chosen).toBe(0);
    expect(runScenario(segregatedFit()).chosen).toBe(1);
    expect(runScenario(tlsf()).chosen).toBe(1);
  });

  it("a request no hole can serve is reported, not thrown", () => {
    const r = runScenario(bestFit(), { request: 3000 });
    expect(r.chosen).toBe(-1);
    expect(r.pointer).toBe(0);
    expect(r.verdict).toBe("best-fit: no hole could serve 3000 bytes (malloc returned NULL).");
  });
});
