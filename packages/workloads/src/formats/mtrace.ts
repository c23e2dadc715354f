/**
 * glibc `mtrace` logs, as written with `MALLOC_TRACE=file` and `libc_malloc_debug.so.0` once the program calls
 * `mtrace()`:
 *
 *   = Start
 *   @ ./prog:[0x401136] + 0x4052a0 0x64        malloc(100) (also calloc, memalign, realloc(NULL, n))
 *   @ ./prog:[0x40115a] < 0x4052a0             realloc(0x4052a0, 200), first half: the old block ...
 *   @ ./prog:[0x40115a] > 0x405720 0xc8        ... second half: the new block and its size
 *   @ ./prog:[0x401170] - 0x405720             free
 *   + (nil) 0x7fffffffffff                     a failed malloc (no caller field: the caller is optional)
 *   ! 0x405720 0x7fffffffffff                  a failed realloc: the old block stays valid
 *   = End
 *
 * Addresses become ids (a freed id is reused, so ids stay dense). Sizes are `%#lx`, so zero prints as `0`.
 * What real logs contain and this reader absorbs, counting each in the trace's meta:
 * frees of addresses allocated before tracing began (`mtrace.unknownFrees`, dropped), reallocs of such
 * addresses (`mtrace.unknownReallocs`, read as mallocs), failed mallocs and reallocs (dropped), an address
 * handed out again without a free we saw (`mtrace.reusedAddresses`: the old object is freed first), a missing
 * `= End`, and a last line cut short by a killed process (`mtrace.truncatedLines`, dropped).
 *
 * The race: in a threaded program, thread A frees 0x4052a0 and thread B's malloc gets it back, but B writes
 * its `+ 0x4052a0` line before A writes `- 0x4052a0`. The log then shows the address allocated again while
 * still live, and a free after it:
 *
 *   + 0x4052a0 0x20      object 1
 *   + 0x4052a0 0x40      object 2: the address is still bound to object 1, so object 1 is freed here
 *   - 0x4052a0           A's late free: it belongs to object 1, already freed; object 2 stays live
 *
 * So a reused address owes one free: the next free of it is taken as the late one and dropped
 * (`mtrace.lateFrees`); it does not end the new object.
 */
import { OP_MALLOC, OP_REALLOC, TraceBuilder, type Trace } from "../trace.js";
import { LineScanner, MAX_SIZE } from "./scanner.js";

const AT = 64;
const EQUALS = 61;
const PLUS = 43;
const MINUS = 45;
const LESS = 60;
const GREATER = 62;
const BANG = 33;

