#!/bin/sh
# Re-records the real traces in workloads/real/ with glibc's mtrace (Linux, glibc >= 2.34, gcc, python3, sqlite3).
#
#   pnpm --filter @dmm/workloads build && sh workloads/record/record.sh
#
# How: a tiny preloaded shim (mtrace-shim.c) calls mtrace() from a constructor — with glibc >= 2.34,
# MALLOC_TRACE and libc_malloc_debug.so.0 alone record nothing until the program calls mtrace(). The shim goes
# ahead of libc_malloc_debug.so.0 in LD_PRELOAD. Each traced process gets its own MALLOC_TRACE file (an exec'd
# child would truncate its parent's), so cc1 runs directly rather than through the gcc driver. env -i gives
# every run the same minimal environment; python needs PYTHONMALLOC=malloc or pymalloc hides its requests.
# The logs are then converted to the native format, capped at 150000 ops, and gzipped.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/workloads/real"
cli="$root/packages/workloads/dist/src/cli.js"
max_ops=150000

[ -f "$cli" ] || { echo "build @dmm/workloads first: pnpm --filter @dmm/workloads build" >&2; exit 1; }
debug=$(ldconfig -p | awk '/libc_malloc_debug\.so\.0 / { print $NF; exit }')
[ -n "$debug" ] || { echo "libc_malloc_debug.so.0 not found (glibc >= 2.34 needed)" >&2; exit 1; }
glibc=$(ldd --version | awk 'NR == 1 { print $NF }')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -shared -fPIC -O2 -o "$work/mtrace-shim.so" "$here/mtrace-shim.c"
cp "$here/inputs/"* "$work/"
cd "$work"
mkdir -p "$out"

# record NAME SOURCE-DESCRIPTION [VAR=value ...] -- PROGRAM ARGS...
record() {
	name=$1 source=$2
	shift 2
	vars=""
	while [ "$1" != "--" ]; do vars="$vars $1"; shift; done
	shift
	# shellcheck disable=SC2086 # $vars is a list of assignments
	env -i MALLOC_TRACE="$work/$name.mtrace" LD_PRELOAD="$work/mtrace-shim.so $debug" $vars "$@" >/dev/null
	node "$cli" convert "$work/$name.mtrace" "$out/$name.trace.gz" --max-ops "$max_ops" --name "$name" \
		--meta "source=$source (glibc $glibc mtrace)" --meta "recorded=workloads/record/record.sh"
}

cc1=$(gcc -print-prog-name=cc1)
record cc1 "$(gcc -dumpfullversion) cc1 -O2 kmalloc.c" -- \
	"$cc1" -quiet -imultiarch x86_64-linux-gnu kmalloc.c -dumpbase kmalloc.c -dumpbase-ext .c \
	-mtune=generic -march=x86-64 -O2 -o kmalloc.s

record python3 "$(/usr/bin/python3 --version) -S -B wordcount.py" PYTHONMALLOC=malloc PYTHONHASHSEED=0 -- \
	/usr/bin/python3 -S -B wordcount.py

record sqlite3 "sqlite3 $(sqlite3 --version | cut -d' ' -f1) :memory: < rows.sql" -- \
	sh -c 'exec /usr/bin/sqlite3 :memory: < rows.sql'
