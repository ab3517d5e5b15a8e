import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type GetObjectCommandInput, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CollectionFailure } from '../../src/aws/errors.js';
import { dayCheckpointName, dayPath, joinKey, readBody, readLogDay, utcDays, type S3LogDay, type S3LogReader } from '../../src/collectors/live/s3-logs.js';
import { collected } from '../../src/evidence/observation.js';
import type { FileInput } from '../../src/sources/export-dir/read.js';
import { DEFAULT_LIMITS } from '../../src/sources/export-dir/read.js';
import { routeOf } from '../../src/sources/export-dir/routes.js';
import { ACCOUNT, awsError, bucketRouter, cloudTrailFileName, cloudTrailLogFile, FakeBucket, liveRun, stratusEvents, tempStore, type TempStore } from '../fixtures/collectors/cloudtrail/harness.js';

const REGION = 'eu-west-1';
const DAY = '2026-10-02';
const BUCKET = 'auditpack-cloudtrail-111122223333';
const PREFIX = `ct/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/10/02/`;
const LOC: S3LogDay = { bucket: BUCKET, prefix: PREFIX, day: DAY };
const WINDOW = { start: new Date('2026-10-01T00:00:00.000Z'), end: new Date('2026-10-04T00:00:00.000Z') };
const NOW = new Date('2026-10-04T06:00:00.000Z');

const s3 = mockClient(S3Client);
const stores: TempStore[] = [];

type Route = { account: string; region: string; day: string };

function setup(bucket: FakeBucket, opts: { controller?: AbortController; limits?: typeof DEFAULT_LIMITS } = {}) {
  const tmp = tempStore('s3-logs');
  stores.push(tmp);
  const run = liveRun({ collector: 'cloudtrail', store: tmp.store, region: REGION, window: WINDOW, now: NOW, controller: opts.controller });
  const handled: { file: FileInput; route: Route }[] = [];
  const reader: S3LogReader<Route> = {
    client: run.ctx.clients.s3(REGION),
    expectedOwner: ACCOUNT,
    collector: 'cloudtrail',
    kind: 'cloudtrail.activity',
    route: (key) => {
      const r = routeOf(key);
      return r?.type === 'cloudtrail-log' ? r : null;
    },
    // A stand-in handler: records the file and emits one item naming it.
    handle: async (file, route, emit) => {
      handled.push({ file, route });
      await emit(
        collected(
          {
            collector: 'cloudtrail',
            kind: 'inventory',
            account: route.account,
            region: route.region,
            resource: file.rel,
            observedAt: { type: 'instant', at: file.mtime },
            raw: null,
            sources: [{ type: 'file', path: file.rel, sha256: file.sha256 }],
          },
          { collector: 'cloudtrail', counts: { files: 1 } },
        ),
      );
    },
    emit: (obs) => run.ctx.emit(obs),
    pageSize: 2,
    ...(opts.limits ? { limits: opts.limits } : {}),
  };
  const router = bucketRouter([bucket]);
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => router.list(input));
  s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => router.get(input));
  return { run, reader, handled, store: tmp.store };
}

const key = (hhmm: string) => `${PREFIX}${cloudTrailFileName(ACCOUNT, REGION, DAY, hhmm, `x${hhmm}`)}`;
const logFile = (file: string) => cloudTrailLogFile(stratusEvents(file, ACCOUNT, REGION, DAY));
function bucketWith(...hhmms: string[]): FakeBucket {
  const b = new FakeBucket(BUCKET, ACCOUNT);
  for (const t of hhmms) b.put(key(t), logFile('aws.defense-evasion.cloudtrail-stop.json'), new Date(`${DAY}T${t.slice(0, 2)}:${t.slice(2)}:30.000Z`));
  return b;
}

beforeEach(() => s3.reset());
afterAll(() => {
  s3.restore();
  for (const s of stores) s.cleanup();
});

