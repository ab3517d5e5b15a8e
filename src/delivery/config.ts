import { z } from 'zod';
import { AwsRegionCode, KmsKeyRef, S3BucketName, S3KeyPrefix } from '../evidence/s3-store.js';

/** SigV4 query signing allows at most seven days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export const AssessmentId = z
  .string()
  .regex(/^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/, 'expected an Audit Manager assessment id (a lower-case UUID)');

export const ObjectLockConfig = z.strictObject({
  /** COMPLIANCE: nobody can delete or shorten it, not even root. GOVERNANCE: users with s3:BypassGovernanceRetention can. */
  mode: z.enum(['COMPLIANCE', 'GOVERNANCE']),
  days: z.number().int().min(1).max(36_500),
});
export type ObjectLockConfig = z.infer<typeof ObjectLockConfig>;

/** `delivery.s3`: where bundles go, encrypted with a customer KMS key, optionally under Object Lock. */
export const S3DeliveryConfig = z.strictObject({
  bucket: S3BucketName,
  prefix: S3KeyPrefix.default(''),
  region: AwsRegionCode,
  kmsKeyId: KmsKeyRef,
  objectLock: ObjectLockConfig.optional(),
  /** Lifetime of the auditor's download link (presigned GET), at most 7 days. */
  presignExpiresSeconds: z.number().int().min(60).max(MAX_PRESIGN_SECONDS).default(86_400),
  /** Path-style requests, for S3-compatible endpoints (AWS_ENDPOINT_URL_S3). */
  forcePathStyle: z.boolean().optional(),
});
export type S3DeliveryConfig = z.infer<typeof S3DeliveryConfig>;
export type S3DeliveryConfigInput = z.input<typeof S3DeliveryConfig>;

/** `delivery.directory`: a local or mounted directory (a shared drive, a sync folder). */
export const DirectoryDeliveryConfig = z.strictObject({ path: z.string().min(1) });

/** `delivery.auditManager`: an existing AWS Audit Manager assessment (the service is closed to new customers). */
export const AuditManagerDeliveryConfig = z.strictObject({
  assessmentId: AssessmentId,
  region: AwsRegionCode,
  /** YAML/JSON file mapping Audit Manager controls to auditpack controls, relative to the config file. */
  controlMapping: z.string().min(1).optional(),
  /** Match control ids found in Audit Manager control names (CC6.1, 164.312(b), Art.32). Default on. */
  automaticMatching: z.boolean().default(true),
  /** Evidence file format. */
  format: z.enum(['json', 'csv']).default('json'),
  /**
   * Import from this bucket (`s3ResourcePath`) instead of uploading through GetEvidenceFileUploadUrl. It must be
   * in the assessment's region.
   */
  evidenceBucket: z.strictObject({ bucket: S3BucketName, prefix: S3KeyPrefix.default(''), kmsKeyId: KmsKeyRef.optional() }).optional(),
});
export type AuditManagerDeliveryConfig = z.infer<typeof AuditManagerDeliveryConfig>;

/** `delivery:` in auditpack.yaml. Every target is optional; `auditpack deliver --to X` needs X configured. */
export const DeliveryConfig = z.strictObject({
  s3: S3DeliveryConfig.optional(),
  directory: DirectoryDeliveryConfig.optional(),
  auditManager: AuditManagerDeliveryConfig.optional(),
});
export type DeliveryConfig = z.infer<typeof DeliveryConfig>;
