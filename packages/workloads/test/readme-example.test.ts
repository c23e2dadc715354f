import { readFileSync } from "node:fs";
import { createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { formatTrace, generate, parseTrace, robsonAdversary, traceStats } from "@dmm/workloads";
import { expect, it } from "vitest";

it("the README's example runs and prints what its // → comments say", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const body = code.replace(/^import .*$/gm, "");
  const printed: string[] = [];
  const console = { log: (...args: unknown[]) => printed.push(args.map(String).join(" ")) };
  new Function("formatTrace", "generate", "parseTrace", "robsonAdversary", "traceStats", "createHeap", "firstFit", "console", body)(
    formatTrace, generate, parseTrace, robsonAdversary, traceStats, createHeap, firstFit, console,
  );
  const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]!.trim());
  expect(expected.length).toBeGreaterThan(5);
  expect(printed).toEqual(expected);
});
