/**
 * runTrace and timeEachOp (what latency runs time) pass a pointer that is an int32 to free and realloc as an int32 (a
 * double argument would be boxed, a heap number per call) and any other as it is: an allocator whose pointers lie
 * above 2^31 (a plugin over a large memory) gets back exactly what its malloc returned, never the int32 that `p | 0`
 * would make of it.
 */
import type { Allocator } from "@dmm/core";
import { runTrace, timeEachOp } from "@dmm/bench";
import { traceFromOps } from "@dmm/workloads";
import { expect, it } from "vitest";

/** An allocator that hands out the pointers it is given, in turn, and records what free and realloc receive. */
function recording(pointers: number[]): { allocator: Allocator; freed: number[]; reallocated: number[] } {
  const freed: number[] = [];
  const reallocated: number[] = [];
  let next = 0;
  const allocator = {
    name: "recording",
    malloc: () => pointers[next++]!,
    calloc: () => pointers[next++]!,
    realloc: (ptr: number) => {
      reallocated.push(ptr);
      return pointers[next++]!;
    },
    free: (ptr: number) => void freed.push(ptr),
  } as unknown as Allocator;
  return { allocator, freed, reallocated };
}

const ops = [
  { kind: "a", id: 0, size: 8 },
  { kind: "a", id: 1, size: 8 },
  { kind: "r", id: 0, size: 24 },
  { kind: "f", id: 1, size: 0 },
  { kind: "f", id: 0, size: 0 },
] as const;

it.each([
  { what: "int32 pointers", pointers: [16, 1 << 20, 2 ** 31 - 8, 48] },
  { what: "pointers at and above 2^31", pointers: [2 ** 31, 2 ** 31 + 8, 3e9, 2 ** 40 + 16] },
])("free and realloc get back the $what that malloc returned, from runTrace and from timeEachOp", ({ pointers }) => {
  const replays = {
    runTrace: (a: Allocator) => expect(runTrace(traceFromOps(ops), a)).toBe(0),
    timeEachOp: (a: Allocator) => expect(timeEachOp(traceFromOps(ops), a).free.count).toBe(2),
  };
  for (const [name, replay] of Object.entries(replays)) {
    const { allocator, freed, reallocated } = recording(pointers);
    replay(allocator);
    expect(reallocated, name).toEqual([pointers[0]]);
    expect(freed, name).toEqual([pointers[1], pointers[2]]);
  }
});
