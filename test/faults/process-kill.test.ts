// Process faults: real worker processes (worker/index.ts) on the real Redis, killed with SIGKILL at seeded random
// points of every stage: collect (by the number of records already stored, then by a delay after the collect job
// started), assess, render and bundle (by the stage the pack job's progress reports) and deliver (a delay after
// the deliver job started). A standby worker takes each job over once its lock expires.
//
// A kill loop, not a script: each aim waits for its stage to be running; when the stage has already passed by the
// time a kill could be aimed (a small pack moves on quickly), that is a "missed aim" and the next attempt (the
// killed job restarts from the top) or the next run gives another chance. Every stage must get KILLS_PER_STAGE
// real kills within a hard cap of runs. Afterwards every run has completed (and delivered), and the store equals
// an in-process baseline collection: 0 items lost, 0 duplicated, every record and blob whole, no staging file
// left; every file of every run is whole and every bundle verifies.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadConfigFile } from '../../src/config/load.js';
import { deliverJobId, exportCollectJobId, packJobId } from '../../src/queue/names.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { processAlive } from '../../src/queue/recovery.js';
import type { PackStatus } from '../../src/queue/status.js';
import type { PackProgress } from '../../src/queue/types.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import { runCli } from '../e2e/helpers.js';
import { devSigner } from '../fixtures/bundle/pack.js';
import {
  ASSESSED_AT,
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
  writeExampleWorkerConfig,
} from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { checkOutputDir, enqueueExportPack, waitForPackEnd, WorkerPool } from './lib/queue-run.js';
import { faultSeed, seededRandom, sleep } from './lib/seeded-random.js';
import { auditStore, baselineCollection, compareWithBaseline } from './lib/store-audit.js';

const SEED = faultSeed(8_101);
/** Real kills required in every stage (AUDITPACK_FAULT_KILLS raises it for a longer soak). */
const KILLS_PER_STAGE = Number(process.env['AUDITPACK_FAULT_KILLS'] ?? 3);
/** Hard caps on the loop: whole-estate runs (collect kills) and small delivered runs (the later stages). */
const MAX_COLLECT_RUNS = 3;
const MAX_PACK_RUNS = 4;
/** Delivery targets of each delivered run: at most 20, the most a pack job's payload may name (payloads.ts). */
const TARGETS = 16;
/** AUDITPACK_FAULT_LOG=<file>: every worker's JSON log lines are written there (diagnosis of a failed run). */
const LOG_FILE = process.env['AUDITPACK_FAULT_LOG'];
const prefix = uniquePrefix();
const tmp = tempDir('auditpack-fault-kill-');
let pool: WorkerPool | undefined;
let queues: QueueHandles | undefined;

afterAll(async () => {
  if (pool) await killAll(pool.all);
  if (LOG_FILE && pool) {
    const lines = pool.all.flatMap((w) => w.lines.map((l) => JSON.stringify({ pid: w.child.pid, ...l })));
    writeFileSync(LOG_FILE, lines.join('\n') + '\n');
  }
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
});

const STAGES = ['collect', 'assess', 'render', 'bundle', 'deliver'] as const;
type Stage = (typeof STAGES)[number];
type PackStage = 'assess' | 'render' | 'bundle';
const PACK_STAGES: readonly PackStage[] = ['assess', 'render', 'bundle'];
interface Kill {
  readonly stage: Stage;
  readonly run: string;
  /** Where it landed: records stored (collect), the stage's progress, or ms after the deliver job started. */
  readonly at: string;
}

/**
 * The stage an attempt of the pack job is in, from its progress: a finished stage is written at once (progress
 * writes inside a stage are throttled), so "assess done" means render runs, "render done" means bundle runs.
 * Undefined while the progress is still the marker the test wrote after a kill (the new attempt wrote nothing yet).
 */
function packStageOf(progress: unknown): PackStage | undefined {
  if (typeof progress !== 'object' || progress === null) return undefined;
  const p = progress as Partial<PackProgress>;
  if (!p.stages || p.stage === undefined) return undefined;
  if (p.stages.render?.state === 'done') return 'bundle';
  if (p.stages.assess?.state === 'done') return 'render';
  return p.stage === 'assess' || p.stage === 'render' || p.stage === 'bundle' ? p.stage : undefined;
}

