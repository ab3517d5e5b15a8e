import type { BlobRef, EvidenceItem } from './model.js';
import type { EvidenceKind } from './kinds.js';

/** Which items to list. Every field narrows; omitted fields match everything. */
export interface ItemQuery {
  /** Months (YYYY-MM) whose observation window overlaps the item's. */
  readonly months?: readonly string[];
  readonly collector?: string;
  readonly account?: string;
  readonly region?: string;
  readonly kinds?: readonly EvidenceKind[];
}

export interface PutBlobOptions {
  readonly gzip?: Uint8Array;
}

/** A blob handed to `putBatch` with the items that reference it; `sha256` is the hash of `data`, computed by the writer. */
export interface BatchBlob {
  readonly sha256: string;
  readonly data: Uint8Array;
  readonly mediaType: string;
  readonly gzip?: Uint8Array;
}

/** Items and the blobs they reference (blobs may also be stored already). */
export interface ItemBatch {
  readonly items: readonly EvidenceItem[];
  readonly blobs: readonly BatchBlob[];
}

export interface PutItemResult {
  /** False when an item with the same id was already stored (the first record wins). */
  readonly stored: boolean;
  readonly item: EvidenceItem;
}

/**
 * The only code that touches evidence files. A local directory implements it today; an S3 implementation
 * (conditional PUT with If-None-Match for create-if-absent) can satisfy the same contract.
 *
 * Guarantees every implementation must give:
 * - blobs are content-addressed (sha256 of the uncompressed bytes) and written at most once;
 * - `putItem` is atomic and idempotent: readers see either no record or a whole one, and concurrent writers of
 *   the same id leave exactly one record;
 * - `listItems` yields each matching item exactly once.
 */
export interface EvidenceStore {
  readonly description: string;
  /**
   * `options.gzip`: `data` already gzip-compressed (it must inflate to exactly `data`); a store that keeps blobs
   * gzipped may store it as it is rather than compress `data` again (a whole CloudTrail file costs seconds to deflate).
   */
  putBlob(data: Uint8Array, mediaType: string, options?: PutBlobOptions): Promise<BlobRef>;
  getBlob(sha256: string): Promise<Buffer>;
  hasBlob(sha256: string): Promise<boolean>;
  putItem(item: EvidenceItem): Promise<PutItemResult>;
  getItem(id: string): Promise<EvidenceItem | null>;
  listItems(query: ItemQuery): AsyncIterable<EvidenceItem>;
  /**
   * Optional: stores many items and their blobs at once, with the same guarantees as `putItem` for each (atomic,
   * idempotent, one result per item in order). Without it, `writeObservations` (src/evidence/writer.ts) writes the
   * items one by one, 16 at a time. The local store writes a batch as one segment file with one fsync.
   */
  putBatch?(batch: ItemBatch): Promise<PutItemResult[]>;
  /** Small mutable documents: checkpoints, run state. Atomic replace, last writer wins. */
  putState(key: string, value: unknown): Promise<void>;
  getState(key: string): Promise<unknown>;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