describe('day and key helpers', () => {
  it('lists every UTC day a window overlaps, end exclusive, across month and year ends', () => {
    expect(utcDays(WINDOW)).toEqual(['2026-10-01', '2026-10-02', '2026-10-03']);
    expect(utcDays({ start: new Date('2026-10-01T12:00:00Z'), end: new Date('2026-10-02T00:00:00.001Z') })).toEqual(['2026-10-01', '2026-10-02']);
    expect(utcDays({ start: new Date('2026-12-31T23:00:00Z'), end: new Date('2027-01-01T01:00:00Z') })).toEqual(['2026-12-31', '2027-01-01']);
    expect(utcDays({ start: WINDOW.start, end: WINDOW.start })).toEqual([]);
  });

  it('builds key prefixes the way AWS delivers (optional bucket key prefix, YYYY/MM/DD)', () => {
    expect(dayPath('2026-10-02')).toBe('2026/10/02');
    expect(joinKey(undefined, 'AWSLogs/1/')).toBe('AWSLogs/1/');
    expect(joinKey(null, 'AWSLogs/1/')).toBe('AWSLogs/1/');
    expect(joinKey('', 'AWSLogs/1/')).toBe('AWSLogs/1/');
    expect(joinKey('logs', 'AWSLogs/1/')).toBe('logs/AWSLogs/1/');
    expect(joinKey('logs/prod/', 'AWSLogs/1/')).toBe('logs/prod/AWSLogs/1/');
  });

  it('names a day checkpoint with one valid state-key segment, distinct per bucket and prefix', () => {
    const name = dayCheckpointName(LOC);
    expect(name).toMatch(/^s3-2026-10-02-[0-9a-f]{16}$/);
    expect(dayCheckpointName({ ...LOC, bucket: 'other' })).not.toBe(name);
    expect(dayCheckpointName({ ...LOC, prefix: `x/${PREFIX}` })).not.toBe(name);
  });
});

describe('readBody', () => {
  it('puts a chunked stream together', async () => {
    const body = Readable.from([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('e')]);
    expect((await readBody(body, 10))!.toString()).toBe('abcde');
  });

  it('refuses a body over the limit without reading the rest, and releases the stream', async () => {
    let pulled = 0;
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 100; i++) {
          pulled += 1;
          yield Buffer.alloc(1024);
        }
      })(),
    );
    expect(await readBody(body, 4096)).toBeNull();
    expect(pulled).toBeLessThan(10);
    expect(body.destroyed).toBe(true);
  });

  it('accepts bytes, web streams and SDK stream mixins; no body is empty', async () => {
    expect((await readBody(new Uint8Array([1, 2, 3]), 3))!).toEqual(Buffer.from([1, 2, 3]));
    expect(await readBody(new Uint8Array([1, 2, 3]), 2)).toBeNull();
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([104, 105]));
        c.close();
      },
    });
    expect((await readBody(web, 10))!.toString()).toBe('hi');
    expect((await readBody({ transformToByteArray: () => Promise.resolve(new Uint8Array([7])) }, 10))!).toEqual(Buffer.from([7]));
    expect(await readBody(undefined, 10)).toEqual(Buffer.alloc(0));
    await expect(readBody(42, 10)).rejects.toThrow(TypeError);
  });
});

