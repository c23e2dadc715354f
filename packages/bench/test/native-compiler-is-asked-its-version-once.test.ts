import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildNativeReplay } from "@dmm/bench";
import { afterAll, expect, it } from "vitest";

// A stand-in compiler (a shell script, so no real cc is needed): it logs each call, answers --version, and for
// `-O2 -o OUT …` writes OUT. Its path is new on every run, so its replayer is not in the cache yet.
const dir = mkdtempSync(join(tmpdir(), "dmm-fake-cc-"));
const log = join(dir, "calls.log");
const cc = join(dir, "cc");
writeFileSync(
  cc,
  `#!/bin/sh
echo "$1" >> "${log}"
if [ "$1" = "--version" ]; then echo "fake-cc 1.0 ${dir}"; exit 0; fi
printf '#!/bin/sh\\n' > "$3"; chmod +x "$3"
`,
);
chmodSync(cc, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.runIf(process.platform !== "win32")("asks the compiler its version once per process however often the replayer is wanted", () => {
  appendFileSync(log, "");
  const first = buildNativeReplay(cc);
  const second = buildNativeReplay(cc);
  const third = buildNativeReplay(cc);
  expect(first).toEqual({ path: expect.stringContaining("dmm-bench-native"), compiler: `fake-cc 1.0 ${dir}` });
  expect(second).toEqual(first);
  expect(third).toEqual(first);
  // One --version, one build (-O2): the later calls find both.
  expect(readFileSync(log, "utf8").trim().split("\n")).toEqual(["--version", "-O2"]);
  if ("path" in first) rmSync(join(first.path, ".."), { recursive: true, force: true });
});
