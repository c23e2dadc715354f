/**
 * How each strategy's malloc+free cost grows with the number of free blocks. For 1k, 10k and 100k free
 * blocks, a growable heap is fragmented on purpose: holes whose sizes are the malloc sizes of @dmm/workloads'
 * "mixed" generator (70% 8–64 B, 25% 64–1024 B, 5% 1–16 KiB; the speed benchmark's trace), each between two
 * small used guards, so no two holes can merge. Then malloc(n) + free(p) pairs with n from the same generator
 * (another seed): malloc splits a hole (or takes it whole), free merges the piece back (immediate coalescing), so
 * the heap keeps its free-block count while it is timed. (It lives here rather than in @dmm/strategies because
 * @dmm/workloads' tests import @dmm/strategies: the strategies cannot depend on the generators.)
 *
 * Columns: ns per malloc+free pair (the median of tinybench's batch samples: robust to other processes on a
 * shared machine), the mean search cost (heap.lastSearchCost: free blocks or
 * bins examined per malloc, machine-independent) over the same pairs, and each time relative to the same
 * strategy at 1k free blocks. A baseline row (the loop and a bump-pointer call, nothing else) runs first in
 * the same process. Run: pnpm --filter @dmm/bench bench:scaling [pairs per batch] [name,name,...]
 *
 * Targets: best/worst fit at 100k within 3x their 1k cost; segregated fit and TLSF within 1.5x. Free is an
 * O(log n) insert (an O(1) list push for small bins) in every strategy here: it never scans.
 */
import { type Allocator, createHeap } from "@dmm/core";
import { Bench } from "tinybench";
import { createBuddyAllocator, strategies } from "@dmm/strategies";
import { generate, OP_MALLOC } from "@dmm/workloads";

const PAIRS = Number(process.argv[2] ?? 2000);
/** Optional comma-separated names to run (default: every registered strategy and buddy). */
const ONLY = process.argv[3]?.split(",");
const FREE_BLOCKS = [1_000, 10_000, 100_000];
const GUARD = 16;

/** `count` malloc sizes of the "mixed" generator's trace for `seed`, in trace order. */
function mixedSizes(count: number, seed: number): Int32Array {
  const { kind, size } = generate("mixed", { ops: 4 * count + 1000, live: 1000, seed }).columns;
  const sizes = new Int32Array(count);
  for (let i = 0, n = 0; n < count; i++) {
    if (i >= kind.length) throw new Error(`the mixed trace holds fewer than ${count} mallocs`);
    if (kind[i] === OP_MALLOC) sizes[n++] = size[i]!;
  }
  return sizes;
}

/** Leaves `holes` free blocks of mixed sizes, each fenced by used guards. */
function fragment(a: Allocator, holes: number): void {
  const sizes = mixedSizes(holes, 7);
  const ptrs = new Int32Array(holes);
  for (let i = 0; i < holes; i++) {
    a.malloc(GUARD);
    ptrs[i] = a.malloc(sizes[i]!);
  }
  a.malloc(GUARD);
  for (let i = 0; i < holes; i++) a.free(ptrs[i]!);
}

const requests = mixedSizes(PAIRS, 99);

function pairs(a: Pick<Allocator, "malloc" | "free">): void {
  for (let i = 0; i < requests.length; i++) a.free(a.malloc(requests[i]!));
}

/** Mean lastSearchCost over one batch of pairs (untimed). */
function meanSearchCost(a: Allocator): number {
  let sum = 0;
  for (let i = 0; i < requests.length; i++) {
    const p = a.malloc(requests[i]!);
    sum += a.lastSearchCost ?? 0;
    a.free(p);
  }
  return sum / requests.length;
}

/** Baseline: the loop and a call, nothing else. */
class Bump {
  private top = 8;
  malloc(size: number): number {
    const p = this.top;
    this.top = (this.top + size + 15) & 0xffff8;
    return p;
  }
  free(_ptr: number): void {}
}

async function nsPerPair(a: Pick<Allocator, "malloc" | "free">): Promise<{ ns: number; rme: number }> {
  const bench = new Bench({ time: 300, warmupTime: 50 });
  bench.add("pairs", () => pairs(a));
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== "completed") throw new Error(`benchmark did not complete: ${r.state}`);
  return { ns: (r.latency.p50 * 1e6) / PAIRS, rme: r.latency.rme };
}

interface Row {
  strategy: string;
  "free blocks": number | string;
  "ns/pair": string;
  "± %": string;
  "search cost": string;
  "× at 1k": string;
}

const rows: Row[] = [];
const base = await nsPerPair(new Bump());
rows.push({ strategy: "baseline: bump pointer", "free blocks": "-", "ns/pair": base.ns.toFixed(1), "± %": base.rme.toFixed(1), "search cost": "-", "× at 1k": "" });

const contenders: Array<{ name: string; create: () => Allocator }> = strategies.map((s) => ({
  name: s.name,
  create: () => createHeap({ size: 0, maxSize: 1 << 30, strategy: s.create() }),
}));
contenders.push({ name: "buddy", create: () => createBuddyAllocator({ size: 0, maxSize: 1 << 30 }) });

for (const { name, create } of contenders) {
  if (ONLY && !ONLY.includes(name)) continue;
  let at1k = 0;
  for (const holes of FREE_BLOCKS) {
    const a = create();
    fragment(a, holes);
    const freeBefore = a.stats().freeBlocks;
    const cost = meanSearchCost(a);
    const { ns, rme } = await nsPerPair(a);
    if (holes === FREE_BLOCKS[0]) at1k = ns;
    rows.push({
      strategy: name,
      "free blocks": freeBefore,
      "ns/pair": ns.toFixed(1),
      "± %": rme.toFixed(1),
      "search cost": cost.toFixed(1),
      "× at 1k": (ns / at1k).toFixed(2),
    });
  }
}
console.log(`malloc+free pairs on fragmented heaps (${PAIRS} pairs per batch; sizes from the mixed generator: 70% 8-64 B, 25% 64-1024 B, 5% 1-16 KiB)`);
console.table(rows);
