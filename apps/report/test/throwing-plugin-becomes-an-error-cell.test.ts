import { createHeap } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import type { AllocatorPlugin } from "../src/plugins.js";
import { runBench } from "../src/run.js";
import { tinyWorkspace } from "./fixtures.js";

it("a plugin that throws during a cell becomes an error cell naming the op, and the rest of the matrix runs", async () => {
  const { manifest } = tinyWorkspace(400);
  const flaky: AllocatorPlugin = {
    name: "flaky",
    allocator: (options) => {
      const heap = createHeap({ ...options, strategy: firstFit() });
      let calls = 0;
      const malloc = heap.malloc.bind(heap);
      heap.malloc = (size: number) => {
        if (++calls === 30) throw new Error("flaky ran out of luck");
        return malloc(size);
      };
      return heap;
    },
  };
  const run = await runBench({ manifest, strategies: ["first-fit"], native: ["glibc"], allocators: [flaky], quick: true, jobs: 1, adversary: false });
  const bad = run.results.filter((r) => r.allocator === "flaky");
  expect(bad).toHaveLength(2);
  for (const r of bad) {
    expect(r.metrics).toBeNull();
    expect(r.error).toMatch(/^ReplayError: ALLOCATOR at op \d+ \(id \d+\): \S+ threw: flaky ran out of luck \(during malloc, op \d+ of the trace\)$/);
  }
  const rest = run.results.filter((r) => r.allocator === "first-fit");
  expect(rest).toHaveLength(6);
  for (const r of rest) expect(r.error).toBeNull();
});
