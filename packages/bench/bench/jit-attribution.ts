/**
 * Instructions by JavaScript function, from a callgrind run of node (`valgrind --tool=callgrind --dump-instr=yes`)
 * and the map V8 writes of its generated code (`node --perf-basic-prof`: /tmp/perf-<pid>.map, one line per code
 * object, "start size name" in hex). Callgrind sees V8's generated code only as addresses, in no object file; the
 * map names them. Two runs that differ only in how many replays they make give, by difference, what one replay
 * costs in each function, with startup, trace generation and the first compiles cancelled out (jit-instructions.bench.ts).
 *
 * The callgrind format (valgrind's docs, "Callgrind Format Specification"): with `positions: instr line`, a cost
 * line is "<instr> <line> <Ir>"; an instr is "0x…" (absolute), "+n" / "-n" (relative to the last) or "*" (the
 * same); a "calls=" line is followed by the call's cost line, which is inclusive (the callee's) and is skipped here,
 * so each instruction is counted once, as self cost.
 */

/** One code object of V8's map: [start, start + size) is `name` (e.g. "JS:*free file:///…/heap.js:619:9"). */
export interface CodeRange {
  start: number;
  size: number;
  name: string;
}

/** The code objects of a perf map, sorted by start. Lines that do not parse are skipped. */
export function parsePerfMap(text: string): CodeRange[] {
  const ranges: CodeRange[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.*)$/.exec(line);
    if (m) ranges.push({ start: parseInt(m[1]!, 16), size: parseInt(m[2]!, 16), name: m[3]! });
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/**
 * The name of the code object holding `address`, or null. When V8 reused an address for newer code, the map holds
 * both; the later line wins among equal starts (sort is stable, and the search takes the last start <= address).
 */
export function nameAt(ranges: readonly CodeRange[], address: number): string | null {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  const range = hi >= 0 ? ranges[hi]! : null;
  return range !== null && address < range.start + range.size ? range.name : null;
}

/** Self instructions (Ir) by name; instructions outside every range go to "(not generated code)". */
export function selfInstructions(callgrind: string, ranges: readonly CodeRange[]): Map<string, number> {
  const byName = new Map<string, number>();
  let position = 0;
  let inclusiveNext = false;
  for (const line of callgrind.split("\n")) {
    if (line.startsWith("calls=")) {
      inclusiveNext = true;
      continue;
    }
    const m = /^(0x[0-9a-fA-F]+|[+-]\d+|\*)\s+(?:[+-]?\d+|\*)\s+(\d+)/.exec(line);
    if (!m) continue;
    const at = m[1]!;
    if (at.startsWith("0x")) position = parseInt(at, 16);
    else if (at !== "*") position += Number(at);
    if (inclusiveNext) {
      inclusiveNext = false;
      continue;
    }
    const name = nameAt(ranges, position) ?? "(not generated code)";
    byName.set(name, (byName.get(name) ?? 0) + Number(m[2]));
  }
  return byName;
}

/** What `longer` spent beyond `shorter`, by name, divided by `ops` (the ops it replayed more), largest first. */
export function perOpDifference(shorter: Map<string, number>, longer: Map<string, number>, ops: number): Array<[name: string, perOp: number]> {
  const names = new Set([...shorter.keys(), ...longer.keys()]);
  return [...names]
    .map((name): [string, number] => [name, ((longer.get(name) ?? 0) - (shorter.get(name) ?? 0)) / ops])
    .sort((a, b) => b[1] - a[1]);
}
