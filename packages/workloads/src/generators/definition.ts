/** What a generator is inside the registry: its documentation and the function that writes its ops. */
import type { Random } from "../random.js";
import type { Emitter } from "./emitter.js";
import type { GeneratorParam, ParamValues } from "./params.js";

export interface GeneratorDefinition {
  /** Unique, kebab-case. */
  readonly name: string;
  readonly description: string;
  readonly kind: "randomized" | "adversarial";
  /** Every parameter, in the order they appear in a trace's `params` header. */
  readonly params: ReadonlyArray<GeneratorParam>;
  /** Writes the trace through `out`, drawing every random choice from `rng`. */
  run(p: ParamValues, rng: Random, out: Emitter): void;
}
