// Schedules as BullMQ job schedulers on the real Redis: `auditpack schedule add|list|remove` as child processes,
// continuous collection firing on a short interval, and the monthly pack fired by promoting its next run (the
// period comes from the scheduled time in the schedule's time zone, not from the wall clock).
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiSection } from '../../src/api/config.js';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { QueueAwareConfig } from '../../src/queue/config.js';
import { workerDeps } from '../../src/queue/deps.js';
import { packJobId } from '../../src/queue/names.js';
import { scheduledTime } from '../../src/queue/processors.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { startWorkerRuntime, type WorkerEvent, type WorkerRuntime } from '../../src/queue/runtime.js';
import {
  listSchedules,
  removeSchedule,
  syncSchedules,
  upsertCollectSchedule,
  upsertPackSchedule,
} from '../../src/queue/schedules.js';
import { CollectSchedule, PackSchedule, SchedulesSection } from '../../src/queue/settings.js';
import { followPack } from '../../src/queue/status.js';
import { previousMonth } from '../../src/queue/time.js';
import type { PackJobResult, ScheduledPackData } from '../../src/queue/types.js';
import {
  cleanupPrefix,
  FIXED_NOW,
  REDIS_URL,
  ROOT,
  runQueueCli,
  smallExport,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  waitFor,
  writeConfig,
  removeTempDirs,
} from './helpers.js';

const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
const tmp = tempDir('auditpack-sched-');
let prefix: string;
let queues: QueueHandles;
let runtime: WorkerRuntime | undefined;

beforeEach(() => {
  prefix = uniquePrefix();
  queues = openQueues(testTarget(prefix), testSettings(prefix));
});
afterEach(async () => {
  await runtime?.close(5000);
  runtime = undefined;
  await queues.close();
  await cleanupPrefix(prefix);
});
afterAll(() => removeTempDirs());

async function startWorkers(events: WorkerEvent[], storeRoot: string): Promise<WorkerRuntime> {
  const settings = testSettings(prefix);
  const cfg: QueueAwareConfig = {
    loaded,
    queue: settings,
    schedules: SchedulesSection.parse({}),
    api: ApiSection.parse({}),
    signing: null,
  };
  return startWorkerRuntime({
    target: testTarget(prefix),
    settings,
    queues: ['collect', 'pack'],
    deps: workerDeps(cfg, {
      store: new LocalDirectoryStore(storeRoot, { fsync: false }),
      generator: { name: 'auditpack', version: '0.1.0' },
      now: () => new Date(FIXED_NOW),
      outDir: path.join(tmp, `out-${prefix}`),
      stages: { render: () => Promise.resolve({ files: [] }) },
    }),
    health: null,
    onEvent: (e) => events.push(e),
  });
}

describe('the monthly period', () => {
  it('is the month before the scheduled time, in the schedule time zone', () => {
    // 00:30 on 1 December in Berlin is still 30 November in UTC.
    expect(previousMonth(new Date('2026-11-30T23:30:00Z'), 'Europe/Berlin')).toBe('2026-11');
    expect(previousMonth(new Date('2026-11-30T23:30:00Z'), 'UTC')).toBe('2026-10');
    expect(previousMonth(new Date('2027-01-01T02:00:00Z'), 'Europe/Berlin')).toBe('2026-12');
    expect(previousMonth(new Date('2026-12-01T04:59:00Z'), 'America/New_York')).toBe('2026-10');
  });
});

