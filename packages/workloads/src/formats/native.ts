/**
 * The native text format and the CS:APP malloc-lab `.rep` format: both are lines of operations on ids.
 *
 * Native (`dmm`):                      CS:APP `.rep`:
 *   # name: mixed                        20000      <- suggested heap size (bytes)
 *   # generator: mixed                   2          <- number of ids
 *   # params: {"ops":8,"live":2}         8          <- number of ops
 *   # seed: 1                            1          <- weight
 *   # ops: 4                             a 0 512
 *   # ids: 2                             a 1 128
 *   a 0 24                               r 0 640
 *   c 1 4 16      <- calloc(4, 16)        f 1
 *   r 0 48                               ...
 *   f 0
 *
 * Header lines are `# key: value` before the first op; `ops` and `ids`, when present, must match the body.
 * `r id 0` follows C (realloc(p, 0) frees p): the id is dead afterwards.
 */
import { TraceError } from "../errors.js";
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, TraceBuilder, type Trace } from "../trace.js";
import { LineScanner, LiveIds, MAX_ID, MAX_SIZE } from "./scanner.js";

const HASH = 35;
const LETTER_A = 97;
const LETTER_C = 99;
const LETTER_F = 102;
const LETTER_R = 114;

/** Meta keys derived from the body: written by formatTrace, checked and dropped by the parser. */
const DERIVED_KEYS = new Set(["format", "ops", "ids"]);

interface Where {
  file?: string;
}

/**
 * Reads one op at the scanner's line into the builder, checking ids against `live`. `allowCalloc` is false for
 * `.rep`, which has no calloc. Returns the id used.
 */
function readOp(sc: LineScanner, b: TraceBuilder, live: LiveIds, allowCalloc: boolean): number {
  const letter = sc.text.charCodeAt(sc.p);
  const after = sc.p + 1 < sc.end ? sc.text.charCodeAt(sc.p + 1) : 32;
  const single = after === 32 || after === 9;
  if (!single || !(letter === LETTER_A || letter === LETTER_R || letter === LETTER_F || (allowCalloc && letter === LETTER_C)))
    sc.fail("UNKNOWN_OP", `unknown operation "${sc.word()}"`);
  sc.p++;
  const id = sc.uint("id", MAX_ID);
  if (letter === LETTER_A || letter === LETTER_C) {
    const count = letter === LETTER_C ? sc.uint("count", MAX_SIZE) : 0;
    const size = sc.uint("size", MAX_SIZE);
    sc.expectEnd(String.fromCharCode(letter));
    if (!live.allocate(id)) sc.fail("DUPLICATE_ID", `id ${id} is allocated while still live`);
    b.push(letter === LETTER_A ? OP_MALLOC : OP_CALLOC, id, size, count);
    return id;
  }
  const size = letter === LETTER_R ? sc.uint("size", MAX_SIZE) : 0;
  sc.expectEnd(String.fromCharCode(letter));
  const why = live.check(id);
  const verb = letter === LETTER_R ? "realloc" : "free";
  if (why === "UNKNOWN_ID") sc.fail(why, `${verb} of id ${id}, which was never allocated`);
  if (why === "ALREADY_FREED") sc.fail(why, `${verb} of id ${id}, which was already freed`);
  if (letter === LETTER_F || size === 0) live.release(id);
  b.push(letter === LETTER_R ? OP_REALLOC : OP_FREE, id, size);
  return id;
}

export function parseNative(text: string, where: Where = {}): Trace {
  const sc = new LineScanner(text, where.file);
  const b = new TraceBuilder();
  const live = new LiveIds();
  const meta: Record<string, string> = {};
  let inHeader = true;
  let opsLine = 0;
  let idsLine = 0;
  let declaredOps = -1;
  let declaredIds = -1;
  while (sc.nextLine()) {
    const c = sc.peek();
    if (c === -1) continue;
    if (c === HASH) {
      if (!inHeader) continue; // a comment among the ops
      const m = /^#\s*([A-Za-z0-9_.-]+)\s*:\s?(.*)$/.exec(sc.lineText.trim());
      if (!m) continue; // a free-text comment
      const key = m[1]!;
      const value = m[2]!.trim();
      if (key === "ops" || key === "ids") {
        if (!/^\d+$/.test(value)) sc.fail("BAD_HEADER", `header "${key}" must be a non-negative integer, got "${value}"`);
        if (key === "ops") [declaredOps, opsLine] = [Number(value), sc.line];
        else [declaredIds, idsLine] = [Number(value), sc.line];
      }
      if (!DERIVED_KEYS.has(key)) meta[key] = value;
      continue;
    }
    inHeader = false;
    readOp(sc, b, live, true);
  }
  const trace = b.finish({ ...meta, format: "dmm" });
  if (declaredOps >= 0 && declaredOps !== trace.length)
    sc.fail("COUNT_MISMATCH", `header says ${declaredOps} ops, the body has ${trace.length}`, opsLine);
  if (declaredIds >= 0 && declaredIds !== trace.idCount)
    sc.fail("COUNT_MISMATCH", `header says ${declaredIds} ids, the body uses ${trace.idCount}`, idsLine);
  return trace;
}

