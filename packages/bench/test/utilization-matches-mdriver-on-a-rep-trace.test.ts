import { replay } from "@dmm/bench";
import { parseTrace } from "@dmm/workloads";
import { expect, it } from "vitest";
import { growableHeap } from "./helpers.js";

// A CS:APP malloc-lab trace. mdriver's eval_mm_util: total_size += size on a, += new - old on r, -= size on f;
// max_total_size is its high-water mark and utilization = max_total_size / heapsize:
//   a0 512 -> 512, a1 128 -> 640, r0 640 -> 768, a2 128 -> 896, f1 -> 768, r0 768 -> 896, f0 -> 128, f2 -> 0
const rep = `20000
3
8
1
a 0 512
a 1 128
r 0 640
a 2 128
f 1
r 0 768
f 0
f 2
`;

it("peak live bytes are mdriver's max_total_size, so utilization = max_total_size / peak heap", () => {
  const heap = growableHeap();
  const result = replay(parseTrace(rep, { format: "rep" }), heap, { checkEvery: 1 });
  expect(result.peakLiveBytes).toBe(896);
  expect(result.peakHeapBytes).toBe(heap.stats().peakHeapBytes);
  expect(result.utilization).toBe(896 / heap.stats().peakHeapBytes);
});
