import type { Allocator } from "@dmm/core";

/** Options every peer adapter takes. */
export interface PeerOptions {
  /**
   * Bytes of the fixed ArrayBuffer the library manages (neither library grows its buffer). The heap extent
   * is tracked like sbrk below it, so `peakHeapBytes` measures the policy, not this size.
   * @defaultValue 64 MiB
   */
  size?: number;
}

/** Another library's allocator wrapped as an Allocator, with what the wrapper cannot do faithfully. */
export interface PeerAllocator extends Allocator {
  /** What this adapter cannot report or enforce (walk/check/stats gaps, semantics that differ from C). */
  readonly limitations: readonly string[];
}

export interface PeerEntry {
  /** Unique, kebab-case: "thi.ng-malloc". */
  readonly name: string;
  /** One line: the library, its policy and data structure. */
  readonly description: string;
  create(options?: PeerOptions): PeerAllocator;
}

export const DEFAULT_PEER_BYTES = 64 << 20;
