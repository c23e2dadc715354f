#!/usr/bin/env node
/**
 * `pnpm demo`: the kernel module's scenario (holes of ~2000 and ~500 bytes, a request of 400) under first, best
 * and worst fit, with heap maps; one line per other registered policy; then the policy switched on a live heap.
 */
import { parseArgs } from "node:util";
import { bestFit, firstFit, strategies, worstFit } from "@dmm/strategies";
import { demoText, runScenario } from "./scenario.js";

const usage = `usage: pnpm demo [--arena <bytes>] [--request <bytes>]

  --arena    bytes of the fixed arena (default 4096)
  --request  bytes requested after the holes are made (default 400)`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive integer, got ${value}\n${usage}`);
    process.exit(2);
  }
  return n;
}

let values: { arena?: string; request?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { arena: { type: "string" }, request: { type: "string" }, help: { type: "boolean", short: "h" } } }));
} catch (e) {
  console.error(`${(e as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const options = { arenaBytes: positiveInt("arena", values.arena, 4096), request: positiveInt("request", values.request, 400) };

try {
  console.log(demoText([firstFit(), bestFit(), worstFit()], firstFit(), bestFit(), options));
  const classic = new Set(["first-fit", "best-fit", "worst-fit"]);
  const others = strategies.filter((s) => !classic.has(s.name));
  if (others.length > 0) {
    console.log("\n=== the other registered policies on the same holes ===");
    for (const entry of others) console.log(runScenario(entry.create(), options).verdict);
  }
} catch (e) {
  console.error(`demo: ${(e as Error).message}`);
  process.exit(1);
}
