import { blockSize, type Strategy, type StrategyHost } from "@dmm/core";
import { AddressTreeStrategy } from "./address-tree-strategy.js";

/**
 * Next fit (Knuth 2.5 ex. 6): first fit that starts where the previous search ended — a roving pointer —
 * and wraps around to the bottom of the heap. It spreads allocations over the heap instead of piling small
 * remainders at its low end (and pays for it in fragmentation: Wilson et al. 1995 §3.5).
 *
 * The rover is an address, not a list node, so it can never dangle: it is the address of the block the last
 * search chose. The next search asks the address-ordered treap for the lowest fit at address >= rover (the
 * chosen block's remainder comes first), then from 0. When a free block appears that covers the rover's
 * address — the rover's block was coalesced into a free neighbour below it — the rover moves to that block's
 * start, as Knuth's algorithm moves it to the merged block. A rover whose block was allocated whole simply
 * continues with the next free block above it. Both searches are O(log n).
 */
export function nextFit(): Strategy {
  return new NextFit();
}

class NextFit extends AddressTreeStrategy {
  readonly name = "next-fit";
  /** Address where the next search starts: the block the last search chose (0 = the bottom). */
  rover = 0;

  override attach(host: StrategyHost): void {
    this.rover = 0;
    this.roverBeforeFind = 0;
    super.attach(host);
  }
  override begin(): void {
    super.begin();
    this.savedRover = this.rover;
    this.savedRoverBeforeFind = this.roverBeforeFind;
    this.journal.onRollback(this.restoreRover);
  }
  /** The rover before the last find, for unfind: a rejected malloc's search never moved it. */
  private roverBeforeFind = 0;
  unfind(): void {
    this.rover = this.roverBeforeFind;
    this.tree.forget();
  }
  /** What begin saved, and the action that puts it back (made once: opening the journal allocates nothing). */
  private savedRover = 0;
  private savedRoverBeforeFind = 0;
  private readonly restoreRover = (): void => {
    this.rover = this.savedRover;
    this.roverBeforeFind = this.savedRoverBeforeFind;
  };
  override insert(block: number): void {
    const rover = this.rover;
    if (rover > block && rover < block + blockSize(this.host.words, block)) this.rover = block;
    this.tree.insert(block);
  }
  find(size: number): number {
    const tree = this.tree;
    const rover = this.rover;
    this.roverBeforeFind = rover;
    let block = tree.findFrom(size, rover);
    let examined = tree.examined;
    if (block === 0 && rover !== 0) {
      block = tree.findFrom(size, 0);
      examined += tree.examined;
    }
    this.examined = examined;
    if (block !== 0) this.rover = block;
    return block;
  }
}
