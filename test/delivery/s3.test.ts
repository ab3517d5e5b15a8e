import { randomBytes, createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliver, deliverToS3, DeliveryError, DeliveryInputError, presignGetObject, S3DeliveryTarget } from '../../src/delivery/index.js';
import { FakeS3 } from '../fixtures/delivery/fake-s3.js';
import { makeBundle, tamperedCopy, type DeliveryFixture } from '../fixtures/delivery/bundle.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLEFAKE00002', secretAccessKey: 'delivery/secret+key/never-printed-00000000' };
const KMS = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const NOW = new Date('2026-11-03T10:00:00.000Z');
const LOCKED = 'northwind-audit-deliveries';
const PLAIN = 'northwind-plain';

let fx: DeliveryFixture;
let fake: FakeS3;
let client: S3Client;
beforeAll(async () => {
  fx = await makeBundle();
});
afterAll(() => rmSync(fx.root, { recursive: true, force: true }));
beforeEach(async () => {
  fake = await new FakeS3({ buckets: { [LOCKED]: { objectLock: true }, [PLAIN]: {} }, credentials: CREDS, now: () => NOW }).start();
  client = new S3Client({ region: 'eu-west-1', endpoint: fake.endpoint, forcePathStyle: true, credentials: CREDS, maxAttempts: 2 });
});
afterEach(async () => {
  client.destroy();
  await fake.stop();
});

const target = (over: Record<string, unknown> = {}) => ({
  bucket: LOCKED,
  prefix: 'packs/2026-10',
  region: 'eu-west-1',
  kmsKeyId: KMS,
  objectLock: { mode: 'COMPLIANCE' as const, days: 2555 },
  presignExpiresSeconds: 3 * 86_400,
  ...over,
});

