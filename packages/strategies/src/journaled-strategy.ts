import type { StrategyHost } from "@dmm/core";
import { Journal } from "./journal.js";

/** What a journaled strategy's index is made of: something the heap binds and whose scalars a journal can save. */
interface Index {
  attach(host: StrategyHost): void;
  /** Registers with the journal what puts back the index's own scalars (a root, a count). */
  begin(): void;
}

/**
 * The part of a strategy over one tree index that only forwards (next fit: address-tree-strategy.ts): the binding to a heap and the undo journal of the heap's two-step calls (journal.ts),
 * opened, kept and rolled back for the tree and the strategy together.
 */
export abstract class JournaledStrategy<T extends Index> {
  examined = 0;
  protected host!: StrategyHost;
  /** The undo journal of the heap's two-step calls (journal.ts). */
  protected readonly journal = new Journal();
  protected abstract readonly tree: T;

  attach(host: StrategyHost): void {
    this.host = host;
    this.tree.attach(host);
  }
  begin(): void {
    this.journal.begin();
    this.tree.begin();
  }
  commit(): void {
    this.journal.commit();
  }
  rollback(): void {
    this.journal.rollback(this.host.words);
  }
}
