export { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, sliceTrace, TraceBuilder, traceFromOps } from "./trace.js";
export type { Trace, TraceColumns, TraceOp } from "./trace.js";
export { TraceError } from "./errors.js";
export type { TraceErrorCode } from "./errors.js";
export { detectFormat, encodeTrace, formatTrace, parseTrace, readTrace, writeTrace } from "./parse.js";
export type { ParseOptions, TraceFormat } from "./parse.js";
export { quantile, traceStats } from "./stats.js";
export type { TraceStats } from "./stats.js";
