export { firstFit } from "./first-fit.js";
export { registerStrategy, strategies, strategyByName } from "./registry.js";
export type { StrategyEntry } from "./registry.js";
