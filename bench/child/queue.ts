/**
 * One queue-overhead measurement, in its own process: the CloudTrail corpus collected unit by unit (one unit per
 * account/region/day folder: coarse jobs, never per event), either in process or as a BullMQ flow of `collect`
 * children under a `pack` parent that sums their counts, on real Redis. Same work, same concurrency (1).
 *
 *   queue.ts inprocess CORPUS STORE
 *   queue.ts bullmq    CORPUS STORE REDIS_URL
 *
 * The flow uses a key prefix of its own (`auditpack-bench-<pid>-<hex>`) and removes every key under it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import { dayFolders, type CorpusManifest } from '../generate/cloudtrail.js';
import { report } from '../lib/child.js';

const FIXED_NOW = new Date('2026-11-01T00:00:00.000Z');

interface UnitResult {
  readonly items: number;
  readonly errors: number;
}

async function collectUnit(corpus: string, store: LocalDirectoryStore, prefix: string): Promise<UnitResult> {
  const s = await collectExportDir({ store, now: () => FIXED_NOW, collectorVersion: 'bench', callerIdentity: null }, corpus, { prefixes: [prefix] });
  const t = s.byCollector['cloudtrail'];
  return { items: t?.collected ?? 0, errors: t?.errors ?? 0 };
}

function sum(results: readonly UnitResult[]): UnitResult {
  return results.reduce((a, b) => ({ items: a.items + b.items, errors: a.errors + b.errors }), { items: 0, errors: 0 });
}

async function inProcess(corpus: string, store: LocalDirectoryStore, units: readonly string[]): Promise<UnitResult> {
  const results: UnitResult[] = [];
  for (const u of units) results.push(await collectUnit(corpus, store, u));
  return sum(results);
}

/** Timed from adding the flow to the pack job's result: workers are long-lived, their start is not per-run cost. */
async function viaBullmq(corpus: string, store: LocalDirectoryStore, units: readonly string[], url: string): Promise<{ total: UnitResult; jobs: number; seconds: number }> {
  const prefix = `auditpack-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
  const connection = (): Redis => new Redis(url, { maxRetriesPerRequest: null });
  const conns: Redis[] = [];
  const conn = (): Redis => {
    const c = connection();
    conns.push(c);
    return c;
  };
  const collect = new Worker<{ prefix: string }, UnitResult>('collect', async (job: Job<{ prefix: string }>) => collectUnit(corpus, store, job.data.prefix), {
    connection: conn(),
    prefix,
    concurrency: 1,
  });
  const pack = new Worker<Record<string, never>, UnitResult>('pack', async (job) => sum(Object.values(await job.getChildrenValues<UnitResult>())), {
    connection: conn(),
    prefix,
    concurrency: 1,
  });
  const events = new QueueEvents('pack', { connection: conn(), prefix });
  const flows = new FlowProducer({ connection: conn(), prefix });
  try {
    await Promise.all([collect.waitUntilReady(), pack.waitUntilReady(), events.waitUntilReady()]);
    const t0 = process.hrtime.bigint();
    const node = await flows.add({
      name: 'pack',
      queueName: 'pack',
      data: {},
      opts: { jobId: 'pack__bench' },
      children: units.map((u, i) => ({ name: 'collect', queueName: 'collect', data: { prefix: u }, opts: { jobId: `collect__bench__${i}` } })),
    });
    const total = (await node.job.waitUntilFinished(events)) as UnitResult;
    return { total, jobs: units.length + 1, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  } finally {
    await Promise.all([collect.close(), pack.close(), events.close(), flows.close()]);
    for (const name of ['collect', 'pack']) {
      const q = new Queue(name, { connection: conn(), prefix });
      await q.obliterate({ force: true });
      await q.close();
    }
    // Whatever is left under the prefix (event streams, meta keys).
    const admin = conn();
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await admin.del(...keys);
    } while (cursor !== '0');
    await Promise.all(conns.map((c) => c.quit().catch(() => undefined)));
  }
}

async function main(): Promise<void> {
  const [mode, corpus, storeDir, url] = process.argv.slice(2);
  if (!corpus || !storeDir || (mode !== 'inprocess' && mode !== 'bullmq')) throw new Error('usage: queue.ts inprocess|bullmq CORPUS STORE [REDIS_URL]');
  const manifest = JSON.parse(readFileSync(path.join(corpus, 'manifest.json'), 'utf8')) as CorpusManifest;
  const units = dayFolders(manifest);
  rmSync(storeDir, { recursive: true, force: true });
  const store = new LocalDirectoryStore(storeDir);
  let out: { total: UnitResult; jobs: number; seconds: number };
  if (mode === 'inprocess') {
    const t0 = process.hrtime.bigint();
    const total = await inProcess(corpus, store, units);
    out = { total, jobs: 0, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  } else out = await viaBullmq(corpus, store, units, url ?? 'redis://127.0.0.1:6379');
  rmSync(storeDir, { recursive: true, force: true });
  report(out.seconds, { units: units.length, jobs: out.jobs, ...out.total });
}

await main();
