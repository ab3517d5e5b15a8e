// The small parts: retry policy, the Redis token bucket, temp-file sweeping, config sections, Redis targets,
// directory delivery, scheduled times.
import { MissingFontError } from '../../src/reports/pdf/fonts.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { CollectionFailure, classifyAwsError } from '../../src/aws/errors.js';
import { loadQueueAwareConfig } from '../../src/queue/config.js';
import { redisTarget } from '../../src/queue/connection.js';
import { combineDeliveryHandlers } from '../../src/queue/delivery.js';
import { DirectoryDelivery } from '../../src/queue/delivery-local.js';
import { isRetryable, toJobError } from '../../src/queue/errors.js';
import { PermanentJobError } from '../../src/queue/handlers.js';
import { progressWriter, scheduledTime } from '../../src/queue/processors.js';
import { RedisTokenBuckets } from '../../src/queue/rate-limit.js';
import { sweepAtomicTemp, sweepStoreTemp } from '../../src/queue/recovery.js';
import { QueueSection } from '../../src/queue/settings.js';
import { DeliveryError } from '../../src/queue/types.js';
import { cleanupPrefix, FIXED_NOW, REDIS_URL, tempDir, uniquePrefix, writeConfig, removeTempDirs } from './helpers.js';

const tmp = tempDir('auditpack-units-');
afterAll(() => removeTempDirs());

const aws = (name: string, status: number): CollectionFailure =>
  new CollectionFailure('x:Op', classifyAwsError({ name, $metadata: { httpStatusCode: status } }));

