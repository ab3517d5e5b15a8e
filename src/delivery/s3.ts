import { createReadStream } from 'node:fs';
import { HeadObjectCommand, S3Client, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { inspectBundle } from './bundle.js';
import { S3DeliveryConfig, type S3DeliveryConfigInput } from './config.js';
import { presignGetObject } from './presign.js';
import { awsErrorText, DeliveryError, DeliveryInputError, describeAwsError, type DeliverOptions, type DeliveryTarget, type InspectedBundle, type S3Receipt } from './types.js';

export interface S3DeliveryOptions {
  /** A client to use (tests, or a caller with its own credentials); default: one for the target's region. */
  readonly client?: S3Client;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** SDK attempts per request (adaptive retry). Default 5. */
  readonly maxAttempts?: number;
  /** Multipart part size in bytes (minimum 5 MiB). Default: 8 MiB, more for very large bundles. */
  readonly partSize?: number;
  /** Parts in flight at once. Default 4. */
  readonly queueSize?: number;
}

const MIB = 1024 * 1024;

/**
 * Delivers bundles to S3 with `@aws-sdk/lib-storage` (multipart, streamed from disk, aborted on failure):
 * SSE-KMS with the configured key, a SHA-256 checksum S3 verifies per part (and combines for the object),
 * Object Lock retention when configured, and the bundle's own SHA-256 in the object metadata. After the upload
 * it reads the object's headers back and checks what S3 stored (size, hash, encryption, retention), then signs
 * an expiring GET for the exact version delivered.
 */
export class S3DeliveryTarget implements DeliveryTarget<S3Receipt> {
  readonly kind = 's3' as const;
  readonly description: string;
  readonly config: S3DeliveryConfig;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;

  constructor(
    config: S3DeliveryConfigInput,
    private readonly options: S3DeliveryOptions = {},
  ) {
    const parsed = S3DeliveryConfig.safeParse(config);
    if (!parsed.success) throw new DeliveryInputError(`delivery.s3: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    this.config = parsed.data;
    this.description = `s3://${this.config.bucket}/${this.config.prefix}`;
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new S3Client({
        region: this.config.region,
        maxAttempts: options.maxAttempts ?? 5,
        retryMode: 'adaptive',
        ...(this.config.forcePathStyle !== undefined ? { forcePathStyle: this.config.forcePathStyle } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  async deliver(bundle: InspectedBundle, options: DeliverOptions = {}): Promise<S3Receipt> {
    const now = options.now ?? (() => new Date());
    const { bucket, prefix, kmsKeyId, objectLock } = this.config;
    const key = `${prefix}${bundle.name}`;
    const location = `s3://${bucket}/${key}`;
    const startedAt = now();
    const retainUntil = objectLock ? new Date(startedAt.getTime() + objectLock.days * 86_400_000) : null;
    const partSize = Math.max(5 * MIB, this.options.partSize ?? Math.max(8 * MIB, Math.ceil(bundle.size / 9_000)));

    const upload = new Upload({
      client: this.client,
      partSize,
      queueSize: this.options.queueSize ?? 4,
      leavePartsOnError: false,
      params: {
        Bucket: bucket,
        Key: key,
        Body: createReadStream(bundle.path, { highWaterMark: MIB }),
        ContentLength: bundle.size,
        ContentType: 'application/zip',
        ChecksumAlgorithm: 'SHA256',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: kmsKeyId,
        BucketKeyEnabled: true,
        Metadata: { 'auditpack-sha256': bundle.sha256, ...(bundle.packId ? { 'auditpack-pack-id': bundle.packId } : {}) },
        ...(objectLock && retainUntil ? { ObjectLockMode: objectLock.mode, ObjectLockRetainUntilDate: retainUntil } : {}),
      },
    });
    upload.on('httpUploadProgress', (p) => options.onProgress?.({ done: p.loaded ?? 0, total: p.total ?? bundle.size, detail: location }));
    const abort = (): void => void upload.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    let versionId: string | null;
    try {
      const out = await upload.done();
      versionId = out.VersionId ?? null;
    } catch (err) {
      throw new DeliveryError(`upload to ${location} failed: ${awsErrorText(err)}${hint(err)}`, 's3', describeAwsError(err).code, { cause: err });
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }

    // Read back what S3 stored, for this exact version.
    let head: HeadObjectCommandOutput;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', ...(versionId ? { VersionId: versionId } : {}) }));
    } catch (err) {
      throw new DeliveryError(`uploaded ${location}, but cannot read it back: ${awsErrorText(err)}${hint(err)}`, 's3', describeAwsError(err).code, { cause: err });
    }
    versionId ??= head.VersionId ?? null;
    const problems: string[] = [];
    if (head.ContentLength !== bundle.size) problems.push(`S3 holds ${head.ContentLength ?? '?'} bytes, the bundle has ${bundle.size}`);
    if (head.Metadata?.['auditpack-sha256'] !== bundle.sha256) problems.push('the stored SHA-256 metadata does not match the bundle');
    if (head.ServerSideEncryption !== 'aws:kms') problems.push(`the object is encrypted with ${head.ServerSideEncryption ?? 'nothing'}, not SSE-KMS`);
    if (objectLock && retainUntil) {
      const storedUntil = head.ObjectLockRetainUntilDate?.getTime();
      if (head.ObjectLockMode !== objectLock.mode || storedUntil === undefined || Math.abs(storedUntil - retainUntil.getTime()) > 1000) {
        problems.push(`Object Lock was not applied as asked (${objectLock.mode} until ${retainUntil.toISOString()}; S3 reports ${head.ObjectLockMode ?? 'none'})`);
      }
    }
    if (problems.length) throw new DeliveryError(`uploaded ${location}, but ${problems.join('; ')}`, 's3', 'VerificationFailed');

    let download;
    try {
      download = await presignGetObject(this.client, { Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }, { expiresIn: this.config.presignExpiresSeconds, signingDate: now() });
    } catch (err) {
      throw new DeliveryError(`uploaded ${location}, but cannot sign a download link: ${(err as Error).message}`, 's3', 'PresignFailed', { cause: err });
    }
    return {
      kind: 's3',
      bundle: { name: bundle.name, sha256: bundle.sha256, size: bundle.size, packId: bundle.packId },
      deliveredAt: now().toISOString(),
      bucket,
      key,
      location,
      versionId,
      encryption: { type: 'aws:kms', kmsKeyId: head.SSEKMSKeyId ?? kmsKeyId },
      // What S3 reports: the retention asked for, or the bucket's default retention when none was asked for.
      retention:
        (head.ObjectLockMode === 'COMPLIANCE' || head.ObjectLockMode === 'GOVERNANCE') && head.ObjectLockRetainUntilDate
          ? { mode: head.ObjectLockMode, retainUntil: head.ObjectLockRetainUntilDate.toISOString() }
          : null,
      checksumSha256: head.ChecksumSHA256 ?? null,
      download,
    };
  }
}

function hint(err: unknown): string {
  const { code, status, message } = describeAwsError(err);
  if (code === 'AccessDenied' || status === 403) return ' (the role needs s3:PutObject, s3:GetObject and, with Object Lock, s3:PutObjectRetention on the bucket, plus kms:GenerateDataKey and kms:Decrypt on the key)';
  if (/Object Lock/i.test(message)) return ' (the bucket must be created with Object Lock enabled to deliver with retention)';
  if (code === 'NoSuchBucket') return ' (check delivery.s3.bucket and region)';
  return '';
}

/**
 * Uploads one bundle to S3 (see `S3DeliveryTarget`) and returns its version id and an expiring download link.
 * Verifies the bundle first unless `verify: false` (for a caller that has just built and verified it).
 */
export async function deliverToS3(
  bundlePath: string,
  target: S3DeliveryConfigInput,
  options: S3DeliveryOptions & DeliverOptions & { readonly verify?: boolean } = {},
): Promise<S3Receipt> {
  const bundle = await inspectBundle(bundlePath, { verify: options.verify });
  const t = new S3DeliveryTarget(target, options);
  try {
    return await t.deliver(bundle, options);
  } finally {
    t.close();
  }
}
