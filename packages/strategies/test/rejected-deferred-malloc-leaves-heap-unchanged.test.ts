/**
 * Under deferred coalescing a malloc that misses runs a merge pass, then fits the request to what the pass made.
 * When the fit is rejected (the pass's changes to the index brought damage onto its path), the pass is undone, and
 * the heap must be exactly as it was: every byte, the index's link words included. The heap asks the strategy to
 * journal its index for the call (Strategy begin / commit / rollback, journal.ts) and rolls it back word for word;
 * taking the merged blocks out and putting their pieces back through remove and insert gave back the same free
 * blocks, but not the same words. The heap is one the overflow table found with KNOWN_GAP=fail (the seed says
 * where), shrunk by fast-check.
 */
import { nextFit } from "@dmm/strategies";
import { describe, expect, it } from "vitest";
import { changedBytes, rejectedLastStep, type Trial } from "./support/damaged-trial.js";

const cases: Array<[string, () => ReturnType<typeof nextFit>, Trial]> = [
  [
    "next fit: the pass re-linked the address tree before the fit met the damage (OVERFLOW_SEED=36)",
    nextFit,
    {
      before: [
        { kind: "malloc", size: 0 }, { kind: "malloc", size: 0 }, { kind: "malloc", size: 0 }, { kind: "malloc", size: 0 },
        { kind: "malloc", size: 0 }, { kind: "malloc", size: 0 }, { kind: "malloc", size: 0 }, { kind: "free", pick: 1 },
        { kind: "realloc", pick: 0, size: 1 }, { kind: "malloc", size: 17 }, { kind: "realloc", pick: 0, size: 41 }, { kind: "malloc", size: 0 },
      ],
      victim: 79,
      bytes: [0, 1],
      after: [{ kind: "realloc", pick: 371, size: 17 }, { kind: "free", pick: 524 }, { kind: "malloc", size: 17 }],
      growable: true,
      coalescing: "deferred",
    },
  ],
];

describe("a deferred malloc rejected after its merge pass leaves the heap exactly as it was", () => {
  it.each(cases)("%s", (_name, make, trial) => {
    const { before, after, statsBefore, statsAfter } = rejectedLastStep(make(), trial);
    expect(changedBytes(before, after), "bytes the rejected call changed").toEqual([]);
    expect(statsAfter).toEqual(statsBefore);
  });
});
