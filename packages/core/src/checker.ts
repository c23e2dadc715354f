/**
 * The heap's one walker, and the checker built on it. `walkBlocks` visits the physical chain in address order,
 * validating every block (validate.ts) before its visitor sees it; check, walk, stats and the whole-heap
 * coalescing pass all go through it (tlsf's tlsf_check runs through the same walker as tlsf_walk_pool), so
 * every walk of the heap trusts exactly the same things and every one of them terminates: each step advances by
 * a validated size of at least one minimum block.
 */
import { HeapError, type Strategy } from "./api.js";
import { countStarts, isStart } from "./block-map.js";
import * as layout from "./layout.js";
import { type BlockSpace, corrupt, validHeader } from "./validate.js";

const FLAG_MASK = layout.FLAG_MASK;
const PREV_FREE = layout.PREV_FREE;
const REQUESTED = layout.REQUESTED;
const USED = layout.USED;

/**
 * Calls `visit(block, size, free)` for every block from the base to the top. Before the visit, the block must
 * start at a marked start, pass validHeader, and carry a PREV_FREE bit that says what the block below it is.
 * The visitor may merge the block with the free blocks above it (the coalescing pass): the walk continues from
 * the block's header as the visitor left it. At the end the top's free flag must agree with the last block.
 */
export function walkBlocks(h: BlockSpace, visit: (block: number, size: number, free: boolean) => void): void {
  let block = h.base;
  let belowFree = false;
  while (block < h.top) {
    if (!isStart(h.marks, block)) corrupt(block, "a block starts where the start bitmap has no mark");
    const size = validHeader(h, block);
    const header = h.words[block >> 2]!;
    if (((header & PREV_FREE) !== 0) !== belowFree) {
      corrupt(block, `PREV_FREE says the block below is ${belowFree ? "used" : "free"}, but it is ${belowFree ? "free" : "used"}`);
    }
    const free = (header & USED) === 0;
    visit(block, size, free);
    belowFree = free;
    block += h.words[block >> 2]! & ~FLAG_MASK;
  }
  if ((h.topPrevFree !== 0) !== belowFree) corrupt(h.top, "the top's free flag disagrees with the last block");
}

/** The counters a heap keeps, which check() compares with what the walk counts. */
export interface Counters {
  usedBlocks: number;
  usedBytes: number;
  freeBlocks: number;
  freeBytes: number;
  liveBytes: number;
}

/**
 * Three phases, as in tlsf-bsd: (1) the physical chain — the walker's rules, no two free neighbours when
 * `coalesced` (immediate coalescing), as many marked starts as blocks, the counters match; (2) the strategy's
 * free index (its forEach and its own check); (3) both saw the same free blocks.
 */
export function checkHeap(h: BlockSpace, counters: Counters, strategy: Strategy, coalesced: boolean): void {
  const words = h.words;
  const physicalFree = new Set<number>();
  let used = 0, usedBytes = 0, freeBytes = 0, live = 0, blocks = 0;
  let belowFree = false;
  walkBlocks(h, (block, size, free) => {
    if (free) {
      if (belowFree && coalesced) corrupt(block, "blocks should have coalesced (two adjacent free blocks)");
      physicalFree.add(block);
      freeBytes += size;
    } else {
      used++;
      usedBytes += size;
      live += words[(block >> 2) + REQUESTED]!;
    }
    belowFree = free;
    blocks++;
  });
  const marks = countStarts(h.marks);
  if (marks !== blocks) corrupt(h.base, `the start bitmap marks ${marks} blocks, the chain has ${blocks}`);
  const counted: Counters = { usedBlocks: used, usedBytes, freeBlocks: physicalFree.size, freeBytes, liveBytes: live };
  for (const name of Object.keys(counted) as Array<keyof Counters>) {
    if (counters[name] !== counted[name]) corrupt(h.base, `stats.${name} is ${counters[name]} but the heap holds ${counted[name]}`);
  }

  // Phase 2: the free index.
  const indexed = new Set<number>();
  try {
    strategy.forEach((b) => {
      if (indexed.has(b)) corrupt(b, `block indexed twice by ${strategy.name}`);
      if (indexed.size > physicalFree.size) corrupt(b, `${strategy.name} holds more blocks than are free`);
      if (!physicalFree.has(b)) corrupt(b, `${strategy.name} indexes a block that is not a free block`);
      indexed.add(b);
    });
    strategy.check?.();
  } catch (e) {
    if (e instanceof HeapError) throw e;
    throw new HeapError("CORRUPTION", `${strategy.name} index: ${(e as Error).message}`);
  }
  // Phase 3: both saw the same free blocks.
  for (const b of physicalFree) if (!indexed.has(b)) corrupt(b, `free block missing from ${strategy.name}'s index`);
}
