/**
 * Parse and format throughput on one million ops, with a baseline row: splitting the same text into lines
 * (the least any line reader does). Run: cd packages/workloads && npx tsc -b && node dist/bench/parse.bench.js
 */
import { formatTrace, generate, parseTrace } from "../src/index.js";

function time(label: string, ops: number, run: () => unknown): void {
  run(); // warm-up
  const rounds = 5;
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(rounds / 2)]!;
  console.log(`${label.padEnd(34)} ${median.toFixed(1).padStart(8)} ms  ${((median * 1e6) / ops).toFixed(0).padStart(5)} ns/op`);
}

const trace = generate("mixed", { ops: 1_000_000, live: 20_000, seed: 1 });
const dmm = formatTrace(trace, "dmm");
const rep = formatTrace(trace, "rep");
// The same ops as a glibc mtrace log: ids become fake addresses.
const mtrace = (() => {
  const lines: string[] = ["= Start"];
  for (const op of trace) {
    const addr = `0x${(0x10000 + op.id * 64).toString(16)}`;
    if (op.kind === "f") lines.push(`@ ./prog:[0x401170] - ${addr}`);
    else lines.push(`@ ./prog:[0x401136] + ${addr} 0x${op.size.toString(16)}`);
  }
  return lines.join("\n") + "\n= End\n";
})();

console.log(`${trace.length} ops`);
time("baseline: split dmm text into lines", trace.length, () => dmm.split("\n").length);
time("parse dmm", trace.length, () => parseTrace(dmm));
time("parse rep", trace.length, () => parseTrace(rep));
time("parse mtrace", trace.length, () => parseTrace(mtrace));
time("format dmm", trace.length, () => formatTrace(trace, "dmm"));
