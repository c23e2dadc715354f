/**
 * The benchmark's mixed trace, generated here (seeded, deterministic) so the benchmarks depend on nothing but
 * the trace model: sizes 70% 8–64 B, 25% 64–1024 B, 5% 1–16 KiB (uniform within each band); a malloc with
 * probability 0.5 + (target − live) / (2 · target), else a free of a uniformly chosen live id, so the live set
 * ramps up to and then hovers around `targetLive`; everything still live is freed at the end.
 */
import { TraceBuilder, type Trace } from "@dmm/workloads";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mixedTrace(ops = 2_000_000, targetLive = 20_000, seed = 1): Trace {
  const random = mulberry32(seed);
  const b = new TraceBuilder();
  const live = new Uint32Array(ops);
  let liveCount = 0;
  let next = 0;
  const size = (): number => {
    const band = random();
    if (band < 0.7) return 8 + Math.floor(random() * 57);
    if (band < 0.95) return 64 + Math.floor(random() * 961);
    return 1024 + Math.floor(random() * (16384 - 1024 + 1));
  };
  while (b.length + liveCount < ops) {
    const pMalloc = 0.5 + (targetLive - liveCount) / (2 * targetLive);
    if (liveCount === 0 || random() < pMalloc) {
      b.malloc(next, size());
      live[liveCount++] = next++;
    } else {
      const at = Math.floor(random() * liveCount);
      b.free(live[at]!);
      live[at] = live[--liveCount]!;
    }
  }
  while (liveCount > 0) b.free(live[--liveCount]!);
  return b.finish({ name: `mixed-${ops}`, generator: "bench/mixed-trace.ts", seed: String(seed) });
}

/** The first `ops` ops of `trace` (ids still live at the cut are simply never freed). */
export function prefix(trace: Trace, ops: number): Trace {
  const b = new TraceBuilder();
  const { kind, id, size, count } = trace.columns;
  for (let i = 0; i < Math.min(ops, trace.length); i++) b.push(kind[i]!, id[i]!, size[i]!, count[i]!);
  return b.finish({ ...trace.meta, name: `${trace.meta.name ?? "trace"}-first-${ops}` });
}
