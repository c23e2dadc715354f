/**
 * Two traps that tell first fit and best fit apart, after Knuth's example in vol. 1 §2.5 (free blocks of 1300
 * and 1200 words: requests 1000, 1100, 250 succeed under first fit and fail under best fit; 1100, 1250 the
 * other way round) and Robson's study of both policies' worst cases ("Worst case fragmentation of first fit
 * and best fit storage allocation strategies", 1977). Sizes are in units of `unit` bytes, the allocator's
 * smallest block (24 bytes on the core heap): an object of u units requests u·unit − headerBytes bytes.
 *
 * A set-up phase only allocates, so every policy lays it out alike, in address order: per group two holes-to-be
 * X (lower) and Y with a 1-unit separator after each. Then group by group: free X and Y, make the requests.
 *
 *   defeats best-fit   X = 26, Y = 24; requests 20, 22, 5 (Knuth's 1300 / 1200 and 1000, 1100, 250, doubled)
 *     first fit: 20 from X (6 left), 22 from Y (2 left), 5 from X's 6. Best fit: 20 from Y (tighter, 4 left),
 *     22 from X (4 left), and 5 fits neither 4: new memory, 5 units per group.
 *   defeats first-fit  group g: X = s + 2, Y = s + 1, requests s then s + 2, where s = base + 2g grows so that
 *     no hole left by an earlier group fits (Knuth's 1300 / 1200 and 1100, 1250)
 *     first fit: s from X, the lowest that fits (2 left), and s + 2 fits neither Y nor the 2: new memory,
 *     s + 2 units per group. Best fit: s from Y (tighter, 1 left), s + 2 from X exactly: none.
 *
 * So on a growable heap the defeated policy needs exactly `fitTrapBound` more units than its rival, which
 * needs no memory beyond the set-up: a chart of the two shows which policy each trap defeats.
 */
import type { GeneratorDefinition } from "./definition.js";

export const TRAP_TARGETS = ["best-fit", "first-fit"] as const;
export type TrapTarget = (typeof TRAP_TARGETS)[number];

/** Units of new memory a trap forces on the policy it defeats (its rival needs none). */
export function fitTrapBound(defeats: TrapTarget, groups: number, base: number): number {
  if (defeats === "best-fit") return 5 * groups;
  // Σ over g of (base + 2g + 2)
  return groups * (base + 2) + groups * (groups - 1);
}

export const fitTrap: GeneratorDefinition = {
  name: "fit-trap",
  description:
    "Knuth's 1300 / 1200 example, group after group: two holes side by side and requests that `defeats` (best-fit or first-fit) places in the wrong hole, so that its next request needs new memory while the other policy needs none; sizes in units of `unit` bytes",
  kind: "adversarial",
  params: [
    { name: "defeats", description: "the policy the trap defeats", default: "best-fit", choices: TRAP_TARGETS },
    { name: "groups", description: "pairs of holes", unit: "groups", default: 500, min: 1, max: 100_000 },
    { name: "base", description: "first-fit trap: request size of the first group (then + 2 per group)", unit: "units", default: 8, min: 3, max: 4096 },
    { name: "unit", description: "bytes per unit: the allocator's smallest block", unit: "bytes", default: 24, min: 1, max: 4096 },
    { name: "headerBytes", description: "header bytes subtracted from each request", unit: "bytes", default: 8, min: 0, max: 4095 },
  ],
  run(p, _rng, out) {
    const k = p.groups as number;
    const unit = p.unit as number;
    const bytes = (units: number): number => Math.max(0, units * unit - (p.headerBytes as number));
    const bestFitTrap = p.defeats === "best-fit";
    const size = (g: number): number => (p.base as number) + 2 * g;
    const x = new Int32Array(k);
    const y = new Int32Array(k);
    for (let g = 0; g < k; g++) {
      x[g] = out.malloc(bytes(bestFitTrap ? 26 : size(g) + 2));
      out.malloc(bytes(1));
      y[g] = out.malloc(bytes(bestFitTrap ? 24 : size(g) + 1));
      out.malloc(bytes(1));
    }
    for (let g = 0; g < k; g++) {
      out.free(x[g]!);
      out.free(y[g]!);
      if (bestFitTrap) {
        out.malloc(bytes(20));
        out.malloc(bytes(22));
        out.malloc(bytes(5));
      } else {
        out.malloc(bytes(size(g)));
        out.malloc(bytes(size(g) + 2));
      }
    }
    out.freeAll();
  },
};

export const fitTraps: ReadonlyArray<GeneratorDefinition> = [fitTrap];
