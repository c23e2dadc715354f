export { bestFit } from "./best-fit.js";
export { firstFit } from "./first-fit.js";
export { nextFit } from "./next-fit.js";
export { segregatedFit } from "./segregated-fit.js";
export { worstFit } from "./worst-fit.js";
export { registerStrategy, strategies, strategyByName } from "./registry.js";
export type { StrategyEntry } from "./registry.js";
