/**
 * A user's allocator in the matrix: an ES module whose default export is an AllocatorPlugin (`dmm bench
 * --allocator <module>`, `runBench({ allocators })`). The main thread loads and checks each module, and every
 * worker thread imports the same module by URL, so all threads run the same code.
 */
import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Allocator, type Coalescing, createHeap, type Strategy } from "@dmm/core";
import { BenchError, GROWABLE_MAX_BYTES, HEAP_MODES, type JsBackend } from "./backends.js";

/** The default export of a module given to --allocator (and an entry of runBench({ allocators })). */
export interface AllocatorPlugin {
  /** Unique among all allocators of the run: the row's allocator name. */
  name: string;
  description?: string;
  /** A placement policy: runs on the core heap with every coalescing mode. */
  strategy?: () => Strategy;
  /** A whole allocator: runs once, coalescing "own"; `size` is its initial and `maxSize` its largest extent. */
  allocator?: (options: { size: number; maxSize: number }) => Allocator;
}

/** A plugin and where it came from: the module URL workers import, or null for an object given in code. */
export interface LoadedPlugin {
  readonly plugin: AllocatorPlugin;
  readonly url: string | null;
}


/** A module specifier as a URL: a path (relative to `base`) or a file: URL as is, a package name resolved from `base`. */
export function moduleUrl(specifier: string, base: string = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  if (specifier.startsWith(".") || isAbsolute(specifier)) return pathToFileURL(resolve(base, specifier)).href;
  try {
    return pathToFileURL(createRequire(resolve(base, "package.json")).resolve(specifier)).href;
  } catch {
    return specifier; // a bare name import() may still resolve (from @dmm/report's own dependencies)
  }
}

const oneLine = (text: string) => text.split("\n")[0]!.trim();

/** Checks a module's default export; every problem is a BenchError naming the module. */
export function checkPlugin(value: unknown, from: string): AllocatorPlugin {
  const bad = (why: string): never => {
    throw new BenchError("BAD_PLUGIN", `allocator module ${from}: ${why}`);
  };
  if (value === null || typeof value !== "object") bad("its default export is not an AllocatorPlugin object ({ name, strategy() or allocator() })");
  const p = value as Partial<Record<keyof AllocatorPlugin, unknown>>;
  if (typeof p.name !== "string" || !/^[\w.@+-]{1,64}$/.test(p.name)) bad(`"name" must be a non-empty string of letters, digits, . _ - + @ (got ${JSON.stringify(p.name)})`);
  if (p.strategy !== undefined && typeof p.strategy !== "function") bad(`"strategy" must be a function returning a Strategy`);
  if (p.allocator !== undefined && typeof p.allocator !== "function") bad(`"allocator" must be a function returning an Allocator`);
  if (p.strategy === undefined && p.allocator === undefined) bad("it exports neither strategy() nor allocator()");
  if (p.strategy !== undefined && p.allocator !== undefined) bad("it exports both strategy() and allocator(); export one");
  if (p.description !== undefined && typeof p.description !== "string") bad(`"description" must be a string`);
  return value as AllocatorPlugin;
}

/** Imports a plugin module by URL and checks its default export. */
export async function importPlugin(url: string, shown: string = url): Promise<AllocatorPlugin> {
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new BenchError("BAD_PLUGIN", `allocator module ${shown} does not load: ${oneLine((error as Error).message ?? String(error))}`);
  }
  return checkPlugin(module.default, shown);
}

/** Loads runBench's `allocators`: module paths, names or URLs (imported), or plugin objects given in code. */
export async function loadPlugins(items: ReadonlyArray<string | URL | AllocatorPlugin>, base: string = process.cwd()): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = [];
  for (const item of items) {
    if (typeof item === "string" || item instanceof URL) {
      const url = item instanceof URL ? item.href : moduleUrl(item, base);
      out.push({ plugin: await importPlugin(url, String(item)), url });
    } else {
      out.push({ plugin: checkPlugin(item, `given in code (${JSON.stringify((item as { name?: unknown })?.name)})`), url: null });
    }
  }
  return out;
}

/** The plugin's crash site, for an error cell: what the plugin itself threw while being created. */
function created<T>(plugin: AllocatorPlugin, what: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new Error(`plugin ${plugin.name}: ${what} threw: ${oneLine((error as Error).message ?? String(error))}`, { cause: error });
  }
}

/** A plugin as a backend: a strategy on the core heap in every coalescing mode, or a whole allocator in "own". */
export function pluginBackend(plugin: AllocatorPlugin): JsBackend {
  const description = plugin.description ?? (plugin.strategy ? "a placement strategy from a plugin module" : "an allocator from a plugin module");
  if (plugin.strategy) {
    const strategy = plugin.strategy;
    return {
      name: plugin.name,
      kind: "plugin",
      description,
      coalescing: HEAP_MODES,
      growable: true,
      create: (spec) =>
        createHeap({
          size: spec.growable ? 0 : spec.bytes,
          maxSize: spec.growable ? GROWABLE_MAX_BYTES : spec.bytes,
          strategy: created(plugin, "strategy()", strategy),
          coalescing: spec.coalescing as Coalescing,
        }),
    };
  }
  const allocator = plugin.allocator!;
  return {
    name: plugin.name,
    kind: "plugin",
    description,
    coalescing: ["own"],
    growable: true,
    create: (spec) =>
      created(plugin, "allocator()", () => allocator(spec.growable ? { size: 0, maxSize: GROWABLE_MAX_BYTES } : { size: spec.bytes, maxSize: spec.bytes })),
  };
}
