/**
 * A copy of what a strategy keeps outside the heap's bytes: its own arrays (list heads, bitmaps, bins' heap
 * arrays, tree roots and counts) and scalars (counts, caches that decide a search, policy state), walked through
 * the structures it is made of. A rejected call must leave it equal, as it leaves every byte of the heap. Left out:
 * the undo machinery itself (the journal, the trees' removal logs and what the heap's undo looks up) and a search's
 * scratch (the path the last search or vetting left for the removal after it and the split or merge that removal predicts, a vetting's cache, `examined`), which say
 * nothing about the index.
 */
const SCRATCH = new Set([
  "host", "words", "journal", "log", "touched", "found", "foundDepth", "foundNeed", "predState", "predBlock", "predNeed", "foundSlot", "slotSteps", "vettedState",
  "vettedBlock", "vettedSize", "vettedTree", "examined", "lowestGone", "roverBeforeFind", "beforeFind", "lowestBeforeFind",
  "predLo", "predHi", "pathState", "pathLength", "pathAt", "pathEnd", "spineLeft", "spineRight",
]);

export function strategyState(strategy: object): unknown {
  const seen = new Set<object>();
  const copy = (value: unknown, depth: number): unknown => {
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
    if (ArrayBuffer.isView(value)) return Array.from(value as Int32Array);
    if (Array.isArray(value)) return value.map((v) => copy(v, depth + 1));
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 4) return undefined;
    seen.add(value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (SCRATCH.has(key) || key.startsWith("saved")) continue;
      const v = (value as Record<string, unknown>)[key];
      if (typeof v !== "function") out[key] = copy(v, depth + 1);
    }
    return out;
  };
  return copy(strategy, 0);
}
