export { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, TraceBuilder, traceFromOps } from "./trace.js";
export type { Trace, TraceColumns, TraceOp } from "./trace.js";
