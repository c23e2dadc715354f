import type { StrategyHost } from "@dmm/core";
import { AddressTree } from "../../src/address-tree.js";
import { Journal } from "../../src/journal.js";

/**
 * An AddressTree over `count` free blocks at k · spacing (k = 1..count), each with a header of sizeAt(at) bytes, on a
 * host whose block map marks every one of them as a free block's start; checked before it is returned.
 */
export function addressTreeOf(count: number, spacing: number, sizeAt: (at: number) => number): { tree: AddressTree; words: Int32Array } {
  const words = new Int32Array((count + 2) * (spacing >> 2));
  const marks = new Int32Array(((words.length * 4) >>> 8) << 1 || 2);
  const free = new Set<number>();
  const host: StrategyHost = { words, minBlockSize: 16, alignment: 8, base: 8, top: words.length * 4, marks, isFreeBlock: (offset: number) => free.has(offset) };
  const tree = new AddressTree(new Journal());
  tree.attach(host);
  for (let k = 1; k <= count; k++) {
    const at = k * spacing;
    words[at >> 2] = sizeAt(at); // a free block's header: its size, no USED bit
    free.add(at);
    marks[(at >>> 8) << 1] = marks[(at >>> 8) << 1]! | (1 << ((at >>> 3) & 31));
    tree.insert(at);
  }
  tree.check();
  return { tree, words };
}
