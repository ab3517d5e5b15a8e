import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { EvidenceStore } from '../evidence/store.js';
import { AuditManagerTarget } from './audit-manager.js';
import { inspectBundle } from './bundle.js';
import type { DeliveryConfig } from './config.js';
import { loadControlMapping } from './control-matching.js';
import { LocalDirectoryTarget } from './local-directory.js';
import { S3DeliveryTarget } from './s3.js';
import { DeliveryInputError, type DeliverOptions, type DeliveryReceipt, type DeliveryTarget } from './types.js';

export * from './types.js';
export { inspectBundle, fileSha256 } from './bundle.js';
export { DeliveryConfig, S3DeliveryConfig, AuditManagerDeliveryConfig, DirectoryDeliveryConfig, ObjectLockConfig, MAX_PRESIGN_SECONDS } from './config.js';
export { S3DeliveryTarget, deliverToS3, type S3DeliveryOptions } from './s3.js';
export { presignGetObject, type PresignedUrl } from './presign.js';
export { LocalDirectoryTarget } from './local-directory.js';
export { AuditManagerTarget, importToAuditManager, readBundleIndex, ledgerKey, dailyKey, AUDIT_MANAGER_DAILY_LIMIT, type AuditManagerImportInput, type EvidenceBucket } from './audit-manager.js';
export { AUDIT_MANAGER_MAX_FILE_BYTES, buildEvidenceFiles, EVIDENCE_FILE_FORMAT } from './audit-manager-files.js';
export { ControlMappingFile, loadControlMapping, parseControlMapping, matchControlName, matchControls, normalizeControlName } from './control-matching.js';

/**
 * Delivers one bundle: inspects it (hash, and verification against its signed manifest unless `verify: false`),
 * then hands it to the target. This is what the queue's deliver job calls.
 */
export async function deliver<R extends DeliveryReceipt>(target: DeliveryTarget<R>, bundlePath: string, options: DeliverOptions & { readonly verify?: boolean } = {}): Promise<R> {
  const bundle = await inspectBundle(bundlePath, { verify: options.verify });
  return target.deliver(bundle, options);
}

export type TargetName = 's3' | 'dir' | 'audit-manager';
export const TARGET_NAMES: readonly TargetName[] = ['s3', 'dir', 'audit-manager'];

export interface TargetContext {
  /** Relative paths in the config (directory, control mapping) resolve against this. */
  readonly baseDir: string;
  /** Audit Manager: the assessment, the import ledger and the daily counts live here. */
  readonly store?: EvidenceStore;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Overrides delivery.directory.path. */
  readonly directory?: string;
  readonly runId?: string;
  readonly dryRun?: boolean;
}

/** A target from `delivery:` in the config. Throws DeliveryInputError when that target is not configured. */
export function createDeliveryTarget(name: TargetName, config: DeliveryConfig | undefined, ctx: TargetContext): DeliveryTarget & { close?(): void } {
  switch (name) {
    case 's3': {
      if (!config?.s3) throw new DeliveryInputError('--to s3 needs delivery.s3 in the config (bucket, region, kmsKeyId; optional prefix, objectLock, presignExpiresSeconds)');
      return new S3DeliveryTarget(config.s3, { credentials: ctx.credentials });
    }
    case 'dir': {
      const dir = ctx.directory ?? config?.directory?.path;
      if (!dir) throw new DeliveryInputError('--to dir needs --dir DIR or delivery.directory.path in the config');
      return new LocalDirectoryTarget(path.resolve(ctx.baseDir, dir));
    }
    case 'audit-manager': {
      const am = config?.auditManager;
      if (!am) throw new DeliveryInputError('--to audit-manager needs delivery.auditManager in the config (assessmentId, region; optional controlMapping)');
      if (!ctx.store) throw new DeliveryInputError('--to audit-manager needs the evidence store that holds the assessment');
      const mappingFile = am.controlMapping ? path.resolve(ctx.baseDir, am.controlMapping) : undefined;
      const evidenceBucket = am.evidenceBucket
        ? {
            client: new S3Client({ region: am.region, maxAttempts: 5, retryMode: 'adaptive', ...(ctx.credentials ? { credentials: ctx.credentials } : {}) }),
            bucket: am.evidenceBucket.bucket,
            prefix: am.evidenceBucket.prefix,
            ...(am.evidenceBucket.kmsKeyId ? { kmsKeyId: am.evidenceBucket.kmsKeyId } : {}),
          }
        : undefined;
      return new AuditManagerTarget({
        assessmentId: am.assessmentId,
        region: am.region,
        store: ctx.store,
        credentials: ctx.credentials,
        runId: ctx.runId,
        mapping: mappingFile ? loadControlMapping(mappingFile) : undefined,
        mappingFile,
        automaticMatching: am.automaticMatching,
        format: am.format,
        evidenceBucket,
        ownsEvidenceBucketClient: evidenceBucket !== undefined,
        dryRun: ctx.dryRun,
      });
    }
  }
}
