import type { Strategy } from "@dmm/core";
import { bestFit } from "./best-fit.js";
import { firstFit } from "./first-fit.js";
import { firstFitLifo } from "./first-fit-lifo.js";
import { nextFit } from "./next-fit.js";
import { oppositeEndsFit } from "./opposite-ends-fit.js";
import { segregatedFit } from "./segregated-fit.js";
import { tlsf } from "./tlsf.js";
import { worstFit } from "./worst-fit.js";

/** A placement policy the CLI and the report can list and instantiate. */
export interface StrategyEntry {
  /** Unique, kebab-case: "first-fit". */
  readonly name: string;
  /** One line for a table or a --help screen. */
  readonly description: string;
  /** A fresh instance (a strategy serves one heap at a time). */
  create(): Strategy;
}

const entries: StrategyEntry[] = [
  { name: "first-fit", description: "lowest-address free block that fits (exact-size bins below 4 KiB, address-ordered treap above)", create: firstFit },
  { name: "next-fit", description: "first fit from where the last search ended, wrapping (roving pointer, O(log n))", create: nextFit },
  { name: "best-fit", description: "smallest free block that fits, ties to the lowest address (exact-size bins below 4 KiB, (size, address) treap above)", create: bestFit },
  { name: "worst-fit", description: "largest free block, ties to the lowest address ((size, address) treap, O(log n))", create: worstFit },
  { name: "segregated-fit", description: "dlmalloc-style bins: exact small lists, size tree bins, bitmap of non-empty bins; best fit", create: segregatedFit },
  { name: "tlsf", description: "two-level segregated fit: 24 x 32 lists, bitmaps and Math.clz32, good-fit rounding, O(1)", create: tlsf },
  { name: "first-fit-lifo", description: "explicit free list, LIFO insertion, first fit from the head: the most recently freed block that fits (O(n) find)", create: firstFitLifo },
  {
    name: "opposite-ends-fit",
    description: "best fit; small requests from the high end of the block, large from the low end; a small miss after a large block grows a 1 KiB slab",
    create: oppositeEndsFit,
  },
];

/** Every registered strategy, in registration order. */
export const strategies: ReadonlyArray<StrategyEntry> = entries;

/** Adds a user's strategy to the registry so the CLI and report can run it. Names must be unique. */
export function registerStrategy(entry: StrategyEntry): void {
  if (entries.some((e) => e.name === entry.name)) throw new Error(`a strategy named "${entry.name}" is already registered`);
  entries.push(entry);
}

/** The registered strategy of that name; throws listing the known names when there is none. */
export function strategyByName(name: string): StrategyEntry {
  const entry = entries.find((e) => e.name === name);
  if (!entry) throw new Error(`unknown strategy "${name}"; known: ${entries.map((e) => e.name).join(", ")}`);
  return entry;
}
