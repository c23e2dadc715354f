/** Runs the `dmm` command in-process (on the TypeScript sources) and captures what it prints. */
import { Writable } from "node:stream";
import { main } from "../src/cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

/** `dmm ...args` run in `cwd`; `env` replaces the process environment (default: none of pnpm's variables). */
export async function dmm(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, cwd: options.cwd ?? process.cwd(), env: options.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
