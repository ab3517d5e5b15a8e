/**
 * One queue-overhead measurement, in its own process: the CloudTrail corpus collected through the project's queue
 * layer (src/queue: planPack splits the export directory into collect jobs, enqueuePack adds the flow, the worker
 * runtime of `auditpack worker` runs the real collect and pack processors on real Redis), or the same parts
 * collected in process with collectExportDir. Same parts, same concurrency, same store type.
 *
 *   queue.ts inprocess CORPUS STORE CONCURRENCY MIN_BYTES
 *   queue.ts queue     CORPUS STORE CONCURRENCY MIN_BYTES REDIS_URL
 *
 * Only the collect part of the flow is compared: the pack job is the real pack processor (payload check, the
 * children's results, progress, the output directory sweep) with its assess and render stages replaced by stubs
 * and no bundle, since the in-process side does no assessment either. Both sides include the planner's split
 * (a directory walk and a stat per log file). The queue run uses a key prefix of its own
 * (`auditpack-bench-<pid>-<hex>`) and removes every key under it afterwards. It also reports `collecting`: the
 * seconds during which at least one collect job was running (from the worker's events); the rest of its wall time
 * is the queue's own (planning, adding the flow, hand-offs between jobs, the pack job). AUDITPACK_BENCH_TRACE=1
 * prints the worker events with their times on stderr.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ApiSection } from '../../src/api/config.js';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { AssessmentResult } from '../../src/pipeline/assess-stage.js';
import type { RenderResult } from '../../src/pipeline/render-stage.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import type { QueueAwareConfig } from '../../src/queue/config.js';
import { redisTarget } from '../../src/queue/connection.js';
import { workerDeps } from '../../src/queue/deps.js';
import { enqueuePack } from '../../src/queue/enqueue.js';
import { packJobId } from '../../src/queue/names.js';
import { planPack } from '../../src/queue/plan.js';
import { startWorkerRuntime } from '../../src/queue/runtime.js';
import { QueueSection, SchedulesSection } from '../../src/queue/settings.js';
import { splitExportDir, type ExportSplitOptions } from '../../src/queue/split.js';
import type { PackJobResult } from '../../src/queue/types.js';
import { BENCH_ROOT, report } from '../lib/child.js';

const FIXED_NOW = new Date('2026-11-01T00:00:00.000Z');
const GENERATOR = { name: 'auditpack', version: '0.1.0' };
const CONFIG = path.join(BENCH_ROOT, '..', 'examples/northwind/auditpack.yaml');

interface Counts {
  items: number;
  errors: number;
}

/** The planner's parts, each read by collectExportDir, `concurrency` at a time. */
async function inProcess(corpus: string, store: LocalDirectoryStore, concurrency: number, split: ExportSplitOptions): Promise<Counts & { jobs: number }> {
  const parts = await splitExportDir(corpus, split);
  const ctx = { store, now: () => FIXED_NOW, collectorVersion: `${GENERATOR.name}/${GENERATOR.version} export-dir`, callerIdentity: null };
  const total: Counts = { items: 0, errors: 0 };
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < parts.length) {
      const part = parts[next++]!;
      const s = await collectExportDir(ctx, corpus, part.prefixes ? { prefixes: part.prefixes } : {});
      for (const t of Object.values(s.byCollector)) {
        total.items += t.collected;
        total.errors += t.errors;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { ...total, jobs: parts.length };
}

/** Milliseconds of [from, to] covered by at least one of the intervals. */
function unionMs(intervals: readonly [number, number][], from: number, to: number): number {
  const sorted = intervals.map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

async function removePrefix(url: string, prefix: string): Promise<void> {
  const admin = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await admin.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}

/**
 * Through src/queue. Timed from planning the pack (the split's directory walk included) to the pack job's result:
 * the worker runtime is long-lived, its start is not per-run cost.
 */
async function viaQueue(corpus: string, store: LocalDirectoryStore, storeDir: string, concurrency: number, split: ExportSplitOptions, url: string): Promise<Counts & { jobs: number; seconds: number; collecting: number }> {
  const prefix = `auditpack-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
  const loaded = loadConfigFile(CONFIG);
  const settings = QueueSection.parse({ prefix, concurrency: { collect: concurrency, pack: 1, deliver: 1 }, attempts: 1 });
  const target = redisTarget(settings, { AUDITPACK_REDIS_URL: url });
  const cfg: QueueAwareConfig = { loaded, queue: settings, schedules: SchedulesSection.parse({}), api: ApiSection.parse({}), signing: null };
  // The pack's own stages are not part of the comparison (the in-process side assesses nothing): stubs.
  const stages = {
    assess: () => Promise.resolve({ packId: 'bench', frameworks: [], evidence: { total: 0 } } as unknown as AssessmentResult),
    render: () => Promise.resolve({ files: [] } as unknown as RenderResult),
  };
  // When each collect job ran (worker events): the rest of the wall time is the queue's own.
  const started = new Map<string, number>();
  const busy: [number, number][] = [];
  const runtime = await startWorkerRuntime({
    target,
    settings,
    queues: ['collect', 'pack'],
    deps: workerDeps(cfg, { store, generator: GENERATOR, now: () => FIXED_NOW, stages, configuredDelivery: false }),
    health: null,
    storeRoot: storeDir,
    onEvent: (e) => {
      const at = performance.now();
      if (process.env['AUDITPACK_BENCH_TRACE']) process.stderr.write(`${(at / 1000).toFixed(3)} ${e.type} ${'jobId' in e ? String(e.jobId) : ''}\n`);
      if (e.type === 'active' && e.queue === 'collect') started.set(e.jobId, at);
      if (e.type === 'completed' && e.queue === 'collect') busy.push([started.get(e.jobId) ?? at, at]);
    },
  });
  const events = new QueueEvents('pack', { connection: target.options, prefix });
  const outDir = path.join(storeDir, '..', 'queue-out');
  mkdirSync(outDir, { recursive: true });
  try {
    await events.waitUntilReady();
    const t0 = process.hrtime.bigint();
    const p0 = performance.now();
    const plan = planPack(
      loaded,
      runtime.queues.jobOptions,
      {
        frameworks: ['gdpr'],
        period: '2026-10',
        assessedAt: FIXED_NOW.toISOString(),
        sources: [corpus],
        split,
        live: null,
        out: { dir: outDir, perRun: false },
        bundle: false,
        deliver: [],
        trigger: { by: 'cli', name: 'bench' },
      },
      FIXED_NOW,
    );
    const trace = (what: string): void => void (process.env['AUDITPACK_BENCH_TRACE'] && process.stderr.write(`${(performance.now() / 1000).toFixed(3)} ${what}\n`));
    trace('plan');
    const enq = await enqueuePack(runtime.queues, plan);
    trace('enqueued');
    const job = await runtime.queues.pack.getJob(packJobId(enq.runId));
    if (!job) throw new Error(`pack job of ${enq.runId} not found`);
    const result: PackJobResult = await job.waitUntilFinished(events);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const p1 = performance.now();
    trace('finished');
    const counts = result.collect?.counts;
    return {
      items: counts?.collected ?? 0,
      errors: counts?.errors ?? 0,
      jobs: (job.data.kind === 'pack' ? job.data.collect.children : 0) + 1,
      seconds,
      collecting: unionMs(busy, p0, p1) / 1000,
    };
  } finally {
    await events.close();
    await runtime.close(10_000);
    await removePrefix(url, prefix);
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [mode, corpus, storeDir, conc, minBytes, url] = process.argv.slice(2);
  if (!corpus || !storeDir || !conc || !minBytes || (mode !== 'inprocess' && mode !== 'queue'))
    throw new Error('usage: queue.ts inprocess|queue CORPUS STORE CONCURRENCY MIN_BYTES [REDIS_URL]');
  const concurrency = Math.max(1, Number(conc));
  const split: ExportSplitOptions = { minBytes: Number(minBytes) };
  rmSync(storeDir, { recursive: true, force: true });
  const store = new LocalDirectoryStore(storeDir);
  let out: Counts & { jobs: number; seconds: number; collecting?: number };
  if (mode === 'inprocess') {
    const t0 = process.hrtime.bigint();
    const r = await inProcess(corpus, store, concurrency, split);
    out = { ...r, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  } else out = await viaQueue(corpus, store, storeDir, concurrency, split, url ?? 'redis://127.0.0.1:6379');
  rmSync(storeDir, { recursive: true, force: true });
  report(out.seconds, { jobs: out.jobs, items: out.items, errors: out.errors, ...(out.collecting !== undefined ? { collecting: out.collecting } : {}) });
}

await main();
// Nothing is left to do; a connection still closing must not keep the measurement's process alive.
process.exit(0);
