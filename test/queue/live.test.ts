// Live collection on the queue: one collect child per collector × account × region, run by a worker process
// against the fake AWS (test/fake-aws), under a per-account-and-service token bucket. The evidence equals one
// in-process live run over the same scope; job payloads carry references only.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLiveCollection } from '../../src/collectors/live/runner.js';
import { LIVE_COLLECTORS } from '../../src/collectors/live/registry.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { loadQueueAwareConfig } from '../../src/queue/config.js';
import { enqueuePack } from '../../src/queue/enqueue.js';
import { packJobId } from '../../src/queue/names.js';
import { liveScope, planPack } from '../../src/queue/plan.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { packStatus } from '../../src/queue/status.js';
import { FakeAws, type Identity } from '../fake-aws/server.js';
import { modelsAvailable } from '../fake-aws/smithy.js';
import {
  cleanupPrefix,
  countKeys,
  exampleExport,
  FIXED_NOW,
  REDIS_URL,
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

const PROD = '111122223333';
const MLDEV = '444455556666';
const ROLE = 'AuditpackReadOnly';
const EXTERNAL_ID = 'northwind-audit-7f3c9e51';
const CALLER: Identity = {
  accessKeyId: 'AKIAFAKEAUDITPACK001',
  secretAccessKey: 'fake-secret-access-key-for-tests-only',
  account: PROD,
};
const REGIONS = ['eu-west-1', 'us-east-1'];
const prefix = uniquePrefix();
const tmp = tempDir('auditpack-live-');
let fake: FakeAws | undefined;
let worker: SpawnedWorker | undefined;
let queues: QueueHandles | undefined;

afterAll(async () => {
  if (worker) await killAll([worker]);
  await fake?.stop();
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
});

async function ids(root: string): Promise<string[]> {
  const out: string[] = [];
  for await (const item of new LocalDirectoryStore(root).listItems({})) out.push(item.id);
  return out.sort();
}

describe.skipIf(!modelsAvailable())('live collection as collect children', () => {
  it('runs one job per collector × account × region, rate-limited per account and service, with the evidence of one live run', async () => {
    fake = new FakeAws({
      exportDir: await exampleExport(),
      identities: [CALLER],
      roles: [PROD, MLDEV].map((a) => ({
        arn: `arn:aws:iam::${a}:role/${ROLE}`,
        externalId: EXTERNAL_ID,
        trustedAccounts: [PROD],
      })),
      pageSize: 2,
      pageSizes: { 'cloudtrail:LookupEvents': 50, 'logs:FilterLogEvents': 25, 'account:ListRegions': 1 },
    });
    await fake.start();
    const awsEnv = fake.env(CALLER);

    const storeRoot = path.join(tmp, 'store');
    const queueSection = {
      prefix,
      backoffMs: 200,
      concurrency: { collect: 4 },
      rateLimits: { default: { burst: 1, perMinute: 600 } },
    };
    const config = writeConfig(tmp, {
      organisation: { name: 'Northwind Health AI' },
      scope: {
        accounts: [
          { id: PROD, name: 'prod' },
          { id: MLDEV, name: 'ml-dev' },
        ],
        regions: REGIONS,
      },
      collection: { roleName: ROLE, externalId: EXTERNAL_ID },
      store: { path: storeRoot },
      queue: queueSection,
    });
    worker = spawnWorker(['--config', config, '--queues', 'collect,pack', '--no-health'], {
      ...awsEnv,
      AUDITPACK_REDIS_URL: REDIS_URL,
    });
    await worker.waitForLog((l) => l.event === 'worker_ready');

    const { loaded } = loadQueueAwareConfig(config, {});
    queues = openQueues(testTarget(prefix), testSettings(prefix, queueSection));
    const plan = planPack(
      loaded,
      queues.jobOptions,
      {
        frameworks: ['gdpr'],
        period: '2026-10',
        assessedAt: '2026-11-02T00:00:00.000Z',
        sources: [],
        live: liveScope(loaded),
        out: { dir: path.join(tmp, 'out'), perRun: false },
        bundle: false,
        deliver: [],
        trigger: { by: 'cli' },
      },
      new Date(FIXED_NOW),
    );
    const flow = await plan.flow(plan.baseRunId);
    const regional = LIVE_COLLECTORS.filter((c) => c.regional).length;
    const global = LIVE_COLLECTORS.length - regional;
    expect(flow.children).toHaveLength(2 * (regional * REGIONS.length + global));
    for (const child of flow.children ?? []) {
      const text = JSON.stringify(child.data);
      expect(text).not.toContain(CALLER.secretAccessKey);
      expect(text).not.toContain(EXTERNAL_ID);
      expect(text).not.toMatch(/secret|password|sessionToken/i);
    }
    const { runId } = await enqueuePack(queues, plan);
    const status = await waitFor(
      async () => {
        const s = await packStatus(queues!, runId);
        return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
      },
      'the live pack',
      600_000,
      500,
    );
    expect(status.error).toBeNull();
    expect(status.state).toBe('completed');
    expect(status.stages.collect).toMatchObject({
      state: 'done',
      done: flow.children!.length,
      total: flow.children!.length,
    });

    // The same evidence as one in-process live run over the whole scope.
    const baselineRoot = path.join(tmp, 'baseline');
    Object.assign(process.env, awsEnv);
    await runLiveCollection({
      collectors: [...LIVE_COLLECTORS],
      accounts: [PROD, MLDEV].map((id) => ({ id, roleArn: `arn:aws:iam::${id}:role/${ROLE}` })),
      externalId: EXTERNAL_ID,
      regions: REGIONS,
      window: { start: new Date('2026-10-01T00:00:00Z'), end: new Date('2026-11-01T00:00:00Z') },
      store: new LocalDirectoryStore(baselineRoot, { fsync: false }),
      now: () => new Date(FIXED_NOW),
      generator: { name: 'auditpack', version: '0.1.0' },
    });
    const expected = await ids(baselineRoot);
    expect(expected.length).toBeGreaterThan(100);
    expect(await ids(storeRoot)).toEqual(expected);

    // The token bucket held units back (delayed, not failed: started again later, no attempt spent).
    const packJob = await queues.pack.getJob(packJobId(runId));
    const children = Object.keys(await packJob!.getChildrenValues());
    expect(children).toHaveLength(flow.children!.length);
    const starts = worker.lines.filter((l) => l.event === 'job_active' && l['queue'] === 'collect').length;
    expect(starts).toBeGreaterThan(flow.children!.length);
    expect(worker.lines.filter((l) => l.event === 'job_failed' || l.event === 'job_retry')).toEqual([]);
    expect(await countKeys(`${prefix}:auditpack:ratelimit`)).toBeGreaterThan(0);

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 900_000);
});
