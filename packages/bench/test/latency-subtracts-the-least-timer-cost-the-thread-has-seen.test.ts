/**
 * Each per-op replay runs one short calibration round (CALIBRATION_PAIRS back-to-back clock pairs) and subtracts the
 * least median of every round its thread has run (threadTimerOverheadNs): one round's median moves with whatever
 * else holds the core, and a round made before the loop is compiled is too high. The module is loaded afresh for
 * each test, as a new worker would load it.
 */
import { afterEach, expect, it, vi } from "vitest";
import { growableHeap, randomTrace } from "./helpers.js";

type Latency = typeof import("../src/latency.js");

async function freshLatency(): Promise<Latency> {
  vi.resetModules();
  return (await import("../src/latency.js")) as Latency;
}

afterEach(() => {
  vi.restoreAllMocks();
});

it("a per-op replay reads the clock for one calibration round and for the ops it times, nothing more", async () => {
  const { CALIBRATION_PAIRS, timeEachOp } = await freshLatency();
  const clock = vi.spyOn(process.hrtime, "bigint");
  const trace = randomTrace(500, 3);
  for (let run = 0; run < 2; run++) {
    clock.mockClear();
    timeEachOp(trace, growableHeap());
    expect(clock).toHaveBeenCalledTimes(2 * CALIBRATION_PAIRS + 2 * trace.length);
  }
});

it("subtracts the least median of the thread's rounds so far", async () => {
  const { CALIBRATION_PAIRS, threadTimerOverheadNs } = await freshLatency();
  // A clock whose pairs are `gap` ns apart, one gap per round: each round's median is its gap.
  const gaps = [140, 90, 300, 95];
  let reads = 0;
  let now = 0n;
  vi.spyOn(process.hrtime, "bigint").mockImplementation(() => {
    const round = Math.floor(reads / (2 * CALIBRATION_PAIRS));
    now += reads % 2 === 1 ? BigInt(gaps[round]!) : 1000n;
    reads++;
    return now;
  });
  expect(gaps.map(() => threadTimerOverheadNs())).toEqual([140, 90, 90, 90]);
  expect(reads).toBe(gaps.length * 2 * CALIBRATION_PAIRS);
});
