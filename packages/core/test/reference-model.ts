/**
 * A deliberately naive executable specification of the core's mechanism with first-fit placement: blocks as
 * a plain array of { start, size, free }, every rule written out as the README states it. The differential
 * test replays the same operations on the real heap and on this model and compares the heap maps.
 */
export interface ModelBlock {
  start: number;
  size: number; // block bytes, header included
  free: boolean;
}

export class ReferenceHeap {
  blocks: ModelBlock[] = [];
  top: number;
  readonly minBlock: number;
  readonly base: number;

  constructor(
    size: number,
    readonly maxSize: number,
    readonly alignment: number,
    readonly coalescing: "immediate" | "deferred" | "none",
  ) {
    this.minBlock = Math.ceil(24 / alignment) * alignment;
    this.base = alignment === 8 ? 8 : alignment - 8;
    const span = size - this.base;
    this.top = this.base;
    if (span >= this.minBlock) {
      const bytes = span - (span % alignment);
      this.blocks.push({ start: this.base, size: bytes, free: true });
      this.top = this.base + bytes;
    }
  }

  need(size: number): number {
    return Math.max(this.minBlock, Math.ceil((size + 8) / this.alignment) * this.alignment);
  }

  private index(ptr: number): number {
    return this.blocks.findIndex((b) => b.start + 8 === ptr);
  }

  /** Splits block i to `need` bytes when the rest can be a block; the rest is free. */
  private split(i: number, need: number): void {
    const b = this.blocks[i]!;
    if (b.size - need >= this.minBlock) {
      this.blocks.splice(i + 1, 0, { start: b.start + need, size: b.size - need, free: true });
      b.size = need;
    }
  }

  private mergeWithNext(i: number): void {
    const b = this.blocks[i]!;
    const next = this.blocks[i + 1];
    if (next && next.free) {
      b.size += next.size;
      this.blocks.splice(i + 1, 1);
    }
  }

  private coalesceAll(): boolean {
    let merged = false;
    for (let i = 0; i < this.blocks.length - 1; ) {
      if (this.blocks[i]!.free && this.blocks[i + 1]!.free) {
        this.mergeWithNext(i);
        merged = true;
      } else i++;
    }
    return merged;
  }

  malloc(size: number): number {
    const need = this.need(size);
    let i = this.blocks.findIndex((b) => b.free && b.size >= need);
    if (i < 0 && this.coalescing === "deferred" && this.coalesceAll()) i = this.blocks.findIndex((b) => b.free && b.size >= need);
    if (i < 0) {
      const last = this.blocks[this.blocks.length - 1];
      if (last && last.free) {
        if (this.top + need - last.size > this.maxSize) return 0;
        this.top += need - last.size;
        last.size = need;
        i = this.blocks.length - 1;
      } else {
        if (this.top + need > this.maxSize) return 0;
        this.blocks.push({ start: this.top, size: need, free: true });
        this.top += need;
        i = this.blocks.length - 1;
      }
    }
    this.split(i, need);
    this.blocks[i]!.free = false;
    return this.blocks[i]!.start + 8;
  }

  free(ptr: number): void {
    let i = this.index(ptr);
    this.blocks[i]!.free = true;
    if (this.coalescing !== "immediate") return;
    this.mergeWithNext(i);
    if (i > 0 && this.blocks[i - 1]!.free) this.mergeWithNext(--i);
  }

  realloc(ptr: number, size: number): number {
    if (ptr === 0) return this.malloc(size);
    if (size === 0) {
      this.free(ptr);
      return 0;
    }
    const i = this.index(ptr);
    const b = this.blocks[i]!;
    const need = this.need(size);
    const next = this.blocks[i + 1];
    const nextFree = next && next.free ? next.size : 0;
    if (need <= b.size) {
      this.shrink(i, need);
      return ptr;
    }
    if (b.size + nextFree >= need) {
      b.size += nextFree;
      this.blocks.splice(i + 1, 1);
      this.shrink(i, need);
      return ptr;
    }
    if (b.start + b.size + nextFree === this.top && this.top + need - b.size - nextFree <= this.maxSize) {
      if (nextFree) this.blocks.splice(i + 1, 1);
      this.top += need - b.size - nextFree;
      b.size = need;
      return ptr;
    }
    const moved = this.malloc(size);
    if (moved === 0) return 0;
    this.free(ptr);
    return moved;
  }

  private shrink(i: number, need: number): void {
    const b = this.blocks[i]!;
    if (b.size - need < this.minBlock) return;
    this.split(i, need);
    if (this.coalescing === "immediate") this.mergeWithNext(i + 1);
  }

  layout(): Array<[number, number, boolean]> {
    return this.blocks.map((b) => [b.start, b.size - 8, b.free]);
  }
}
