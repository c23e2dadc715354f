/**
 * Short payload ranges are written and checked 8 bytes at a time as float64s (integrity.ts verifyShort). Two
 * doubles compare equal with different bytes only as ±0, and a NaN equals nothing, itself included: so no 8 bytes
 * of the pattern table read as a NaN or a zero, and a change that keeps a double "equal" (a zero's sign) or makes
 * it a NaN is still caught, naming its byte.
 */
import { ReplayError, replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { patternByte, patternOffset } from "../src/integrity.js";
import { DamagesFirstBlockOnFree, replayFailure } from "./helpers.js";

const TABLE = 1 << 20;

it("no 8 aligned bytes of the pattern table read as a NaN or a zero", () => {
  // id 0's pattern runs through the whole table from its offset, a multiple of 8.
  expect(patternOffset(0) % 8).toBe(0);
  const bytes = new Uint8Array(8);
  const view = new Float64Array(bytes.buffer);
  const bad: number[] = [];
  for (let j = 0; j < TABLE; j += 8) {
    for (let b = 0; b < 8; b++) bytes[b] = patternByte(0, j + b);
    const d = view[0]!;
    if (Number.isNaN(d) || d === 0) bad.push(j);
  }
  expect(bad).toEqual([]);
});

it("every id's pattern starts at a multiple of 8", () => {
  for (let id = 0; id < 10_000; id++) expect(patternOffset(id) % 8).toBe(0);
});

/** When any block is freed, writes `bytes` over 8 bytes of the first block it handed out, at `at`. */
const overwriter = (at: number, bytes: (old: Uint8Array) => number[]) =>
  new DamagesFirstBlockOnFree((memory, first) => memory.set(bytes(memory.subarray(first + at, first + at + 8)), first + at));

function failure(size: number, at: number, bytes: (old: Uint8Array) => number[]): ReplayError {
  const trace = new TraceBuilder().malloc(0, size).malloc(1, 8).free(1).free(0).finish();
  return replayFailure(() => replay(trace, overwriter(at, bytes)));
}

// Little-endian: byte 7 holds the sign and the top of the exponent.
const flipSign = (old: Uint8Array) => [...old.subarray(0, 7), old[7]! ^ 0x80];
const quietNaN = () => [0, 0, 0, 0, 0, 0, 0xf8, 0x7f];
const signalingNaN = () => [1, 0, 0, 0, 0, 0, 0xf0, 0x7f];
const minusZero = () => [0, 0, 0, 0, 0, 0, 0, 0x80];

it.each([
  ["the sign flipped", flipSign],
  ["a quiet NaN", quietNaN],
  ["a signalling NaN", signalingNaN],
  ["-0", minusZero],
] as const)("8 bytes of a short block made %s are caught at the free, at their first changed byte", (_what, bytes) => {
  for (const [size, at] of [[64, 0], [64, 56], [200, 96], [1023, 1008]] as const) {
    const e = failure(size, at, bytes);
    expect(e.code).toBe("INTEGRITY");
    expect(e.opIndex).toBe(3);
    const offset = Number(/byte (\d+) of id 0's block/.exec(e.message)![1]);
    // The first byte the overwrite changed (a byte that happens to hold the new value already is not a change).
    const expected = bytes(new Uint8Array(8).map((_, b) => patternByte(0, at + b))).findIndex((v, b) => v !== patternByte(0, at + b));
    expect(expected).toBeGreaterThanOrEqual(0);
    if (bytes === flipSign) expect(expected).toBe(7);
    expect(offset).toBe(at + expected);
  }
});
