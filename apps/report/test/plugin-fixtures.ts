/** Plugin modules as a user outside the repo would write them: plain ES modules with no imports. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A strategy plugin: the most recently freed block that fits, over StrategyHost alone. */
export const LIFO_PLUGIN = `
export default {
  name: "lifo-fit",
  description: "most recently freed block that fits (a JS array as the free list)",
  strategy() {
    let host;
    let free = [];
    const s = {
      name: "lifo-fit",
      examined: 0,
      attach(h) { host = h; free = []; },
      insert(block) { free.push(block); },
      remove(block) { const i = free.lastIndexOf(block); free[i] = free[free.length - 1]; free.pop(); },
      find(size) {
        const w = host.words;
        for (let i = free.length - 1, n = 1; i >= 0; i--, n++) if ((w[free[i] >> 2] & ~7) >= size) return (s.examined = n), free[i];
        s.examined = free.length;
        return 0;
      },
      forEach(visit) { for (const b of free) visit(b); },
    };
    return s;
  },
};
`;

/** An allocator plugin: a bump allocator that never reuses memory, up to maxSize (capped at 64 MiB). */
export const BUMP_PLUGIN = `
class Bump {
  name = "bump";
  constructor(bytes) { this.memory = new Uint8Array(bytes); this.words = new Int32Array(this.memory.buffer); this.top = 8; this.peak = 8; this.live = 0; }
  malloc(size) {
    const need = (size + 15) & ~7;
    if (this.top + need > this.memory.length) return 0;
    const p = this.top + 8;
    this.words[this.top >> 2] = size;
    this.top += need;
    if (this.top > this.peak) this.peak = this.top;
    this.live++;
    return p;
  }
  calloc(count, size) { const p = this.malloc(count * size); if (p) this.memory.fill(0, p, p + count * size); return p; }
  realloc(p, size) {
    if (p === 0) return this.malloc(size);
    if (size === 0) return this.free(p), 0;
    const q = this.malloc(size);
    if (q) this.memory.copyWithin(q, p, p + Math.min(size, this.words[(p - 8) >> 2])), this.free(p);
    return q;
  }
  free(p) { if (p !== 0) this.live--; }
  usableSize(p) { return this.words[(p - 8) >> 2]; }
  stats() {
    return { heapBytes: this.top, peakHeapBytes: this.peak, liveBytes: NaN, peakLiveBytes: NaN, usedBlocks: this.live, usedBytes: this.top - 8,
      freeBlocks: 0, freeBytes: 0, largestFreeBlock: 0, failedAllocations: 0 };
  }
  check() {}
  *walk() {}
}
export default { name: "bump", description: "never reuses memory", allocator: ({ maxSize }) => new Bump(Math.min(maxSize, 64 << 20)) };
`;

/** Writes lifo.mjs and bump.mjs into `dir`. */
export function writePlugins(dir: string): { lifo: string; bump: string } {
  writeFileSync(join(dir, "lifo.mjs"), LIFO_PLUGIN);
  writeFileSync(join(dir, "bump.mjs"), BUMP_PLUGIN);
  return { lifo: join(dir, "lifo.mjs"), bump: join(dir, "bump.mjs") };
}
