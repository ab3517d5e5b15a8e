/**
 * Issue 7, part 5: queue overhead. The CloudTrail corpus collected as a BullMQ flow on real Redis (one `collect`
 * child per account/region/day folder under a `pack` parent that sums their counts) against the same units collected
 * in process, each in its own process (bench/child/queue.ts), same concurrency (1). Jobs are coarse: per
 * account/region/day, never per event.
 */
import path from 'node:path';
import { Redis } from 'ioredis';
import { corpusDir, dayFolders, ensureCloudTrailCorpus, DEFAULT_SEED } from '../generate/cloudtrail.js';
import { peakRssMb, runChild } from '../lib/child.js';
import { ratio, type Benchmark } from '../lib/types.js';

const REDIS_URL = process.env['AUDITPACK_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export const queue: Benchmark = {
  id: 'queue',
  title: 'Queue overhead: the CloudTrail ingest as a BullMQ flow (collect children + pack parent) vs in process',
  async run(ctx) {
    if (!(await redisAnswers(REDIS_URL))) throw new Error(`Redis does not answer at ${REDIS_URL} (AUDITPACK_BENCH_REDIS_URL)`);
    const dir = corpusDir(ctx.workDir);
    const manifest = ensureCloudTrailCorpus(dir, ctx.size, DEFAULT_SEED, (line) => ctx.log(line));
    const units = dayFolders(manifest).length;
    const store = path.join(ctx.workDir, 'queue-store');
    ctx.log(`in process, ${units} units …`);
    const inproc = await runChild('child/queue.ts', ['inprocess', dir, store]);
    ctx.log(`in process: ${inproc.seconds.toFixed(2)} s`);
    ctx.log(`BullMQ flow, ${units} collect jobs + 1 pack job …`);
    const flow = await runChild('child/queue.ts', ['bullmq', dir, store, REDIS_URL]);
    ctx.log(`BullMQ flow: ${flow.seconds.toFixed(2)} s`);
    if (flow['items'] !== inproc['items']) throw new Error(`the flow collected ${String(flow['items'])} items, in process ${String(inproc['items'])}`);
    const overheadPct = (flow.seconds / inproc.seconds - 1) * 100;
    return {
      id: 'queue',
      title: this.title,
      input: `${manifest.files.length} CloudTrail log files, ${manifest.events.toLocaleString('en-US')} events, in ${units} account/region/day units (seed ${manifest.seed})`,
      measurements: [
        { name: 'in process (units one after another)', seconds: inproc.seconds, peakRssMb: peakRssMb(inproc), events: manifest.events },
        { name: `BullMQ flow (${units} collect + 1 pack job, concurrency 1)`, seconds: flow.seconds, peakRssMb: peakRssMb(flow), events: manifest.events },
      ],
      ratios: [ratio('queue overhead, % of the in-process time', overheadPct, '< 5')],
      notes: [
        `Redis ${REDIS_URL}, a key prefix per run, removed afterwards. ${String(flow['items'])} evidence items either way.`,
        'The two runs are separate processes on a shared machine: on the small corpus the overhead is within the noise.',
      ],
    };
  },
};
