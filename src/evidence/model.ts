import { z } from 'zod';
import { EVIDENCE_KINDS } from './kinds.js';

/**
 * The evidence item: one observation with its provenance. This is the contract between collectors, the store,
 * mappers and renderers. Changing a field is a breaking change for every store on disk, so `schemaVersion`
 * is carried in each record.
 */

export const SCHEMA_VERSION = 1 as const;

const sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'expected a lowercase hex SHA-256');
const isoInstant = z.iso.datetime({ offset: false, precision: undefined });

export const AccountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id');
/** AWS region code, or `global` for account-wide services (Artifact, IAM). */
export const Region = z.string().regex(/^(global|[a-z]{2,}(-[a-z0-9]+)*-\d+[a-z]?)$/, 'expected an AWS region code');

export const ObservedAt = z.discriminatedUnion('type', [
  /** A state that was true at this instant (a trail's settings, a rule's compliance). */
  z.object({ type: z.literal('instant'), at: isoInstant }),
  /** Activity that happened within [start, end) (a day of CloudTrail, a month of invocations). */
  z.object({ type: z.literal('window'), start: isoInstant, end: isoInstant }),
]);
export type ObservedAt = z.infer<typeof ObservedAt>;

export const SourceRef = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('api'),
    /** e.g. `cloudtrail:DescribeTrails` */
    operation: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/),
    requestId: z.string().min(1).nullable(),
    endpoint: z.string().optional(),
  }),
  z.object({
    type: z.literal('file'),
    /** Path relative to the export directory root, always with forward slashes. */
    path: z.string().min(1),
    sha256: sha256Hex,
    /** For records extracted from a larger file (one JSON line, one array element). */
    locator: z.string().optional(),
  }),
]);
export type SourceRef = z.infer<typeof SourceRef>;

export const CallerIdentity = z.object({
  arn: z.string(),
  account: z.string(),
  userId: z.string().optional(),
});
export type CallerIdentity = z.infer<typeof CallerIdentity>;

export const Provenance = z.object({
  sources: z.array(SourceRef).min(1),
  collectorVersion: z.string().min(1),
  /** Who was asking; null for the export-directory source, which reads files that someone else fetched. */
  callerIdentity: CallerIdentity.nullable(),
});
export type Provenance = z.infer<typeof Provenance>;

export const CollectionStatus = z.discriminatedUnion('state', [
  z.object({ state: z.literal('collected') }),
  z.object({ state: z.literal('not_applicable'), reason: z.string().min(1) }),
  /** A gap: the fact could not be observed. Never equivalent to an empty success. */
  z.object({ state: z.literal('error'), code: z.string().min(1), message: z.string().min(1) }),
]);
export type CollectionStatus = z.infer<typeof CollectionStatus>;

export const BlobRef = z.object({
  /** SHA-256 of the uncompressed bytes. */
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
  mediaType: z.string().min(1),
});
export type BlobRef = z.infer<typeof BlobRef>;

export const RawRef = BlobRef.extend({
  /**
   * Raw payloads that may hold personal data (Bedrock prompts) are kept in the store for chain of custody, but
   * only their hash ever leaves it.
   */
  sensitive: z.boolean(),
});
export type RawRef = z.infer<typeof RawRef>;

export const EvidenceItem = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Content hash of the observation (see `itemId`), not of the record: provenance and collectedAt are excluded. */
  id: sha256Hex,
  collector: z.string().regex(/^[a-z][a-z0-9_]*$/),
  kind: z.enum(EVIDENCE_KINDS),
  account: AccountId,
  region: Region,
  /** ARN where there is one, otherwise a stable identifier of the thing observed. */
  resource: z.string().min(1).nullable(),
  observedAt: ObservedAt,
  collectedAt: isoInstant,
  provenance: Provenance,
  status: CollectionStatus,
  /** Normalized JSON (gzip in the store); absent for error and not_applicable items. */
  content: BlobRef.nullable(),
  raw: RawRef.nullable(),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

export function evidenceItemJsonSchema(): unknown {
  return z.toJSONSchema(EvidenceItem, { target: 'draft-2020-12' });
}
