// Redis: the workers reach Redis through a TCP proxy (test/queue/proxy.ts) that the test cuts again and again
// during packs: every connection destroyed and new ones refused for a seeded 0.5-2.5 s, 0.3-1.5 s apart, until at
// least three cuts have landed (a fast run is followed by another). The workers reconnect each time, every run
// completes, and the store equals an in-process baseline of the same export directory: 0 items lost, 0 duplicated,
// nothing corrupt.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { packStatus } from '../../src/queue/status.js';
import {
  cleanupPrefix,
  exampleExport,
  FIXED_NOW,
  killAll,
  removeTempDirs,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  writeExampleWorkerConfig,
} from '../queue/helpers.js';
import { CuttableProxy } from '../queue/proxy.js';
import { recordOutcome } from './outcomes.js';
import { checkOutputDir, enqueueExportPack, waitForPackEnd, WorkerPool } from './lib/queue-run.js';
import { faultSeed, seededRandom, sleep } from './lib/seeded-random.js';
import { auditStore, baselineCollection, compareWithBaseline } from './lib/store-audit.js';

const SEED = faultSeed(8_202);
const MIN_CUTS = 3;
const MAX_CUTS = 12;
/** Runs started at most while waiting for MIN_CUTS cuts to land. */
const MAX_RUNS = 4;
const prefix = uniquePrefix();
const tmp = tempDir('auditpack-fault-redis-drop-');
const proxy = new CuttableProxy({ host: '127.0.0.1', port: 6379 });
let pool: WorkerPool | undefined;
let queues: QueueHandles | undefined;

afterAll(async () => {
  if (pool) await killAll(pool.all);
  await proxy.stop();
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
});

describe('Redis: the connection dropped repeatedly', () => {
  it('cut again and again during packs: the workers reconnect, the run completes with 0 lost, 0 duplicated', async () => {
    const random = seededRandom(SEED);
    const exportDir = await exampleExport();
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
    const baseline = await baselineCollection(exportDir, path.join(tmp, 'baseline'), FIXED_NOW);
    const n = baseline.ids.length;
    const port = await proxy.start();

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
    pool = new WorkerPool(['--config', config, '--queues', 'collect,pack', '--no-health'], {
      AUDITPACK_REDIS_URL: `redis://127.0.0.1:${port}/0`,
    });
    await pool.startReady(1);
    // The test itself talks to Redis directly: only the worker's connections are cut.
    queues = openQueues(testTarget(prefix, queueSection), testSettings(prefix, queueSection));
    const q = queues;
    // Cuts land while a run is under way; a fast run can end before MIN_CUTS have landed, so the next run (its own
    // output directory, hence its own run id) takes the rest. Every run must complete.
    const cuts: string[] = [];
    const runs: { runId: string; outDir: string }[] = [];
    while (cuts.length < MIN_CUTS && runs.length < MAX_RUNS) {
      const runOut = path.join(outDir, `run-${runs.length + 1}`);
      const runId = await enqueueExportPack(q, loaded, { exportDir, outDir: runOut });
      runs.push({ runId, outDir: runOut });
      for (;;) {
        await sleep(300 + Math.floor(random() * 1200));
        const s = await packStatus(q, runId);
        if (!s || s.state === 'completed' || s.state === 'failed' || cuts.length >= MAX_CUTS) break;
        const downMs = 500 + Math.floor(random() * 2000);
        cuts.push(
          `run ${runs.length} ${s.state}${s.current ? ` (${s.current.stage} ${s.current.done}/${s.current.total})` : ''}, down ${downMs} ms`,
        );
        await proxy.cut(downMs);
      }
      const status = await waitForPackEnd(q, runId);
      expect(status.error).toBeNull();
      expect(status.state).toBe('completed');
      expect(status.result?.evidenceItems).toBe(n);
      const out = await checkOutputDir(runOut);
      expect(out.partial).toEqual([]);
      expect(out.liveTemp).toEqual([]);
    }
    process.stderr.write(`redis-drop: seed ${SEED}, runs ${runs.length}, cuts ${JSON.stringify(cuts)}\n`);
    expect(cuts.length).toBeGreaterThanOrEqual(MIN_CUTS);
    expect(pool.events('queue_error').length).toBeGreaterThan(0);
    expect(pool.events('job_failed')).toEqual([]);

    const audit = await auditStore(storeRoot);
    const diff = compareWithBaseline(baseline, audit);
    expect(audit.corrupt).toEqual([]);
    expect(audit.stray).toEqual([]);
    expect(audit.tmpFiles).toEqual([]);
    expect({ lost: diff.lostIds, extra: diff.extraIds }).toEqual({ lost: [], extra: [] });
    expect({ lost: diff.lost, duplicated: diff.duplicated }).toEqual({ lost: 0, duplicated: 0 });

    recordOutcome({
      id: 'redis/connection-dropped-repeatedly',
      group: 'Redis',
      scenario: `A worker's Redis connections cut ${cuts.length} times during ${runs.length} pack run(s) of the example estate (${n} items), each time all connections destroyed and new ones refused for 0.5-2.5 s, 0.3-1.5 s apart (seed ${SEED}).`,
      expected:
        'The worker reconnects each time, no job fails, the run completes; store equals the in-process baseline; nothing corrupt, every output file whole.',
      runs: runs.length,
      lost: diff.lost,
      duplicated: diff.duplicated,
      crashes: 0,
      leaks: 0,
      extra: {
        cuts: cuts.length,
        'stalled recoveries': pool.events('job_stalled').length,
        'job retries': pool.events('job_retry').length,
        'evidence items': n,
      },
    });
  }, 900_000);
});