describe('Process faults: kill -9 at seeded random points of every stage', () => {
  it(`kills a worker at least ${KILLS_PER_STAGE} times per stage; every run completes with 0 lost, 0 duplicated, no partial file`, async () => {
    const t0 = Date.now();
    const note = (s: string): void => void process.stderr.write(`process-kill +${((Date.now() - t0) / 1000).toFixed(1)}s ${s}\n`);
    const random = seededRandom(SEED);
    // Runs into one store: the whole example estate (collection takes long enough to be hit at many points; gdpr
    // only, no bundle), then its CLI outputs alone (signed and delivered: the later stages stay affordable), each
    // again (a new assessment time, so a new run) while a stage still lacks kills. The baseline: both directories
    // collected in process into one store (the second adds nothing new).
    const fullExport = await exampleExport();
    const exportDir = await smallExport();
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
    const baselineFull = await baselineCollection(fullExport, path.join(tmp, 'baseline'), FIXED_NOW);
    const baseline = await baselineCollection(exportDir, path.join(tmp, 'baseline'), FIXED_NOW);
    expect(baseline.ids.length).toBeGreaterThan(500);
    const n = baseline.ids.length;
    const nFull = baselineFull.ids.length;

    const signer = await devSigner(path.join(tmp, 'keys'));
    const storeRoot = path.join(tmp, 'store');
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
    const config = writeExampleWorkerConfig(tmp, loaded, {
      storeRoot: storeRoot,
      queue: queueSection,
      signing: signer.config,
    });
    pool = new WorkerPool(['--config', config, '--no-health'], { AUDITPACK_REDIS_URL: REDIS_URL });
    const p = pool;
    // Two workers at all times: the one holding the job, and a standby that takes it over.
    await p.startReady(2);
    queues = openQueues(testTarget(prefix), testSettings(prefix, queueSection));
    const q = queues;
    const kills: Kill[] = [];
    const missed: Record<Stage, number> = { collect: 0, assess: 0, render: 0, bundle: 0, deliver: 0 };
    const byStage = (s: Stage): number => kills.filter((k) => k.stage === s).length;
    const needs = (s: Stage): boolean => byStage(s) < KILLS_PER_STAGE;
    const miss = (s: Stage, why: string): void => {
      missed[s] += 1;
      note(`missed aim at ${s}: ${why}`);
    };
    let runSeq = 0;
    /** A new run (a new assessment time makes a new run id) of one export directory. */
    const newRun = (o: { exportDir: string; frameworks?: string[]; bundle?: boolean; deliver?: string[] }) => {
      runSeq += 1;
      const outDir = path.join(tmp, 'out', `run${runSeq}`);
      const assessedAt = new Date(Date.parse(ASSESSED_AT) + runSeq * 1000).toISOString();
      return enqueueExportPack(q, loaded, { ...o, outDir, assessedAt }).then((runId) => ({ runId, outDir }));
    };

    /** Kills the worker holding `jobId` and starts a new standby. */
    const killHolder = async (jobId: string, kill: Kill): Promise<void> => {
      const holder = p.holder(jobId);
      expect(holder, `a live worker holds ${jobId}`).toBeDefined();
      await p.kill(holder!);
      kills.push(kill);
      note(`kill ${kill.stage} (${kill.run}): ${kill.at}`);
      p.start();
    };
    const stateOf = async (queue: 'collect' | 'pack' | 'deliver', jobId: string): Promise<string> =>
      (await (await q[queue].getJob(jobId))?.getState()) ?? 'missing';
    const statuses: { runId: string; outDir: string; status: PackStatus; full: boolean }[] = [];
    /**
     * The job has finished for good: completed, or failed (a payload the worker refuses fails at once, before any
     * progress; every wait ends on it instead of waiting for a stage that will never come, and the run's status
     * then says why).
     */
    const finished = (jobId: string): boolean =>
      p.events('job_completed').some((e) => e.line['jobId'] === jobId) ||
      p.events('job_failed').some((e) => e.line['jobId'] === jobId);

    // ---------------------------------------------------------------------------------------------- collect
    // The first whole-estate run is aimed by records stored (a seeded, growing share of the estate); a further run
    // (only when aims were missed) re-reads the same estate (the store already has every item) and is aimed by a
    // seeded delay after the collect job started, within the duration of the last whole collect attempt.
    let lastCollectMs = 0;
    for (let r = 0; needs('collect') && r < MAX_COLLECT_RUNS; r++) {
      const { runId, outDir } = await newRun({ exportDir: fullExport, frameworks: ['gdpr'] });
      const collectId = exportCollectJobId(runId, 0, sha256Hex(fullExport).slice(0, 10));
      const ends = (): boolean => finished(collectId);
      for (let k = 0; needs('collect'); k++) {
        const startsBefore = p.starts(collectId);
        const remaining = KILLS_PER_STAGE - byStage('collect');
        const threshold = Math.floor(nFull * (0.03 + (0.6 * (k + random())) / Math.max(remaining + k, 1)));
        const delay = Math.floor(random() * Math.max(lastCollectMs * 0.6, 300));
        // Wait for an attempt that is running, then for its aim point; the collection ending first is a miss.
        const started = await waitFor(
          async () =>
            ends() || (p.holder(collectId) !== undefined && (await stateOf('collect', collectId)) === 'active' && Date.now()),
          `collect ${collectId} running`,
          240_000,
          50,
        );
        if (started === true) {
          miss('collect', 'the collect job had finished');
          break;
        }
        const aimed = await waitFor(
          () =>
            ends()
              ? 'ended'
              : r === 0
                ? recordFiles(storeRoot).length >= threshold && 'aim'
                : Date.now() - started >= delay && 'aim',
          `collect aim`,
          240_000,
          20,
        );
        const stored = recordFiles(storeRoot).length;
        if (aimed === 'ended' || (await stateOf('collect', collectId)) !== 'active') {
          miss('collect', `aimed at ${r === 0 ? `${threshold} records` : `${delay} ms`}, the collect job had finished`);
          break;
        }
        const startsAtKill = p.starts(collectId);
        await killHolder(collectId, {
          stage: 'collect',
          run: runId,
          at: r === 0 ? `${stored}/${nFull} records` : `${Date.now() - started} ms after the attempt started`,
        });
        // The next aim waits for another worker to start the job again.
        await waitFor(() => p.starts(collectId) > Math.max(startsAtKill, startsBefore) || undefined, 'collect restarted', 120_000, 100);
      }
      const status = await waitForPackEnd(q, runId);
      // The whole uninterrupted attempt (the last job_active of the collect job to its job_completed).
      const active = p.events('job_active').filter((e) => e.line['jobId'] === collectId).map((e) => Number(e.line['time']));
      const done = p.events('job_completed').filter((e) => e.line['jobId'] === collectId).map((e) => Number(e.line['time']));
      if (active.length && done.length) lastCollectMs = Math.max(0, Math.max(...done) - Math.max(...active));
      note(`run ${runId} ended: ${status.state}; last collect attempt ${lastCollectMs} ms`);
      expect(status.error, runId).toBeNull();
      expect(status.state, runId).toBe('completed');
      statuses.push({ runId, outDir, status, full: true });
    }

    // --------------------------------------------------------------------------- assess, render, bundle, deliver
    const maxDelay: Record<PackStage, number> = { assess: 1000, render: 400, bundle: 150 };
    for (let r = 0; r < MAX_PACK_RUNS && (PACK_STAGES.some(needs) || needs('deliver')); r++) {
      const { runId, outDir } = await newRun({ exportDir, bundle: true, deliver: Object.keys(targets) });
      const packId = packJobId(runId);
      const deliverId = deliverJobId(runId);
      const bundleTemp = (): string[] =>
        filesIn(outDir).filter((f) => /^\..+\.zip\.\d+\.[a-f0-9]{12}\.tmp$/.test(f) && processAlive(Number(f.split('.').at(-3))));
      const packEnded = (): boolean => finished(packId);

      // Each attempt of the pack job: aim at the first stage that still lacks kills. Whatever stage the attempt is
      // in when the aim is taken is where the kill counts; a stage that went by unseen is a missed aim.
      while (PACK_STAGES.some(needs)) {
        const aim = PACK_STAGES.find(needs)!;
        const seen = await waitFor(
          async () => {
            if (packEnded()) return 'ended' as const;
            if (p.holder(packId) === undefined) return undefined;
            const job = await q.pack.getJob(packId);
            if (!job || (await job.getState()) !== 'active') return undefined;
            if (bundleTemp().length > 0) return 'bundle' as const;
            return packStageOf(job.progress);
          },
          `pack ${packId} running`,
          240_000,
          20,
        );
        if (seen === 'ended') {
          miss(aim, 'the pack job had finished');
          break;
        }
        if (PACK_STAGES.indexOf(seen) < PACK_STAGES.indexOf(aim)) {
          // Too early: wait for the aimed stage (or whatever comes next) in this attempt.
          await sleep(10);
          continue;
        }
        if (seen !== aim) miss(aim, `the attempt was already in ${seen}`);
        // The seeded delay, cut short when the stage is seen to end.
        const delay = Math.floor(random() * maxDelay[seen]);
        const until = Date.now() + delay;
        while (Date.now() < until) {
          await sleep(20);
          const now = bundleTemp().length > 0 ? 'bundle' : packStageOf((await q.pack.getJob(packId))?.progress);
          if (now !== seen || packEnded()) break;
        }
        const job = (await q.pack.getJob(packId))!;
        const halfWritten = bundleTemp().length;
        const at = halfWritten ? 'bundle' : packStageOf(job.progress);
        if (packEnded() || (await job.getState()) !== 'active' || at === undefined) {
          miss(seen, 'the pack job had finished');
          break;
        }
        if (seen === aim && at !== aim) miss(aim, `the stage ended within the ${delay} ms delay; the kill lands in ${at}`);
        const progress = job.progress as PackProgress;
        const startsAtKill = p.starts(packId);
        await killHolder(packId, {
          stage: at,
          run: runId,
          at: `${delay} ms after ${seen} showed; progress ${progress.stage} ${progress.done}/${progress.total} ${progress.detail}${halfWritten ? '; a half-written bundle on disk' : ''}`,
        });
        // Forget the killed attempt's progress, so the next aim waits for the new attempt's own progress.
        await job.updateProgress({ stage: 'restarting' });
        await waitFor(() => p.starts(packId) > startsAtKill || undefined, 'pack restarted', 120_000, 100);
      }

      // Deliver: a seeded delay after an attempt of the deliver job started (it copies and checks the bundle into
      // each target); a delivery that finished first is a missed aim.
      const deliverEnded = (): boolean => finished(deliverId);
      while (needs('deliver')) {
        const started = await waitFor(
          () => deliverEnded() || ((p.starts(deliverId) > 0 && p.holder(deliverId) && Date.now()) ?? undefined),
          `deliver ${deliverId} running`,
          240_000,
          10,
        );
        if (started === true) {
          miss('deliver', 'the deliver job had finished');
          break;
        }
        const delay = Math.floor(random() * 80);
        await sleep(delay);
        const job = (await q.deliver.getJob(deliverId))!;
        if (deliverEnded() || (await job.getState()) !== 'active') {
          miss('deliver', `aimed ${delay} ms after it started, the deliver job had finished`);
          break;
        }
        const progress = job.progress as { done?: number; total?: number } | undefined;
        const startsAtKill = p.starts(deliverId);
        await killHolder(deliverId, { stage: 'deliver', run: runId, at: `${delay} ms, ${progress?.done ?? 0}/${TARGETS} targets` });
        await waitFor(() => p.starts(deliverId) > startsAtKill || undefined, 'deliver restarted', 120_000, 100);
        // The next aim waits for the new attempt (its own job_active line).
        await waitFor(() => p.holder(deliverId) !== undefined || deliverEnded() || undefined, 'deliver held', 120_000, 50);
      }
      const status = await waitForPackEnd(q, runId);
      note(`run ${runId} ended: ${status.state}, delivery ${status.delivery?.state}`);
      expect(status.error, runId).toBeNull();
      expect(status.state, runId).toBe('completed');
      expect(status.delivery?.state, runId).toBe('completed');
      statuses.push({ runId, outDir, status, full: false });
    }

    process.stderr.write(`process-kill: seed ${SEED}, missed aims ${JSON.stringify(missed)}, kills ${JSON.stringify(kills)}\n`);
    // Every run completed (and delivered); every stage got its kills.
    for (const { runId, status, full } of statuses) {
      expect(status.error, runId).toBeNull();
      expect(status.state, runId).toBe('completed');
      if (full) {
        expect(status.result?.evidenceItems, runId).toBe(nFull);
      } else {
        expect(status.result?.evidenceItems, runId).toBe(n);
        expect(status.delivery?.state, runId).toBe('completed');
        expect(status.delivery?.result?.receipts, runId).toHaveLength(TARGETS);
      }
    }
    for (const s of STAGES) expect(byStage(s), `real kills in ${s}`).toBeGreaterThanOrEqual(KILLS_PER_STAGE);
    // Every kill was recovered as a stalled job, never as a failed job.
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

    // Every run's files are whole; every bundle verifies (API, and the CLI for the last); every delivered copy is
    // its bundle; temp files (hidden, named as such) only from killed writers.
    let orphanedTemp = 0;
    let lastBundle = '';
    for (const { runId, outDir, status, full } of statuses) {
      const out = await checkOutputDir(outDir);
      expect(out.partial, runId).toEqual([]);
      expect(out.liveTemp, runId).toEqual([]);
      orphanedTemp += out.orphanedTemp.length;
      if (full) continue;
      const bundle = status.result!.bundle!;
      expect((await verifyBundle(bundle.path, { trust: [signer.ca.caCertificate] })).status, runId).toBe('valid');
      lastBundle = bundle.path;
      for (const r of status.delivery!.result!.receipts) {
        expect(createHash('sha256').update(readFileSync(r.location)).digest('hex')).toBe(bundle.sha256);
      }
    }
    const cli = await runCli(['verify', lastBundle, '--trust', signer.caPem, '--json'], {});
    expect(cli.code, cli.stderr).toBe(0);
    for (const dir of Object.values(targets)) {
      const out = await checkOutputDir(dir);
      expect(out.partial).toEqual([]);
      expect(out.liveTemp).toEqual([]);
      orphanedTemp += out.orphanedTemp.length;
    }

    const packRuns = statuses.filter((s) => !s.full).length;
    const collectRuns = statuses.length - packRuns;
    recordOutcome({
      id: 'process/kill-9-every-stage',
      group: 'Process faults',
      scenario: `Packs of the example estate (${nFull} items; killed mid-collect), then signed packs of its CLI outputs delivered to ${TARGETS} directory targets (killed in assess, render, bundle and deliver), in a kill loop of at most ${MAX_COLLECT_RUNS} + ${MAX_PACK_RUNS} runs that goes on until every stage has at least ${KILLS_PER_STAGE} kills (an aim whose stage had already passed counts as missed and gets another attempt or run); a worker SIGKILLed at seeded points (seed ${SEED}); a standby worker takes each job over.`,
      expected: 'Every run completes, every delivered one delivers; store equals an in-process baseline (ids, records, index markers); no corrupt record or blob, no staging file; every output file whole; every bundle verifies (API, and CLI); every delivered copy has its bundle sha256.',
      runs: statuses.length,
      lost: diff.lost,
      duplicated: diff.duplicated,
      crashes: 0,
      leaks: 0,
      extra: {
        kills: kills.length,
        'collect runs': collectRuns,
        'delivered runs': packRuns,
        ...Object.fromEntries(STAGES.map((s) => [`${s} kills`, byStage(s)])),
        ...Object.fromEntries(STAGES.map((s) => [`${s} missed aims`, missed[s]])),
        'stalled recoveries': p.events('job_stalled').length,
        'evidence items': n,
        'orphaned hidden temp files (output + targets)': orphanedTemp,
      },
    });
  }, 900_000);
});
