import { spawnSync } from "node:child_process";
import { encodeTraceBinary, measureNative } from "@dmm/bench";
import { expect, it } from "vitest";
import { randomTrace } from "./helpers.js";

const hasCc = !spawnSync(process.env.CC ?? "cc", ["--version"]).error;

it.runIf(hasCc)("replays a trace on the C library's malloc and reports ns/op", () => {
  const trace = randomTrace(20000, 3);
  const result = measureNative(trace, { repetitions: 3 });
  if (result.skipped) throw new Error(result.reason);
  expect(result.ops).toBe(trace.length);
  expect(result.repetitions).toBe(3);
  expect(result.failures).toBe(0);
  expect(result.nsPerOp).toBeGreaterThan(0);
  expect(result.minNsPerOp).toBeLessThanOrEqual(result.nsPerOp);
  expect(result.compiler.length).toBeGreaterThan(0);
});

it.runIf(hasCc)("can time with the process's CPU clock", () => {
  const result = measureNative(randomTrace(5000, 4), { repetitions: 1, clock: "cpu" });
  if (result.skipped) throw new Error(result.reason);
  expect(result.clock).toBe("cpu");
  expect(result.nsPerOp).toBeGreaterThan(0);
});

it("is skipped with a reason when there is no compiler", () => {
  const result = measureNative(randomTrace(10, 1), { cc: "dmm-no-such-compiler" });
  expect(result).toEqual({ skipped: true, reason: expect.stringMatching(/no C compiler/) });
});

it("encodes the trace columns little-endian after a 16-byte header", () => {
  const trace = randomTrace(5, 1);
  const bytes = encodeTraceBinary(trace);
  const view = new DataView(bytes.buffer);
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("DMMT");
  expect(view.getUint32(8, true)).toBe(trace.length);
  expect(view.getUint32(12, true)).toBe(trace.idCount);
  const kindBytes = (trace.length + 3) & ~3;
  expect(view.getUint32(16 + kindBytes + 4 * trace.length, true)).toBe(trace.columns.size[0]);
});