describe('readLogDay', () => {
  it('lists a day in pages, reads each log file once with its bytes, hash, key and time, and checkpoints the last key', async () => {
    const bucket = bucketWith('0005', '0010', '0015', '0020');
    bucket.put(`${PREFIX}not-a-log-file.txt`, Buffer.from('x'));
    const { run, reader, handled, store } = setup(bucket);
    const result = await readLogDay(run.ctx, reader, LOC);
    expect(result).toEqual({ listed: 5, logFiles: 4, read: 4, resumed: false });
    expect(bucket.listCalls.map((c) => [c.Prefix, c.StartAfter, c.ContinuationToken !== undefined, c.ExpectedBucketOwner, c.MaxKeys])).toEqual([
      [PREFIX, undefined, false, ACCOUNT, 2],
      [PREFIX, undefined, true, ACCOUNT, 2],
      [PREFIX, undefined, true, ACCOUNT, 2],
    ]);
    expect(bucket.getCalls).toEqual(['0005', '0010', '0015', '0020'].map(key));
    const first = handled[0]!;
    expect(first.route).toEqual({ type: 'cloudtrail-log', account: ACCOUNT, region: REGION, day: DAY });
    expect(first.file.rel).toBe(key('0005'));
    expect(first.file.bytes.equals(bucket.objects.get(key('0005'))!.bytes)).toBe(true);
    expect(first.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.file.mtime).toBe('2026-10-02T00:05:30.000Z');
    // Items keep the handler's sources and gain the GetObject call.
    expect(run.observations[0]!.sources).toEqual([
      { type: 'file', path: key('0005'), sha256: first.file.sha256 },
      { type: 'api', operation: 's3:GetObject', requestId: 'get-1', endpoint: `s3://${BUCKET}` },
    ]);
    // The checkpoint is the last log file: the other object (which sorts after every log file) does not move it.
    expect(await store.getState(`checkpoints/cloudtrail/${ACCOUNT}/${REGION}/${dayCheckpointName(LOC)}`)).toEqual({ bucket: BUCKET, prefix: PREFIX, startAfter: key('0020') });

    // A rerun starts after the checkpoint: nothing new, nothing read; then only a new log file.
    const again = await readLogDay(run.ctx, reader, LOC);
    expect(again).toEqual({ listed: 1, logFiles: 0, read: 0, resumed: true });
    expect(bucket.listCalls.at(-1)!.StartAfter).toBe(key('0020'));
    bucket.put(key('2330'), logFile('aws.defense-evasion.cloudtrail-delete.json'));
    expect(await readLogDay(run.ctx, reader, LOC)).toEqual({ listed: 2, logFiles: 1, read: 1, resumed: true });
    expect(bucket.getCalls.at(-1)).toBe(key('2330'));
  });

  it('skips a key deleted between listing and download', async () => {
    const bucket = bucketWith('0005', '0010');
    const { run, reader, handled } = setup(bucket);
    const router = bucketRouter([bucket]);
    s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      if (input.Key === key('0005')) throw awsError('NoSuchKey', 404, 'The specified key does not exist.');
      return router.get(input);
    });
    expect(await readLogDay(run.ctx, reader, LOC)).toEqual({ listed: 2, logFiles: 2, read: 1, resumed: false });
    expect(handled.map((h) => h.file.rel)).toEqual([key('0010')]);
  });

  it('records a file over the size limit as an error item, by its listed size or while streaming, without handling it', async () => {
    const bucket = bucketWith('0005', '0010');
    const limits = { ...DEFAULT_LIMITS, maxFileBytes: 100 };
    const { run, reader, handled } = setup(bucket, { limits });
    expect(await readLogDay(run.ctx, reader, LOC)).toEqual({ listed: 2, logFiles: 2, read: 0, resumed: false });
    expect(bucket.getCalls).toEqual([]);
    expect(handled).toEqual([]);
    expect(run.observations.map((o) => [o.kind, o.collector, o.resource, o.status.state === 'error' ? o.status.code : null, o.observedAt])).toEqual(
      ['0005', '0010'].map((t) => ['cloudtrail.activity', 'cloudtrail', key(t), 'TooLarge', { type: 'window', start: '2026-10-02T00:00:00.000Z', end: '2026-10-03T00:00:00.000Z' }]),
    );

    // A listing without sizes: the limit holds while the body streams in.
    s3.reset();
    const other = setup(bucket, { limits });
    const router = bucketRouter([bucket]);
    s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput): ListObjectsV2CommandOutput => {
      const out = router.list(input);
      return { ...out, Contents: out.Contents?.map(({ Size: _s, ...rest }) => rest) };
    });
    expect(await readLogDay(other.run.ctx, other.reader, LOC)).toEqual({ listed: 2, logFiles: 2, read: 0, resumed: false });
    expect(bucket.getCalls).toEqual([key('0005'), key('0010')]);
    expect(other.handled).toEqual([]);
    expect(other.run.observations.map((o) => (o.status.state === 'error' ? o.status.message : ''))).toEqual(
      ['0005', '0010'].map((t) => `${key(t)}: is more than 100 bytes, more than the 100-byte limit for one file`),
    );
  });

  it('stops between files when the signal is aborted, leaving the checkpoint after the last file handled', async () => {
    const bucket = bucketWith('0005', '0010', '0015');
    const controller = new AbortController();
    const { run, reader, handled, store } = setup(bucket, { controller });
    const handle = reader.handle;
    const aborting: S3LogReader<Route> = {
      ...reader,
      handle: async (file, route, emit) => {
        await handle(file, route, emit);
        controller.abort();
      },
    };
    await expect(readLogDay(run.ctx, aborting, LOC)).rejects.toMatchObject({ name: 'AbortError' });
    expect(handled.map((h) => h.file.rel)).toEqual([key('0005')]);
    expect(bucket.getCalls).toEqual([key('0005')]);
    expect(await store.getState(`checkpoints/cloudtrail/${ACCOUNT}/${REGION}/${dayCheckpointName(LOC)}`)).toMatchObject({ startAfter: key('0005') });
  });

  it('lets a refused download propagate (the collector records it) and keeps the checkpoint before that file', async () => {
    const bucket = bucketWith('0005', '0010');
    const { run, reader, store } = setup(bucket);
    const router = bucketRouter([bucket]);
    s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      if (input.Key === key('0010')) throw awsError('AccessDenied', 403, 'Access Denied');
      return router.get(input);
    });
    const err = await readLogDay(run.ctx, reader, LOC).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectionFailure);
    expect(err).toMatchObject({ operation: 's3:GetObject', classified: { category: 'access_denied', code: 'AccessDenied' } });
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
    expect(await store.getState(`checkpoints/cloudtrail/${ACCOUNT}/${REGION}/${dayCheckpointName(LOC)}`)).toMatchObject({ startAfter: key('0005') });
  });
});
