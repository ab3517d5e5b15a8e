// Redis gone for good. `pack --queue` and `worker` (the real CLI) with nothing listening: they fail at once with
// RedisUnavailableError naming the address, exit code 3, and change nothing. Redis SIGKILLed for good in the middle
// of a run: `pack --queue`, which follows the run, gives up after its grace period with the same named error and
// exit 3 (it does not hang); the worker keeps retrying (as documented), stops on SIGTERM, and the store it was
// writing is whole: every record parses, every blob matches its sha256, no staging file is left.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { runCli } from '../e2e/helpers.js';
import {
  exampleExport,
  killAll,
  recordFiles,
  removeTempDirs,
  ROOT,
  spawnWorker,
  tempDir,
  uniquePrefix,
  waitFor,
  writeConfig,
  type SpawnedWorker,
} from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { freePort, OwnRedis } from './lib/redis-server.js';
import { auditStore } from './lib/store-audit.js';

const prefix = uniquePrefix();
const tmp = tempDir('auditpack-fault-redis-gone-');
const redis = new OwnRedis(tempDir('auditpack-fault-redis-gone-data-'), 'none');
const workers: SpawnedWorker[] = [];

afterAll(async () => {
  await killAll(workers);
  await redis.stop();
  removeTempDirs();
});

const NAMED = /RedisUnavailableError: cannot reach Redis at redis:\/\/127\.0\.0\.1:(\d+)\/0/;

function configFor(name: string): { config: string; storeRoot: string; outDir: string } {
  const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
  const dir = path.join(tmp, name);
  const storeRoot = path.join(dir, 'store');
  const config = writeConfig(tempDir(`auditpack-fault-redis-gone-${name}-`), {
    organisation: loaded.config.organisation,
    scope: loaded.config.scope,
    store: { path: storeRoot },
    queue: { prefix, attempts: 3, backoffMs: 300, lockDurationMs: 10_000, stalledIntervalMs: 1000, shutdownGraceMs: 3000 },
  });
  return { config, storeRoot, outDir: path.join(dir, 'out') };
}

describe('Redis gone for good', () => {
  it('nothing listening: pack --queue and worker fail at once with RedisUnavailableError, exit 3, nothing changed', async () => {
    const exportDir = await exampleExport();
    const port = await freePort();
    const { config, storeRoot, outDir } = configFor('nothing');
    const env = { AUDITPACK_REDIS_URL: `redis://127.0.0.1:${port}/0` };
    const [pack, worker] = await Promise.all([
      runCli(['pack', '--queue', '--source', exportDir, '--framework', 'gdpr', '--period', '2026-10', '--out', outDir, '--config', config], env),
      runCli(['worker', '--config', config, '--no-health', '--redis-wait', '2000'], env),
    ]);
    expect(pack.code, pack.stderr).toBe(3);
    expect(pack.stderr).toMatch(NAMED);
    expect(NAMED.exec(pack.stderr)?.[1]).toBe(String(port));
    expect(worker.code, worker.stderr).toBe(3);
    expect(worker.stderr).toMatch(NAMED);
    expect(worker.stderr).toContain('no answer within 2000 ms');
    // Nothing was queued or written.
    expect(existsSync(outDir)).toBe(false);
    expect(existsSync(path.join(storeRoot, 'records'))).toBe(false);

    recordOutcome({
      id: 'redis/gone-at-start',
      group: 'Redis',
      scenario: '`pack --queue` and `worker --redis-wait 2000` started with nothing listening at the Redis address.',
      expected: 'Both exit 3 with "RedisUnavailableError: cannot reach Redis at redis://127.0.0.1:<port>/0"; no output directory, no store records.',
      runs: 2,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: { 'named errors': 2, 'exit 3': 2 },
    });
  }, 300_000);

  it('SIGKILLed mid-run for good: pack --queue gives up with the named error (exit 3); the store stays whole', async () => {
    const exportDir = await exampleExport();
    await redis.start();
    const { config, storeRoot, outDir } = configFor('mid-run');
    const env = { AUDITPACK_REDIS_URL: redis.url };
    const worker = spawnWorker(['--config', config, '--queues', 'collect,pack', '--health-port', '0'], env);
    workers.push(worker);
    const ready = await worker.waitForLog((l) => l.event === 'worker_ready');
    const healthPort = ready['healthPort'] as number;
    const following = runCli(['pack', '--queue', '--source', exportDir, '--framework', 'gdpr', '--period', '2026-10', '--out', outDir, '--config', config], env, 300_000);
    await waitFor(() => recordFiles(storeRoot).length >= 100, 'collection under way', 300_000, 50);
    await redis.stop();
    const killedAt = recordFiles(storeRoot).length;

    // The worker keeps retrying and says so on /healthz.
    const health = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
      return res.status === 503 ? ((await res.json()) as { redis?: string }) : undefined;
    }, 'a 503 from /healthz');
    expect(health.redis).toBe('down');

    const pack = await following;
    expect(pack.code, pack.stderr).toBe(3);
    expect(pack.stderr).toMatch(NAMED);
    expect(pack.stderr).toMatch(/lost while following run pack-2026-10-[0-9a-f]+/);
    expect(pack.stderr).not.toContain('unexpected failure');

    // SIGTERM: the worker stops (its running job is cancelled after the grace period) and exits 0.
    worker.child.kill('SIGTERM');
    const code = await Promise.race([worker.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
    expect(code, worker.stderr().slice(-3000)).toBe(0);
    expect(worker.lines.some((l) => l.event === 'queue_error')).toBe(true);

    const audit = await auditStore(storeRoot);
    expect(audit.corrupt).toEqual([]);
    expect(audit.stray).toEqual([]);
    expect(audit.tmpFiles).toEqual([]);
    expect(audit.ids.length).toBeGreaterThanOrEqual(killedAt);

    recordOutcome({
      id: 'redis/gone-mid-run',
      group: 'Redis',
      scenario: `Redis SIGKILLed for good while a worker collected the example estate (${killedAt} records stored) and \`pack --queue\` followed the run.`,
      expected: '`pack --queue` exits 3 with "RedisUnavailableError: … lost while following run …" after its grace period (no hang); the worker reports Redis down on /healthz, keeps retrying, exits 0 on SIGTERM; every stored record and blob is whole, no staging file.',
      runs: 1,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: { 'records stored before the loss': killedAt, 'records checked afterwards': audit.ids.length, 'named errors': 1 },
    });
  }, 600_000);
});
