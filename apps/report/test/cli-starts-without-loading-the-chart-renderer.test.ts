/**
 * vega and vega-lite (about 0.8 s of CPU to import) are loaded only when charts are drawn: `dmm --version`, a usage
 * error and the start of a bench run (its workers wait for this thread's start-up) do not pay for them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { buildWorkspace, CLI } from "./built.js";

beforeAll(buildWorkspace);

/** The bare specifiers the built CLI resolves when run with `args` (an ESM resolve hook logs them). */
function resolvedBy(args: string[]): { specifiers: string[]; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), "dmm-resolve-"));
  const log = join(dir, "resolved.txt");
  writeFileSync(log, "");
  writeFileSync(join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { appendFileSync(${JSON.stringify(log)}, s + "\\n"); return next(s, c); }\n`);
  writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { specifiers: readFileSync(log, "utf8").split("\n").filter((s) => s !== "" && !s.startsWith(".") && !s.startsWith("file:") && !s.startsWith("node:")), status: r.status };
}

it("dmm --version and a usage error load neither vega nor vega-lite", () => {
  for (const args of [["--version"], ["bench", "--jobs", "0"]]) {
    const { specifiers, status } = resolvedBy(args);
    expect(status).toBe(args[0] === "--version" ? 0 : 2);
    expect(specifiers).toContain("commander"); // the hook sees the CLI's own imports
    expect(specifiers.filter((s) => s === "vega" || s === "vega-lite")).toEqual([]);
  }
});
