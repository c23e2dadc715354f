/**
 * The mixed trace the speed goals are stated on: sizes 70% 8–64 B, 25% 64–1024 B, 5% 1–16 KiB; a ramp to
 * ~20k live blocks, then malloc and free of a random live block in turn. Pre-decoded into typed arrays so a
 * replay loop measures the allocator, not the trace.
 */
export interface MixedTrace {
  /** 1 = malloc(size[i]) into slot[i]; 0 = free the pointer in slot[i]. */
  readonly isMalloc: Uint8Array;
  readonly slot: Int32Array;
  readonly size: Int32Array;
  readonly slots: number;
}

export function mixedTrace(ops: number, live = 20_000, seed = 1): MixedTrace {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: small, fast, reproducible
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const isMalloc = new Uint8Array(ops);
  const slot = new Int32Array(ops);
  const size = new Int32Array(ops);
  const liveSlots: number[] = [];
  let slots = 0;
  for (let i = 0; i < ops; i++) {
    const doMalloc = liveSlots.length < live ? liveSlots.length === 0 || random() < 0.9 : random() < 0.5;
    if (doMalloc) {
      const r = random();
      isMalloc[i] = 1;
      size[i] = r < 0.7 ? between(8, 64) : r < 0.95 ? between(65, 1024) : between(1025, 16384);
      slot[i] = slots;
      liveSlots.push(slots++);
    } else {
      const k = Math.floor(random() * liveSlots.length);
      slot[i] = liveSlots[k]!;
      liveSlots[k] = liveSlots[liveSlots.length - 1]!;
      liveSlots.pop();
    }
  }
  return { isMalloc, slot, size, slots };
}

/** The allocator calls a replay makes. */
export interface MallocFree {
  malloc(size: number): number;
  free(ptr: number): void;
}

/**
 * Replays `trace` on `heap`, keeping each slot's pointer in `ptrs` (length >= trace.slots): the loop every
 * mixed-trace benchmark times. Run one allocator class per process when the number matters: this call site
 * sees every class the process replays.
 */
export function replayMixed(trace: MixedTrace, heap: MallocFree, ptrs: Int32Array): void {
  const { isMalloc, slot, size } = trace;
  for (let i = 0; i < isMalloc.length; i++) {
    if (isMalloc[i] === 1) ptrs[slot[i]!] = heap.malloc(size[i]!);
    else heap.free(ptrs[slot[i]!]!);
  }
}

/** Baseline: a bump pointer that never reuses memory, i.e. the replay loop and a call, nothing else. */
export class BumpPointer implements MallocFree {
  private top = 8;
  malloc(size: number): number {
    const p = this.top;
    this.top += (size + 15) & ~7;
    return p;
  }
  free(_ptr: number): void {}
}