describe('deliverToS3', () => {
  it('uploads the verified bundle with SSE-KMS, Object Lock and a SHA-256 checksum, and reads back what S3 stored', async () => {
    const r = await deliverToS3(fx.bundle.path, target(), { client, now: () => NOW });
    const key = 'packs/2026-10/northwind-2026-10.zip';
    const stored = fake.object(LOCKED, key)!;
    expect(stored.body.equals(readFileSync(fx.bundle.path))).toBe(true);

    const put = fake.requests.find((q) => q.operation === 'PutObject')!;
    expect(put.headers).toMatchObject({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KMS,
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
      'x-amz-object-lock-mode': 'COMPLIANCE',
      'x-amz-object-lock-retain-until-date': '2033-11-01T10:00:00Z',
      'x-amz-meta-auditpack-sha256': fx.bundle.sha256,
      'x-amz-meta-auditpack-pack-id': fx.pack.assessment.packId,
      'content-type': 'application/zip',
    });
    // The checksum the fake verified against the body (a header, or an aws-chunked trailer).
    expect(put.headers['x-amz-checksum-sha256'] ?? put.headers['x-amz-trailer']).toBeDefined();
    expect(stored.checksum).toEqual({ algorithm: 'sha256', value: createHash('sha256').update(stored.body).digest('base64'), type: 'FULL_OBJECT' });

    expect(r).toMatchObject({
      kind: 's3',
      bucket: LOCKED,
      key,
      location: `s3://${LOCKED}/${key}`,
      versionId: stored.versionId,
      encryption: { type: 'aws:kms', kmsKeyId: KMS },
      retention: { mode: 'COMPLIANCE', retainUntil: '2033-11-01T10:00:00.000Z' },
      checksumSha256: stored.checksum!.value,
      bundle: { name: 'northwind-2026-10.zip', sha256: fx.bundle.sha256, size: fx.bundle.size, packId: fx.pack.assessment.packId },
      deliveredAt: NOW.toISOString(),
    });
    expect(r.download.expiresAt).toBe('2026-11-06T10:00:00.000Z');
    expect(r.download.expiresInSeconds).toBe(3 * 86_400);
    expect(r.download.note).toBeNull();
    const head = fake.requests.find((q) => q.operation === 'HeadObject')!;
    expect(head.query['versionId']).toBe(stored.versionId);
    // Nothing in the receipt is a credential but the URL's access key id.
    const json = JSON.stringify(r);
    expect(json).not.toContain(CREDS.secretAccessKey);
    expect(json.split(CREDS.accessKeyId).length - 1).toBe(1);
  });

  it('the presigned URL downloads exactly the delivered version, and stops working when it expires', async () => {
    const r = await deliverToS3(fx.bundle.path, target(), { client, now: () => NOW });
    const url = new URL(r.download.url);
    expect(url.origin).toBe(fake.endpoint);
    expect(url.pathname).toBe(`/${LOCKED}/packs/2026-10/northwind-2026-10.zip`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      versionId: r.versionId!,
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${CREDS.accessKeyId}/20261103/eu-west-1/s3/aws4_request`,
      'X-Amz-Date': '20261103T100000Z',
      'X-Amz-Expires': String(3 * 86_400),
      'X-Amz-SignedHeaders': 'host',
    });

    fake.now = () => new Date(NOW.getTime() + 3600_000);
    const ok = await fetch(r.download.url);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(readFileSync(fx.bundle.path))).toBe(true);

    // A newer version under the same key does not change what the link returns.
    fake.seed(LOCKED, r.key, Buffer.from('a later upload'));
    expect(Buffer.from(await (await fetch(r.download.url)).arrayBuffer()).length).toBe(fx.bundle.size);

    const tampered = r.download.url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    const bad = await fetch(tampered);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('SignatureDoesNotMatch');

    fake.now = () => new Date(Date.parse(r.download.expiresAt) + 1000);
    const expired = await fetch(r.download.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    fake.now = () => new Date(Date.parse(r.download.expiresAt) - 1000);
    expect((await fetch(r.download.url)).status).toBe(200);
  });

  it('streams a large bundle as a multipart upload: SSE-KMS and retention on the upload, SHA-256 per part, composite checksum', async () => {
    const file = path.join(fx.root, 'large.zip');
    const data = randomBytes(12 * 1024 * 1024 + 12345);
    writeFileSync(file, data);
    const r = await deliverToS3(file, target(), { client, now: () => NOW, verify: false, partSize: 5 * 1024 * 1024 });
    const create = fake.requests.find((q) => q.operation === 'CreateMultipartUpload')!;
    expect(create.headers).toMatchObject({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KMS,
      'x-amz-object-lock-mode': 'COMPLIANCE',
      'x-amz-object-lock-retain-until-date': '2033-11-01T10:00:00Z',
      'x-amz-checksum-algorithm': 'SHA256',
    });
    const parts = fake.requests.filter((q) => q.operation === 'UploadPart');
    expect(parts.map((p) => p.query['partNumber']).sort()).toEqual(['1', '2', '3']);
    for (const p of parts) expect(p.status).toBe(200);
    expect(fake.count('CompleteMultipartUpload', (q) => q.status === 200)).toBe(1);
    expect(fake.object(LOCKED, r.key)!.body.equals(data)).toBe(true);
    expect(r.checksumSha256).toMatch(/^[A-Za-z0-9+/]+=*-3$/);
    expect(r.bundle.packId).toBeNull();
    const got = Buffer.from(await (await fetch(r.download.url)).arrayBuffer());
    expect(got.equals(data)).toBe(true);
  });

  it('Object Lock retention is what S3 enforces: the delivered version cannot be deleted', async () => {
    const r = await deliverToS3(fx.bundle.path, target({ objectLock: { mode: 'GOVERNANCE', days: 30 } }), { client, now: () => NOW });
    await expect(client.send(new DeleteObjectCommand({ Bucket: LOCKED, Key: r.key, VersionId: r.versionId! }))).rejects.toThrow(/object lock/);
    expect(fake.object(LOCKED, r.key)).not.toBeNull();
  });

  it('without Object Lock configured, no retention headers; an unversioned bucket has no version id', async () => {
    const r = await deliverToS3(fx.bundle.path, target({ bucket: PLAIN, objectLock: undefined }), { client, now: () => NOW });
    const put = fake.requests.find((q) => q.operation === 'PutObject')!;
    expect(put.headers['x-amz-object-lock-mode']).toBeUndefined();
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(r.retention).toBeNull();
    expect(r.versionId).toBeNull();
    expect(new URL(r.download.url).searchParams.has('versionId')).toBe(false);
    expect((await fetch(r.download.url)).status).toBe(200);
  });

  it('a bucket without Object Lock refuses retention: a DeliveryError that says why, and no object or parts left', async () => {
    const err = await deliverToS3(fx.bundle.path, target({ bucket: PLAIN }), { client, now: () => NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).message).toMatch(/upload to s3:\/\/northwind-plain\/packs\/2026-10\/northwind-2026-10\.zip failed: InvalidRequest \(HTTP 400\): Bucket is missing Object Lock Configuration.*created with Object Lock enabled/);
    expect(fake.keys(PLAIN)).toEqual([]);
  });

  it('AccessDenied: a DeliveryError with the code, request id and the permissions to check, never the credentials', async () => {
    fake.inject({ operation: 'PutObject', status: 403, code: 'AccessDenied', message: 'Access Denied' });
    const err = (await deliverToS3(fx.bundle.path, target(), { client, now: () => NOW }).catch((e: unknown) => e)) as DeliveryError;
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toMatch(/AccessDenied \(HTTP 403\): Access Denied \[request FAKE\d+\] \(the role needs s3:PutObject/);
    expect(err.message).not.toContain(CREDS.secretAccessKey);
    expect(err.message).not.toContain(CREDS.accessKeyId);
  });

  it('the fake S3 verifies the SHA-256 it is sent, as S3 does (BadDigest)', async () => {
    const body = Buffer.from('bundle bytes');
    await expect(
      client.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'x', Body: body, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: createHash('sha256').update('other').digest('base64') })),
    ).rejects.toThrow(/did not match the calculated checksum/);
    expect(fake.object(PLAIN, 'x')).toBeNull();
  });

  it('throttling is retried by the SDK', async () => {
    fake.inject({ operation: 'PutObject', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
    const r = await deliverToS3(fx.bundle.path, target(), { client, now: () => NOW });
    expect(fake.count('PutObject')).toBe(2);
    expect(fake.object(LOCKED, r.key)).not.toBeNull();
  });

  it('refuses a bundle that fails verification, before sending anything', async () => {
    const bad = tamperedCopy(fx.bundle.path, fx.root);
    await expect(deliverToS3(bad, target(), { client, now: () => NOW })).rejects.toThrow(DeliveryInputError);
    await expect(deliverToS3(path.join(fx.root, 'nope.zip'), target(), { client })).rejects.toThrow(/cannot be read \(ENOENT\)/);
    expect(fake.requests).toEqual([]);
  });

  it('validates the target: at most 7 days for the link, a KMS key, a bucket name', () => {
    expect(() => new S3DeliveryTarget(target({ presignExpiresSeconds: 8 * 86_400 }), { client })).toThrow(/presignExpiresSeconds/);
    expect(() => new S3DeliveryTarget(target({ kmsKeyId: undefined }), { client })).toThrow(/kmsKeyId/);
    expect(() => new S3DeliveryTarget(target({ bucket: 'Not_A_Bucket' }), { client })).toThrow(DeliveryInputError);
    expect(() => new S3DeliveryTarget(target({ objectLock: { mode: 'FOREVER', days: 1 } }), { client })).toThrow(/objectLock\.mode/);
  });

  it('works through the generic deliver(target, bundlePath) the queue job calls', async () => {
    const t = new S3DeliveryTarget(target(), { client });
    const r = await deliver(t, fx.bundle.path, { now: () => NOW });
    expect(r.kind).toBe('s3');
    expect(t.description).toBe(`s3://${LOCKED}/packs/2026-10/`);
  });
});

describe('presignGetObject', () => {
  it('signs locally (no request sent) with a fixed clock, and caps the lifetime at the credentials’ expiry', async () => {
    const expiring = new S3Client({
      region: 'eu-west-1',
      endpoint: fake.endpoint,
      forcePathStyle: true,
      credentials: { ...CREDS, sessionToken: 'session-token-value', expiration: new Date(NOW.getTime() + 3600_000) },
    });
    try {
      const p = await presignGetObject(expiring, { Bucket: PLAIN, Key: 'a b/c+d.zip' }, { expiresIn: 86_400, signingDate: NOW });
      expect(fake.requests).toEqual([]);
      expect(p.expiresInSeconds).toBe(3600);
      expect(p.expiresAt).toBe('2026-11-03T11:00:00.000Z');
      expect(p.note).toMatch(/credentials expire/);
      const url = new URL(p.url);
      expect(url.pathname).toBe(`/${PLAIN}/a%20b/c%2Bd.zip`);
      expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-token-value');
      expect(p.url).not.toContain(CREDS.secretAccessKey);
      fake.seed(PLAIN, 'a b/c+d.zip', Buffer.from('odd key'));
      expect(await (await fetch(p.url)).text()).toBe('odd key');
    } finally {
      expiring.destroy();
    }
  });

  it('refuses a lifetime over 7 days', async () => {
    await expect(presignGetObject(client, { Bucket: PLAIN, Key: 'k' }, { expiresIn: 604_801 })).rejects.toThrow(RangeError);
    await expect(presignGetObject(client, { Bucket: PLAIN, Key: 'k' }, { expiresIn: 0 })).rejects.toThrow(RangeError);
  });

  it('builds the virtual-hosted AWS URL the SDK would use when no endpoint is configured', async () => {
    const real = new S3Client({ region: 'eu-west-1', credentials: CREDS });
    try {
      const p = await presignGetObject(real, { Bucket: 'northwind-audit', Key: 'packs/x.zip', VersionId: 'v1' }, { expiresIn: 600, signingDate: NOW });
      const url = new URL(p.url);
      expect(url.host).toBe('northwind-audit.s3.eu-west-1.amazonaws.com');
      expect(url.pathname).toBe('/packs/x.zip');
      expect(url.searchParams.get('versionId')).toBe('v1');
      // Only the object's parameters and the signature: no SDK bookkeeping headers hoisted into the query.
      expect([...url.searchParams.keys()].sort()).toEqual(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'versionId', 'x-id']);
    } finally {
      real.destroy();
    }
  });
});
