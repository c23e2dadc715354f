export { assertSize, HeapError, NULL } from "./api.js";
export type {
  Allocator,
  BlockInfo,
  Coalescing,
  Heap,
  HeapErrorCode,
  HeapOptions,
  HeapStats,
  Ptr,
  Strategy,
  StrategyHost,
} from "./api.js";
export { createHeap, MAX_HEAP_BYTES } from "./heap.js";
export { giveBackBuffer, refuseCallsAfterDispose, takeSideArray, takeSpareBuffer } from "./spare-buffers.js";
export {
  blockSize,
  FLAG_MASK,
  getLink,
  HEADER_BYTES,
  LINK0,
  LINK_WORDS,
  MIN_BLOCK_BYTES,
  PREV_FREE,
  REQUESTED,
  setLink,
  SIZE,
  USED,
} from "./layout.js";
