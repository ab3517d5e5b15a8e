import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { sha256Hex } from '../util/canonical-json.js';
import { blobLevel } from './blob-level.js';
import { monthsBetween } from '../util/time.js';
import { EvidenceItem, type BlobRef } from './model.js';
import { StoreError, type EvidenceStore, type ItemQuery, type PutBlobOptions, type PutItemResult } from './store.js';

const LAYOUT_VERSION = 'auditpack-store 1';
const SHA256 = /^[a-f0-9]{64}$/;
const STATE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,200}){0,4}$/;

export const S3BucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)')
  .refine((b) => !b.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(b), 'expected an S3 bucket name');

/** A key prefix: empty, or path segments of safe characters, stored with one trailing slash. */
export const S3KeyPrefix = z
  .string()
  .max(512)
  .transform((p) => (p === '' || p.endsWith('/') ? p : `${p}/`))
  .refine((p) => p === '' || /^([A-Za-z0-9!_.*'()-]+\/)+$/.test(p), 'a prefix is path segments of letters, digits and ! _ . * \' ( ) -, such as "auditpack/prod/"')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'a prefix cannot contain "." or ".." segments');

export const AwsRegionCode = z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)*-\d+[a-z]?$/, 'expected an AWS region code such as eu-west-1');

/** A KMS key id, key ARN, alias name or alias ARN. */
export const KmsKeyRef = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/, 'expected a KMS key id, key ARN, alias/NAME or alias ARN');

/** `store: { type: s3, ... }` in auditpack.yaml. */
export const S3StoreConfig = z.strictObject({
  type: z.literal('s3'),
  bucket: S3BucketName,
  prefix: S3KeyPrefix.default(''),
  region: AwsRegionCode,
  /** SSE-KMS with this key for every object written; without it the bucket's default encryption applies. */
  kmsKeyId: KmsKeyRef.optional(),
  /** Path-style requests, for S3-compatible endpoints (AWS_ENDPOINT_URL_S3). */
  forcePathStyle: z.boolean().optional(),
});
export type S3StoreConfig = z.infer<typeof S3StoreConfig>;

export interface S3EvidenceStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix ('' or ending in '/'). */
  readonly prefix?: string;
  /** SSE-KMS key for every object written. */
  readonly kmsKeyId?: string;
  /** Records fetched in parallel while listing (the order is kept). Default 16. */
  readonly readConcurrency?: number;
  /** Extra attempts of a conditional write after 409 ConditionalRequestConflict. Default 5. */
  readonly conflictRetries?: number;
  /** Destroy the client with the store (when the store created it). */
  readonly ownsClient?: boolean;
}

interface S3LikeError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function statusOf(err: unknown): number | undefined {
  return (err as S3LikeError | null)?.$metadata?.httpStatusCode;
}
function nameOf(err: unknown): string {
  const e = (err ?? {}) as S3LikeError;
  return (typeof e.name === 'string' && e.name !== 'Error' ? e.name : e.Code) ?? 'UnknownError';
}
function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404 || ['NoSuchKey', 'NotFound'].includes(nameOf(err));
}
function isPreconditionFailed(err: unknown): boolean {
  return statusOf(err) === 412 || nameOf(err) === 'PreconditionFailed';
}
function isConflict(err: unknown): boolean {
  return statusOf(err) === 409 || nameOf(err) === 'ConditionalRequestConflict';
}

