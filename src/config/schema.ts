import { z } from 'zod';
import { SigningConfig } from '../signing/config.js';
import { S3StoreConfig } from '../evidence/s3-store.js';
import { DeliveryConfig } from '../delivery/config.js';
import { QueueSection, SchedulesSection } from '../queue/settings.js';
import { ApiSection } from '../api/config.js';

const LocalStoreConfig = z.strictObject({ type: z.literal('local').default('local'), path: z.string().min(1).default('.auditpack') });
/** `store: { path }` (local is the default, no type needed) or `store: { type: s3, bucket, region, ... }`. */
const StoreConfig = z.union([LocalStoreConfig, S3StoreConfig]);

const threshold = z.strictObject({ min: z.number().optional(), max: z.number().optional() }).refine((t) => t.min !== undefined || t.max !== undefined, {
  message: 'a threshold needs min, max or both',
});

/**
 * `auditpack.yaml`. Every key is optional except the organisation name, so a first config can be three lines;
 * later issues add keys (signing, schedules, delivery) to this one schema.
 */
export const AuditpackConfig = z.strictObject({
  organisation: z.strictObject({ name: z.string().min(1), contact: z.string().optional() }),
  scope: z
    .strictObject({
      accounts: z
        .array(z.strictObject({ id: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'), name: z.string().optional() }))
        .default([]),
      regions: z.array(z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)*-\d+[a-z]?$/, 'expected an AWS region code such as eu-west-1')).default([]),
    })
    .default({ accounts: [], regions: [] }),
  frameworks: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).min(1).default(['soc2', 'hipaa', 'gdpr']),
  /** Default period: `YYYY-MM` or `YYYY-MM-DD..YYYY-MM-DD`. */
  period: z.string().optional(),
  store: StoreConfig.default({ type: 'local', path: '.auditpack' }),
  /** Where bundles go: S3 (SSE-KMS, Object Lock, presigned links), a directory, or an Audit Manager assessment. */
  delivery: DeliveryConfig.optional(),
  /** Accepted-risks file, relative to this config file. */
  exceptions: z.string().optional(),
  assessment: z
    .strictObject({
      freshnessDays: z.number().int().positive().max(400).default(45),
      /** Pin the assessment time (ISO instant) for reproducible packs; default: now. */
      asOf: z.iso.datetime().optional(),
    })
    .default({ freshnessDays: 45 }),
  fairness: z
    .strictObject({
      /** Overrides of the default bias-metric thresholds, by metric name (DI, DPL, ...). */
      thresholds: z.record(z.string(), threshold).default({}),
      /** Per-model overrides, by model (package group) name. */
      models: z.record(z.string(), z.record(z.string(), threshold)).default({}),
    })
    .default({ thresholds: {}, models: {} }),
  output: z.strictObject({ dir: z.string().min(1).default('out') }).default({ dir: 'out' }),
  /** How packs are signed: a local key (PEM or PKCS#12) or an AWS KMS asymmetric key (see docs/bundle.md). */
  signing: SigningConfig.optional(),
  /** Live collection from AWS APIs. */
  collection: z
    .strictObject({
      /** Role assumed in every account of the scope: a name (arn:aws:iam::<account>:role/<name>) or an ARN template with {account}. */
      roleName: z.string().regex(/^(arn:aws[a-z-]*:iam::\{account\}:role\/[\w+=,.@/-]+|[\w+=,.@-]+)$/, 'a role name, or an ARN template containing {account}').optional(),
      /** The external id the role's trust policy requires (a value, not a secret, but kept out of logs anyway). */
      externalId: z.string().min(2).max(1224).optional(),
      collectors: z.array(z.string()).optional(),
      /** SDK attempts per call (adaptive retry). */
      maxAttempts: z.number().int().min(1).max(10).default(3),
    })
    .default({ maxAttempts: 3 }),
  /** Redis, queues and rate limits for `auditpack worker` and `pack --queue` (docs/workers.md). */
  queue: QueueSection.optional(),
  schedules: SchedulesSection.optional(),
  /** The HTTP API of `auditpack serve`: tokens (hashed), listen address, rate limits. */
  api: ApiSection.optional(),
});
export type AuditpackConfig = z.infer<typeof AuditpackConfig>;
