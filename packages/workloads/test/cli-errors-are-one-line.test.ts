import { expect, test } from "vitest";
import { describeError, runCli } from "../src/cli.js";

test("a missing trace file is reported in one line naming the file, without a stack", async () => {
  const error = await runCli(["info", "no-such-file.trace"]).then(() => null, (e: unknown) => e);
  const text = describeError(error);
  expect(text).toMatch(/^workloads: no-such-file\.trace: UNREADABLE: cannot read the file \(ENOENT\)$/);
  expect(text).not.toContain("\n");
});

test("an unexpected error keeps its stack", () => {
  expect(describeError(new TypeError("boom"))).toContain("TypeError: boom\n");
});
