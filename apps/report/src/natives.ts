/**
 * Which native allocators a run replays (`--native`): glibc (the C library's own malloc), the named production
 * allocators found installed (jemalloc, tcmalloc, mimalloc: interposed with LD_PRELOAD), or a user's shared
 * library. By default every named one; those not installed become skipped cells saying how to install them.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { BenchError, GLIBC, type NativeSpec } from "./backends.js";

interface KnownLibrary {
  readonly name: string;
  /** File names, most specific first. */
  readonly files: readonly string[];
  /** The Debian package that installs it. */
  readonly debian: string;
  readonly description: string;
}

const KNOWN: readonly KnownLibrary[] = [
  { name: "jemalloc", files: ["libjemalloc.so.2", "libjemalloc.so"], debian: "libjemalloc2", description: "jemalloc (FreeBSD, Firefox, Rust's old default): size classes in per-thread caches and arenas, LD_PRELOAD" },
  { name: "tcmalloc", files: ["libtcmalloc_minimal.so.4", "libtcmalloc.so.4", "libtcmalloc_minimal.so"], debian: "libtcmalloc-minimal4", description: "gperftools tcmalloc (minimal): per-thread caches over central size-class free lists, LD_PRELOAD" },
  { name: "mimalloc", files: ["libmimalloc.so.2", "libmimalloc.so"], debian: "libmimalloc2.0", description: "Microsoft mimalloc: free-list sharding per page, LD_PRELOAD" },
];

/** The names --native accepts besides a path. */
export const NATIVE_NAMES: readonly string[] = [GLIBC.name, ...KNOWN.map((k) => k.name)];

/** The dynamic linker's library folders: `ldconfig -p`'s, then the usual ones. */
function libraryPaths(): Map<string, string> {
  const found = new Map<string, string>();
  const cache = spawnSync("ldconfig", ["-p"], { encoding: "utf8" });
  const ldconfig = cache.status === 0 ? cache.stdout : spawnSync("/sbin/ldconfig", ["-p"], { encoding: "utf8" }).stdout ?? "";
  for (const line of ldconfig.split("\n")) {
    const m = /^\s*(\S+)\s.*=>\s*(\S+)\s*$/.exec(line);
    if (m && !found.has(m[1]!) && existsSync(m[2]!)) found.set(m[1]!, m[2]!);
  }
  return found;
}

const triplet = process.arch === "arm64" ? "aarch64-linux-gnu" : process.arch === "x64" ? "x86_64-linux-gnu" : process.arch;
const FOLDERS = [`/usr/lib/${triplet}`, `/lib/${triplet}`, "/usr/local/lib", "/usr/lib64", "/usr/lib", "/lib64", "/lib"];

function locate(known: KnownLibrary, cache: () => Map<string, string>): string | null {
  for (const file of known.files) {
    const hit = cache().get(file);
    if (hit) return hit;
    for (const dir of FOLDERS) if (existsSync(join(dir, file))) return join(dir, file);
  }
  return null;
}

function namedSpec(known: KnownLibrary, cache: () => Map<string, string>): NativeSpec {
  if (process.platform !== "linux") return { name: known.name, library: null, description: known.description, missing: `${known.name} is interposed with LD_PRELOAD, which this bench does on Linux only` };
  const library = locate(known, cache);
  if (library === null) {
    return { name: known.name, library: null, description: known.description, missing: `${known.name} is not installed (no ${known.files[0]}; on Debian: apt-get install ${known.debian})` };
  }
  return { name: known.name, library, description: known.description };
}

/**
 * --native items as specs: a name (glibc, jemalloc, tcmalloc, mimalloc) or a path to a shared library (resolved
 * against `base`, the folder the command ran from). None given: every named one. A path that does not exist, an
 * unknown name or a duplicate is a BenchError.
 */
export function resolveNatives(items: readonly string[] | undefined, base: string = process.cwd()): NativeSpec[] {
  let ldconfig: Map<string, string> | null = null;
  const cache = () => (ldconfig ??= libraryPaths());
  if (!items || items.length === 0) return [GLIBC, ...KNOWN.map((k) => namedSpec(k, cache))];
  const out: NativeSpec[] = [];
  for (const item of items) {
    let spec: NativeSpec;
    const known = KNOWN.find((k) => k.name === item);
    if (item === GLIBC.name) spec = GLIBC;
    else if (known) spec = namedSpec(known, cache);
    else if (item.includes("/") || /\.so(\.\d+)*$/.test(item)) {
      const library = resolve(base, item);
      if (!existsSync(library)) throw new BenchError("BAD_OPTION", `--native ${item}: no such file (${library})`);
      spec = { name: basename(library), library, description: `the shared library ${basename(library)}, interposed with LD_PRELOAD on the C replayer` };
    } else {
      throw new BenchError("BAD_OPTION", `--native "${item}": not one of ${NATIVE_NAMES.join(", ")} nor a path to a shared library`);
    }
    if (out.some((s) => s.name === spec.name)) throw new BenchError("BAD_OPTION", `--native names "${spec.name}" twice`);
    out.push(spec);
  }
  return out;
}