describe('auditpack schedule add|list|remove', () => {
  it('manages job schedulers from the command line', async () => {
    const dir = path.join(tmp, `cli-${prefix}`);
    const config = writeConfig(tempDir('auditpack-sched-cfg-'), {
      organisation: { name: 'Northwind Health AI' },
      queue: { prefix },
      schedules: { tz: 'Europe/Berlin' },
      store: { path: path.join(dir, 'store') },
    });
    const env = { AUDITPACK_REDIS_URL: REDIS_URL };
    const cli = (...args: string[]): ReturnType<typeof runQueueCli> =>
      runQueueCli(['schedule', ...args, '--config', config], env);

    const addCollect = await cli('add', 'collect', 'exports-hourly', '--source', dir, '--every', '1h');
    expect(addCollect.stderr).toBe('');
    expect(addCollect.code).toBe(0);
    expect(addCollect.stdout).toMatch(/^exports-hourly\s+every 3600000 ms\s+next \d{4}-/);
    const addPack = await cli(
      'add',
      'pack',
      'monthly-soc2',
      '--framework',
      'soc2,hipaa',
      '--deliver',
      'archive',
      '--json',
    );
    expect(addPack.code).toBe(0);
    const info = JSON.parse(addPack.stdout) as { pattern: string; tz: string; next: string; data: ScheduledPackData };
    expect(info).toMatchObject({
      pattern: '0 3 1 * *',
      tz: 'Europe/Berlin',
      data: { frameworks: ['soc2', 'hipaa'], deliver: ['archive'], tz: 'Europe/Berlin' },
    });
    // The next run is 03:00 Berlin time on the first of a month.
    const next = new Date(info.next);
    expect(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(next),
    ).toBe('01, 03:00');

    const bad = await cli('add', 'pack', 'broken', '--framework', 'soc2', '--pattern', 'every day');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--pattern: a cron pattern/);
    const clash = await cli('add', 'pack', 'exports-hourly', '--framework', 'soc2');
    expect(clash.code).toBe(2);

    const listed = await cli('list', '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: string; kind: string }[]).map((s) => [s.id, s.kind])).toEqual([
      ['exports-hourly', 'collect'],
      ['monthly-soc2', 'pack'],
    ]);
    expect((await cli('remove', 'exports-hourly')).code).toBe(0);
    expect((await cli('remove', 'exports-hourly')).code).toBe(1);
    expect((await listSchedules(queues)).map((s) => s.id)).toEqual(['monthly-soc2']);
    const text = await cli('list');
    expect(text.stdout).toMatch(
      /^monthly-soc2\s+0 3 1 \* \* \(Europe\/Berlin\)\s+next .*pack soc2,hipaa for the previous month, deliver to archive$/m,
    );
  }, 300_000);

  it('syncs the schedules of the config, pruning the others', async () => {
    await upsertCollectSchedule(queues, CollectSchedule.parse({ id: 'old', source: '/data/x', every: '1d' }), {
      baseDir: tmp,
      tz: 'UTC',
    });
    const section = SchedulesSection.parse({
      tz: 'UTC',
      collect: [{ id: 'config-6h', collector: 'config', every: '6h' }],
      packs: [
        { id: 'all', frameworks: ['soc2', 'hipaa', 'gdpr'] },
        { id: 'gdpr-only', frameworks: ['gdpr'], pattern: '0 4 1 * *' },
      ],
    });
    expect(await syncSchedules(queues, section, { baseDir: tmp, prune: true })).toEqual({
      upserted: ['config-6h', 'all', 'gdpr-only'],
      removed: ['old'],
    });
    expect((await listSchedules(queues)).map((s) => `${s.id}:${s.kind}`)).toEqual([
      'all:pack',
      'config-6h:collect',
      'gdpr-only:pack',
    ]);
    // Idempotent: syncing again changes nothing.
    await syncSchedules(queues, section, { baseDir: tmp, prune: true });
    expect(await queues.pack.getJobSchedulersCount()).toBe(2);
    expect(await queues.collect.getJobSchedulersCount()).toBe(1);
  });
});

describe('schedules fire', () => {
  it('collects an export directory continuously on a short interval', async () => {
    const source = await smallExport();
    const storeRoot = path.join(tmp, `store-${prefix}`);
    const events: WorkerEvent[] = [];
    runtime = await startWorkers(events, storeRoot);
    await upsertCollectSchedule(queues, CollectSchedule.parse({ id: 'exports-1s', source, every: 1000 }), {
      baseDir: tmp,
      tz: 'UTC',
    });
    const fired = (): WorkerEvent[] => events.filter((e) => e.type === 'completed' && e.name === 'scheduled-collect');
    await waitFor(() => fired().length >= 2, 'two scheduled collections', 120_000);
    expect(await removeSchedule(queues, 'exports-1s')).toBe(true);
    const runIds = fired().map((e) => (e.type === 'completed' ? e.runId : undefined));
    expect(new Set(runIds).size).toBe(runIds.length); // one run id per firing
    let items = 0;
    for await (const _ of new LocalDirectoryStore(storeRoot).listItems({})) items += 1;
    expect(items).toBeGreaterThan(20);
    expect(events.filter((e) => e.type === 'failed')).toEqual([]);
  }, 300_000);

  it('packs the previous month when the monthly schedule fires, once per month', async () => {
    const storeRoot = path.join(tmp, `store-${prefix}`);
    const events: WorkerEvent[] = [];
    const info = await upsertPackSchedule(
      queues,
      PackSchedule.parse({ id: 'gdpr-monthly', frameworks: ['gdpr'], bundle: false }),
      { baseDir: tmp, tz: 'Europe/Berlin' },
    );
    const next = new Date(info.next!);
    const delayed = await queues.pack.getJob(`repeat:gdpr-monthly:${next.getTime()}`);
    expect(delayed).toBeDefined();
    expect(scheduledTime(delayed!).toISOString()).toBe(next.toISOString());
    const period = previousMonth(next, 'Europe/Berlin');
    runtime = await startWorkers(events, storeRoot);
    await delayed!.promote();

    const runId = `monthly-gdpr-monthly-${period}`;
    const status = await waitFor(
      async () =>
        (await queues.pack.getJob(packJobId(runId))) ? followPack(queues, runId, { pollMs: 200 }) : undefined,
      'the monthly pack',
      240_000,
    );
    expect(status.state).toBe('completed');
    expect(status).toMatchObject({
      period,
      frameworks: ['gdpr'],
      assessedAt: next.toISOString(),
      trigger: { by: 'schedule', name: 'gdpr-monthly' },
    });

    // The same firing delivered twice (e.g. a manual re-run of the scheduled job) does not run the month again.
    const again = await queues.pack.add('scheduled-pack', delayed!.data, {
      jobId: `repeat:gdpr-monthly-rerun:${next.getTime()}`,
    });
    const result = await waitFor(
      async () =>
        (await again.getState()) === 'completed'
          ? ((await queues.pack.getJob(again.id!))?.returnvalue as PackJobResult)
          : undefined,
      'the re-run trigger',
    );
    expect(result).toEqual({ kind: 'scheduled', runId, created: false });
    expect(await removeSchedule(queues, 'gdpr-monthly')).toBe(true);
  }, 300_000);
});
