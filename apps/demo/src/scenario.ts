/**
 * The original kernel module's demo, replayed on @dmm/core: a fixed arena, blocks allocated and some freed so
 * that holes of about 2000 and 500 bytes remain, then a request of 400 bytes — and which hole each placement
 * policy picks. The maps are the heap's own dump() (`Block at: <offset> Size: <bytes> [USED]`, Size excluding
 * the 8-byte header), as the module printed them to dmesg.
 */
import { createHeap, type Heap, type Strategy } from "@dmm/core";

/** What the scenario does, in bytes. */
export interface ScenarioOptions {
  /** Bytes of the fixed arena. @defaultValue 4096 */
  arenaBytes?: number;
  /** Payload sizes allocated in address order; the ones at `holes` are freed again. @defaultValue [100, 2000, 100, 500, 100] */
  blocks?: number[];
  /** Indices into `blocks` freed to leave holes. @defaultValue [1, 3] (the 2000 and the 500) */
  holes?: number[];
  /** The request placed into the holes. @defaultValue 400 */
  request?: number;
}

/** A hole left by the setup: where it is and how many payload bytes it can serve. */
export interface Hole {
  offset: number;
  size: number;
}

export interface ScenarioResult {
  /** The strategy's name, e.g. "best-fit". */
  strategy: string;
  /** The free blocks before the request, in address order. */
  holes: Hole[];
  /** Index into `holes` of the one the request was carved from, or -1 when it failed. */
  chosen: number;
  /** What malloc returned. */
  pointer: number;
  /** Payload bytes left free in the chosen hole after the request (0 when it was used whole). */
  leftOver: number;
  mapBefore: string;
  mapAfter: string;
  /** One line: which hole the policy chose and why. */
  verdict: string;
}

const DEFAULTS: Required<ScenarioOptions> = { arenaBytes: 4096, blocks: [100, 2000, 100, 500, 100], holes: [1, 3], request: 400 };

/** Why each classic policy picks what it picks: its definition, stated for the holes at hand. */
const REASONS: Record<string, string> = {
  "first-fit": "it is the first hole, in address order, that is large enough",
  "next-fit": "it is the first hole large enough at or after where the previous search stopped",
  "best-fit": "it is the smallest hole that is large enough, so the least space is left over",
  "worst-fit": "it is the largest hole, so the piece left over stays as large as possible",
  "segregated-fit": "its size class is the smallest non-empty class that fits (best fit within the class)",
  tlsf: "the request rounds up to a size-class list and the first non-empty list at or above it gives this hole in O(1)",
};

/** Sets up the holes on `heap` (a fresh fixed arena) and returns the payload pointers of the blocks kept. */
function carveHoles(heap: Heap, options: Required<ScenarioOptions>): number[] {
  const pointers = options.blocks.map((size) => heap.malloc(size));
  if (pointers.some((p) => p === 0)) throw new Error(`the arena of ${options.arenaBytes} bytes cannot hold blocks ${options.blocks.join(", ")}`);
  // Fill whatever is left at the end, so the only free space is the holes (the module's arena was full too).
  const tail = heap.stats().largestFreeBlock;
  const rest = tail > 0 ? heap.malloc(tail) : 0;
  for (const i of options.holes) heap.free(pointers[i]!);
  return rest ? [...pointers, rest] : pointers;
}

function holesOf(heap: Heap): Hole[] {
  return [...heap.walk()].filter((b) => b.free).map((b) => ({ offset: b.offset, size: b.size }));
}

/** Runs the scenario with one strategy on a fresh arena. */
export function runScenario(strategy: Strategy, options: ScenarioOptions = {}): ScenarioResult {
  const o = { ...DEFAULTS, ...options };
  const heap = createHeap({ size: o.arenaBytes, strategy });
  carveHoles(heap, o);
  const holes = holesOf(heap);
  const mapBefore = heap.dump();
  const pointer = heap.malloc(o.request);
  const mapAfter = heap.dump();
  heap.check();
  const chosen = pointer === 0 ? -1 : holes.findIndex((h) => pointer - 8 === h.offset);
  const hole = holes[chosen];
  const after = holesOf(heap);
  const leftOver = hole ? (after.find((h) => h.offset > hole.offset && h.offset < hole.offset + hole.size + 8)?.size ?? 0) : 0;
  return { strategy: heap.name, holes, chosen, pointer, leftOver, mapBefore, mapAfter, verdict: verdict(heap.name, o.request, holes, chosen, leftOver) };
}

function verdict(name: string, request: number, holes: Hole[], chosen: number, leftOver: number): string {
  if (chosen < 0) return `${name}: no hole could serve ${request} bytes (malloc returned NULL).`;
  const hole = holes[chosen]!;
  const reason = REASONS[name] ?? "that is what its policy picks";
  const others = holes.filter((_, i) => i !== chosen).map((h) => `${h.size} at ${h.offset}`).join(", ");
  return (
    `${name} put ${request} bytes into the ${hole.size}-byte hole at ${hole.offset}: ${reason}` +
    ` (${leftOver > 0 ? `${leftOver} bytes stay free there` : "the hole is used up"}; other holes: ${others || "none"}).`
  );
}

/**
 * set_allocation_algorithm on a live heap: the same holes under first fit, the 400 bytes allocated and freed
 * again, then `heap.setStrategy(...)` re-indexes the free blocks and the same request lands elsewhere.
 */
export function switchStrategyDemo(from: Strategy, to: Strategy, options: ScenarioOptions = {}): { text: string; before: number; after: number; holes: Hole[] } {
  const o = { ...DEFAULTS, ...options };
  const heap = createHeap({ size: o.arenaBytes, strategy: from });
  carveHoles(heap, o);
  const holes = holesOf(heap);
  const lines: string[] = [];
  const before = heap.malloc(o.request);
  lines.push(`${heap.name}: malloc(${o.request}) = ${before} (block at ${before - 8}); free(${before})`);
  heap.free(before);
  const fromName = heap.name;
  heap.setStrategy(to);
  lines.push(`heap.setStrategy(${heap.name}) on the live heap, as set_allocation_algorithm(...) did: ${fromName} -> ${heap.name}`);
  const after = heap.malloc(o.request);
  lines.push(`${heap.name}: malloc(${o.request}) = ${after} (block at ${after - 8})`);
  lines.push(heap.dump());
  heap.check();
  return { text: lines.join("\n"), before, after, holes };
}

/** The whole demo as text: the heap map before, then each policy's choice and map after, then the switch. */
export function demoText(policies: Strategy[], switchFrom: Strategy, switchTo: Strategy, options: ScenarioOptions = {}): string {
  const o = { ...DEFAULTS, ...options };
  const out: string[] = [];
  const results = policies.map((s) => runScenario(s, o));
  const first = results[0];
  out.push(`Arena: ${o.arenaBytes} bytes, fixed. Allocate ${o.blocks.join(", ")} (and the rest), free ${o.holes.map((i) => o.blocks[i]).join(" and ")}.`);
  if (first) {
    out.push("--- Heap Stats ---");
    out.push(first.mapBefore);
    out.push(`Holes available: ${first.holes.map((h) => `~${h.size}`).join(" and ")}. Allocating ${o.request}.`);
  }
  for (const r of results) {
    out.push("");
    out.push(`=== ${r.strategy} ===`);
    out.push(r.mapAfter);
    out.push(r.verdict);
  }
  out.push("");
  out.push("=== switching the policy on a live heap ===");
  out.push(switchStrategyDemo(switchFrom, switchTo, o).text);
  return out.join("\n");
}
