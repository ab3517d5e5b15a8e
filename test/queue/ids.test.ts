// Deterministic job ids: the same pack triggered twice (or five times at once) while it is queued or running is
// enqueued once; a finished unpinned run is run again under the next generation; a pinned one is final.
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiSection } from '../../src/api/config.js';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { collectJobId, exportCollectJobId, idPart, JobIdError, packJobId } from '../../src/queue/names.js';
import type { QueueAwareConfig } from '../../src/queue/config.js';
import { workerDeps } from '../../src/queue/deps.js';
import { enqueuePack } from '../../src/queue/enqueue.js';
import { planPack, PlanError, type PackRequest } from '../../src/queue/plan.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { startWorkerRuntime } from '../../src/queue/runtime.js';
import { SchedulesSection } from '../../src/queue/settings.js';
import { followPack } from '../../src/queue/status.js';
import {
  cleanupPrefix,
  countKeys,
  FIXED_NOW,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  removeTempDirs,
} from './helpers.js';

const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
const tmp = tempDir('auditpack-ids-');
const now = new Date(FIXED_NOW);
let prefix: string;
let queues: QueueHandles;

const request = (over: Partial<PackRequest> = {}): PackRequest => ({
  frameworks: ['gdpr'],
  period: '2026-10',
  sources: ['/data/exports/a', '/data/exports/b'],
  live: {
    collectors: ['config'],
    accounts: [
      { id: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/AuditpackReadOnly' },
      { id: '444455556666' },
    ],
    regions: ['eu-west-1', 'us-east-1'],
  },
  out: { dir: path.join(tmp, 'out'), perRun: true },
  bundle: false,
  deliver: [],
  trigger: { by: 'api', name: 'alice' },
  ...over,
});

beforeEach(() => {
  prefix = uniquePrefix();
  queues = openQueues(testTarget(prefix), testSettings(prefix));
});
afterEach(async () => {
  await queues.close();
  await cleanupPrefix(prefix);
  expect(await countKeys(prefix)).toBe(0);
});
afterAll(() => removeTempDirs());

describe('job ids', () => {
  it('are deterministic, free of ":" and never rewrite their parts', () => {
    expect(packJobId('pack-2026-10-abc')).toBe('pack__pack-2026-10-abc');
    expect(collectJobId('run-1', 'config', '111122223333', 'eu-west-1')).toBe(
      'collect__run-1__config__111122223333__eu-west-1',
    );
    expect(exportCollectJobId('run-1', 0, 'abcdef0123')).toBe('collect__run-1__export-dir__0-abcdef0123__all');
    for (const bad of ['a:b', 'a__b', '', '../x', 'a b', '-a']) expect(() => idPart(bad, 'run id')).toThrow(JobIdError);
  });

  it('plans one thin child per export directory and per live collector × account × region', async () => {
    const plan = planPack(loaded, queues.jobOptions, request(), now);
    const flow = await plan.flow(plan.baseRunId);
    const ids = (flow.children ?? []).map((c) => c.opts?.jobId);
    expect(ids).toHaveLength(2 + 2 * 2);
    expect(ids).toContain(`collect__${plan.baseRunId}__config__111122223333__eu-west-1`);
    expect(ids).toContain(`collect__${plan.baseRunId}__config__444455556666__us-east-1`);
    for (const id of [flow.opts?.jobId, ...ids]) expect(id).not.toContain(':');
    for (const c of flow.children ?? []) {
      const keys = Object.keys(c.data as object).sort();
      expect(keys).toEqual(
        (c.data as { kind: string }).kind === 'live'
          ? expect.arrayContaining(['account', 'collector', 'kind', 'region', 'runId', 'window'])
          : ['kind', 'runId', 'source'],
      );
      expect(JSON.stringify(c.data)).not.toMatch(/secret|password|token|credential/i);
    }
    // Same request, same id; a different request, a different id; a given assessment time is part of it.
    expect(planPack(loaded, queues.jobOptions, request(), new Date('2026-11-05T00:00:00Z')).baseRunId).toBe(
      plan.baseRunId,
    );
    expect(planPack(loaded, queues.jobOptions, request({ frameworks: ['soc2'] }), now).baseRunId).not.toBe(
      plan.baseRunId,
    );
    expect(
      planPack(loaded, queues.jobOptions, request({ assessedAt: '2026-11-02T00:00:00.000Z' }), now).baseRunId,
    ).not.toBe(plan.baseRunId);
    expect(() => planPack(loaded, queues.jobOptions, request({ deliver: ['archive'] }), now)).toThrow(PlanError);
    expect(() => planPack(loaded, queues.jobOptions, request({ sources: ['relative/dir'] }), now)).toThrow(PlanError);
    const many = Array.from({ length: 21 }, (_, i) => `t${i}`);
    expect(() => planPack(loaded, queues.jobOptions, request({ bundle: true, deliver: many }), now)).toThrow(
      'at most 20 delivery targets per run, got 21',
    );
  });
});

describe('re-triggering the same pack', () => {
  it('enqueues once while it is queued, also when triggered concurrently', async () => {
    const first = await enqueuePack(queues, planPack(loaded, queues.jobOptions, request(), now));
    expect(first.created).toBe(true);
    expect(first.state).toBe('waiting-children');
    const again = await enqueuePack(queues, planPack(loaded, queues.jobOptions, request(), now));
    expect(again).toEqual({ runId: first.runId, created: false, state: 'waiting-children' });
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => enqueuePack(queues, planPack(loaded, queues.jobOptions, request(), now))),
    );
    expect(racing.filter((r) => r.created)).toHaveLength(0);
    expect(new Set(racing.map((r) => r.runId))).toEqual(new Set([first.runId]));
    expect(await queues.pack.getJobCounts('waiting', 'waiting-children', 'delayed', 'active')).toEqual({
      waiting: 0,
      'waiting-children': 1,
      delayed: 0,
      active: 0,
    });
    expect((await queues.collect.getJobCounts('waiting')).waiting).toBe(6);

    // Five concurrent first triggers of another request: one creates, the others find it.
    const other = await Promise.all(
      Array.from({ length: 5 }, () =>
        enqueuePack(queues, planPack(loaded, queues.jobOptions, request({ frameworks: ['hipaa'] }), now)),
      ),
    );
    expect(other.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(other.map((r) => r.runId)).size).toBe(1);
    expect((await queues.pack.getJobCounts('waiting-children'))['waiting-children']).toBe(2);
    expect((await queues.collect.getJobCounts('waiting')).waiting).toBe(12);
  });

  it('runs finished work again under the next generation unless the assessment time was pinned', async () => {
    const settings = testSettings(prefix);
    const cfg: QueueAwareConfig = {
      loaded,
      queue: settings,
      schedules: SchedulesSection.parse({}),
      api: ApiSection.parse({}),
      signing: null,
    };
    const store = new LocalDirectoryStore(path.join(tmp, `store-${prefix}`), { fsync: false });
    const runtime = await startWorkerRuntime({
      target: testTarget(prefix),
      settings,
      queues: ['pack'],
      deps: workerDeps(cfg, {
        store,
        generator: { name: 'auditpack', version: '0.1.0' },
        now: () => now,
        stages: { render: () => Promise.resolve({ files: [] }) },
      }),
      health: null,
    });
    try {
      const req = request({ sources: [], live: null });
      const a = await enqueuePack(queues, planPack(loaded, queues.jobOptions, req, now));
      expect((await followPack(queues, a.runId, { pollMs: 100 })).state).toBe('completed');
      const b = await enqueuePack(queues, planPack(loaded, queues.jobOptions, req, now));
      expect(b).toMatchObject({ runId: `${a.runId}-r2`, created: true });
      expect((await followPack(queues, b.runId, { pollMs: 100 })).state).toBe('completed');

      const pinned = request({ sources: [], live: null, assessedAt: '2026-11-02T00:00:00.000Z' });
      const c = await enqueuePack(queues, planPack(loaded, queues.jobOptions, pinned, now));
      expect((await followPack(queues, c.runId, { pollMs: 100 })).state).toBe('completed');
      const d = await enqueuePack(queues, planPack(loaded, queues.jobOptions, pinned, now));
      expect(d).toEqual({ runId: c.runId, created: false, state: 'completed' });
    } finally {
      await runtime.close(5000);
    }
  }, 300_000);
});
