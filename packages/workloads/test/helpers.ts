import type { Trace } from "@dmm/workloads";

/** A trace's ops as compact strings, for readable equality assertions. */
export function opsOf(trace: Trace): string[] {
  return [...trace].map((o) => (o.kind === "c" ? `c ${o.id} ${o.count} ${o.size}` : o.kind === "f" ? `f ${o.id}` : `${o.kind} ${o.id} ${o.size}`));
}
