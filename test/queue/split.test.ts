// Export directories split into coarse collect jobs (src/queue/split.ts): the parts cover every entry of the
// directory walk exactly once, CloudTrail by account/region/day folder (grouped, bounded), the rest in one job; a
// small, unreadable or ambiguous directory stays one job; the worker refuses malformed part prefixes. Then a pack
// of a split directory on the real Redis stores exactly the items of one in-process collectExportDir.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import type { EvidenceStore } from '../../src/evidence/store.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import { routeOf } from '../../src/sources/export-dir/routes.js';
import { walkExportDir } from '../../src/sources/export-dir/walk.js';
import { ApiSection } from '../../src/api/config.js';
import type { QueueAwareConfig } from '../../src/queue/config.js';
import { workerDeps } from '../../src/queue/deps.js';
import { enqueuePack } from '../../src/queue/enqueue.js';
import { exportCollectJobId } from '../../src/queue/names.js';
import { checkCollectData } from '../../src/queue/payloads.js';
import { planPack } from '../../src/queue/plan.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { startWorkerRuntime, type WorkerEvent, type WorkerRuntime } from '../../src/queue/runtime.js';
import { SchedulesSection } from '../../src/queue/settings.js';
import { splitExportDir, WHOLE_DIRECTORY, type ExportDirPart } from '../../src/queue/split.js';
import { followPack } from '../../src/queue/status.js';
import type { CollectJobResult } from '../../src/queue/types.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import {
  ASSESSED_AT,
  cleanupPrefix,
  exampleExport,
  FIXED_NOW,
  removeTempDirs,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
} from './helpers.js';

const GENERATOR = { name: 'auditpack', version: '0.1.0' };
const tmp = tempDir('auditpack-split-');

afterAll(() => removeTempDirs());

/** How many parts read each walked entry (`collectExportDir`'s rule: the relative path starts with a prefix). */
async function coverage(root: string, parts: readonly ExportDirPart[]): Promise<Map<string, number>> {
  const walked = await walkExportDir(root);
  const entries = [...walked.files, ...walked.refused.map((r) => r.path)];
  const cover = new Map<string, number>();
  for (const e of entries)
    cover.set(e, parts.filter((p) => p.prefixes === null || p.prefixes.some((x) => e.startsWith(x))).length);
  return cover;
}

function touch(root: string, rel: string, bytes = 10): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), Buffer.alloc(bytes));
}

const ct = (account: string, region: string, day: string, file = 'a.json.gz'): string =>
  `AWSLogs/${account}/CloudTrail/${region}/${day.replace(/-/g, '/')}/${file}`;

