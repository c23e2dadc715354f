/**
 * measureLatency disposes of (Allocator.dispose) every allocator it makes, each once and only after the replay that
 * used it, so the core heap's next timed replay grows into the memory of the last instead of fresh pages.
 */
import type { Allocator } from "@dmm/core";
import { measureLatency } from "@dmm/bench";
import { expect, it } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

it("every allocator measureLatency makes is disposed of once, after it replayed, before the next one replays", () => {
  const trace = randomTrace(2000, 7);
  const made: Array<{ disposed: number; calls: number }> = [];
  let inUse = -1;
  const create = (): Allocator => {
    const heap = growableHeap();
    const record = { disposed: 0, calls: 0 };
    const index = made.push(record) - 1;
    return new Proxy(heap, {
      get(target, key) {
        if (key === "dispose") return () => {
          record.disposed++;
          target.dispose!();
        };
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (key === "malloc" || key === "free") {
            if (record.disposed > 0) expect.fail(`allocator ${index} was used after its dispose`);
            if (inUse !== index && inUse >= 0 && made[inUse]!.disposed === 0 && made[inUse]!.calls > 0) expect.fail(`allocator ${index} replayed before allocator ${inUse} was disposed of`);
            inUse = index;
            record.calls++;
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
  const result = measureLatency(trace, create, { time: 5, iterations: 3, warmupIterations: 1 });
  expect(result.samples).toBeGreaterThanOrEqual(3);
  expect(made.length).toBeGreaterThanOrEqual(result.samples + 2);
  expect(made.map((m) => m.disposed)).toEqual(made.map(() => 1));
});
