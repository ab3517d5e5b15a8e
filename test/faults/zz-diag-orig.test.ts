// Process faults: real worker processes (worker/index.ts) on the real Redis, killed with SIGKILL at seeded random
// points of every stage of one delivered pack: collect (by the number of records already stored), assess, render
// and bundle (by the stage the pack job's progress reports) and deliver (a delay after the deliver job started).
// A standby worker takes each job over once its lock expires. Afterwards the run has completed and delivered, and
// the store equals an in-process baseline collection of the same export directory: 0 items lost, 0 duplicated,
// every record and blob whole, no staging file left; every file of the run is whole and the bundle verifies.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadConfigFile } from '../../src/config/load.js';
import { deliverJobId, exportCollectJobId, packJobId } from '../../src/queue/names.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { processAlive } from '../../src/queue/recovery.js';
import type { PackProgress } from '../../src/queue/types.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import { runCli } from '../e2e/helpers.js';
import { devSigner } from '../fixtures/bundle/pack.js';
import {
  cleanupPrefix,
  exampleExport,
  smallExport,
  filesIn,
  FIXED_NOW,
  killAll,
  recordFiles,
  REDIS_URL,
  removeTempDirs,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  waitFor,
  writeConfig,
} from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { checkOutputDir, enqueueExportPack, waitForPackEnd, WorkerPool } from './lib/queue-run.js';
import { faultSeed, seededRandom, sleep } from './lib/seeded-random.js';
import { auditStore, baselineCollection, compareWithBaseline } from './lib/store-audit.js';

const SEED = faultSeed(8_101);
const KILLS_PER_STAGE = Number(process.env['AUDITPACK_FAULT_KILLS'] ?? 5);
const TARGETS = 48;
const prefix = uniquePrefix();
const tmp = tempDir('auditpack-fault-kill-');
let pool: WorkerPool | undefined;
let queues: QueueHandles | undefined;

afterAll(async () => {
  if (pool) await killAll(pool.all);
  if (pool) writeFileSync('/tmp/pk-orig.jsonl', pool.all.flatMap((w) => w.lines.map((l) => JSON.stringify({ pid: w.child.pid, ...l }))).join('\n') + '\n');
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
});

type Stage = 'collect' | 'assess' | 'render' | 'bundle' | 'deliver';
interface Kill {
  readonly stage: Stage;
  /** Where it landed: records stored (collect), the stage's progress, or ms after the deliver job started. */
  readonly at: string;
}

