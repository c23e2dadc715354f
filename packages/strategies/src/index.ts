export { bestFit } from "./best-fit.js";
export { BUDDY_MAX_ORDER, BUDDY_MIN_ORDER, buddyOf, buddyOrderFor, createBuddyAllocator } from "./buddy.js";
export type { BuddyOptions } from "./buddy.js";
export { firstFit } from "./first-fit.js";
export { nextFit } from "./next-fit.js";
export { segregatedFit } from "./segregated-fit.js";
export { worstFit } from "./worst-fit.js";
export { registerStrategy, strategies, strategyByName } from "./registry.js";
export type { StrategyEntry } from "./registry.js";
