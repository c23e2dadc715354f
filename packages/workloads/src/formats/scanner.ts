/**
 * A line-by-line, field-by-field reader over a string that allocates nothing per operation: numbers are read
 * straight from char codes, so parsing millions of ops costs no garbage.
 */
import { TraceError, type TraceErrorCode } from "../errors.js";

const SPACE = 32;
const TAB = 9;
const CR = 13;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

/** The largest id a trace may use: ids index replay tables, so they must stay dense-ish. */
export const MAX_ID = 2 ** 28 - 1;
/** Sizes and counts are stored in Uint32 columns. */
export const MAX_SIZE = 2 ** 32 - 1;

export class LineScanner {
  /** 1-based number of the current line. */
  line = 0;
  /** Bounds of the current line (without its `\r\n`). */
  start = 0;
  end = 0;
  /** False when the current line is the last one and has no `\n`: it may be truncated. */
  terminated = true;
  /** Field cursor within the current line. */
  p = 0;
  private next_ = 0;

  constructor(
    readonly text: string,
    readonly file?: string,
  ) {}

  /** Advances to the next line; false at the end of the text. */
  nextLine(): boolean {
    const text = this.text;
    if (this.next_ >= text.length) return false;
    this.line++;
    this.start = this.next_;
    let nl = text.indexOf("\n", this.start);
    this.terminated = nl >= 0;
    if (nl < 0) nl = text.length;
    this.next_ = nl + 1;
    let end = nl;
    if (end > this.start && text.charCodeAt(end - 1) === CR) end--;
    this.end = end;
    this.p = this.start;
    return true;
  }

  /** The current line's text (for headers and messages; not used per op). */
  get lineText(): string {
    return this.text.slice(this.start, this.end);
  }

  /** Skips blanks; true when the rest of the line is empty. */
  skipBlanks(): boolean {
    const text = this.text;
    let p = this.p;
    while (p < this.end) {
      const c = text.charCodeAt(p);
      if (c !== SPACE && c !== TAB) break;
      p++;
    }
    this.p = p;
    return p >= this.end;
  }

  /** Char code at the field cursor (after blanks), or -1 at the end of the line. */
  peek(): number {
    return this.skipBlanks() ? -1 : this.text.charCodeAt(this.p);
  }

  /** The next blank-separated field as a string (slow path: headers, op letters in error messages). */
  word(): string {
    this.skipBlanks();
    const s = this.p;
    const text = this.text;
    while (this.p < this.end) {
      const c = text.charCodeAt(this.p);
      if (c === SPACE || c === TAB) break;
      this.p++;
    }
    return text.slice(s, this.p);
  }

  /**
   * A non-negative decimal integer field no larger than `max`. `what` names the field in messages; a leading
   * minus sign is NEGATIVE_SIZE for sizes and counts, BAD_NUMBER otherwise.
   */
  uint(what: string, max: number): number {
    if (this.skipBlanks()) this.fail("MISSING_FIELD", `missing ${what}`);
    const text = this.text;
    let p = this.p;
    const begin = p;
    let c = text.charCodeAt(p);
    if (c === MINUS) {
      const d = text.charCodeAt(p + 1);
      if ((what === "size" || what === "count") && d >= ZERO && d <= NINE && p + 1 < this.end)
        this.fail("NEGATIVE_SIZE", `negative ${what} ${this.fieldText(begin)}`);
      this.fail("BAD_NUMBER", `${what} is not a non-negative integer: "${this.fieldText(begin)}"`);
    }
    let value = 0;
    while (p < this.end) {
      c = text.charCodeAt(p);
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      p++;
    }
    if (p === begin || (p < this.end && c !== SPACE && c !== TAB))
      this.fail("BAD_NUMBER", `${what} is not a non-negative integer: "${this.fieldText(begin)}"`);
    if (value > max) this.fail("BAD_NUMBER", `${what} ${this.fieldText(begin)} is larger than ${max}`);
    this.p = p;
    return value;
  }

  /**
   * A hexadecimal field as printed by glibc's `%p` / `%#lx` (`0x55d0c2a0`, or a bare `0`), or -1 for `(nil)`.
   * Values up to 2^53 are exact.
   */
  hex(what: string): number {
    if (this.skipBlanks()) this.fail("MISSING_FIELD", `missing ${what}`);
    const text = this.text;
    let p = this.p;
    const begin = p;
    if (text.startsWith("(nil)", p)) {
      this.p = p + 5;
      return -1;
    }
    if (text.charCodeAt(p) === ZERO && (text.charCodeAt(p + 1) | 0x20) === 0x78) p += 2;
    const digits = p;
    let value = 0;
    while (p < this.end) {
      const c = text.charCodeAt(p);
      let d: number;
      if (c >= ZERO && c <= NINE) d = c - ZERO;
      else if ((c | 0x20) >= 97 && (c | 0x20) <= 102) d = (c | 0x20) - 87;
      else break;
      value = value * 16 + d;
      p++;
    }
    if (p === digits || (p < this.end && text.charCodeAt(p) !== SPACE && text.charCodeAt(p) !== TAB))
      this.fail("BAD_NUMBER", `${what} is not a hexadecimal number: "${this.fieldText(begin)}"`);
    this.p = p;
    return value;
  }

  /** Throws unless the rest of the line is blank. */
  expectEnd(op: string): void {
    if (!this.skipBlanks()) this.fail("BAD_NUMBER", `unexpected extra field "${this.word()}" after ${op}`);
  }

  private fieldText(from: number): string {
    let q = from;
    while (q < this.end && this.text.charCodeAt(q) !== SPACE && this.text.charCodeAt(q) !== TAB) q++;
    return this.text.slice(from, q);
  }

  fail(code: TraceErrorCode, message: string, line = this.line): never {
    throw new TraceError(code, message, { ...(this.file !== undefined && { file: this.file }), line });
  }
}

/**
 * Which ids are live while a trace is read, so frees and reallocs of unknown or freed ids are caught at their
 * line. One byte per id: 0 never allocated, 1 live, 2 freed.
 */
export class LiveIds {
  private state = new Uint8Array(1024);
  live = 0;

  private ensure(id: number): void {
    if (id < this.state.length) return;
    let n = this.state.length;
    while (n <= id) n *= 2;
    const s = new Uint8Array(n);
    s.set(this.state);
    this.state = s;
  }

  /** Marks `id` live; returns false when it already was. */
  allocate(id: number): boolean {
    this.ensure(id);
    if (this.state[id] === 1) return false;
    this.state[id] = 1;
    this.live++;
    return true;
  }

  /** 0 when `id` is live, else the reason it cannot be freed or reallocated. */
  check(id: number): 0 | "UNKNOWN_ID" | "ALREADY_FREED" {
    const s = id < this.state.length ? this.state[id] : 0;
    return s === 1 ? 0 : s === 2 ? "ALREADY_FREED" : "UNKNOWN_ID";
  }

  release(id: number): void {
    this.state[id] = 2;
    this.live--;
  }
}
