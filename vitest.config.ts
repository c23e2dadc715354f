import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests run on the TypeScript sources: no build needed before `pnpm test`.
const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@dmm/core": src("./packages/core/src/index.ts"),
      "@dmm/strategies": src("./packages/strategies/src/index.ts"),
      "@dmm/workloads": src("./packages/workloads/src/index.ts"),
      "@dmm/bench": src("./packages/bench/src/index.ts"),
      "@dmm/peers": src("./packages/peers/src/index.ts"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
    // End-to-end tests run whole (small) matrices, and timings are re-measured when noisy: on a shared 2-core
    // machine under load some take over a minute.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
