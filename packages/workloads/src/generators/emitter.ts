/**
 * What every generator writes through: a TraceBuilder plus the bookkeeping of live objects (ids reused after
 * free so id tables stay as small as the peak live count, their sizes, live bytes) and id pools with O(1)
 * random removal. Typed arrays throughout: no object per operation.
 */
import { TraceBuilder, type Trace } from "../trace.js";
import type { Random } from "../random.js";

function grownInt32(a: Int32Array<ArrayBuffer>, need: number, fill = 0): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  let n = a.length;
  while (n < need) n *= 2;
  const b = new Int32Array(n).fill(fill);
  b.set(a);
  return b;
}

/** A set of ids with O(1) add, remove and uniform random pick (a dense array plus each id's position). */
export class IdPool {
  private ids = new Int32Array(256);
  private pos = new Int32Array(256).fill(-1);
  size = 0;

  has(id: number): boolean {
    return id < this.pos.length && this.pos[id]! >= 0;
  }
  add(id: number): void {
    this.ids = grownInt32(this.ids, this.size + 1);
    this.pos = grownInt32(this.pos, id + 1, -1);
    this.ids[this.size] = id;
    this.pos[id] = this.size++;
  }
  remove(id: number): void {
    const p = this.pos[id]!;
    const last = this.ids[--this.size]!;
    this.ids[p] = last;
    this.pos[last] = p;
    this.pos[id] = -1;
  }
  /** A uniformly random member (the pool must not be empty). */
  random(rng: Random): number {
    return this.ids[Math.floor(rng.float() * this.size)]!;
  }
  /** The i-th member in the pool's internal order. */
  at(i: number): number {
    return this.ids[i]!;
  }
}

export class Emitter {
  readonly builder = new TraceBuilder();
  /** Every live object. */
  readonly live = new IdPool();
  private sizes = new Float64Array(256);
  private spare = new Int32Array(256);
  private spareCount = 0;
  private nextId = 0;
  liveBytes = 0;

  get ops(): number {
    return this.builder.length;
  }
  sizeOf(id: number): number {
    return this.sizes[id]!;
  }

  private newId(): number {
    const id = this.spareCount > 0 ? this.spare[--this.spareCount]! : this.nextId++;
    if (id >= this.sizes.length) {
      const s = new Float64Array(this.sizes.length * 2);
      s.set(this.sizes);
      this.sizes = s;
    }
    return id;
  }

  malloc(size: number): number {
    const id = this.newId();
    this.builder.malloc(id, size);
    this.sizes[id] = size;
    this.liveBytes += size;
    this.live.add(id);
    return id;
  }

  realloc(id: number, size: number): void {
    this.builder.realloc(id, size);
    this.liveBytes += size - this.sizes[id]!;
    this.sizes[id] = size;
  }

  free(id: number): void {
    this.builder.free(id);
    this.liveBytes -= this.sizes[id]!;
    this.live.remove(id);
    this.spare = grownInt32(this.spare, this.spareCount + 1);
    this.spare[this.spareCount++] = id;
  }

  /** Frees every live object, in id-pool order. */
  freeAll(): void {
    while (this.live.size > 0) this.free(this.live.at(this.live.size - 1));
  }

  finish(meta: Record<string, string>): Trace {
    return this.builder.finish(meta);
  }
}
