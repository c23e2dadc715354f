import { HeapError, type Strategy } from "@dmm/core";

/**
 * A strategy that behaves as `inner` until `armed()` says the call's first step has happened, and from then on
 * rejects (CORRUPTION, writing nothing) every insert, and its vetting, of the block at `at`: damage that only
 * the first step's changes bring onto the second step's path, as a smashed link does when the first step
 * restructures the index. Used to hold the two-step calls (a moving realloc, a deferred malloc's pass and fit)
 * to "a rejected call changes nothing". With `journal`, the inner strategy's undo journal (begin / commit /
 * rollback) is passed on; without, the heap undoes the first step through remove / insert.
 */
export function rejectsInsertAfter(inner: Strategy, at: () => number, armed: () => boolean, journal = false): Strategy & { rejected: number } {
  const wrapper = {
    ...(journal && { begin: () => inner.begin!(), commit: () => inner.commit!(), rollback: () => inner.rollback!() }),
    ...(inner.unfind && { unfind: () => inner.unfind!() }),
    rejected: 0,
    name: inner.name,
    get examined() {
      return inner.examined;
    },
    set examined(v: number) {
      inner.examined = v;
    },
    get carveHigh() {
      return inner.carveHigh;
    },
    attach: (host: Parameters<Strategy["attach"]>[0]) => inner.attach(host),
    insert(block: number) {
      wrapper.refuse(block);
      inner.insert(block);
    },
    remove: (block: number) => inner.remove(block),
    find: (size: number) => inner.find(size),
    forEach: (visit: (block: number) => void) => inner.forEach(visit),
    validateInsert(block: number, size: number) {
      wrapper.refuse(block);
      inner.validateInsert?.(block, size);
    },
    validateRemove: (block: number) => inner.validateRemove?.(block),
    check: () => inner.check?.(),
    refuse(block: number) {
      if (armed() && block === at()) {
        wrapper.rejected++;
        throw new HeapError("CORRUPTION", `test: the insert of block ${block} meets damage`);
      }
    },
  };
  return wrapper;
}