describe('retry policy', () => {
  it('retries transient failures and fails permanent ones at once', () => {
    expect(isRetryable(aws('ThrottlingException', 400))).toBe(true);
    expect(isRetryable(aws('InternalFailure', 500))).toBe(true);
    expect(isRetryable(aws('AccessDeniedException', 403))).toBe(false);
    expect(isRetryable(aws('ValidationException', 400))).toBe(false);
    expect(isRetryable(Object.assign(new Error('boom'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toBe(false);
    expect(isRetryable(new Error('export directory /x: does not exist'))).toBe(false);
    expect(isRetryable(new ConfigError('f', ['bad']))).toBe(false);
    expect(isRetryable(new PermanentJobError('no signer'))).toBe(false);
    expect(isRetryable(new DeliveryError('S3 500', true))).toBe(true);
    expect(isRetryable(new DeliveryError('no such bucket', false))).toBe(false);
    expect(isRetryable(new MissingFontError('/usr/share/fonts/x.ttf'))).toBe(false);
    const denied = toJobError(aws('AccessDeniedException', 403));
    expect(denied).toBeInstanceOf(UnrecoverableError);
    expect(denied.message).toMatch(/^CollectionFailure: x:Op: AccessDeniedException/);
    const throttled = aws('ThrottlingException', 400);
    expect(toJobError(throttled)).toBe(throttled);
    expect(toJobError('text')).toBeInstanceOf(Error);
  });
});

describe('token buckets in Redis', () => {
  it('let `burst` units start at once per account and service, then one per refill', async () => {
    const prefix = uniquePrefix();
    const redis = new Redis(REDIS_URL);
    try {
      const buckets = new RedisTokenBuckets(redis, prefix, {
        default: { burst: 2, perMinute: 60 },
        services: { bedrock: { burst: 1, perMinute: 6 } },
      });
      expect(await buckets.acquire('111122223333', 'config')).toBe(0);
      expect(await buckets.acquire('111122223333', 'config')).toBe(0);
      const wait = await buckets.acquire('111122223333', 'config');
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(1000);
      // Other accounts and services have their own buckets; per-service rules apply.
      expect(await buckets.acquire('444455556666', 'config')).toBe(0);
      expect(await buckets.acquire('111122223333', 'bedrock')).toBe(0);
      const slow = await buckets.acquire('111122223333', 'bedrock');
      expect(slow).toBeGreaterThan(1000);
      expect(slow).toBeLessThanOrEqual(10_000);
      expect(await redis.pttl(buckets.key('111122223333', 'config'))).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
      await cleanupPrefix(prefix);
    }
  });
});

describe('sweeping temp files of killed workers', () => {
  it('removes only files of writers that are gone', async () => {
    const store = path.join(tmp, 'store');
    mkdirSync(path.join(store, 'tmp'), { recursive: true });
    const dead = 999_999;
    for (const name of [`${dead}-0123456789abcdef`, `${process.pid}-0123456789abcdef`, 'unrelated'])
      writeFileSync(path.join(store, 'tmp', name), 'x');
    expect(
      (await sweepStoreTemp(store, { minAgeMs: 0, isAlive: (pid) => pid !== dead })).map((f) => path.basename(f)),
    ).toEqual([`${dead}-0123456789abcdef`]);
    expect(existsSync(path.join(store, 'tmp', `${process.pid}-0123456789abcdef`))).toBe(true);

    const out = path.join(tmp, 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, `.pack.pdf.${dead}.0123456789ab.tmp`), 'x');
    writeFileSync(path.join(out, 'pack.pdf'), 'x');
    // Younger than the margin: kept (on shared storage the writer may live on another host).
    expect(await sweepAtomicTemp(out, { isAlive: () => false })).toEqual([]);
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(path.join(out, `.pack.pdf.${dead}.0123456789ab.tmp`), old, old);
    expect((await sweepAtomicTemp(out, { isAlive: () => false })).map((f) => path.basename(f))).toEqual([
      `.pack.pdf.${dead}.0123456789ab.tmp`,
    ]);
    expect(existsSync(path.join(out, 'pack.pdf'))).toBe(true);
  });
});

describe('config sections', () => {
  it('reads queue:, schedules:, api: and signing: beside the main config, naming the key at fault', () => {
    const dir = tempDir('auditpack-cfg-');
    const file = writeConfig(dir, {
      organisation: { name: 'N' },
      queue: { prefix: 'prod-audit', concurrency: { collect: 8 }, directoryTargets: { archive: 'archive' } },
      schedules: {
        tz: 'Europe/Berlin',
        collect: [{ id: 'config-6h', collector: 'config', every: '6h' }],
        packs: [{ id: 'monthly', frameworks: ['soc2'] }],
      },
      api: { tokens: [{ name: 'a', role: 'auditor', hash: `sha256:${'a'.repeat(64)}`, packs: ['monthly-*'] }] },
      signing: { type: 'local', key: 'keys/signer.key', certificates: 'keys/chain.pem' },
    });
    const cfg = loadQueueAwareConfig(file, {});
    expect(cfg.queue).toMatchObject({
      prefix: 'prod-audit',
      concurrency: { collect: 8, pack: 1, deliver: 2 },
      attempts: 5,
    });
    expect(cfg.schedules.collect[0]).toMatchObject({ id: 'config-6h', every: 6 * 3_600_000 });
    expect(cfg.schedules.packs[0]).toMatchObject({ pattern: '0 3 1 * *', bundle: true });
    expect(cfg.api.tokens[0]?.role).toBe('auditor');
    expect(cfg.signing).toMatchObject({ type: 'local', key: path.join(dir, 'keys/signer.key') });
    expect(loadQueueAwareConfig(file, { AUDITPACK_QUEUE_PREFIX: 'staging' }).queue.prefix).toBe('staging');

    const bad = (doc: Record<string, unknown>): string => {
      try {
        loadQueueAwareConfig(writeConfig(tempDir('auditpack-cfg-'), { organisation: { name: 'N' }, ...doc }), {});
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ queue: { prefix: 'a:b' } })).toMatch(/queue\.prefix: /);
    expect(bad({ queue: { concurrency: { collect: 0 } } })).toMatch(/queue\.concurrency\.collect: /);
    expect(bad({ schedules: { collect: [{ id: 'x', collector: 'config' }] } })).toMatch(
      /schedules\.collect\.0: give exactly one of every and pattern/,
    );
    expect(bad({ schedules: { tz: 'Mars/Olympus' } })).toMatch(/schedules\.tz: an IANA time zone/);
    expect(bad({ api: { tokens: [{ name: 'a', role: 'officer', hash: 'hunter2' }] } })).toMatch(
      /api\.tokens\.0\.hash: a hashed token/,
    );
    expect(
      bad({ api: { tokens: [{ name: 'a', role: 'officer', hash: `sha256:${'a'.repeat(64)}`, packs: ['x'] }] } }),
    ).toMatch(/api\.tokens\.0\.packs: only auditor tokens/);
    expect(bad({ queues: {} })).toMatch(/unknown key\(s\) "queues"/);
  });

  it('takes Redis from AUDITPACK_REDIS_URL or queue.redis, never showing the password', () => {
    const q = QueueSection.parse({ redis: { host: 'redis.internal', port: 6380, passwordEnv: 'REDIS_PW' } });
    const t = redisTarget(q, { REDIS_PW: 's3cret' });
    expect(t.options).toMatchObject({
      host: 'redis.internal',
      port: 6380,
      password: 's3cret',
      maxRetriesPerRequest: null,
    });
    expect(t.description).toBe('redis://redis.internal:6380/0');
    expect(() => redisTarget(q, {})).toThrow(/REDIS_PW, which is not set/);
    const u = redisTarget(q, { AUDITPACK_REDIS_URL: 'rediss://worker:p%40ss@cache.example:6390/2' });
    expect(u.options).toMatchObject({
      host: 'cache.example',
      port: 6390,
      db: 2,
      username: 'worker',
      password: 'p@ss',
      tls: {},
    });
    expect(u.description).toBe('rediss://cache.example:6390/2');
    expect(() => redisTarget(q, { AUDITPACK_REDIS_URL: 'http://x' })).toThrow(ConfigError);
  });
});

describe('directory delivery', () => {
  it('copies the bundle atomically and checks it; unknown targets fail without retry', async () => {
    const bundle = path.join(tmp, 'auditpack-run-1.zip');
    writeFileSync(bundle, Buffer.alloc(100_000, 7));
    const sha = createHash('sha256').update(readFileSync(bundle)).digest('hex');
    const handler = combineDeliveryHandlers([
      new DirectoryDelivery({ archive: path.join(tmp, 'archive'), auditor: path.join(tmp, 'share') }),
    ]);
    expect(handler.targets).toEqual(['archive', 'auditor']);
    const ctx = { store: null as never, now: () => new Date(FIXED_NOW) };
    const receipts = await handler.deliver(ctx, {
      runId: 'run-1',
      bundlePath: bundle,
      targets: ['auditor', 'archive'],
    });
    expect(receipts.map((r) => [r.target, r.location, r.sha256])).toEqual([
      ['auditor', path.join(tmp, 'share', 'auditpack-run-1.zip'), sha],
      ['archive', path.join(tmp, 'archive', 'auditpack-run-1.zip'), sha],
    ]);
    // Again: harmless, same bytes.
    await handler.deliver(ctx, { runId: 'run-1', bundlePath: bundle, targets: ['archive'] });
    expect(
      createHash('sha256')
        .update(readFileSync(path.join(tmp, 'archive', 'auditpack-run-1.zip')))
        .digest('hex'),
    ).toBe(sha);
    await expect(handler.deliver(ctx, { runId: 'run-1', bundlePath: bundle, targets: ['s3'] })).rejects.toMatchObject({
      retryable: false,
    });
    await expect(
      handler.deliver(ctx, { runId: 'run-1', bundlePath: path.join(tmp, 'missing.zip'), targets: ['archive'] }),
    ).rejects.toMatchObject({ retryable: false });
  });
});

describe('processor helpers', () => {
  it('reads the scheduled time from scheduler job ids', () => {
    expect(scheduledTime({ id: 'repeat:monthly:1796090400000', opts: {}, timestamp: 1 }).toISOString()).toBe(
      '2026-12-01T02:00:00.000Z',
    );
    expect(scheduledTime({ id: 'manual', opts: { prevMillis: 1796090400000 }, timestamp: 1 }).toISOString()).toBe(
      '2026-12-01T02:00:00.000Z',
    );
    expect(scheduledTime({ id: 'manual', opts: {}, timestamp: 1796090400000 }).toISOString()).toBe(
      '2026-12-01T02:00:00.000Z',
    );
  });

  it('writes progress best effort: a failed write never fails the job', async () => {
    const written: number[] = [];
    let fail = true;
    const write = progressWriter<number>(
      {
        updateProgress: (p) =>
          fail ? Promise.reject(new Error('Connection is closed')) : (written.push(p), Promise.resolve()),
      },
      60_000,
    );
    write(1, true);
    fail = false;
    write(2); // throttled
    write(3, true);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([3]);
    expect(new DelayedError()).toBeInstanceOf(Error);
  });
});
