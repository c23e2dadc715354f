/** The generator registry: `generate(name, params)` and the documented list the CLI prints. */
import { TraceError } from "../errors.js";
import { Random } from "../random.js";
import { robsonOblivious } from "../robson.js";
import type { Trace } from "../trace.js";
import { adversarial } from "./adversarial.js";
import { course } from "./course.js";
import { fitTraps } from "./fit-traps.js";
import { Emitter } from "./emitter.js";
import { type GeneratorParam, resolveParams, resolveSeed } from "./params.js";
import type { GeneratorDefinition } from "./definition.js";
import { randomized } from "./randomized.js";

export interface GeneratorEntry {
  /** Unique, kebab-case: "mixed", "checkerboard". */
  readonly name: string;
  readonly description: string;
  readonly kind: "randomized" | "adversarial";
  /** Every parameter with its unit and default; `seed` (default 1) is accepted by all. */
  readonly params: ReadonlyArray<GeneratorParam>;
}

const definitions: ReadonlyArray<GeneratorDefinition> = [...randomized, ...adversarial, ...course, ...fitTraps, robsonOblivious];

/** Every generator, randomized first. */
export const generators: ReadonlyArray<GeneratorEntry> = definitions.map(({ name, description, kind, params }) => ({
  name,
  description,
  kind,
  params,
}));

/**
 * A trace from a named generator. Same name, params and seed -> the same trace, byte for byte once formatted.
 * Params may be numbers or strings (as from a command line); unknown names are a BAD_PARAM TraceError.
 * meta: name, generator, params (JSON with defaults filled in, in declared order), seed, source.
 */
export function generate(name: string, params: { seed?: number | string } & Record<string, unknown> = {}): Trace {
  const def = definitions.find((d) => d.name === name);
  if (!def) throw new TraceError("UNKNOWN_GENERATOR", `no generator "${name}"; known: ${definitions.map((d) => d.name).join(", ")}`);
  const resolved = resolveParams(name, def.params, params);
  const seed = resolveSeed(name, params.seed);
  const out = new Emitter();
  def.run(resolved, new Random(seed), out);
  return out.finish({ name, generator: name, params: JSON.stringify(resolved), seed: String(seed), source: "generated" });
}
