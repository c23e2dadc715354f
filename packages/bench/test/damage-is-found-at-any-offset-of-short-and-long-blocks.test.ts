/**
 * Payload patterns are written and checked 8 bytes at a time in JS for short ranges (below 1024 bytes) and with a
 * native copy and compare for long ones, from a table that a block longer than it repeats (integrity.ts). A byte flipped anywhere in
 * a live block — either side of the boundary between the two paths, past the table's length — is an INTEGRITY error
 * at the next op that checks the block, naming the byte; a calloc'd block with one non-zero byte is one too.
 */
import { replay } from "@dmm/bench";
import { TraceBuilder } from "@dmm/workloads";
import { expect, it } from "vitest";
import { DamagesFirstBlockOnFree, ForwardingAllocator, growableHeap, replayFailure as failure } from "./helpers.js";

/** Flips byte `damage` of the first block it handed out when any block is freed. */
const scribbler = (damage: number) => new DamagesFirstBlockOnFree((memory, first) => { memory[first + damage]! ^= 0x5a; });

const TABLE = 1 << 20;
const cases: Array<[number, number]> = [
  [8, 0], [8, 7], [200, 3], [200, 199], [255, 254], [256, 0], [256, 255], [257, 256], [383, 382], [384, 383], [1023, 1022], [1023, 1016],
  [1024, 0], [1024, 1023], [1025, 1024], [4099, 4098], [4099, 1000],
  [TABLE + 100, TABLE - 1], [TABLE + 100, TABLE], [TABLE + 100, TABLE + 99],
];

it.each(cases)("a block of %i bytes damaged at byte %i is caught when it is freed", (size, damage) => {
  // id 0 is the damaged block; id 1's free does the damage; id 0's free finds it.
  const trace = new TraceBuilder().malloc(0, size).malloc(1, 8).free(1).free(0).finish();
  const e = failure(() => replay(trace, scribbler(damage)));
  expect(e.code).toBe("INTEGRITY");
  expect(e.opIndex).toBe(3);
  expect(e.message).toMatch(new RegExp(`byte ${damage} of id 0's block`));
});

it.each(cases)("an undamaged block of %i bytes passes (control for byte %i)", (size) => {
  const trace = new TraceBuilder().malloc(0, size).malloc(1, 8).free(1).free(0).finish();
  expect(replay(trace, growableHeap()).ops).toBe(4);
});

/** Leaves one byte of every calloc'd block non-zero. */
class DirtyCalloc extends ForwardingAllocator {
  constructor(private readonly dirty: number) {
    super(growableHeap());
  }
  override calloc(count: number, size: number): number {
    const p = this.inner.calloc(count, size);
    this.memory[p + this.dirty] = 1;
    return p;
  }
}

it.each([3, 255, 256, 5000, TABLE + 7])("a calloc of 2 × (2^20 / 2 + 8) bytes with byte %i not zero is caught at the calloc", (dirty) => {
  const trace = new TraceBuilder().calloc(0, 2, TABLE / 2 + 8).free(0).finish();
  const e = failure(() => replay(trace, new DirtyCalloc(dirty)));
  expect(e.code).toBe("INTEGRITY");
  expect(e.opIndex).toBe(0);
  expect(e.message).toMatch(new RegExp(`byte ${dirty} is not zero`));
});

it.each([
  [1, 100, 0], [1, 100, 99], [1, 600, 1], [1, 600, 597], [3, 333, 998], [1, 1023, 1020],
])("a calloc of %i × %i bytes (checked a word at a time) with byte %i not zero is caught at the calloc", (count, size, dirty) => {
  const trace = new TraceBuilder().calloc(0, count, size).free(0).finish();
  const e = failure(() => replay(trace, new DirtyCalloc(dirty)));
  expect(e.code).toBe("INTEGRITY");
  expect(e.opIndex).toBe(0);
  expect(e.message).toMatch(new RegExp(`byte ${dirty} is not zero`));
});
