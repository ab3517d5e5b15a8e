// A worker process reaches Redis through a TCP proxy the test cuts (every connection dropped, new ones refused
// for a few seconds) while it collects and again while it packs: the health check reports Redis down, then up,
// and the run still completes with every item of the export directory stored once.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { enqueuePack } from '../../src/queue/enqueue.js';
import { packJobId } from '../../src/queue/names.js';
import { planPack } from '../../src/queue/plan.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { packStatus } from '../../src/queue/status.js';
import type { PackProgress } from '../../src/queue/types.js';
import {
  ASSESSED_AT,
  cleanupPrefix,
  exampleExport,
  FIXED_NOW,
  recordFiles,
  ROOT,
  spawnWorker,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  waitFor,
  writeConfig,
  type SpawnedWorker,
  killAll,
  removeTempDirs,
} from './helpers.js';
import { CuttableProxy } from './proxy.js';

const prefix = uniquePrefix();
const tmp = tempDir('auditpack-drop-');
const proxy = new CuttableProxy({ host: '127.0.0.1', port: 6379 });
let worker: SpawnedWorker | undefined;
let queues: QueueHandles | undefined;

afterAll(async () => {
  if (worker) await killAll([worker]);
  await proxy.stop();
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
});

async function healthz(
  port: number,
): Promise<{ status: number; body: { redis?: string; queues?: Record<string, Record<string, number>> } }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as { redis?: string } };
}

describe('the worker loses its Redis connection mid-run', () => {
  it('reconnects and completes the run; /healthz says 503 while Redis is unreachable', async () => {
    const exportDir = await exampleExport();
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
    const port = await proxy.start();
    const storeRoot = path.join(tmp, 'store');
    const queueSection = {
      prefix,
      attempts: 4,
      backoffMs: 500,
      lockDurationMs: 20_000,
      stalledIntervalMs: 2000,
      maxStalledCount: 5,
    };
    const config = writeConfig(tmp, {
      organisation: loaded.config.organisation,
      scope: loaded.config.scope,
      store: { path: storeRoot },
      queue: queueSection,
    });
    worker = spawnWorker(['--config', config, '--queues', 'collect,pack', '--health-port', '0'], {
      AUDITPACK_REDIS_URL: `redis://127.0.0.1:${port}/0`,
    });
    const ready = await worker.waitForLog((l) => l.event === 'worker_ready');
    const healthPort = ready['healthPort'] as number;
    const up = await healthz(healthPort);
    expect(up.status).toBe(200);
    expect(up.body.redis).toBe('up');
    expect(Object.keys(up.body.queues ?? {})).toEqual(['collect', 'pack']);

    queues = openQueues(testTarget(prefix), testSettings(prefix, queueSection));
    const plan = planPack(
      loaded,
      queues.jobOptions,
      {
        frameworks: ['gdpr'],
        period: '2026-10',
        assessedAt: ASSESSED_AT,
        sources: [exportDir],
        live: null,
        out: { dir: path.join(tmp, 'out'), perRun: false },
        bundle: false,
        deliver: [],
        trigger: { by: 'cli' },
      },
      new Date(FIXED_NOW),
    );
    const { runId } = await enqueuePack(queues, plan);

    // Cut while collecting; /healthz turns 503 (Redis down) while the proxy refuses connections.
    await waitFor(
      async () => (await queues!.collect.getJobCounts('active')).active === 1 && recordFiles(storeRoot).length > 50,
      'collection under way',
    );
    const cut = proxy.cut(4000);
    const down = await waitFor(async () => {
      const h = await healthz(healthPort);
      return h.status === 503 ? h : undefined;
    }, 'a 503 from /healthz');
    expect(down.body.redis).toBe('down');
    await cut;
    await waitFor(async () => (await healthz(healthPort)).status === 200, '/healthz back to 200');

    // Cut again while the pack job runs.
    await waitFor(
      async () => {
        const job = await queues!.pack.getJob(packJobId(runId));
        return (
          job &&
          (await job.getState()) === 'active' &&
          typeof job.progress === 'object' &&
          ['assess', 'render'].includes((job.progress as PackProgress).stage)
        );
      },
      'the pack job running',
      300_000,
    );
    await proxy.cut(4000);

    const status = await waitFor(
      async () => {
        const s = await packStatus(queues!, runId);
        return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
      },
      'the pack to finish',
      400_000,
      500,
    );
    expect(status.error).toBeNull();
    expect(status.state).toBe('completed');
    expect(proxy.cuts).toBe(2);
    expect(worker.lines.some((l) => l.event === 'queue_error')).toBe(true);

    const ids = new Set<string>();
    for await (const item of new LocalDirectoryStore(storeRoot).listItems({})) ids.add(item.id);
    expect(ids.size).toBe(recordFiles(storeRoot).length);
    expect(status.result?.evidenceItems).toBeGreaterThan(500);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 900_000);
});