describe('Process faults: kill -9 at seeded random points of every stage', () => {
  it(`kills a worker ${KILLS_PER_STAGE} times per stage; the run completes with 0 lost, 0 duplicated, no partial file`, async () => {
    const random = seededRandom(SEED);
    // Two runs into one store: the whole example estate (collection takes long enough to be hit at many points;
    // gdpr only, no bundle), then its CLI outputs alone (signed and delivered: the later stages stay affordable).
    // The baseline: both directories collected in process into one store (the second adds nothing new).
    const fullExport = await exampleExport();
    const exportDir = await smallExport();
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
    const baselineFull = await baselineCollection(fullExport, path.join(tmp, 'baseline'), FIXED_NOW);
    const baseline = await baselineCollection(exportDir, path.join(tmp, 'baseline'), FIXED_NOW);
    expect(baseline.ids.length).toBeGreaterThan(500);

    const signer = await devSigner(path.join(tmp, 'keys'));
    const storeRoot = path.join(tmp, 'store');
    const outDir = path.join(tmp, 'out');
    const targets = Object.fromEntries(
      Array.from({ length: TARGETS }, (_, i) => [`t${String(i).padStart(2, '0')}`, path.join(tmp, 'delivered', `t${i}`)]),
    );
    const queueSection = {
      prefix,
      attempts: 4,
      backoffMs: 300,
      // Short locks: a killed worker's job is back after ~3 s. Stalls count against maxStalledCount, not attempts.
      lockDurationMs: 3000,
      stalledIntervalMs: 500,
      maxStalledCount: 60,
      concurrency: { collect: 1, pack: 1, deliver: 1 },
      directoryTargets: targets,
    };
    const config = writeConfig(tmp, {
      organisation: loaded.config.organisation,
      scope: loaded.config.scope,
      exceptions: path.join(ROOT, 'examples/northwind/exceptions.yaml'),
      store: { path: storeRoot },
      queue: queueSection,
      signing: signer.config,
    });
    pool = new WorkerPool(['--config', config, '--no-health'], { AUDITPACK_REDIS_URL: REDIS_URL });
    const p = pool;
    // Two workers at all times: the one holding the job, and a standby that takes it over.
    await p.startReady(2);
    queues = openQueues(testTarget(prefix), testSettings(prefix, queueSection));
    const q = queues;
    const collectRun = await enqueueExportPack(q, loaded, { exportDir: fullExport, outDir: path.join(tmp, 'out-collect'), frameworks: ['gdpr'] });
    const collectId = exportCollectJobId(collectRun, 0, sha256Hex(fullExport).slice(0, 10));
    const kills: Kill[] = [];

    /** Kills the worker holding `jobId` and starts a new standby. */
    const killHolder = async (jobId: string, kill: Kill): Promise<void> => {
      const holder = p.holder(jobId);
      expect(holder, `a live worker holds ${jobId}`).toBeDefined();
      await p.kill(holder!);
      kills.push(kill);
      p.start();
    };

    // Collect: killed once the store holds a seeded, growing share of the baseline's records.
    const n = baseline.ids.length;
    for (let k = 0; k < KILLS_PER_STAGE; k++) {
      const threshold = Math.floor(n * (0.05 + (0.85 * (k + random())) / KILLS_PER_STAGE));
      await waitFor(
        async () =>
          p.holder(collectId) !== undefined &&
          (await (await q.collect.getJob(collectId))?.getState()) === 'active' &&
          recordFiles(storeRoot).length >= threshold,
        `collect kill ${k + 1}: ${threshold} records`,
        300_000,
        50,
      );
      const stored = recordFiles(storeRoot).length;
      expect(stored, 'the kill lands before the collection is complete').toBeLessThan(n);
      const startsAtKill = p.starts(collectId);
      await killHolder(collectId, { stage: 'collect', at: `${stored}/${n} records` });
      // The next kill waits for another worker to start the job again.
      await waitFor(() => p.starts(collectId) > startsAtKill || undefined, 'collect restarted', 120_000, 100);
    }

    const collected = await waitForPackEnd(q, collectRun);
    expect(collected.error).toBeNull();
    expect(collected.state).toBe('completed');
    expect(collected.result?.evidenceItems).toBe(baselineFull.ids.length);
    const runId = await enqueueExportPack(q, loaded, { exportDir, outDir, bundle: true, deliver: Object.keys(targets) });
    const packId = packJobId(runId);
    const deliverId = deliverJobId(runId);

    // Assess, render, bundle: the pack job reports its stage; a kill lands a seeded delay after the stage shows up.
    const maxDelay: Record<'assess' | 'render' | 'bundle', number> = { assess: 1000, render: 400, bundle: 150 };
    const bundleTemp = (): string[] =>
      filesIn(outDir).filter((f) => /^\..+\.zip\.\d+\.[a-f0-9]{12}\.tmp$/.test(f) && processAlive(Number(f.split('.').at(-3))));
    const packJob = async (): Promise<NonNullable<Awaited<ReturnType<typeof q.pack.getJob>>>> =>
      (await q.pack.getJob(packId))!;
    for (const stage of ['assess', 'render', 'bundle'] as const) {
      // A kill whose delay outlasted the stage lands in a later one and counts there; the job restarts from assess,
      // so the loop goes on until this stage has its kills.
      while (kills.filter((x) => x.stage === stage).length < KILLS_PER_STAGE) {
        const startsBefore = p.starts(packId);
        await waitFor(
          async () => {
            const job = await q.pack.getJob(packId);
            const progress = job?.progress as PackProgress | undefined;
            return (
              job !== undefined &&
              p.holder(packId) !== undefined &&
              (await job.getState()) === 'active' &&
              // The bundle is streamed into a hidden temp file: aim at that (progress writes are throttled).
              (stage === 'bundle'
                ? bundleTemp().length > 0
                : typeof progress === 'object' && progress.stage === stage)
            );
          },
          `${stage} kill`,
          300_000,
          50,
        );
        // The seeded delay, cut short when the stage is seen to end (a small pack moves on quickly).
        const delay = Math.floor(random() * maxDelay[stage]);
        const until = Date.now() + delay;
        while (Date.now() < until) {
          await sleep(20);
          const seen = (await q.pack.getJob(packId))?.progress as Partial<PackProgress> | undefined;
          const ended =
            stage === 'bundle'
              ? bundleTemp().length === 0
              : (seen?.stage !== undefined && seen.stage !== stage) || bundleTemp().length > 0;
          if (ended) break;
        }
        const job = await packJob();
        const progress = job.progress as Partial<PackProgress>;
        expect(await job.getState(), `the pack job is still running at a ${stage} kill`).toBe('active');
        const halfWritten = bundleTemp().length;
        process.stderr.write(`ORIG ${new Date().toISOString()} kill ${stage} progress ${JSON.stringify(progress)}\n`);
        await killHolder(packId, {
          stage: stage === 'bundle' && halfWritten ? 'bundle' : progress.total === undefined ? 'assess' : (progress.stage ?? stage),
          at: `${delay} ms after ${stage} showed; ${progress.total === undefined ? 'no progress written yet by this attempt' : `progress ${progress.done}/${progress.total} ${progress.detail}`}${halfWritten ? '; a half-written bundle on disk' : ''}`,
        });
        // Forget the killed attempt's progress, so the next kill waits for the new attempt to reach the stage.
        await job.updateProgress({ stage: 'restarting' });
        await waitFor(() => p.starts(packId) > startsBefore || undefined, 'pack restarted', 120_000, 100);
      }
    }

    // Deliver: a seeded delay after the deliver job started (it copies and checks the bundle into each target).
    for (let k = 0; k < KILLS_PER_STAGE; k++) {
      const startsBefore = p.starts(deliverId);
      await waitFor(() => (p.starts(deliverId) > startsBefore && p.holder(deliverId)) || undefined, `deliver kill ${k + 1}`, 300_000, 20);
      const delay = Math.floor(random() * 80);
      await sleep(delay);
      const job = (await q.deliver.getJob(deliverId))!;
      expect(await job.getState(), `the deliver job is still running at kill ${k + 1}`).toBe('active');
      const progress = job.progress as { done?: number; total?: number } | undefined;
      await killHolder(deliverId, { stage: 'deliver', at: `${delay} ms, ${progress?.done ?? 0}/${TARGETS} targets` });
    }

    const status = await waitForPackEnd(q, runId);
    process.stderr.write(`process-kill: seed ${SEED}, kills ${JSON.stringify(kills)}\n`);
    expect(status.error).toBeNull();
    expect(status.state).toBe('completed');
    expect(status.delivery?.state).toBe('completed');
    expect(status.delivery?.result?.receipts).toHaveLength(TARGETS);
    const byStage = (s: Stage): number => kills.filter((k) => k.stage === s).length;
    for (const s of ['collect', 'assess', 'render', 'bundle', 'deliver'] as const) expect(byStage(s), s).toBeGreaterThanOrEqual(KILLS_PER_STAGE);
    // Every kill was recovered as a stalled job, never as a failed attempt.
    expect(p.events('job_failed')).toEqual([]);

    // The store: the baseline's records and index markers, each once; nothing corrupt, no staging file.
    const audit = await auditStore(storeRoot);
    const diff = compareWithBaseline(baseline, audit);
    expect(audit.corrupt).toEqual([]);
    expect(audit.stray).toEqual([]);
    expect(audit.tmpFiles).toEqual([]);
    expect(diff.lostIds).toEqual([]);
    expect(diff.extraIds).toEqual([]);
    expect({ lost: diff.lost, duplicated: diff.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(status.result?.evidenceItems).toBe(n);

    // The run's files are whole; the bundle verifies (API and CLI); every delivered copy is the bundle.
    const out = await checkOutputDir(outDir);
    expect(out.partial).toEqual([]);
    expect(out.liveTemp).toEqual([]);
    const bundle = status.result!.bundle!;
    expect((await verifyBundle(bundle.path, { trust: [signer.ca.caCertificate] })).status).toBe('valid');
    const cli = await runCli(['verify', bundle.path, '--trust', signer.caPem, '--json'], {});
    expect(cli.code, cli.stderr).toBe(0);
    let deliveredTemp = 0;
    for (const r of status.delivery!.result!.receipts) {
      expect(createHash('sha256').update(readFileSync(r.location)).digest('hex')).toBe(bundle.sha256);
      const dir = await checkOutputDir(path.dirname(r.location));
      expect(dir.partial).toEqual([]);
      expect(dir.liveTemp).toEqual([]);
      deliveredTemp += dir.orphanedTemp.length;
    }

    recordOutcome({
      id: 'process/kill-9-every-stage',
      group: 'Process faults',
      scenario: `A pack of the example estate (${n} items; killed mid-collect), then a signed pack of its CLI outputs delivered to ${TARGETS} directory targets (killed in assess, render, bundle and deliver); a worker SIGKILLed ${kills.length} times at seeded points (seed ${SEED}): ${(['collect', 'assess', 'render', 'bundle', 'deliver'] as const).map((s) => `${byStage(s)} in ${s}`).join(', ')}; a standby worker takes each job over.`,
      expected: 'Both runs complete, the second delivers; store equals an in-process baseline (ids, records, index markers); no corrupt record or blob, no staging file; every output file whole; the bundle verifies (API and CLI); every delivered copy has the bundle sha256.',
      runs: 2,
      lost: diff.lost,
      duplicated: diff.duplicated,
      crashes: 0,
      leaks: 0,
      extra: {
        kills: kills.length,
        'collect kills': byStage('collect'),
        'assess kills': byStage('assess'),
        'render kills': byStage('render'),
        'bundle kills': byStage('bundle'),
        'deliver kills': byStage('deliver'),
        'stalled recoveries': p.events('job_stalled').length,
        'evidence items': n,
        'orphaned hidden temp files (output + targets)': out.orphanedTemp.length + deliveredTemp,
      },
    });
  }, 900_000);
});
