import { createHeap, type Strategy } from "@dmm/core";
import { firstFit } from "@dmm/strategies";
import { expect, it } from "vitest";
import { expectHeapError } from "./helpers.js";

/** createHeap with a strategy that throws while it is attached or given the first block: INVALID_OPTIONS, as setStrategy. */
function throwing(where: "attach" | "insert"): Strategy {
  const inner = firstFit();
  return {
    name: `throws-in-${where}`,
    examined: 0,
    attach: (h) => {
      if (where === "attach") throw new Error("no room for bins");
      inner.attach(h);
    },
    insert: (b) => {
      if (where === "insert") throw new TypeError("bins is undefined");
      inner.insert(b);
    },
    remove: (b) => inner.remove(b),
    find: (s) => inner.find(s),
    forEach: (v) => inner.forEach(v),
  };
}

it.each(["attach", "insert"] as const)("a strategy whose %s throws is INVALID_OPTIONS naming it and the cause", (where) => {
  const error = expectHeapError(() => createHeap({ size: 1024, strategy: throwing(where) }), "INVALID_OPTIONS");
  expect(error.message).toContain(`throws-in-${where}`);
  expect(error.message).toContain(where === "attach" ? "no room for bins" : "bins is undefined");
});
