import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, expect, it, vi } from "vitest";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it("the README's example replays a trace on each peer and prints what its comment states", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const dir = mkdtempSync(join(tmpdir(), "dmm-peers-readme-"));
  dirs.push(dir);
  const file = join(dir, "example.ts");
  writeFileSync(file, code);
  const printed: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
  await import(/* @vite-ignore */ pathToFileURL(file).href);
  expect(printed).toHaveLength(3);
  expect(printed[0]).toMatch(/^thi\.ng-malloc \d+ 0\.\d{3}$/);
  expect(printed[1]).toMatch(/^npm-malloc \d+ 0\.\d{3}$/);
  expect(printed[2]).toBe("true");
});
