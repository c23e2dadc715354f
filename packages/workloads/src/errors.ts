/** Why a trace (or a generator's parameters) was rejected. */
export type TraceErrorCode =
  | "UNREADABLE" // the file cannot be read: missing, a directory, no permission (the fs error's code in the message)
  | "BAD_GZIP" // gzip magic bytes, but the stream is corrupt or truncated (zlib's error in the message)
  | "UNKNOWN_FORMAT" // the content matches none of dmm, rep, mtrace
  | "UNKNOWN_OP" // a line starting with something that is not an operation of the format
  | "MISSING_FIELD" // an operation or header with too few fields
  | "BAD_NUMBER" // a field that is not a non-negative integer (or hex address, for mtrace)
  | "NEGATIVE_SIZE" // a size or count below zero
  | "UNKNOWN_ID" // free or realloc of an id never allocated
  | "ALREADY_FREED" // free or realloc of an id that was freed and not allocated again
  | "DUPLICATE_ID" // malloc or calloc of an id that is still live
  | "COUNT_MISMATCH" // header counts (ops, ids) that disagree with the body
  | "BAD_HEADER" // a malformed header line
  | "UNKNOWN_GENERATOR" // generate() with a name not in the registry
  | "BAD_PARAM" // a generator parameter out of range or of the wrong type
  | "BAD_MANIFEST"; // workloads/manifest.json that does not match its schema

/**
 * Bad input, named precisely: `file:line: CODE: what`. Nothing is half-loaded: a parser either returns a whole
 * trace or throws one of these.
 */
export class TraceError extends Error {
  readonly code: TraceErrorCode;
  /** The file being read, when known (readTrace, or parseTrace's `file` option). */
  readonly file?: string;
  /** 1-based line number of the offending line, when the error is about a line. */
  readonly line?: number;

  constructor(code: TraceErrorCode, message: string, where: { file?: string; line?: number } = {}) {
    const at = [where.file, where.line].filter((x) => x !== undefined).join(":");
    super(`${at ? at + ": " : ""}${code}: ${message}`);
    this.name = "TraceError";
    this.code = code;
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
  }
}
