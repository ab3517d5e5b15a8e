import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { S3EvidenceStore, S3StoreConfig } from '../../src/evidence/s3-store.js';
import { StoreError } from '../../src/evidence/store.js';
import { writeObservation } from '../../src/evidence/writer.js';
import { FakeS3 } from '../fixtures/delivery/fake-s3.js';
import { ctx, describeStoreConformance, ids, recorder, trail } from './store-conformance.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLEFAKE00001', secretAccessKey: 'fake/secret+key/never-printed-0000000000' };
const BUCKET = 'northwind-evidence';
const KMS = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function s3Client(fake: FakeS3, maxAttempts = 3): S3Client {
  return new S3Client({ region: 'eu-west-1', endpoint: fake.endpoint, forcePathStyle: true, credentials: CREDS, maxAttempts, retryMode: 'standard' });
}

// ------------------------------------------------------------------------------------------------ conformance

describeStoreConformance('LocalDirectoryStore (temp dir)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'auditpack-conf-'));
  return Promise.resolve({
    open: () => new LocalDirectoryStore(dir, { fsync: false }),
    tamperBlob: (sha: string, bytes: Buffer) => Promise.resolve(writeFileSync(path.join(dir, 'blobs', sha.slice(0, 2), `${sha}.gz`), bytes)),
    tamperRecord: (id: string, bytes: Buffer) => Promise.resolve(writeFileSync(path.join(dir, 'records', id.slice(0, 2), `${id}.json`), bytes)),
    dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
});

describeStoreConformance('S3EvidenceStore (fake S3, small pages, 409 on overlapping conditional writes)', async () => {
  const fake = await new FakeS3({ buckets: { [BUCKET]: {} }, credentials: CREDS, pageSize: 5, conflictOnConcurrentConditionalPut: true, conditionalPutLatencyMs: 20 }).start();
  const clients: S3Client[] = [];
  return {
    open: () => {
      const client = s3Client(fake);
      clients.push(client);
      return new S3EvidenceStore({ client, bucket: BUCKET, prefix: 'auditpack/prod', kmsKeyId: KMS });
    },
    tamperBlob: (sha: string, bytes: Buffer) => Promise.resolve(fake.overwrite(BUCKET, `auditpack/prod/blobs/${sha.slice(0, 2)}/${sha}.gz`, bytes)),
    tamperRecord: (id: string, bytes: Buffer) => Promise.resolve(fake.overwrite(BUCKET, `auditpack/prod/records/${id.slice(0, 2)}/${id}.json`, bytes)),
    dispose: async () => {
      for (const c of clients) c.destroy();
      await fake.stop();
    },
  };
});

// ------------------------------------------------------------------------------------------------ S3 specifics

describe('S3EvidenceStore on a fake S3', () => {
  let fake: FakeS3;
  let client: S3Client;
  beforeEach(async () => {
    fake = await new FakeS3({ buckets: { [BUCKET]: {}, 'other-bucket': {} }, credentials: CREDS, pageSize: 2 }).start();
    client = s3Client(fake);
  });
  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });
  const open = (over: Partial<ConstructorParameters<typeof S3EvidenceStore>[0]> = {}) => new S3EvidenceStore({ client, bucket: BUCKET, prefix: 'p/', kmsKeyId: KMS, ...over });

  it('writes the local store layout: STORE, gzip blobs, JSON records, zero-byte index markers, state', async () => {
    const store = open();
    const { item } = await writeObservation(ctx(store), trail('a'));
    await store.putState('runs/r1/assessment', { ok: true });
    const sha = item.content!.sha256;
    expect(fake.keys(BUCKET)).toEqual(
      [
        'p/STORE',
        `p/blobs/${sha.slice(0, 2)}/${sha}.gz`,
        `p/blobs/${item.raw!.sha256.slice(0, 2)}/${item.raw!.sha256}.gz`,
        `p/records/${item.id.slice(0, 2)}/${item.id}.json`,
        `p/index/2026-10/cloudtrail/111122223333/eu-west-1/cloudtrail.trail/${item.id}`,
        'p/state/runs/r1/assessment.json',
      ].sort(),
    );
    expect(fake.object(BUCKET, 'p/STORE')!.body.toString()).toBe('auditpack-store 1\n');
    expect(JSON.parse(gunzipSync(fake.object(BUCKET, `p/blobs/${sha.slice(0, 2)}/${sha}.gz`)!.body).toString())).toEqual({ isMultiRegion: true, name: 'a' });
    expect(JSON.parse(fake.object(BUCKET, `p/records/${item.id.slice(0, 2)}/${item.id}.json`)!.body.toString())).toEqual(item);
    expect(fake.object(BUCKET, `p/index/2026-10/cloudtrail/111122223333/eu-west-1/cloudtrail.trail/${item.id}`)!.body.length).toBe(0);
    expect(store.description).toBe(`s3://${BUCKET}/p/`);
  });

  it('creates with If-None-Match: * (state is a plain replace) and encrypts every object with the KMS key', async () => {
    const store = open();
    await writeObservation(ctx(store), trail('a'));
    await store.putState('runs/r1/x', 1);
    const puts = fake.requests.filter((r) => r.operation === 'PutObject');
    expect(puts.length).toBeGreaterThan(4);
    for (const p of puts) {
      expect(p.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(p.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(KMS);
      expect(p.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
      expect(p.headers['if-none-match']).toBe(p.key!.startsWith('p/state/') ? undefined : '*');
    }
    // Without a key: no SSE headers (the bucket default applies).
    fake.reset();
    await writeObservation(ctx(open({ kmsKeyId: undefined })), trail('b'));
    for (const p of fake.requests.filter((r) => r.operation === 'PutObject')) expect(p.headers['x-amz-server-side-encryption']).toBeUndefined();
  });

  it('a repeated put is one 412 on the record, a read-back, and 412s on the markers (no blob uploads)', async () => {
    await writeObservation(ctx(open()), trail('a'));
    fake.reset();
    const again = await writeObservation(ctx(open(), '2026-12-01T00:00:00.000Z'), trail('a'));
    expect(again.stored).toBe(false);
    const summary = fake.requests.map((r) => `${r.operation} ${r.key!.split('/')[1]} ${r.status}`);
    expect(summary).toEqual([
      'GetObject STORE 200',
      'HeadObject blobs 200',
      'HeadObject blobs 200',
      'PutObject records 412',
      'GetObject records 200',
      'PutObject index 412',
    ]);
  });

  it('lists a fully specified partition with one exact prefix and no delimiter', async () => {
    const store = open();
    for (let i = 0; i < 5; i++) await writeObservation(ctx(store), recorder(`r${i}`));
    fake.reset();
    const q = { months: ['2026-10'], collector: 'config', account: '111122223333', region: 'eu-west-1', kinds: ['config.recorder' as const] };
    expect(await ids(store, q)).toHaveLength(5);
    const lists = fake.requests.filter((r) => r.operation === 'ListObjectsV2');
    expect(lists.map((r) => r.query['prefix'])).toEqual(Array(3).fill('p/index/2026-10/config/111122223333/eu-west-1/config.recorder/'));
    expect(lists.every((r) => r.query['delimiter'] === undefined)).toBe(true);
    expect(lists.map((r) => r.query['continuation-token'] !== undefined)).toEqual([false, true, true]);
  });

  it('enumerates open levels with a delimiter only when a deeper level is filtered, and never lists the whole index', async () => {
    const store = open();
    await writeObservation(ctx(store), trail('a'));
    await writeObservation(ctx(store), trail('b', '2026-10-31T12:00:00.000Z', { account: '444455556666', region: 'us-east-1' }));
    await writeObservation(ctx(store), recorder('r'));
    fake.reset();
    expect(await ids(store, { months: ['2026-10'], kinds: ['config.recorder'] })).toHaveLength(1);
    const lists = fake.requests.filter((r) => r.operation === 'ListObjectsV2');
    // Collectors, accounts and regions are enumerated; the kind is appended to each partition found.
    expect(lists.filter((r) => r.query['delimiter'] === '/').map((r) => r.query['prefix'])).toEqual([
      'p/index/2026-10/',
      'p/index/2026-10/cloudtrail/',
      'p/index/2026-10/cloudtrail/111122223333/',
      'p/index/2026-10/cloudtrail/444455556666/',
      'p/index/2026-10/config/',
      'p/index/2026-10/config/111122223333/',
    ]);
    expect(lists.filter((r) => r.query['delimiter'] === undefined).map((r) => r.query['prefix'])).toEqual([
      'p/index/2026-10/cloudtrail/111122223333/eu-west-1/config.recorder/',
      'p/index/2026-10/cloudtrail/444455556666/us-east-1/config.recorder/',
      'p/index/2026-10/config/111122223333/eu-west-1/config.recorder/',
    ]);
    expect(lists.some((r) => r.query['prefix'] === 'p/index/' || r.query['prefix'] === 'p/index/2026-10/cloudtrail/111122223333/eu-west-1/cloudtrail.trail/')).toBe(false);
    // Nothing filtered below the month: one flat listing of the month.
    fake.reset();
    expect(await ids(store, { months: ['2026-10'] })).toHaveLength(3);
    expect(fake.requests.filter((r) => r.operation === 'ListObjectsV2').every((r) => r.query['prefix'] === 'p/index/2026-10/' && r.query['delimiter'] === undefined)).toBe(true);
  });

  it('lists page by page as the caller consumes: stopping after the first item costs one listing', async () => {
    const store = open();
    for (let i = 0; i < 7; i++) await writeObservation(ctx(store), recorder(`r${i}`));
    fake.reset();
    for await (const item of store.listItems({ months: ['2026-10'] })) {
      expect(item.kind).toBe('config.recorder');
      break;
    }
    expect(fake.count('ListObjectsV2')).toBe(1);
    expect(fake.count('GetObject')).toBeLessThanOrEqual(2);
    fake.reset();
    expect(await ids(store, {})).toHaveLength(7);
    expect(fake.count('ListObjectsV2')).toBe(4);
  });

  it('a 409 ConditionalRequestConflict is resolved by re-reading: retried while absent, "already stored" once present', async () => {
    const a = open();
    const { item } = await writeObservation(ctx(a), trail('a'));
    const recordKey = `p/records/${item.id.slice(0, 2)}/${item.id}.json`;
    // Present: the other writer won.
    fake.inject({ operation: 'PutObject', key: recordKey, status: 409, code: 'ConditionalRequestConflict', message: 'A conflicting operation occurred.' });
    const b = await open().putItem({ ...item, collectedAt: '2026-12-01T00:00:00.000Z' });
    expect(b).toEqual({ stored: false, item });
    // Absent: retried, then created.
    const { item: other } = await writeObservation(ctx(a), trail('other'));
    const fresh = { ...other, id: 'c'.repeat(64) };
    const freshKey = `p/records/cc/${fresh.id}.json`;
    fake.inject({ operation: 'PutObject', key: freshKey, status: 409, code: 'ConditionalRequestConflict', times: 2 });
    fake.reset();
    fake.inject({ operation: 'PutObject', key: freshKey, status: 409, code: 'ConditionalRequestConflict', times: 2 });
    expect((await open().putItem(fresh)).stored).toBe(true);
    expect(fake.count('PutObject', (r) => r.key === freshKey)).toBe(3);
    expect(fake.count('HeadObject', (r) => r.key === freshKey)).toBe(2);
  });

  it('throttling and 5xx are retried by the SDK; AccessDenied is not', async () => {
    const store = open();
    await store.putState('x', 0);
    fake.reset();
    fake.inject({ operation: 'PutObject', key: 'p/state/x.json', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.', times: 2 });
    await store.putState('x', 1);
    expect(fake.count('PutObject')).toBe(3);
    expect(await store.getState('x')).toBe(1);
    fake.reset();
    fake.inject({ operation: 'GetObject', key: 'p/state/x.json', status: 403, code: 'AccessDenied', message: 'Access Denied' });
    const err = await store.getState('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/cannot read state \(s3:\/\/northwind-evidence\/p\/state\/x\.json\): AccessDenied \(HTTP 403\): Access Denied \[request FAKE\d+\] \(check the IAM policy/);
    expect(fake.count('GetObject')).toBe(1);
  });

  it('refuses a store written with another layout version', async () => {
    fake.seed(BUCKET, 'p/STORE', Buffer.from('auditpack-store 9\n'));
    await expect(open().putBlob(Buffer.from('x'), 'text/plain')).rejects.toThrow(/store layout "auditpack-store 9" is not supported/);
  });

  it('an object whose bytes no longer match the checksum S3 sends is reported as corrupt', async () => {
    const store = open();
    const { item } = await writeObservation(ctx(store), trail('a'));
    const key = `p/records/${item.id.slice(0, 2)}/${item.id}.json`;
    const v = fake.object(BUCKET, key)!;
    expect(v.checksum?.algorithm).toBe('crc32');
    v.body = Buffer.from(v.body.toString().replace('trail/a"', 'trail/b"')); // checksum left as stored
    await expect(open().getItem(item.id)).rejects.toThrow(/corrupt/);
  });

  it('validates its configuration', () => {
    expect(S3StoreConfig.parse({ type: 's3', bucket: BUCKET, prefix: 'auditpack/prod', region: 'eu-west-1' }).prefix).toBe('auditpack/prod/');
    expect(S3StoreConfig.parse({ type: 's3', bucket: BUCKET, region: 'eu-west-1', kmsKeyId: 'alias/auditpack' }).prefix).toBe('');
    expect(S3StoreConfig.safeParse({ type: 's3', bucket: 'Bad_Bucket', region: 'eu-west-1' }).success).toBe(false);
    expect(S3StoreConfig.safeParse({ type: 's3', bucket: BUCKET, prefix: '../up', region: 'eu-west-1' }).success).toBe(false);
    expect(S3StoreConfig.safeParse({ type: 's3', bucket: BUCKET, region: 'eu-west-1', kmsKeyId: 'not a key' }).success).toBe(false);
    expect(() => new S3EvidenceStore({ client, bucket: 'x' })).toThrow(StoreError);
    const s = S3EvidenceStore.fromConfig(S3StoreConfig.parse({ type: 's3', bucket: BUCKET, prefix: 'a', region: 'eu-west-1', forcePathStyle: true }), { credentials: CREDS, endpoint: fake.endpoint });
    expect(s.description).toBe(`s3://${BUCKET}/a/`);
    s.close();
  });
});

// ------------------------------------------------------------------------------------------------ error paths (mocked client)

describe('S3EvidenceStore error paths (aws-sdk-client-mock)', () => {
  const s3err = (name: string, status: number, message = name) =>
    new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', message, $metadata: { httpStatusCode: status, requestId: 'REQ123' } });
  let client: S3Client;
  let mock: ReturnType<typeof mockClient>;
  beforeEach(() => {
    client = new S3Client({ region: 'eu-west-1', credentials: CREDS });
    mock = mockClient(client);
    mock.on(GetObjectCommand, { Key: 'STORE' }).resolves({ Body: { transformToByteArray: () => Promise.resolve(Buffer.from('auditpack-store 1\n')) } as never });
  });
  afterEach(() => {
    mock.restore();
    client.destroy();
  });

  it('AccessDenied on a write: a StoreError naming the object, code, status and request id, sent once, without credentials', async () => {
    mock.on(HeadObjectCommand).rejects(s3err('NotFound', 404));
    mock.on(PutObjectCommand).rejects(s3err('AccessDenied', 403, 'Access Denied'));
    const store = new S3EvidenceStore({ client, bucket: BUCKET });
    const err = (await store.putBlob(Buffer.from('x'), 'text/plain').catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.message).toMatch(/cannot write \(s3:\/\/northwind-evidence\/blobs\/2d\/2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\.gz\): AccessDenied \(HTTP 403\): Access Denied \[request REQ123\]/);
    expect(err.message).not.toContain(CREDS.secretAccessKey);
    expect(err.message).not.toContain(CREDS.accessKeyId);
    expect(mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, IfNoneMatch: '*', ContentType: 'application/gzip' });
  });

  it('throttling that outlasts the SDK retries surfaces as a StoreError with the code', async () => {
    mock.on(GetObjectCommand).rejects(s3err('SlowDown', 503, 'Please reduce your request rate.'));
    const store = new S3EvidenceStore({ client, bucket: BUCKET });
    await expect(store.getState('runs/x')).rejects.toThrow(/SlowDown \(HTTP 503\): Please reduce your request rate/);
    await expect(store.getBlob('a'.repeat(64))).rejects.toThrow(StoreError);
  });

  it('409 then the record exists: re-read, "already stored", the existing record returned', async () => {
    const item = JSON.parse(JSON.stringify((await sampleItem()).item)) as Awaited<ReturnType<typeof sampleItem>>['item'];
    mock.on(HeadObjectCommand).resolves({});
    mock.on(PutObjectCommand).rejects(s3err('ConditionalRequestConflict', 409, 'A conflicting operation occurred.'));
    mock.on(GetObjectCommand, { Key: `records/${item.id.slice(0, 2)}/${item.id}.json` }).resolves({ Body: { transformToByteArray: () => Promise.resolve(Buffer.from(JSON.stringify(item))) } as never });
    const store = new S3EvidenceStore({ client, bucket: BUCKET });
    const r = await store.putItem({ ...item, collectedAt: '2027-01-01T00:00:00.000Z' });
    expect(r).toEqual({ stored: false, item });
    expect(mock).toHaveReceivedCommandWith(HeadObjectCommand, { Key: `records/${item.id.slice(0, 2)}/${item.id}.json` });
  });

  it('409 that never resolves gives up after the configured retries', async () => {
    mock.on(HeadObjectCommand).rejects(s3err('NotFound', 404));
    mock.on(PutObjectCommand).rejects(s3err('ConditionalRequestConflict', 409, 'A conflicting operation occurred.'));
    const store = new S3EvidenceStore({ client, bucket: BUCKET, conflictRetries: 2 });
    await expect(store.putBlob(Buffer.from('x'), 'text/plain')).rejects.toThrow(/cannot write .*ConditionalRequestConflict \(HTTP 409\)/);
    // One existence check, then three conditional PUTs (1 + 2 retries), each followed by a re-read.
    expect(mock).toHaveReceivedCommandTimes(PutObjectCommand, 3);
    expect(mock).toHaveReceivedCommandTimes(HeadObjectCommand, 4);
  });

  it('NoSuchKey: getItem is null and getState undefined; a truncated listing without a token is an error', async () => {
    mock.on(GetObjectCommand).rejects(s3err('NoSuchKey', 404));
    const store = new S3EvidenceStore({ client, bucket: BUCKET });
    expect(await store.getItem('a'.repeat(64))).toBeNull();
    expect(await store.getState('runs/x')).toBeUndefined();
    mock.on(ListObjectsV2Command).resolves({ IsTruncated: true, Contents: [] });
    await expect(ids(store, {})).rejects.toThrow(/truncated without a continuation token/);
  });
});

async function sampleItem() {
  const dir = mkdtempSync(path.join(tmpdir(), 'auditpack-sample-'));
  try {
    return await writeObservation(ctx(new LocalDirectoryStore(dir, { fsync: false })), trail('sample'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
