/** Generator parameters: each documented with its unit and default, checked and resolved in one place. */
import { TraceError } from "../errors.js";

export interface GeneratorParam {
  readonly name: string;
  readonly description: string;
  /** "bytes", "ops", "objects", "allocations" … or undefined for plain numbers and choices. */
  readonly unit?: string;
  readonly default: number | string;
  /** For string parameters: the accepted values (unset: free text, e.g. a mix spec). */
  readonly choices?: ReadonlyArray<string>;
  readonly min?: number;
  readonly max?: number;
  /** Whole numbers only. @defaultValue true for numeric parameters */
  readonly integer?: boolean;
}

export type ParamValues = Record<string, number | string>;

/**
 * The parameters a generator runs with: defaults filled in, in declaration order (so the JSON in a trace's
 * header is stable), CLI strings turned into numbers. Unknown names and bad values are BAD_PARAM.
 */
export function resolveParams(generator: string, specs: ReadonlyArray<GeneratorParam>, given: Record<string, unknown>): ParamValues {
  const known = new Set(specs.map((s) => s.name));
  for (const key of Object.keys(given)) {
    if (key !== "seed" && !known.has(key) && given[key] !== undefined)
      throw new TraceError("BAD_PARAM", `${generator} has no parameter "${key}"; it takes: ${[...known].join(", ")}`);
  }
  const out: ParamValues = {};
  for (const spec of specs) {
    const raw = given[spec.name];
    if (raw === undefined) {
      out[spec.name] = spec.default;
      continue;
    }
    if (typeof spec.default === "number") {
      const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new TraceError("BAD_PARAM", `${generator}: ${spec.name} must be a number, got ${JSON.stringify(raw)}`);
      if (spec.integer !== false && !Number.isInteger(v))
        throw new TraceError("BAD_PARAM", `${generator}: ${spec.name} must be a whole number, got ${v}`);
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max))
        throw new TraceError("BAD_PARAM", `${generator}: ${spec.name} must be in [${spec.min ?? "-inf"}, ${spec.max ?? "inf"}], got ${v}`);
      out[spec.name] = v;
    } else {
      if (typeof raw !== "string") throw new TraceError("BAD_PARAM", `${generator}: ${spec.name} must be a string, got ${JSON.stringify(raw)}`);
      if (spec.choices && !spec.choices.includes(raw))
        throw new TraceError("BAD_PARAM", `${generator}: ${spec.name} must be one of ${spec.choices.join(", ")}, got "${raw}"`);
      out[spec.name] = raw;
    }
  }
  return out;
}

/** The seed: a whole number in [0, 2^32). @defaultValue 1 */
export function resolveSeed(generator: string, raw: unknown): number {
  if (raw === undefined) return 1;
  const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= 2 ** 32)
    throw new TraceError("BAD_PARAM", `${generator}: seed must be a whole number in [0, 2^32), got ${JSON.stringify(raw)}`);
  return v;
}
