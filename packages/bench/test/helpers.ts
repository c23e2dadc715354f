import { type Allocator, createHeap, type Heap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { ReplayError } from "@dmm/bench";
import { TraceBuilder, type Trace } from "@dmm/workloads";

/** A growable first-fit heap that starts empty: peakHeapBytes measures the policy. */
export function growableHeap(): Heap {
  return createHeap({ size: 0, maxSize: 1 << 24, strategy: firstFit(), coalescing: "immediate" });
}

/** mulberry32: a tiny seeded PRNG, so test traces are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random trace of mallocs, callocs, reallocs and frees over at most `maxLive` live ids; frees what is left at the end. */
export function randomTrace(ops: number, seed: number, maxLive = 64, maxSize = 512): Trace {
  const random = prng(seed);
  const b = new TraceBuilder();
  const live: number[] = [];
  let next = 0;
  while (b.length < ops) {
    const r = random();
    if (live.length > 0 && (live.length >= maxLive || r < 0.4)) {
      const at = Math.floor(random() * live.length);
      const id = live[at]!;
      if (random() < 0.25) {
        b.realloc(id, 1 + Math.floor(random() * maxSize));
      } else {
        live[at] = live[live.length - 1]!;
        live.pop();
        b.free(id);
      }
    } else if (r < 0.5) {
      b.calloc(next, 1 + Math.floor(random() * 8), 1 + Math.floor(random() * 32));
      live.push(next++);
    } else {
      b.malloc(next, 1 + Math.floor(random() * maxSize));
      live.push(next++);
    }
  }
  for (const id of live) b.free(id);
  return b.finish({ name: `random-${seed}` });
}

/** Forwards every call to `inner`; override methods to break it on purpose. */
export class ForwardingAllocator implements Allocator {
  constructor(protected readonly inner: Allocator) {}
  get name() { return `broken-${this.inner.name}`; }
  get memory() { return this.inner.memory; }
  malloc(size: number) { return this.inner.malloc(size); }
  calloc(count: number, size: number) { return this.inner.calloc(count, size); }
  realloc(ptr: number, size: number) { return this.inner.realloc(ptr, size); }
  free(ptr: number) { this.inner.free(ptr); }
  usableSize(ptr: number) { return this.inner.usableSize(ptr); }
  stats() { return this.inner.stats(); }
  check() { this.inner.check(); }
  walk() { return this.inner.walk(); }
}

/** Calls `damage(memory, first)` after every free, `first` being the first pointer the heap handed out. */
export class DamagesFirstBlockOnFree extends ForwardingAllocator {
  private first = -1;
  constructor(private readonly damage: (memory: Uint8Array, first: number) => void) {
    super(growableHeap());
  }
  override malloc(size: number): number {
    const p = this.inner.malloc(size);
    if (this.first < 0) this.first = p;
    return p;
  }
  override free(ptr: number): void {
    this.inner.free(ptr);
    this.damage(this.memory, this.first);
  }
}

/** The ReplayError `run` throws; an Error when it throws none ("the damage went unnoticed"). */
export function replayFailure(run: () => void): ReplayError {
  try {
    run();
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  throw new Error("the damage went unnoticed");
}
