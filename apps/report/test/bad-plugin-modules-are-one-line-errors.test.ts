import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorkspace, dmm } from "./built.js";
import { tinyWorkspace } from "./fixtures.js";
import { LIFO_PLUGIN } from "./plugin-fixtures.js";

beforeAll(buildWorkspace);

const user = mkdtempSync(join(tmpdir(), "dmm-bad-plugins-"));
const modules: Record<string, string> = {
  "syntax.mjs": "export default {\n  name: 'x',,\n};\n",
  "throws-on-import.mjs": "throw new Error('cannot start\\nsecond line');\n",
  "no-default.mjs": "export const plugin = { name: 'x', strategy: () => ({}) };\n",
  "no-name.mjs": "export default { strategy: () => ({}) };\n",
  "no-hook.mjs": "export default { name: 'nothing' };\n",
  "named-tlsf.mjs": "export default { name: 'tlsf', strategy: () => ({}) };\n",
  "lifo.mjs": LIFO_PLUGIN,
  "lifo-again.mjs": LIFO_PLUGIN,
};
for (const [file, text] of Object.entries(modules)) writeFileSync(join(user, file), text);
const { manifest } = tinyWorkspace(200);

/** Runs `dmm bench` with these --allocator modules; stderr and exit code. */
function bench(...allocators: string[]) {
  const r = dmm(["bench", "--manifest", manifest, "--strategies", "first-fit", "--native", "glibc", "--quick", "--no-progress", "--out", join(user, "out"), ...allocators.flatMap((a) => ["--allocator", a])], user);
  return { status: r.status, stderr: r.stderr };
}

describe("a bad --allocator module is one line on stderr naming it, exit 2", () => {
  it.each([
    ["./missing.mjs", /allocator module \.\/missing\.mjs does not load: .*missing\.mjs/],
    ["./syntax.mjs", /allocator module \.\/syntax\.mjs does not load: /],
    ["./throws-on-import.mjs", /allocator module \.\/throws-on-import\.mjs does not load: cannot start$/],
    ["./no-default.mjs", /allocator module \.\/no-default\.mjs: its default export is not an AllocatorPlugin/],
    ["./no-name.mjs", /allocator module \.\/no-name\.mjs: "name" must be a non-empty string/],
    ["./no-hook.mjs", /allocator module \.\/no-hook\.mjs: it exports neither strategy\(\) nor allocator\(\)/],
    ["./named-tlsf.mjs", /two allocators are named "tlsf"/],
  ])("%s", (module, message) => {
    const r = bench(module);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it("two modules with the same name", () => {
    const r = bench("./lifo.mjs", "./lifo-again.mjs");
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/two allocators are named "lifo-fit"/);
  });
});
