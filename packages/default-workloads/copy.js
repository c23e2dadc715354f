// Copies the repository's workloads/ (manifest.json, README.md and the trace files it names) into this package.
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../../workloads/", import.meta.url));
const to = fileURLToPath(new URL("./workloads/", import.meta.url));
const manifest = JSON.parse(readFileSync(`${from}manifest.json`, "utf8"));
rmSync(to, { recursive: true, force: true });
for (const file of ["manifest.json", "README.md", ...manifest.workloads.map((w) => w.file)]) {
  mkdirSync(dirname(`${to}${file}`), { recursive: true });
  cpSync(`${from}${file}`, `${to}${file}`);
}
