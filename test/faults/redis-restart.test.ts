// Redis: a redis-server of the test's own, with AOF persistence (appendfsync always), is SIGKILLed while the
// workers collect and again while the pack job assesses or renders, and started again on the same port and
// directory a seeded moment later. The workers reconnect by themselves, the run completes, and the store equals
// an in-process baseline of the same export directory: 0 items lost, 0 duplicated, nothing corrupt.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { exportCollectJobId, packJobId } from '../../src/queue/names.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import type { PackProgress } from '../../src/queue/types.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import {
  exampleExport,
  FIXED_NOW,
  killAll,
  recordFiles,
  removeTempDirs,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  waitFor,
  writeExampleWorkerConfig,
} from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { checkOutputDir, enqueueExportPack, waitForPackEnd, WorkerPool } from './lib/queue-run.js';
import { OwnRedis } from './lib/redis-server.js';
import { faultSeed, seededRandom, sleep } from './lib/seeded-random.js';
import { auditStore, baselineCollection, compareWithBaseline } from './lib/store-audit.js';

const SEED = faultSeed(8_201);
const prefix = uniquePrefix();
const tmp = tempDir('auditpack-fault-redis-restart-');
const redis = new OwnRedis(tempDir('auditpack-fault-redis-data-'));
let pool: WorkerPool | undefined;
let queues: QueueHandles | undefined;

afterAll(async () => {
  if (pool) await killAll(pool.all);
  await queues?.close();
  await redis.stop();
  removeTempDirs();
});

/** A poll that tolerates the outage: a command that fails while Redis is down is "not yet". */
async function safely<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

describe('Redis: SIGKILLed and restarted (AOF) mid-run', () => {
  it('restarted twice (mid-collect, mid-pack): the run completes with 0 lost, 0 duplicated', async () => {
    const random = seededRandom(SEED);
    await redis.start();
    const exportDir = await exampleExport();
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
    const baseline = await baselineCollection(exportDir, path.join(tmp, 'baseline'), FIXED_NOW);
    const n = baseline.ids.length;

    const storeRoot = path.join(tmp, 'store');
    const outDir = path.join(tmp, 'out');
    const queueSection = {
      prefix,
      attempts: 4,
      backoffMs: 300,
      lockDurationMs: 10_000,
      stalledIntervalMs: 1000,
      maxStalledCount: 10,
      concurrency: { collect: 1, pack: 1, deliver: 1 },
    };
    const config = writeExampleWorkerConfig(tmp, loaded, {
      storeRoot: storeRoot,
      queue: queueSection,
    });
    pool = new WorkerPool(['--config', config, '--queues', 'collect,pack', '--no-health'], { AUDITPACK_REDIS_URL: redis.url });
    await pool.startReady(2);
    queues = openQueues(testTarget(prefix, queueSection, redis.url), testSettings(prefix, queueSection));
    const q = queues;
    const runId = await enqueueExportPack(q, loaded, { exportDir, outDir });
    const collectId = exportCollectJobId(runId, 0, sha256Hex(exportDir).slice(0, 10));
    const outages: string[] = [];

    const restart = async (what: string): Promise<void> => {
      await redis.kill9();
      const downMs = 1000 + Math.floor(random() * 4000);
      await sleep(downMs);
      await redis.start();
      outages.push(`${what}, down ${downMs} ms`);
    };

    // Mid-collect: a seeded share of the records is stored.
    const threshold = Math.floor(n * (0.2 + 0.5 * random()));
    await waitFor(
      async () =>
        (await safely(async () => (await (await q.collect.getJob(collectId))?.getState()) === 'active')) === true &&
        recordFiles(storeRoot).length >= threshold,
      'collection under way',
      300_000,
      50,
    );
    const atKill = recordFiles(storeRoot).length;
    expect(atKill).toBeLessThan(n);
    await restart(`collect, ${atKill}/${n} records stored`);

    // Mid-pack: the pack job assesses or renders.
    const pack = await waitFor(
      async () =>
        safely(async () => {
          const job = await q.pack.getJob(packJobId(runId));
          const progress = job?.progress as PackProgress | undefined;
          return job && (await job.getState()) === 'active' && typeof progress === 'object' && ['assess', 'render'].includes(progress.stage)
            ? progress
            : undefined;
        }),
      'the pack job running',
      300_000,
      50,
    );
    await restart(`pack, ${pack.stage} ${pack.done}/${pack.total}`);

    const status = await waitForPackEnd(q, runId);
    expect(status.error).toBeNull();
    expect(status.state).toBe('completed');
    expect(redis.kills).toBe(2);
    // The workers saw the outages and reconnected: no job failed for good.
    expect(pool.events('queue_error').length).toBeGreaterThan(0);
    expect(pool.events('job_failed')).toEqual([]);
    expect(pool.alive()).toHaveLength(2);

    const audit = await auditStore(storeRoot);
    const diff = compareWithBaseline(baseline, audit);
    expect(audit.corrupt).toEqual([]);
    expect(audit.stray).toEqual([]);
    expect(audit.tmpFiles).toEqual([]);
    expect({ lost: diff.lostIds, extra: diff.extraIds }).toEqual({ lost: [], extra: [] });
    expect({ lost: diff.lost, duplicated: diff.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(status.result?.evidenceItems).toBe(n);
    const out = await checkOutputDir(outDir);
    expect(out.partial).toEqual([]);
    expect(out.liveTemp).toEqual([]);
    process.stderr.write(`redis-restart: seed ${SEED}, outages ${JSON.stringify(outages)}\n`);

    recordOutcome({
      id: 'redis/restart-aof',
      group: 'Redis',
      scenario: `A redis-server with AOF (appendfsync always) SIGKILLed and restarted on the same port and directory twice during one pack of the example estate (${n} items): mid-collect and mid-pack (seed ${SEED}); two workers.`,
      expected: 'The workers reconnect by themselves, no job fails, the run completes; store equals the in-process baseline; nothing corrupt, no staging file, every output file whole.',
      runs: 1,
      lost: diff.lost,
      duplicated: diff.duplicated,
      crashes: 0,
      leaks: 0,
      extra: {
        'redis restarts': redis.kills,
        'stalled recoveries': pool.events('job_stalled').length,
        'job retries': pool.events('job_retry').length,
        'evidence items': n,
      },
    });
  }, 900_000);
});
