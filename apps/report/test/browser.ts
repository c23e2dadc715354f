/**
 * The browser the report's browser test drives: a system Chromium or Chrome when there is one, else the
 * headless Chromium inside the @sparticuz/chromium devDependency, so `pnpm test` needs no browser install
 * (no apt step) on a fresh machine. playwright-core drives either.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface Browser {
  /** Where it came from, for test names and messages. */
  source: "CHROMIUM_PATH" | "system" | "@sparticuz/chromium";
  executablePath: string;
  args: string[];
}

const SYSTEM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
const MAC_APPS = ["/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"];
const COMMON_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"];

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** A system browser: CHROMIUM_PATH (which must exist), then the usual names on PATH, then the macOS apps. */
export function systemBrowser(env: NodeJS.ProcessEnv = process.env): Browser | null {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return { source: "CHROMIUM_PATH", executablePath: env.CHROMIUM_PATH, args: COMMON_ARGS };
  }
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of SYSTEM_NAMES) {
      const path = join(dir, name);
      if (executable(path)) return { source: "system", executablePath: path, args: COMMON_ARGS };
    }
  }
  if (process.platform === "darwin") {
    for (const path of MAC_APPS) if (executable(path)) return { source: "system", executablePath: path, args: COMMON_ARGS };
  }
  return null;
}

/** The Chromium shipped in @sparticuz/chromium, unpacked (once) into the temp folder. */
export async function bundledBrowser(): Promise<Browser> {
  const { default: chromium } = await import("@sparticuz/chromium");
  chromium.setGraphicsMode = false;
  return { source: "@sparticuz/chromium", executablePath: await chromium.executablePath(), args: [...chromium.args, ...COMMON_ARGS] };
}

/** The system browser if any, else the bundled one. */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  return systemBrowser(env) ?? (await bundledBrowser());
}