/**
 * Evidence store in an S3 bucket, with the same layout and guarantees as `LocalDirectoryStore`:
 *
 * ```
 * <prefix>STORE                           layout version
 * <prefix>blobs/<ab>/<sha256>.gz          content-addressed blobs (sha256 of the uncompressed bytes)
 * <prefix>records/<ab>/<id>.json          one record per evidence item
 * <prefix>index/<month>/<collector>/<account>/<region>/<kind>/<id>   zero-byte markers, for listing
 * <prefix>state/<key>.json                checkpoints and run state
 * ```
 *
 * Create-if-absent is a conditional PUT (`If-None-Match: *`): S3 answers 412 PreconditionFailed when the key
 * exists, which is the idempotent "already stored" path, so concurrent writers of one id leave exactly one record
 * (the first to finish wins, and every writer returns that one). A 409 ConditionalRequestConflict (another write
 * in flight) is resolved by re-reading, then retrying. Blob hashes are verified on every read. Throttling, 5xx
 * and network errors are retried inside the SDK (adaptive mode); anything else becomes a `StoreError` naming the
 * object, the S3 error code and the request id.
 */
export class S3EvidenceStore implements EvidenceStore {
  readonly description: string;
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly kmsKeyId: string | undefined;
  private readonly readConcurrency: number;
  private readonly conflictRetries: number;
  private readonly ownsClient: boolean;
  private initialized: Promise<void> | null = null;
  /** Blobs known to exist (written or seen by this instance); blobs are immutable, so this never goes stale. */
  private readonly knownBlobs = new Set<string>();

  constructor(options: S3EvidenceStoreOptions) {
    this.client = options.client;
    const bucket = S3BucketName.safeParse(options.bucket);
    const prefix = S3KeyPrefix.safeParse(options.prefix ?? '');
    if (!bucket.success) throw new StoreError(`S3 store: bucket "${options.bucket}": ${bucket.error.issues[0]?.message ?? 'invalid'}`, `s3://${options.bucket}`);
    if (!prefix.success) throw new StoreError(`S3 store: prefix "${options.prefix ?? ''}": ${prefix.error.issues[0]?.message ?? 'invalid'}`, `s3://${options.bucket}`);
    this.bucket = bucket.data;
    this.prefix = prefix.data;
    this.kmsKeyId = options.kmsKeyId;
    this.readConcurrency = Math.max(1, options.readConcurrency ?? 16);
    this.conflictRetries = options.conflictRetries ?? 5;
    this.ownsClient = options.ownsClient ?? false;
    this.description = `s3://${this.bucket}/${this.prefix}`;
  }

