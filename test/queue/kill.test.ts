// Real worker processes (`tsx worker/index.ts`) on the real Redis. One is killed with SIGKILL while it collects,
// the next while it packs; a third finishes the run. Evidence counted by item id afterwards equals a clean
// in-process collection: nothing lost, nothing duplicated, and no half-written file left in the store's tmp.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { FRAMEWORKS_DIR } from '../../src/frameworks/load.js';
import { collectStage } from '../../src/pipeline/collect-stage.js';
import { enqueuePack } from '../../src/queue/enqueue.js';
import { exportCollectJobId, packJobId } from '../../src/queue/names.js';
import { planPack } from '../../src/queue/plan.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { packStatus } from '../../src/queue/status.js';
import type { PackProgress } from '../../src/queue/types.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import { devSigner } from '../fixtures/bundle/pack.js';
import {
  ASSESSED_AT,
  cleanupPrefix,
  exampleExport,
  filesIn,
  FIXED_NOW,
  recordFiles,
  REDIS_URL,
  ROOT,
  spawnWorker,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  waitFor,
  writeExampleWorkerConfig,
  type SpawnedWorker,
  killAll,
  removeTempDirs,
} from './helpers.js';

const prefix = uniquePrefix();
const tmp = tempDir('auditpack-kill-');
const workers: SpawnedWorker[] = [];
let queues: QueueHandles | undefined;

afterAll(async () => {
  await killAll(workers);
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
});

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

async function storeIds(root: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of new LocalDirectoryStore(root).listItems({})) ids.push(item.id);
  return ids.sort();
}

describe('workers killed with SIGKILL', () => {
  it('mid-collect and mid-pack: the pack completes with 0 evidence lost and 0 duplicated', async () => {
    const exportDir = await exampleExport();
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));

    // The reference: the same export directory collected once, in process.
    const baselineRoot = path.join(tmp, 'baseline-store');
    await collectStage(
      {
        store: new LocalDirectoryStore(baselineRoot, { fsync: false }),
        now: () => new Date(FIXED_NOW),
        generator: { name: 'auditpack', version: '0.1.0' },
        callerIdentity: null,
        frameworksDir: FRAMEWORKS_DIR,
      },
      { runId: 'baseline', source: { type: 'export-dir', path: exportDir } },
    );
    const baselineIds = await storeIds(baselineRoot);
    expect(baselineIds.length).toBeGreaterThan(500);

    const signer = await devSigner(path.join(tmp, 'keys'));
    const storeRoot = path.join(tmp, 'store');
    const outDir = path.join(tmp, 'out');
    const queueSection = {
      prefix,
      attempts: 4,
      backoffMs: 500,
      lockDurationMs: 20_000,
      stalledIntervalMs: 1000,
      maxStalledCount: 5,
      concurrency: { collect: 1, pack: 1, deliver: 1 },
    };
    const config = writeExampleWorkerConfig(tmp, loaded, {
      storeRoot: storeRoot,
      queue: queueSection,
      signing: signer.config,
    });
    const start = (): SpawnedWorker => {
      const w = spawnWorker(['--config', config, '--queues', 'collect,pack', '--no-health'], {
        AUDITPACK_REDIS_URL: REDIS_URL,
      });
      workers.push(w);
      return w;
    };

    const a = start();
    await a.waitForLog((l) => l.event === 'worker_ready');
    queues = openQueues(testTarget(prefix), testSettings(prefix, queueSection));
    const plan = planPack(
      loaded,
      queues.jobOptions,
      {
        frameworks: ['soc2', 'hipaa', 'gdpr'],
        period: '2026-10',
        assessedAt: ASSESSED_AT,
        sources: [exportDir],
        live: null,
        out: { dir: outDir, perRun: false },
        bundle: true,
        deliver: [],
        trigger: { by: 'cli' },
      },
      new Date(FIXED_NOW),
    );
    const { runId } = await enqueuePack(queues, plan);
    const collectId = exportCollectJobId(runId, 0, sha256Hex(exportDir).slice(0, 10));

    // Mid-collect: the child is active and part of the evidence is in the store.
    await waitFor(
      async () =>
        (await (await queues!.collect.getJob(collectId))?.getState()) === 'active' &&
        recordFiles(storeRoot).length >= 100,
      'collection under way',
    );
    const atFirstKill = recordFiles(storeRoot).length;
    expect(atFirstKill).toBeLessThan(baselineIds.length);
    a.child.kill('SIGKILL');
    await a.exited;

    // Mid-pack: the next worker recovers the collect job, then starts the pack; kill it while it renders or bundles.
    const b = start();
    await waitFor(
      async () => {
        const job = await queues!.pack.getJob(packJobId(runId));
        const progress = job?.progress as PackProgress | undefined;
        return (
          job &&
          (await job.getState()) === 'active' &&
          typeof progress === 'object' &&
          ['render', 'bundle'].includes(progress.stage)
        );
      },
      'the pack job rendering',
      400_000,
    );
    b.child.kill('SIGKILL');
    await b.exited;

    const c = start();
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

    // Both jobs really were taken over from a dead worker.
    const collectJob = await queues.collect.getJob(collectId);
    const packJob = await queues.pack.getJob(packJobId(runId));
    const started = (w: SpawnedWorker, jobId: string): boolean =>
      w.lines.some((l) => l.event === 'job_active' && l['jobId'] === jobId);
    expect([started(a, collectId), started(b, collectId)]).toEqual([true, true]);
    expect([started(b, packJobId(runId)), started(c, packJobId(runId))]).toEqual([true, true]);
    expect(
      b.lines
        .concat(c.lines)
        .filter((l) => l.event === 'job_stalled')
        .map((l) => l['jobId']),
    ).toEqual(expect.arrayContaining([collectId, packJobId(runId)]));
    for (const job of [collectJob!, packJob!]) {
      expect(job.attemptsStarted).toBeGreaterThanOrEqual(2);
      expect(job.stalledCounter).toBeGreaterThanOrEqual(1);
    }

    // 0 lost, 0 duplicated: the same item ids, one record each, the same index markers.
    const ids = await storeIds(storeRoot);
    expect(ids.length).toBe(baselineIds.length);
    expect(ids).toEqual(baselineIds);
    expect(recordFiles(storeRoot)).toEqual(recordFiles(baselineRoot));
    expect(countFiles(path.join(storeRoot, 'index'))).toBe(countFiles(path.join(baselineRoot, 'index')));
    expect(status.result?.evidenceItems).toBe(baselineIds.length);
    // No half-written file in the store: its staging area is empty (the workers sweep what dead ones left).
    expect(filesIn(path.join(storeRoot, 'tmp'))).toEqual([]);
    // The pack's files are whole (each was renamed into place complete).
    for (const f of ['results.json', 'report-model.json'])
      expect(() => JSON.parse(readFileSync(path.join(outDir, f), 'utf8')) as unknown).not.toThrow();
    const report = await verifyBundle(status.result!.bundle!.path, { trust: [signer.ca.caCertificate] });
    expect(report.status).toBe('valid');
    expect(statSync(status.result!.bundle!.path).size).toBe(status.result!.bundle!.size);

    // Graceful shutdown: SIGTERM → worker.close() → exit 0.
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.lines.some((l) => l.event === 'worker_closed')).toBe(true);
  }, 900_000);
});
