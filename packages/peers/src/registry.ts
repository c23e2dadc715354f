import type { PeerEntry } from "./api.js";
import { npmMalloc } from "./npm-malloc.js";
import { thingMalloc } from "./thing-malloc.js";

/** The public JS allocators dmm compares against, wrapped as Allocators. */
export const peers: ReadonlyArray<PeerEntry> = [
  {
    name: "thi.ng-malloc",
    description: "@thi.ng/malloc MemPool: first fit on an address-ordered free list, unordered used list (O(live) free)",
    create: (options) => thingMalloc(options),
  },
  {
    name: "npm-malloc",
    description: "npm malloc 1.1.0 (codemix): best fit on a size-ordered skip list, boundary tags, immediate coalescing",
    create: (options) => npmMalloc(options),
  },
];