  /** A store with its own S3 client (adaptive retries; endpoint from AWS_ENDPOINT_URL_S3 when set). */
  static fromConfig(
    config: S3StoreConfig,
    options: { credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider; maxAttempts?: number; endpoint?: string } = {},
  ): S3EvidenceStore {
    const client = new S3Client({
      region: config.region,
      maxAttempts: options.maxAttempts ?? 5,
      retryMode: 'adaptive',
      ...(config.forcePathStyle !== undefined ? { forcePathStyle: config.forcePathStyle } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    return new S3EvidenceStore({ client, bucket: config.bucket, prefix: config.prefix, kmsKeyId: config.kmsKeyId, ownsClient: true });
  }

  /** Releases the S3 client's sockets when the store created it. */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  private init(): Promise<void> {
    this.initialized ??= this.checkLayout().catch((err: unknown) => {
      this.initialized = null;
      throw err;
    });
    return this.initialized;
  }

  private async checkLayout(): Promise<void> {
    const key = `${this.prefix}STORE`;
    let existing = await this.getText(key, 'read the store marker');
    if (existing === null) {
      if (await this.createIfAbsent(key, Buffer.from(`${LAYOUT_VERSION}\n`), 'text/plain')) return;
      existing = (await this.getText(key, 'read the store marker')) ?? '';
    }
    if (existing.trim() !== LAYOUT_VERSION) {
      throw new StoreError(`store layout "${existing.trim().slice(0, 80)}" is not supported (expected "${LAYOUT_VERSION}")`, this.uri(key));
    }
  }

  async putBlob(data: Uint8Array, mediaType: string, options: PutBlobOptions = {}): Promise<BlobRef> {
    await this.init();
    const sha256 = sha256Hex(data);
    const key = this.blobKey(sha256);
    if (!this.knownBlobs.has(sha256) && !(await this.exists(key))) {
      await this.createIfAbsent(key, options.gzip ? Buffer.from(options.gzip.buffer, options.gzip.byteOffset, options.gzip.byteLength) : gzipSync(data, { level: blobLevel(mediaType) }), 'application/gzip');
    }
    this.knownBlobs.add(sha256);
    return { sha256, size: data.byteLength, mediaType };
  }

  async getBlob(sha256: string): Promise<Buffer> {
    const key = this.blobKey(sha256);
    const gz = await this.getBytes(key, `read blob ${sha256}`);
    if (gz === null) throw new StoreError(`blob ${sha256} is missing (${this.uri(key)})`, this.uri(key));
    let data: Buffer;
    try {
      data = gunzipSync(gz);
    } catch (err) {
      throw new StoreError(`blob ${sha256} is corrupt (gzip) (${this.uri(key)}): ${(err as Error).message}`, this.uri(key), { cause: err });
    }
    if (sha256Hex(data) !== sha256) throw new StoreError(`blob ${sha256} is corrupt (hash mismatch) (${this.uri(key)})`, this.uri(key));
    this.knownBlobs.add(sha256);
    return data;
  }

  async hasBlob(sha256: string): Promise<boolean> {
    if (this.knownBlobs.has(sha256)) return true;
    const found = await this.exists(this.blobKey(sha256));
    if (found) this.knownBlobs.add(sha256);
    return found;
  }

  async putItem(candidate: EvidenceItem): Promise<PutItemResult> {
    await this.init();
    const item = EvidenceItem.parse(candidate);
    for (const ref of [item.content, item.raw]) {
      if (ref && !(await this.hasBlob(ref.sha256))) {
        throw new StoreError(`item ${item.id} references blob ${ref.sha256}, which is not stored`, this.uri(this.blobKey(ref.sha256)));
      }
    }
    const recordKey = this.recordKey(item.id);
    const stored = await this.createIfAbsent(recordKey, Buffer.from(JSON.stringify(item) + '\n'), 'application/json');
    let kept = item;
    if (!stored) {
      const existing = await this.getItem(item.id);
      if (!existing) throw new StoreError(`record ${item.id} exists but cannot be read back`, this.uri(recordKey));
      kept = existing;
    }
    // Markers after the record: an interrupted put is finished by putting the same item again.
    for (const marker of this.markerKeys(kept)) await this.createIfAbsent(marker, Buffer.alloc(0), 'application/octet-stream');
    return { stored, item: kept };
  }

  async getItem(id: string): Promise<EvidenceItem | null> {
    if (!SHA256.test(id)) return null;
    const key = this.recordKey(id);
    const bytes = await this.getBytes(key, `read evidence record ${id}`);
    if (bytes === null) return null;
    let item: EvidenceItem;
    try {
      item = EvidenceItem.parse(JSON.parse(bytes.toString('utf8')));
    } catch (err) {
      throw new StoreError(`evidence record is corrupt (${this.uri(key)}): ${(err as Error).message.slice(0, 300)}`, this.uri(key), { cause: err });
    }
    if (item.id !== id) throw new StoreError(`evidence record is corrupt (${this.uri(key)}): it holds item ${item.id}`, this.uri(key));
    return item;
  }

  /**
   * Walks the index with the narrowest prefixes the query allows: fixed fields become key segments, a level that
   * is open while a deeper level is filtered is enumerated with `Delimiter: '/'`, and once nothing deeper is
   * filtered the rest is one flat listing. Pages are requested only as the caller consumes items, and records are
   * read a page at a time with bounded parallelism, in listing order.
   */
  async *listItems(query: ItemQuery): AsyncIterable<EvidenceItem> {
    const levels = normalizeQuery(query);
    if (!levels) return;
    const seen = new Set<string>();
    for await (const page of this.markerPages(`${this.prefix}index/`, 0, levels)) {
      const ids = page.filter((m) => !seen.has(m.id));
      for (const m of ids) seen.add(m.id);
      yield* this.readInOrder(ids);
    }
  }

  async putState(key: string, value: unknown): Promise<void> {
    await this.init();
    const k = this.stateKey(key);
    try {
      await this.client.send(new PutObjectCommand(this.putInput(k, Buffer.from(JSON.stringify(value, null, 2) + '\n'), 'application/json')));
    } catch (err) {
      throw this.fail(err, k, 'write state');
    }
  }

  async getState(key: string): Promise<unknown> {
    const k = this.stateKey(key);
    const bytes = await this.getBytes(k, 'read state');
    if (bytes === null) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (err) {
      throw new StoreError(`cannot read state (${this.uri(k)}): ${(err as Error).message}`, this.uri(k), { cause: err });
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private blobKey(sha256: string): string {
    if (!SHA256.test(sha256)) throw new StoreError(`not a sha256: ${sha256.slice(0, 80)}`, this.description);
    return `${this.prefix}blobs/${sha256.slice(0, 2)}/${sha256}.gz`;
  }

  private recordKey(id: string): string {
    return `${this.prefix}records/${id.slice(0, 2)}/${id}.json`;
  }

  private stateKey(key: string): string {
    if (!STATE_KEY.test(key) || key.includes('..')) throw new StoreError(`invalid state key "${key.slice(0, 80)}"`, this.description);
    return `${this.prefix}state/${key}.json`;
  }

  private markerKeys(item: EvidenceItem): string[] {
    const window = item.observedAt.type === 'instant' ? { start: item.observedAt.at, end: item.observedAt.at } : item.observedAt;
    return monthsBetween(window.start, window.end).map(
      (month) => `${this.prefix}index/${month}/${item.collector}/${item.account}/${item.region}/${item.kind}/${item.id}`,
    );
  }

  private putInput(key: string, body: Buffer, contentType: string): PutObjectCommandInput {
    return {
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ...(this.kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.kmsKeyId, BucketKeyEnabled: true } : {}),
    };
  }

  private fail(err: unknown, key: string, action: string): StoreError {
    const e = (err ?? {}) as S3LikeError;
    const status = statusOf(err);
    const requestId = e.$metadata?.requestId;
    const code = nameOf(err);
    const hint = code === 'AccessDenied' || status === 403 ? ' (check the IAM policy for s3:GetObject, s3:PutObject and s3:ListBucket, and kms:GenerateDataKey/kms:Decrypt on the key)' : '';
    const detail = `${code}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? ''}`.trim();
    return new StoreError(`cannot ${action} (${this.uri(key)}): ${detail}${requestId ? ` [request ${requestId}]` : ''}${hint}`, this.uri(key), { cause: err });
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw this.fail(err, key, 'check');
    }
  }

  /** The object's bytes, or null when there is no such key. */
  private async getBytes(key: string, action: string): Promise<Buffer | null> {
    let body: { transformToByteArray(): Promise<Uint8Array> } | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      body = out.Body;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.fail(err, key, action);
    }
    if (!body) return Buffer.alloc(0);
    try {
      return Buffer.from(await body.transformToByteArray());
    } catch (err) {
      // The SDK validates the response checksum while the body streams.
      if (/checksum/i.test((err as Error).message)) {
        throw new StoreError(`object is corrupt (${this.uri(key)}): ${(err as Error).message}`, this.uri(key), { cause: err });
      }
      throw this.fail(err, key, action);
    }
  }

  private async getText(key: string, action: string): Promise<string | null> {
    const bytes = await this.getBytes(key, action);
    return bytes === null ? null : bytes.toString('utf8');
  }

  /**
   * Creates `key` unless it exists; returns whether this call created it. 412 means another writer got there
   * first. 409 means a concurrent write is in flight: re-read, and retry while the key is still absent.
   */
  private async createIfAbsent(key: string, body: Buffer, contentType: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new PutObjectCommand({ ...this.putInput(key, body, contentType), IfNoneMatch: '*' }));
        return true;
      } catch (err) {
        if (isPreconditionFailed(err)) return false;
        if (isConflict(err)) {
          if (await this.exists(key)) return false;
          if (attempt < this.conflictRetries) {
            await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
            continue;
          }
        }
        throw this.fail(err, key, 'write');
      }
    }
  }

  private async *listPages(prefix: string, delimiter?: '/'): AsyncGenerator<{ keys: string[]; prefixes: string[] }> {
    let token: string | undefined;
    do {
      let out;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}), ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (err) {
        throw this.fail(err, prefix, 'list');
      }
      yield {
        keys: (out.Contents ?? []).flatMap((c) => (c.Key ? [c.Key] : [])),
        prefixes: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
      };
      if (out.IsTruncated && !out.NextContinuationToken) throw new StoreError(`listing ${this.uri(prefix)} is truncated without a continuation token`, this.uri(prefix));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /** Pages of index markers under `prefix`, which sits at index level `depth` (0 month … 4 kind, 5 ids). */
  private async *markerPages(prefix: string, depth: number, levels: Levels): AsyncGenerator<{ id: string; key: string }[]> {
    const fixed = levels[depth];
    if (depth < 5 && fixed) {
      for (const value of fixed) yield* this.markerPages(`${prefix}${value}/`, depth + 1, levels);
      return;
    }
    if (depth < 5 && levels.slice(depth + 1).some(Boolean)) {
      for await (const page of this.listPages(prefix, '/')) {
        for (const child of page.prefixes) yield* this.markerPages(child, depth + 1, levels);
      }
      return;
    }
    // Nothing below is filtered: every marker under the prefix matches.
    const segments = 5 - depth + 1;
    for await (const page of this.listPages(prefix)) {
      const out: { id: string; key: string }[] = [];
      for (const key of page.keys) {
        const parts = key.slice(prefix.length).split('/');
        const id = parts[parts.length - 1]!;
        // Anything else under index/ (a stray upload) is not a marker.
        if (parts.length === segments && SHA256.test(id)) out.push({ id, key });
      }
      if (out.length) yield out;
    }
  }

  private async *readInOrder(markers: readonly { id: string; key: string }[]): AsyncGenerator<EvidenceItem> {
    const window: Promise<EvidenceItem>[] = [];
    let next = 0;
    const start = (): void => {
      const m = markers[next++]!;
      const p = this.getItem(m.id).then((item) => {
        if (!item) throw new StoreError(`index lists ${m.id} but its record is missing`, this.uri(m.key));
        return item;
      });
      p.catch(() => undefined); // surfaced when awaited below; avoids unhandled rejections if the caller stops early
      window.push(p);
    };
    while (next < markers.length && window.length < this.readConcurrency) start();
    while (window.length) {
      const item = await window.shift()!;
      if (next < markers.length) start();
      yield item;
    }
  }
}

/** Per index level (month, collector, account, region, kind): the fixed values to visit, or null for all. */
type Levels = readonly [string[] | null, string[] | null, string[] | null, string[] | null, string[] | null];

/** Null when the query can match nothing (an empty list, or a value that cannot be a key segment). */
function normalizeQuery(q: ItemQuery): Levels | null {
  const segment = (v: string): boolean => v.length > 0 && !v.includes('/') && v !== '.' && v !== '..';
  const list = (values: readonly string[] | undefined): string[] | null | false => {
    if (values === undefined) return null;
    const ok = [...new Set(values)].filter(segment).sort();
    return ok.length ? ok : false;
  };
  const one = (v: string | undefined): string[] | null | false => (v === undefined ? null : segment(v) ? [v] : false);
  const levels = [list(q.months), one(q.collector), one(q.account), one(q.region), list(q.kinds)];
  if (levels.some((l) => l === false)) return null;
  return levels as unknown as Levels;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
