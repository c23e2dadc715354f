/**
 * The README's "write your own strategy" example (verbatim in support/readme-example.ts): it must compile against the exported types,
 * register, and pass the heap's checker on a random run. If this test breaks, fix the README too.
 */
import { createHeap } from "@dmm/core";
import { registerStrategy, strategies, strategyByName } from "@dmm/strategies";
import { lifoFirstFit } from "./support/readme-example.js";
import { expect, it } from "vitest";
import { freeAll, randomTrace, replayWithPatterns } from "./support/random-trace.js";

it("registers a user's strategy, which then runs like the built-in ones", () => {
  expect(strategies.map((s) => s.name)).toContain("lifo-first-fit");
  const heap = createHeap({ size: 64 * 1024, strategy: strategyByName("lifo-first-fit").create() });
  const state = replayWithPatterns(heap, randomTrace(5, { ops: 1500, live: 80, maxSize: 2048 }), 25);
  freeAll(heap, state);
  expect([...heap.walk()].length).toBe(1);
  expect(() => registerStrategy({ name: "lifo-first-fit", description: "again", create: lifoFirstFit })).toThrow(/already registered/);
});