export function parseRep(text: string, where: Where = {}): Trace {
  const sc = new LineScanner(text, where.file);
  const header: number[] = [];
  const headerLines: number[] = [];
  const names = ["suggested heap size", "number of ids", "number of ops", "weight"];
  while (header.length < 4 && sc.nextLine()) {
    if (sc.skipBlanks()) continue;
    const t = sc.lineText.trim();
    if (!/^\d+(\.\d+)?$/.test(t)) {
      if (/^[arf]\s/.test(t)) sc.fail("MISSING_FIELD", `.rep header has ${header.length} of its 4 lines (missing ${names[header.length]})`);
      sc.fail("BAD_NUMBER", `.rep header line ${header.length + 1} (${names[header.length]}) is not a number: "${t}"`);
    }
    header.push(Number(t));
    headerLines.push(sc.line);
  }
  if (header.length < 4)
    sc.fail("MISSING_FIELD", `.rep header has ${header.length} of its 4 lines (missing ${names[header.length]})`, sc.line + 1);
  const [heapSize, numIds, numOps, weight] = header as [number, number, number, number];
  const b = new TraceBuilder();
  const live = new LiveIds();
  while (sc.nextLine()) {
    if (sc.skipBlanks()) continue;
    const id = readOp(sc, b, live, false);
    if (id >= numIds) sc.fail("COUNT_MISMATCH", `id ${id} is not below the header's number of ids (${numIds})`);
  }
  if (b.length !== numOps)
    sc.fail("COUNT_MISMATCH", `header says ${numOps} ops, the body has ${b.length}`, headerLines[2]);
  return b.finish({ format: "rep", suggestedHeapSize: String(heapSize), weight: String(weight) });
}

/** One-line metadata values: a newline would end the header. */
function oneLine(v: string): string {
  return v.replace(/[\r\n]+/g, " ");
}

/**
 * ASCII output written straight into a growing byte buffer: digits are produced from the numbers, so writing
 * a million ops creates no string per op.
 */
class AsciiWriter {
  private bytes = new Uint8Array(1 << 16);
  private n = 0;
  private digits = new Uint8Array(10);

  private reserve(k: number): void {
    if (this.n + k <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.n + k) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.bytes.subarray(0, this.n));
    this.bytes = b;
  }
  text(s: string): this {
    const encoded = Buffer.from(s, "utf8");
    this.reserve(encoded.length);
    this.bytes.set(encoded, this.n);
    this.n += encoded.length;
    return this;
  }
  /** `letter`, then each number preceded by a space, then a newline. */
  op(letter: number, a: number, b = -1, c = -1): void {
    this.reserve(40);
    this.bytes[this.n++] = letter;
    this.uint(a);
    if (b >= 0) this.uint(b);
    if (c >= 0) this.uint(c);
    this.bytes[this.n++] = 10;
  }
  private uint(v: number): void {
    this.bytes[this.n++] = 32;
    let k = 0;
    do {
      const q = Math.floor(v / 10);
      this.digits[k++] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
    while (k > 0) this.bytes[this.n++] = this.digits[--k]!;
  }
  toString(): string {
    return Buffer.from(this.bytes.buffer, 0, this.n).toString("utf8");
  }
}

export function formatNative(trace: Trace): string {
  const out = new AsciiWriter();
  for (const [key, value] of Object.entries(trace.meta)) {
    if (DERIVED_KEYS.has(key) || !/^[A-Za-z0-9_.-]+$/.test(key)) continue;
    out.text(`# ${key}: ${oneLine(value)}\n`);
  }
  out.text(`# ops: ${trace.length}\n# ids: ${trace.idCount}\n`);
  const { kind, id, size, count } = trace.columns;
  for (let i = 0; i < kind.length; i++) {
    switch (kind[i]) {
      case OP_MALLOC:
        out.op(LETTER_A, id[i]!, size[i]!);
        break;
      case OP_CALLOC:
        out.op(LETTER_C, id[i]!, count[i]!, size[i]!);
        break;
      case OP_REALLOC:
        out.op(LETTER_R, id[i]!, size[i]!);
        break;
      default:
        out.op(LETTER_F, id[i]!);
    }
  }
  return out.toString();
}

/** `.rep` has no calloc: `c id n s` is written as `a id n*s`. The suggested heap size is the peak live bytes. */
export function formatRep(trace: Trace, peakLiveBytes: number): string {
  const out = new AsciiWriter();
  out.text(`${peakLiveBytes}\n${trace.idCount}\n${trace.length}\n1\n`);
  const { kind, id, size, count } = trace.columns;
  for (let i = 0; i < kind.length; i++) {
    switch (kind[i]) {
      case OP_MALLOC:
        out.op(LETTER_A, id[i]!, size[i]!);
        break;
      case OP_CALLOC: {
        const bytes = count[i]! * size[i]!;
        if (bytes > MAX_SIZE) throw new TraceError("BAD_NUMBER", `op ${i}: calloc(${count[i]}, ${size[i]}) is too large for .rep`);
        out.op(LETTER_A, id[i]!, bytes);
        break;
      }
      case OP_REALLOC:
        out.op(LETTER_R, id[i]!, size[i]!);
        break;
      default:
        out.op(LETTER_F, id[i]!);
    }
  }
  return out.toString();
}