describe('splitting an export directory', () => {
  it('makes one job per account/region/day folder and one for the rest, covering every entry once', async () => {
    const dir = await exampleExport();
    const parts = await splitExportDir(dir, { minBytes: 0 });
    const walked = await walkExportDir(dir);
    const days = new Set(
      walked.files.filter((f) => routeOf(f)?.type === 'cloudtrail-log').map((f) => f.slice(0, f.lastIndexOf('/'))),
    );
    const ctParts = parts.filter((p) => p.part.startsWith('ct-'));
    expect(ctParts).toHaveLength(days.size);
    expect(parts.filter((p) => p.part.startsWith('rest-'))).toHaveLength(1);
    expect(parts.at(-1)!.part).toMatch(/^rest-/);
    for (const p of ctParts) expect(p.prefixes).toHaveLength(1);
    for (const [entry, n] of await coverage(dir, parts)) expect(n, entry).toBe(1);
    // Deterministic: the same directory gives the same parts.
    expect(await splitExportDir(dir, { minBytes: 0 })).toEqual(parts);
    // Every part is a valid payload.
    for (const p of parts)
      expect(() =>
        checkCollectData({ kind: 'export-dir', runId: 'r1', source: dir, part: p.part, prefixes: p.prefixes }),
      ).not.toThrow();
  });

  it('groups neighbouring days into at most maxJobs jobs, a whole month as one prefix', async () => {
    const dir = await exampleExport();
    const parts = await splitExportDir(dir, { minBytes: 0, maxJobs: 4 });
    const ctParts = parts.filter((p) => p.part.startsWith('ct-'));
    expect(ctParts.length).toBeLessThanOrEqual(4);
    expect(ctParts.length).toBeGreaterThanOrEqual(2);
    for (const [entry, n] of await coverage(dir, parts)) expect(n, entry).toBe(1);
    // A group that took every day of a month (or a region, an account) names that folder, not its days.
    const ctPrefixes = ctParts.flatMap((p) => p.prefixes ?? []);
    expect(ctPrefixes.some((x) => !/\/\d{4}\/\d{2}\/\d{2}\/$/.test(x))).toBe(true);
  });

  it('keeps a directory whole when it is small, unreadable, has one day, or its prefixes would be ambiguous', async () => {
    // The example estate has a few MiB of CloudTrail logs: below the default, one job.
    expect(await splitExportDir(await exampleExport())).toEqual(WHOLE_DIRECTORY);
    expect(await splitExportDir(path.join(tmp, 'missing'))).toEqual(WHOLE_DIRECTORY);

    const one = path.join(tmp, 'one-day');
    touch(one, ct('111122223333', 'eu-west-1', '2026-10-01'));
    touch(one, 'cli/111122223333/eu-west-1/configservice/describe-config-rules.json');
    expect(await splitExportDir(one, { minBytes: 0 })).toEqual(WHOLE_DIRECTORY);

    // A file named "0" next to the day folders 01, 02: its path is a prefix of theirs.
    const amb = path.join(tmp, 'ambiguous');
    touch(amb, ct('111122223333', 'eu-west-1', '2026-10-01'));
    touch(amb, ct('111122223333', 'eu-west-1', '2026-10-02'));
    touch(amb, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/0');
    expect(await splitExportDir(amb, { minBytes: 0 })).toEqual(WHOLE_DIRECTORY);
    // Without it the same directory splits, and a file elsewhere in the month goes to the rest on its own.
    const ok = path.join(tmp, 'month-file');
    touch(ok, ct('111122223333', 'eu-west-1', '2026-10-01'));
    touch(ok, ct('111122223333', 'eu-west-1', '2026-10-02'));
    touch(ok, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/notes.txt');
    const parts = await splitExportDir(ok, { minBytes: 0 });
    expect(parts.map((p) => p.prefixes)).toEqual([
      ['AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01/'],
      ['AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/02/'],
      ['AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/notes.txt'],
    ]);
    // Days are grouped by size: each job reads at least minBytes (the last, smaller remainder joins its neighbour).
    const sized = path.join(tmp, 'sized');
    for (const d of ['01', '02', '03', '04', '05']) touch(sized, ct('111122223333', 'eu-west-1', `2026-10-${d}`), 600);
    const bySize = await splitExportDir(sized, { minBytes: 1000 });
    expect(bySize.map((p) => p.prefixes!.length)).toEqual([2, 3]);
  });

  it('refuses part prefixes that leave the directory or are not normalised', () => {
    const base = { kind: 'export-dir', runId: 'r1', source: '/data/export', part: 'ct-x' };
    for (const bad of [
      ['../etc/'],
      ['AWSLogs/../../etc'],
      ['/etc/'],
      ['a//b/'],
      ['./a/'],
      ['a\\b'],
      ['a\0b'],
      ['x'.repeat(1025)],
      [],
      Array.from({ length: 513 }, (_, i) => `d${i}/`),
    ])
      expect(() => checkCollectData({ ...base, prefixes: bad }), JSON.stringify(bad).slice(0, 40)).toThrow(
        /invalid collect job payload: prefixes/,
      );
    expect(() => checkCollectData({ ...base, prefixes: ['AWSLogs/'], part: 'a__b' })).toThrow(/part/);
    expect(() =>
      checkCollectData({ kind: 'export-dir', runId: 'r1', source: '/data/export', prefixes: ['a/'] }),
    ).toThrow(/part and prefixes/);
    expect(
      checkCollectData({ ...base, prefixes: ['AWSLogs/1/CloudTrail/eu-west-1/2026/10/01/', 'cli/'] }),
    ).toMatchObject({
      part: 'ct-x',
    });
  });
});

async function itemIds(store: EvidenceStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of store.listItems({})) ids.push(item.id);
  return ids.sort();
}

describe('a split export directory on the queue', () => {
  const prefix = uniquePrefix();
  let runtime: WorkerRuntime | undefined;
  let queues: QueueHandles | undefined;
  afterAll(async () => {
    await runtime?.close(5000);
    await queues?.close();
    await cleanupPrefix(prefix);
  });

  it('stores the same evidence items as one in-process collectExportDir of the directory', async () => {
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
    const exportDir = await exampleExport();
    const now = (): Date => new Date(FIXED_NOW);
    const split = { minBytes: 0, maxJobs: 6 };

    const inProcess = new LocalDirectoryStore(path.join(tmp, 'inproc-store'), { fsync: false });
    const summary = await collectExportDir(
      {
        store: inProcess,
        now,
        collectorVersion: `${GENERATOR.name}/${GENERATOR.version} export-dir`,
        callerIdentity: null,
      },
      exportDir,
    );
    const expected = await itemIds(inProcess);
    expect(expected.length).toBeGreaterThan(100);

    const settings = testSettings(prefix, { concurrency: { collect: 3, pack: 1, deliver: 1 } });
    const target = testTarget(prefix);
    const cfg: QueueAwareConfig = {
      loaded,
      queue: settings,
      schedules: SchedulesSection.parse({}),
      api: ApiSection.parse({}),
      signing: null,
    };
    const storeRoot = path.join(tmp, 'queue-store');
    const store = new LocalDirectoryStore(storeRoot, { fsync: false });
    const events: WorkerEvent[] = [];
    runtime = await startWorkerRuntime({
      target,
      settings,
      queues: ['collect', 'pack'],
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
        frameworks: ['gdpr'],
        period: '2026-10',
        assessedAt: ASSESSED_AT,
        sources: [exportDir],
        split,
        live: null,
        out: { dir: path.join(tmp, 'queue-out'), perRun: false },
        bundle: false,
        deliver: [],
        trigger: { by: 'cli' },
      },
      now(),
    );
    const parts = await splitExportDir(exportDir, split);
    expect(parts.length).toBe(7); // six CloudTrail groups and the rest
    const flow = await plan.flow(plan.baseRunId);
    const digest = sha256Hex(exportDir).slice(0, 10);
    expect((flow.children ?? []).map((c) => c.opts?.jobId)).toEqual(
      parts.map((p) => exportCollectJobId(plan.baseRunId, 0, digest, p.part)),
    );
    for (const c of flow.children ?? []) expect(JSON.stringify(c.data).length).toBeLessThan(4000);

    const enq = await enqueuePack(queues, plan);
    const status = await followPack(queues, enq.runId, { pollMs: 200 });
    expect(status.error).toBeNull();
    expect(status.state).toBe('completed');
    expect(status.stages.collect).toMatchObject({ state: 'done', done: parts.length, total: parts.length });
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);

    expect(await itemIds(store)).toEqual(expected);

    // The children's counts add up to the directory's: each entry was read by exactly one job.
    const packJob = await queues.pack.getJob(`pack__${enq.runId}`);
    const values = Object.values(await packJob!.getChildrenValues<CollectJobResult>());
    expect(values).toHaveLength(parts.length);
    const sum = (k: 'collected' | 'notApplicable' | 'errors'): number => values.reduce((n, v) => n + v.counts[k], 0);
    const whole = Object.values(summary.byCollector);
    for (const k of ['collected', 'notApplicable', 'errors'] as const)
      expect(sum(k), k).toBe(whole.reduce((n, t) => n + t[k], 0));
    expect(status.result!.collect!.counts.collected).toBe(sum('collected'));
  }, 300_000);
});
