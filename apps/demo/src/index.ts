export { demoText, runScenario, switchStrategyDemo } from "./scenario.js";
export type { Hole, ScenarioOptions, ScenarioResult } from "./scenario.js";
