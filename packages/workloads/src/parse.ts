/** Reading and writing traces in any supported format, detected from content; gzip detected from magic bytes. */
import { readFile, writeFile } from "node:fs/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { TraceError } from "./errors.js";
import { formatNative, formatRep, parseNative, parseRep } from "./formats/native.js";
import { parseMtrace } from "./formats/mtrace.js";
import { traceStats } from "./stats.js";
import type { Trace } from "./trace.js";

export type TraceFormat = "dmm" | "rep" | "mtrace";

export interface ParseOptions {
  /** Skip detection and read this format. */
  format?: TraceFormat;
  /** Sets meta.name (a trace's display name). */
  name?: string;
  /** The file the text came from, named in TraceErrors. */
  file?: string;
}

/**
 * The format of a trace's text, from its first meaningful line: `#` or an op letter is native, a bare number
 * is the first `.rep` header line, `= Start` / `@ caller` / `+ 0x…` is mtrace.
 */
export function detectFormat(text: string, file?: string): TraceFormat {
  let start = 0;
  let line = 0;
  while (start < text.length) {
    line++;
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const l = text.slice(start, end).trim();
    start = end + 1;
    if (l === "") continue;
    if (l.startsWith("#") || /^[acrf](\s|$)/.test(l)) return "dmm";
    if (/^\d+(\.\d+)?$/.test(l)) return "rep";
    if (l.startsWith("= ") || l.startsWith("@ ") || /^[-+<>!]\s+(0x[0-9a-fA-F]+|\(nil\))/.test(l)) return "mtrace";
    throw new TraceError("UNKNOWN_FORMAT", `not a dmm, .rep or mtrace trace: "${l.slice(0, 40)}"`, {
      ...(file !== undefined && { file }),
      line,
    });
  }
  return "dmm";
}

/**
 * The text every reader sees: a leading byte-order mark dropped (in every format), and CR-only line endings (old
 * Mac files) turned into LF, so they parse like LF and CRLF files instead of reading as one line. Line numbers are
 * unchanged: each CR was one line break. No copy when the text has neither.
 */
function normalize(text: string): string {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.indexOf("\r") >= 0 && /\r(?!\n)/.test(text)) text = text.replace(/\r(?!\n)/g, "\n");
  return text;
}

/** Parses a whole trace; throws TraceError (with the line) on the first bad line, never returning half a trace. */
export function parseTrace(text: string, options: ParseOptions = {}): Trace {
  text = normalize(text);
  const where = options.file !== undefined ? { file: options.file } : {};
  const format = options.format ?? detectFormat(text, options.file);
  const trace = format === "dmm" ? parseNative(text, where) : format === "rep" ? parseRep(text, where) : parseMtrace(text, where);
  if (options.name !== undefined) trace.meta.name = options.name;
  return trace;
}

/** Writes a trace as text. `rep` loses metadata and turns calloc into malloc of count × size. */
export function formatTrace(trace: Trace, format: "dmm" | "rep" = "dmm"): string {
  if (format === "rep") return formatRep(trace, traceStats(trace).peakLiveBytes);
  if (format !== "dmm") throw new TraceError("UNKNOWN_FORMAT", `cannot write format "${String(format)}" (dmm or rep)`);
  return formatNative(trace);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a trace file of any supported format, gzipped or not. Every failure is a TraceError naming the file: a
 * file that cannot be read (UNREADABLE: missing, a directory…), a corrupt or truncated gzip stream (BAD_GZIP), or
 * the parser's own errors with their line.
 */
export async function readTrace(path: string, options: Omit<ParseOptions, "file"> = {}): Promise<Trace> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TraceError("UNREADABLE", `cannot read the file (${err.code ?? err.message})`, { file: path });
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new TraceError("BAD_GZIP", `corrupt or truncated gzip data (${err.code ?? err.message})`, { file: path });
    }
  }
  const text = new TextDecoder().decode(bytes);
  const trace = parseTrace(text, { ...options, file: path });
  if (trace.meta.name === undefined) {
    const base = path.split(/[\\/]/).pop()!;
    trace.meta.name = base.replace(/\.gz$/, "").replace(/\.(trace|rep|mtrace|txt|log)$/, "");
  }
  return trace;
}

/** Formatted trace bytes, gzipped when `gzip` is true. Deterministic: same trace, same bytes. */
export function encodeTrace(trace: Trace, options: { format?: "dmm" | "rep"; gzip?: boolean } = {}): Uint8Array {
  const text = Buffer.from(formatTrace(trace, options.format ?? "dmm"));
  return options.gzip ? gzipSync(text, { level: 9 }) : text;
}

/** Writes a trace; a path ending in .gz is gzipped, one containing `.rep` is written as .rep. */
export async function writeTrace(path: string, trace: Trace, options: { format?: "dmm" | "rep" } = {}): Promise<void> {
  const format = options.format ?? (/\.rep(\.gz)?$/.test(path) ? "rep" : "dmm");
  await writeFile(path, encodeTrace(trace, { format, gzip: path.endsWith(".gz") }));
}
