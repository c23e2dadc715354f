/**
 * The trace model: operations on numbered objects, never on addresses. Stored column-wise in typed arrays
 * (13 bytes per op), so millions of operations fit in memory and a replay loop reads them without objects.
 */

/** One operation: a = malloc, c = calloc (count × size), r = realloc, f = free. */
export interface TraceOp {
  kind: "a" | "c" | "r" | "f";
  id: number;
  size: number;
  count?: number;
}

/** Op codes in `TraceColumns.kind`. */
export const OP_MALLOC = 0;
export const OP_CALLOC = 1;
export const OP_REALLOC = 2;
export const OP_FREE = 3;
const KIND_LETTERS = ["a", "c", "r", "f"] as const;

/** The columns of a trace: op i is (kind[i], id[i], size[i], count[i]). */
export interface TraceColumns {
  /** OP_MALLOC, OP_CALLOC, OP_REALLOC or OP_FREE. */
  readonly kind: Uint8Array;
  /** Object id, 0 .. idCount - 1. */
  readonly id: Uint32Array;
  /** Bytes (for calloc: bytes per element); 0 for free. */
  readonly size: Uint32Array;
  /** Element count for calloc; 0 otherwise. */
  readonly count: Uint32Array;
}

export interface Trace extends Iterable<TraceOp> {
  readonly length: number;
  /** name, format, generator, parameters (JSON), seed, source … */
  readonly meta: Record<string, string>;
  readonly columns: TraceColumns;
  /** One more than the largest id: the size of an id-indexed table for replay. */
  readonly idCount: number;
}

/** Appends ops into growing typed arrays; `finish()` trims them into a Trace. */
export class TraceBuilder {
  private kind = new Uint8Array(1024);
  private id = new Uint32Array(1024);
  private size = new Uint32Array(1024);
  private count = new Uint32Array(1024);
  private n = 0;
  private maxId = -1;

  get length(): number {
    return this.n;
  }

  private reserve(): void {
    if (this.n < this.kind.length) return;
    const grow = <T extends Uint8Array | Uint32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.kind = grow(this.kind);
    this.id = grow(this.id);
    this.size = grow(this.size);
    this.count = grow(this.count);
  }

  push(kind: number, id: number, size = 0, count = 0): this {
    this.reserve();
    const i = this.n++;
    this.kind[i] = kind;
    this.id[i] = id;
    this.size[i] = size;
    this.count[i] = count;
    if (id > this.maxId) this.maxId = id;
    return this;
  }

  malloc(id: number, size: number): this {
    return this.push(OP_MALLOC, id, size);
  }
  calloc(id: number, count: number, size: number): this {
    return this.push(OP_CALLOC, id, size, count);
  }
  realloc(id: number, size: number): this {
    return this.push(OP_REALLOC, id, size);
  }
  free(id: number): this {
    return this.push(OP_FREE, id);
  }

  finish(meta: Record<string, string> = {}): Trace {
    const n = this.n;
    return new ColumnTrace(
      { kind: this.kind.slice(0, n), id: this.id.slice(0, n), size: this.size.slice(0, n), count: this.count.slice(0, n) },
      this.maxId + 1,
      meta,
    );
  }
}

class ColumnTrace implements Trace {
  constructor(
    readonly columns: TraceColumns,
    readonly idCount: number,
    readonly meta: Record<string, string>,
  ) {}

  get length(): number {
    return this.columns.kind.length;
  }

  *[Symbol.iterator](): IterableIterator<TraceOp> {
    const { kind, id, size, count } = this.columns;
    for (let i = 0; i < kind.length; i++) {
      const k = kind[i]!;
      yield k === OP_CALLOC
        ? { kind: "c", id: id[i]!, size: size[i]!, count: count[i]! }
        : { kind: KIND_LETTERS[k]!, id: id[i]!, size: size[i]! };
    }
  }
}

/**
 * A Trace over existing columns (not copied: e.g. typed arrays on a SharedArrayBuffer another thread filled).
 * `idCount` must exceed every id in `columns.id`.
 */
export function traceFromColumns(columns: TraceColumns, idCount: number, meta: Record<string, string> = {}): Trace {
  return new ColumnTrace(columns, idCount, meta);
}

/** A Trace from plain ops (any iterable, e.g. another library's trace). */
export function traceFromOps(ops: Iterable<TraceOp>, meta: Record<string, string> = {}): Trace {
  const b = new TraceBuilder();
  for (const op of ops) b.push(KIND_LETTERS.indexOf(op.kind), op.id, op.size, op.count ?? 0);
  return b.finish(meta);
}

/** The first `n` ops of a trace, copied (a prefix is itself a valid trace), with `meta` (default: the same). */
export function sliceTrace(trace: Trace, n: number, meta: Record<string, string> = { ...trace.meta }): Trace {
  const end = Math.max(0, Math.min(n, trace.length));
  const c = trace.columns;
  const id = c.id.slice(0, end);
  let maxId = -1;
  for (let i = 0; i < end; i++) if (id[i]! > maxId) maxId = id[i]!;
  return new ColumnTrace({ kind: c.kind.slice(0, end), id, size: c.size.slice(0, end), count: c.count.slice(0, end) }, maxId + 1, meta);
}
