/**
 * Packs every workspace package with `pnpm pack` and installs the tarballs into a temporary folder outside the
 * workspace, as a user would install the published packages: the `dmm` bin runs (help, version, a quick bench on
 * the shipped default workloads with a plugin module and a native library), every README's TypeScript example
 * type-checks there under moduleResolution nodenext, and each package's runtime dependencies are exactly the
 * packages its runtime code imports.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorkspace, ROOT } from "./built.js";
import { writePlugins } from "./plugin-fixtures.js";

const PACKAGES = ["packages/core", "packages/strategies", "packages/workloads", "packages/bench", "packages/peers", "packages/default-workloads", "apps/report", "apps/demo"];
const pkgJson = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as Record<string, unknown> & { name: string; dependencies?: Record<string, string> };
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const PNPM = process.env.npm_execpath?.includes("pnpm") ? process.env.npm_execpath : null;

/** pnpm, as the test was started with it, else the one on PATH. */
function pnpm(args: string[], cwd: string): string {
  const [cmd, pre] = PNPM ? [process.execPath, [PNPM]] : ["pnpm", []];
  return execFileSync(cmd, [...pre, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
}

const user = mkdtempSync(join(tmpdir(), "dmm-installed-"));
const tarballs = new Map<string, string>();
let installed = false;

beforeAll(async () => {
  await buildWorkspace();
  const dest = join(user, "tarballs");
  mkdirSync(dest);
  for (const dir of PACKAGES) {
    const before = new Set(readdirSync(dest));
    pnpm(["pack", "--pack-destination", dest], join(ROOT, dir));
    const made = readdirSync(dest).find((f) => !before.has(f))!;
    tarballs.set(pkgJson(dir).name, join(dest, made));
  }
  const files = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(
    join(user, "package.json"),
    JSON.stringify({ name: "dmm-user", private: true, type: "module", dependencies: { ...files, "@types/node": "^20.19.0" }, pnpm: { overrides: files } }, null, 2),
  );
  pnpm(["install", "--prefer-offline", "--ignore-workspace", "--config.confirmModulesPurge=false"], user);
  installed = true;
}, 600_000);

const dmm = (args: string[]) => spawnSync(join(user, "node_modules/.bin/dmm"), args, { cwd: user, encoding: "utf8", timeout: 300_000 });

describe("the packed packages", () => {
  it("every tarball has its LICENSE, README and repository, and no dist/bench, tests or sources", () => {
    for (const [name, file] of tarballs) {
      const list = execFileSync("tar", ["tzf", file], { encoding: "utf8" }).split("\n").filter(Boolean);
      expect(list, name).toContain("package/LICENSE");
      expect(list, name).toContain("package/README.md");
      expect(list.filter((f) => /^package\/(dist\/bench|dist\/test|test|src|bench)\//.test(f) || /\.test\.[jt]s$/.test(f)), name).toEqual([]);
      const pkg = JSON.parse(execFileSync("tar", ["xzf", file, "-O", "package/package.json"], { encoding: "utf8" })) as { repository?: { url?: string } };
      expect(pkg.repository?.url, name).toMatch(/^git\+https:\/\//);
    }
  });

  it("each package's runtime dependencies are exactly the packages its built code imports", () => {
    for (const dir of PACKAGES) {
      const pkg = pkgJson(dir);
      const imported = new Set<string>();
      const walk = (d: string) => {
        for (const entry of readdirSync(d, { withFileTypes: true })) {
          const path = join(d, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (entry.name.endsWith(".js")) {
            // Only files built from a current source (a stale dist file from a removed source is not shipped by a clean build).
            const source = path.replace(join(ROOT, dir, "dist"), join(ROOT, dir)).replace(/\.js$/, ".ts");
            if (dir !== "packages/default-workloads" && !existsFile(source)) continue;
            const text = readFileSync(path, "utf8");
            for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*|\.resolve\s*\(\s*)["']([^"'./][^"']*)["']/g)) {
              const spec = m[1]!;
              if (spec.startsWith("node:")) continue;
              imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
            }
          }
        }
      };
      walk(join(ROOT, dir, dir === "packages/default-workloads" ? "." : "dist/src").replace(/\/\.$/, ""));
      imported.delete(pkg.name);
      expect([...imported].sort(), dir).toEqual(Object.keys(pkg.dependencies ?? {}).sort());
    }
  });
});

function existsFile(path: string): boolean {
  try {
    return readFileSync(path).length >= 0;
  } catch {
    return false;
  }
}

describe("installed from the tarballs, outside the workspace", () => {
  it("dmm --help lists every subcommand, dmm bench --help every option, --version the package's version", () => {
    expect(installed).toBe(true);
    const help = dmm(["--help"]);
    expect(help.status).toBe(0);
    for (const sub of ["bench", "record", "merge"]) expect(help.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, "m"));
    const bench = dmm(["bench", "--help"]);
    for (const option of ["--strategies", "--coalescing", "--workloads", "--quick", "--out", "--jobs", "--shard", "--fixed-arena", "--heap-map", "--manifest", "--allocator", "--native"]) {
      expect(bench.stdout).toContain(option);
    }
    expect(dmm(["--version"]).stdout.trim()).toBe(pkgJson("apps/report").version);
  });

  it("dmm bench runs the shipped default manifest with a plugin module and a native library given by relative paths", () => {
    writePlugins(user);
    const r = dmm(["bench", "--quick", "--workloads", "mixed,phases", "--strategies", "tlsf", "--allocator", "./lifo.mjs", "--allocator", "./bump.mjs", "--native", "glibc", "--jobs", "2", "--no-progress", "--out", "report"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const csv = readFileSync(join(user, "report", "results.csv"), "utf8");
    expect(csv).toMatch(/^lifo-fit,plugin,immediate,mixed,/m);
    expect(csv).toMatch(/^bump,plugin,own,phases,/m);
    expect(csv).toMatch(/^glibc,native,own,mixed,/m);
  });

  it("@dmm/default-workloads' README example runs there and lists the default manifest", () => {
    const readme = readFileSync(join(ROOT, "packages/default-workloads/README.md"), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: user, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^mixed, .*cc1/);
  });

  it("every README's TypeScript example type-checks under moduleResolution nodenext", () => {
    const dir = join(user, "examples");
    mkdirSync(dir, { recursive: true });
    const names: string[] = [];
    for (const [name, file] of tarballs) {
      const readme = execFileSync("tar", ["xzf", file, "-O", "package/README.md"], { encoding: "utf8" });
      [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((m, i) => {
        const example = `${name.replace(/[@/]/g, "_")}-${i}.ts`;
        writeFileSync(join(dir, example), `${m[1]!}\nexport {};\n`);
        names.push(example);
      });
    }
    expect(names.length).toBeGreaterThanOrEqual(PACKAGES.length);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, types: ["node"], skipLibCheck: true, lib: ["ES2022"] }, include: ["*.ts"] }),
    );
    const tsc = spawnSync(process.execPath, [TSC, "-p", dir], { cwd: dir, encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
