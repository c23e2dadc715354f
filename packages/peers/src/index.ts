export { peers } from "./registry.js";
export { thingMalloc } from "./thing-malloc.js";
export type { ThingMallocOptions } from "./thing-malloc.js";
export { npmMalloc } from "./npm-malloc.js";
export type { PeerAllocator, PeerEntry, PeerOptions } from "./api.js";
