/**
 * Link words are untrusted data: they live in free blocks' payload, where a buffer overflow from the block below
 * can reach them. Every strategy here checks a link with `host.isFreeBlock` (the heap's block map, O(1)) before it
 * follows it or writes through it, bounds every walk by the number of blocks it holds, and reports a link that
 * fails as HeapError CORRUPTION — never a hang, a RangeError or a write into a live block.
 */
import { HeapError } from "@dmm/core";

/** A link that does not name a free block: CORRUPTION naming the strategy, the block and the link. */
export function badLink(strategy: string, block: number, link: string, value: unknown): never {
  throw new HeapError("CORRUPTION", `${strategy}: the ${link} link of block ${block} is ${String(value)}, not a free block (overwritten by a buffer overflow?)`);
}

/** A walk that went on longer than the blocks indexed allow: a cycle through smashed links. */
export function tooLong(strategy: string, what: string, limit: number): never {
  throw new HeapError("CORRUPTION", `${strategy}: ${what} visits more than the ${limit} blocks it holds (a cycle through overwritten links?)`);
}

/** A block the core asked to remove is not where its links or key say it should be. */
export function notIndexed(strategy: string, block: number, where: string): never {
  throw new HeapError("CORRUPTION", `${strategy}: block ${block} is not in ${where} (its links or size overwritten?)`);
}

/**
 * Whether `offset` is a free block start, as StrategyHost.isFreeBlock tells it, from the host's words and block
 * map: for a hot path, where the method call measured ~8% of the 2M-op mixed trace's instructions (TurboFan
 * did not inline it). A multiple of 8 whose START bit is set (no bit is set outside [base, top), and an offset
 * outside the map reads undefined, which masks to 0) and whose header's USED bit is clear.
 */
export function isFreeAt(w: Int32Array, marks: Int32Array, offset: number): boolean {
  return (offset & 7) === 0 && (marks[(offset >>> 8) << 1]! & (1 << ((offset >>> 3) & 31))) !== 0 && (w[offset >> 2]! & 1) === 0;
}

/**
 * A link that names a free block, but one that cannot sit there: its key is outside the range the tree's order
 * allows at that place (a link overwritten with another block's address).
 */
export function misplaced(strategy: string, block: number, link: string, value: number): never {
  throw new HeapError("CORRUPTION", `${strategy}: the ${link} link of block ${block} is ${value}, a free block out of the tree's order there (overwritten by a buffer overflow?)`);
}
