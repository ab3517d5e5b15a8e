import type { CollectionStatus, ObservedAt, SourceRef } from './model.js';
import type { EvidenceKind } from './kinds.js';
import type { ContentOf } from './content.js';

/**
 * What a normalizer returns: an evidence item before it is stored. Normalizers are pure (no I/O, no clock);
 * `EvidenceWriter` turns observations into stored `EvidenceItem`s, hashing content and putting blobs.
 */
export interface Observation<K extends EvidenceKind = EvidenceKind> {
  readonly collector: string;
  readonly kind: K;
  readonly account: string;
  readonly region: string;
  readonly resource: string | null;
  readonly observedAt: ObservedAt;
  readonly status: CollectionStatus;
  readonly content: ContentOf<K> | null;
  readonly raw: RawPayload | null;
  readonly sources: readonly SourceRef[];
}

export interface RawPayload {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  /** True when the payload may contain personal data and must never leave the store. */
  readonly sensitive: boolean;
  /**
   * The same bytes already gzip-compressed (a log file as delivered), when the caller has them: a store that keeps
   * blobs gzipped stores these as they are instead of compressing `bytes` again.
   */
  readonly gzip?: Uint8Array;
}

/** Any observation, with kind and content kept in step for each kind. */
export type AnyObservation = { [K in EvidenceKind]: Observation<K> }[EvidenceKind];

export function collected<K extends EvidenceKind>(
  base: Omit<Observation<K>, 'status' | 'content'>,
  content: ContentOf<K>,
): Observation<K> {
  return { ...base, status: { state: 'collected' }, content };
}

export function failed<K extends EvidenceKind>(
  base: Omit<Observation<K>, 'status' | 'content'>,
  code: string,
  message: string,
): Observation<K> {
  return { ...base, status: { state: 'error', code, message }, content: null };
}

export function notApplicable<K extends EvidenceKind>(
  base: Omit<Observation<K>, 'status' | 'content'>,
  reason: string,
): Observation<K> {
  return { ...base, status: { state: 'not_applicable', reason }, content: null };
}