export function parseMtrace(text: string, where: { file?: string } = {}): Trace {
  const sc = new LineScanner(text, where.file);
  const b = new TraceBuilder();
  const idOf = new Map<number, number>();
  let spareIds = new Int32Array(1024);
  let spare = 0;
  let nextId = 0;
  const counts = { unknownFrees: 0, unknownReallocs: 0, failedMallocs: 0, failedReallocs: 0, reusedAddresses: 0, lateFrees: 0, truncatedLines: 0 };
  /** Addresses handed out again while still bound, each owing the late free of its previous object. */
  const owedFrees = new Map<number, number>();
  let sawEnd = false;
  let pendingOld = -2; // address from a `<` line waiting for its `>`; -2 = none

  const takeId = (): number => (spare > 0 ? spareIds[--spare]! : nextId++);
  const releaseId = (id: number): void => {
    if (spare === spareIds.length) {
      const s = new Int32Array(spare * 2);
      s.set(spareIds);
      spareIds = s;
    }
    spareIds[spare++] = id;
  };
  const freeAddress = (addr: number): boolean => {
    const id = idOf.get(addr);
    if (id === undefined) return false;
    idOf.delete(addr);
    b.free(id);
    releaseId(id);
    return true;
  };
  /** Makes `addr` free to bind: still bound means glibc reused it after a free we never saw. */
  const claim = (addr: number): void => {
    if (idOf.has(addr)) {
      counts.reusedAddresses++;
      freeAddress(addr);
      owedFrees.set(addr, (owedFrees.get(addr) ?? 0) + 1);
    }
  };
  const bindNew = (addr: number): number => {
    claim(addr);
    const id = takeId();
    idOf.set(addr, id);
    return id;
  };

  while (sc.nextLine()) {
    let c = sc.peek();
    if (c === -1) continue;
    if (!sc.terminated) {
      // The writer ends every line with "\n": a last line without one was cut short.
      if (!sc.lineText.startsWith("= End")) counts.truncatedLines++;
      else sawEnd = true;
      break;
    }
    if (c === EQUALS) {
      if (sc.lineText.trim().startsWith("= End")) sawEnd = true;
      continue;
    }
    if (c === AT) {
      // Skip the caller (`@ file:(sym+off)[addr]`, maybe with spaces in the path) up to the op token.
      sc.p++;
      for (;;) {
        c = sc.peek();
        if (c === -1) sc.fail("UNKNOWN_OP", "no operation (+ - < > !) after the caller field");
        const q = sc.p + 1;
        const single = q >= sc.end || sc.text.charCodeAt(q) === 32 || sc.text.charCodeAt(q) === 9;
        if (single && (c === PLUS || c === MINUS || c === LESS || c === GREATER || c === BANG)) break;
        sc.word();
      }
    }
    const q = sc.p + 1;
    if (q < sc.end && sc.text.charCodeAt(q) !== 32 && sc.text.charCodeAt(q) !== 9)
      sc.fail("UNKNOWN_OP", `unknown mtrace operation "${sc.word()}"`);
    sc.p++;
    if (pendingOld !== -2 && c !== GREATER) {
      // A `<` whose `>` never came: the old block is gone.
      freeAddress(pendingOld);
      pendingOld = -2;
    }
    switch (c) {
      case PLUS: {
        const addr = sc.hex("address");
        const size = sc.hex("size");
        if (addr === -1) {
          counts.failedMallocs++;
          break;
        }
        if (size > MAX_SIZE) sc.fail("BAD_NUMBER", `size ${size} is larger than ${MAX_SIZE}`);
        b.push(OP_MALLOC, bindNew(addr), size);
        break;
      }
      case MINUS: {
        const addr = sc.hex("address");
        if (addr === -1) break;
        const owed = owedFrees.get(addr);
        if (owed !== undefined) {
          // The late free of the object the address held before (see the race above): already freed.
          if (owed > 1) owedFrees.set(addr, owed - 1);
          else owedFrees.delete(addr);
          counts.lateFrees++;
        } else if (!freeAddress(addr)) counts.unknownFrees++;
        break;
      }
      case LESS:
        pendingOld = sc.hex("address");
        break;
      case GREATER: {
        const addr = sc.hex("address");
        const size = sc.hex("size");
        if (size > MAX_SIZE) sc.fail("BAD_NUMBER", `size ${size} is larger than ${MAX_SIZE}`);
        const oldAddr = pendingOld;
        pendingOld = -2;
        const old = oldAddr === -2 ? undefined : idOf.get(oldAddr);
        if (addr === -1) {
          // glibc writes failed reallocs as `!`, but a `> (nil)` would mean the same: the old block stays.
          counts.failedReallocs++;
        } else if (old === undefined) {
          // The old block predates tracing (or the `<` line is missing): a new object for us.
          counts.unknownReallocs++;
          b.push(OP_MALLOC, bindNew(addr), size);
        } else {
          // Moved or grown in place, the object keeps its id at its (maybe new) address.
          idOf.delete(oldAddr);
          claim(addr);
          idOf.set(addr, old);
          b.push(OP_REALLOC, old, size);
        }
        break;
      }
      case BANG:
        sc.hex("address");
        sc.hex("size");
        counts.failedReallocs++;
        break;
      default:
        sc.fail("UNKNOWN_OP", `unknown mtrace operation "${String.fromCharCode(c)}"`);
    }
  }
  if (pendingOld !== -2) freeAddress(pendingOld); // a last `<` whose `>` never came
  const meta: Record<string, string> = { format: "mtrace", "mtrace.end": sawEnd ? "yes" : "missing" };
  for (const [k, v] of Object.entries(counts)) if (v > 0) meta[`mtrace.${k}`] = String(v);
  return b.finish(meta);
}
