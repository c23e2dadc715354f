import { fileURLToPath } from "node:url";

/** Absolute path of the shipped workloads/manifest.json (its trace files sit next to it). */
export const manifestPath = fileURLToPath(new URL("./workloads/manifest.json", import.meta.url));
