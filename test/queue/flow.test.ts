// A pack as a BullMQ flow on the real Redis: the collect child (the example estate's export directory) writes
// evidence to the store and returns counts, then the pack parent runs assess → render → bundle with the same stage
// handlers as the in-process run, and the deliver parent copies the signed bundle. The assessment must equal the
// in-process one.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { FRAMEWORKS_DIR } from '../../src/frameworks/load.js';
import type { AssessmentResult } from '../../src/pipeline/assess-stage.js';
import { runPackInProcess } from '../../src/pipeline/in-process.js';
import { ApiSection } from '../../src/api/config.js';
import { SchedulesSection } from '../../src/queue/settings.js';
import type { QueueAwareConfig } from '../../src/queue/config.js';
import { workerDeps } from '../../src/queue/deps.js';
import { enqueuePack } from '../../src/queue/enqueue.js';
import { planPack } from '../../src/queue/plan.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { startWorkerRuntime, type WorkerEvent, type WorkerRuntime } from '../../src/queue/runtime.js';
import { followPack } from '../../src/queue/status.js';
import { devSigner, type DevSigner } from '../fixtures/bundle/pack.js';
import {
  ASSESSED_AT,
  cleanupPrefix,
  exampleExport,
  FIXED_NOW,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  removeTempDirs,
} from './helpers.js';

const GENERATOR = { name: 'auditpack', version: '0.1.0' };
const FRAMEWORKS = ['soc2', 'hipaa', 'gdpr'];
const prefix = uniquePrefix();
const tmp = tempDir('auditpack-flow-');
const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
let exportDir: string;
let signer: DevSigner;
let runtime: WorkerRuntime | undefined;
let queues: QueueHandles | undefined;
const events: WorkerEvent[] = [];

beforeAll(async () => {
  exportDir = await exampleExport();
  signer = await devSigner(path.join(tmp, 'keys'));
});

afterAll(async () => {
  await runtime?.close(5000);
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
});

describe('a pack flow on the queue', () => {
  it('collects through a child job and packs through the parent, giving the in-process assessment', async () => {
    const now = (): Date => new Date(FIXED_NOW);
    const inProcessStore = new LocalDirectoryStore(path.join(tmp, 'inproc-store'), { fsync: false });
    const baseline = await runPackInProcess(
      { store: inProcessStore, now, generator: GENERATOR, callerIdentity: null, frameworksDir: FRAMEWORKS_DIR },
      loaded,
      {
        runId: 'run-inproc',
        source: exportDir,
        frameworks: FRAMEWORKS,
        period: '2026-10',
        assessedAt: ASSESSED_AT,
        outDir: path.join(tmp, 'inproc-out'),
      },
    );

    const settings = testSettings(prefix, { directoryTargets: { archive: path.join(tmp, 'archive') } });
    const target = testTarget(prefix);
    const cfg: QueueAwareConfig = {
      loaded,
      queue: settings,
      schedules: SchedulesSection.parse({}),
      api: ApiSection.parse({}),
      signing: signer.config,
    };
    const storeRoot = path.join(tmp, 'queue-store');
    const store = new LocalDirectoryStore(storeRoot, { fsync: false });
    runtime = await startWorkerRuntime({
      target,
      settings,
      queues: ['collect', 'pack', 'deliver'],
      deps: workerDeps(cfg, { store, generator: GENERATOR, now, progressIntervalMs: 100 }),
      health: null,
      storeRoot,
      onEvent: (e) => events.push(e),
    });
    queues = openQueues(target, settings);
    const plan = planPack(
      loaded,
      queues.jobOptions,
      {
        frameworks: FRAMEWORKS,
        period: '2026-10',
        assessedAt: ASSESSED_AT,
        sources: [exportDir],
        live: null,
        out: { dir: path.join(tmp, 'queue-out'), perRun: false },
        bundle: true,
        deliver: ['archive'],
        trigger: { by: 'cli' },
      },
      now(),
    );
    const enq = await enqueuePack(queues, plan);
    expect(enq).toMatchObject({ runId: plan.baseRunId, created: true });

    const stagesSeen = new Set<string>();
    const status = await followPack(queues, enq.runId, { pollMs: 250, onProgress: (p) => stagesSeen.add(p.stage) });
    expect(status.error).toBeNull();
    expect(status.state).toBe('completed');
    expect([...stagesSeen]).toEqual(expect.arrayContaining(['collect', 'assess', 'render', 'bundle', 'deliver']));
    expect(Object.values(status.stages).map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done']);

    // The same assessment as in process: same evidence, same results, same pack id.
    const queued = (await store.getState(`runs/${enq.runId}/assessment`)) as AssessmentResult;
    expect(queued.packId).toBe(baseline.assessment.packId);
    expect(queued.frameworks).toEqual(baseline.assessment.frameworks);
    expect(queued.evidence).toEqual(baseline.assessment.evidence);

    // The child returned counts only; the parent's result is counts and references.
    const result = status.result!;
    expect(result.packId).toBe(baseline.assessment.packId);
    expect(result.collect?.counts.collected).toBe(
      Object.values(baseline.collect!.summary.byCollector).reduce((n, t) => n + t.collected, 0),
    );
    expect(result.collect?.failedUnits).toBe(0);
    expect(result.frameworks?.map((f) => f.id)).toEqual(FRAMEWORKS);
    const packJob = await queues.pack.getJob(`pack__${enq.runId}`);
    const childValues = Object.values(await packJob!.getChildrenValues());
    expect(childValues).toHaveLength(1);
    expect(Object.keys(childValues[0] as object).sort()).toEqual(['counts', 'failed', 'kind', 'runId']);
    expect(JSON.stringify(packJob!.data).length).toBeLessThan(20_000);

    // Signed bundle, verifiable against the CA; the delivered copy is the same bytes.
    const bundle = result.bundle!;
    const report = await verifyBundle(bundle.path, { trust: [signer.ca.caCertificate] });
    expect(report.problems).toEqual([]);
    expect(report.status).toBe('valid');
    const receipts = status.delivery?.result?.receipts ?? [];
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.target).toBe('archive');
    expect(createHash('sha256').update(readFileSync(receipts[0]!.location)).digest('hex')).toBe(bundle.sha256);

    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
  }, 600_000);
});
