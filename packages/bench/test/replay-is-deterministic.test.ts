import { replay } from "@dmm/bench";
import { expect, it } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

it("gives identical metrics for the same trace and seed on two runs", () => {
  const first = replay(randomTrace(5000, 42), growableHeap(), { checkEvery: 500 });
  const second = replay(randomTrace(5000, 42), growableHeap(), { checkEvery: 500 });
  expect(second).toEqual(first);
  expect(first.timeline.length).toBeLessThanOrEqual(1000);
  expect(first.timeline.length).toBeGreaterThan(990);
  expect(first.timeline[0]!.op).toBe(0);
  expect(first.timeline.at(-1)!.op).toBe(first.ops);
  expect(first.fragmentation).toBeGreaterThan(0);
  expect(first.searchCost!.count).toBeGreaterThan(0);
});

it("keeps the timeline within timelinePoints", () => {
  for (const points of [2, 3, 10, 999]) {
    const r = replay(randomTrace(3001, 7), growableHeap(), { timelinePoints: points, integrity: false });
    expect(r.timeline.length).toBeLessThanOrEqual(points);
    expect(r.timeline.at(-1)!.op).toBe(r.ops);
  }
});
