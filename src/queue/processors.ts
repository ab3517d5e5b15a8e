/**
 * BullMQ processors: typed adapters around the handlers. They add job progress (throttled, best effort), the
 * per-account rate limit of live collection, scheduled triggers, and the retry policy (`toJobError`).
 */
import { DelayedError, type Job } from 'bullmq';
import { LIVE_COLLECTORS } from '../collectors/live/registry.js';
import type { LoadedConfig } from '../config/load.js';
import type { StageProgress } from '../pipeline/context.js';
import { enqueuePack } from './enqueue.js';
import { toJobError } from './errors.js';
import {
  collectExportDirUnit,
  collectLiveUnit,
  deliverRun,
  packRun,
  PermanentJobError,
  type HandlerDeps,
} from './handlers.js';
import { idPart } from './names.js';
import { checkCollectData, checkDeliverData, checkPackData } from './payloads.js';
import { liveScope, liveUnits, planPack } from './plan.js';
import type { QueueHandles } from './queues.js';
import type { RateLimiter } from './rate-limit.js';
import { compactTime, previousMonth } from './time.js';
import type {
  CollectJobData,
  CollectJobName,
  CollectJobResult,
  DeliverJobData,
  DeliverJobName,
  DeliverJobResult,
  PackJobName,
  PackJobResult,
  PackQueueData,
  ScheduledCollectData,
  ScheduledPackData,
} from './types.js';

export interface ProcessorDeps extends HandlerDeps {
  readonly queues: QueueHandles;
  readonly limiter: RateLimiter;
  /** The worker's config: scheduled packs are planned from it (organisation, scope, exceptions, fairness). */
  readonly loaded: LoadedConfig;
  /** Where scheduled packs write their files (one directory per run). */
  readonly outDir: string;
  /** Minimum interval between two progress writes of one job. */
  readonly progressIntervalMs?: number;
  /** `queue.allowedPaths`: directories that job payloads may name (absent: any absolute, normalised path). */
  readonly allowedPaths?: readonly string[] | null;
}

type Progressable<P> = { updateProgress(p: P): Promise<void> };

/** Throttled, best-effort progress: a lost progress write (Redis blip) never fails the job. */
export function progressWriter<P>(job: Progressable<P>, minIntervalMs: number): (p: P, force?: boolean) => void {
  let last = 0;
  return (p, force = false) => {
    const now = Date.now();
    if (!force && now - last < minIntervalMs) return;
    last = now;
    job.updateProgress(p).catch(() => undefined);
  };
}

/** When a scheduler meant the job to run: `repeat:<scheduler>:<millis>` ids carry it; else the job's own time. */
export function scheduledTime(job: Pick<Job, 'id' | 'opts' | 'timestamp'>): Date {
  const fromId = /^repeat:.+:(\d{10,})$/.exec(job.id ?? '')?.[1];
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  return new Date(fromId ? Number(fromId) : typeof prev === 'number' ? prev : job.timestamp);
}

function shortKey(key: string): string {
  return key.slice(key.lastIndexOf(':') + 1);
}

export function collectProcessor(deps: ProcessorDeps) {
  return async (
    job: Job<CollectJobData, CollectJobResult, CollectJobName>,
    token?: string,
    signal?: AbortSignal,
  ): Promise<CollectJobResult> => {
    const write = progressWriter<StageProgress>(job, deps.progressIntervalMs ?? 1000);
    try {
      // Payloads come back from Redis: a forged or malformed one fails at once, before anything is read.
      const data = checkCollectData(job.data, deps.allowedPaths);
      switch (data.kind) {
        case 'export-dir':
          return await collectExportDirUnit(deps, data, signal, (p) => write(p, p.done >= p.total));
        case 'live': {
          const collector = LIVE_COLLECTORS.find((c) => c.id === data.collector);
          if (!collector) throw new PermanentJobError(`unknown live collector ${data.collector}`);
          const wait = await deps.limiter.acquire(data.account, collector.service);
          if (wait > 0) {
            // No token for this account and service yet: come back later, without spending an attempt.
            await job.moveToDelayed(Date.now() + wait, token);
            throw new DelayedError();
          }
          return await collectLiveUnit(deps, data, signal, (p) => write(p, p.done >= p.total));
        }
        case 'schedule':
          return await scheduledCollect(deps, job, data, signal);
      }
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      throw toJobError(err);
    }
  };
}

/**
 * Continuous collection, fired by a job scheduler: an export directory is read again (the store keeps what it
 * already has); a live collector is fanned out to one job per scope account × region for the window ending at
 * the scheduled time (windows overlap by design; the collectors keep checkpoints and the store is idempotent).
 */
async function scheduledCollect(
  deps: ProcessorDeps,
  job: Job<CollectJobData, CollectJobResult, CollectJobName>,
  data: ScheduledCollectData,
  signal?: AbortSignal,
): Promise<CollectJobResult> {
  const at = scheduledTime(job);
  const runId = idPart(`cont-${data.schedule}-${compactTime(at)}`, 'run id');
  if (data.source) {
    const r = await collectExportDirUnit(deps, { kind: 'export-dir', runId, source: data.source }, signal);
    return { ...r, kind: 'schedule' };
  }
  const collector = LIVE_COLLECTORS.find((c) => c.id === data.collector);
  if (!collector)
    throw new PermanentJobError(`schedule ${data.schedule}: unknown live collector ${String(data.collector)}`);
  const scope = liveScope(deps.loaded);
  if (scope.accounts.length === 0 || (collector.regional && scope.regions.length === 0)) {
    throw new PermanentJobError(
      `schedule ${data.schedule}: the worker's config has no scope accounts/regions to collect ${collector.id} in`,
    );
  }
  const window = { start: new Date(at.getTime() - data.lookbackMs).toISOString(), end: at.toISOString() };
  const jobs = liveUnits(runId, collector.id, scope, window).map((u) => ({
    name: 'collect' as const,
    data: u.data,
    opts: { ...deps.queues.jobOptions.collect, jobId: u.jobId },
  }));
  await deps.queues.collect.addBulk(jobs);
  return {
    runId,
    kind: 'schedule',
    counts: { collected: 0, notApplicable: 0, errors: 0, newItems: 0 },
    failed: false,
    enqueued: jobs.length,
  };
}

export function packProcessor(deps: ProcessorDeps) {
  return async (
    job: Job<PackQueueData, PackJobResult, PackJobName>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<PackJobResult> => {
    try {
      const data = checkPackData(job.data, deps.allowedPaths);
      if (data.kind === 'schedule') return await scheduledPack(deps, job, data);
      const values = Object.values(await job.getChildrenValues<CollectJobResult>());
      const failures = Object.entries(await job.getIgnoredChildrenFailures()).map(
        ([key, reason]) => `${shortKey(key)}: ${reason}`,
      );
      const write = progressWriter(job, deps.progressIntervalMs ?? 1000);
      return await packRun(deps, data, { values, failures }, signal, (p) => write(p, p.done >= p.total));
    } catch (err) {
      throw toJobError(err);
    }
  };
}

/** The monthly pack, fired by a job scheduler: the previous month (in the schedule's time zone) as of the firing. */
async function scheduledPack(
  deps: ProcessorDeps,
  job: Job<PackQueueData, PackJobResult, PackJobName>,
  data: ScheduledPackData,
): Promise<PackJobResult> {
  const at = scheduledTime(job);
  const period = previousMonth(at, data.tz);
  const plan = planPack(
    deps.loaded,
    deps.queues.jobOptions,
    {
      runId: `monthly-${data.schedule}-${period}`,
      frameworks: data.frameworks,
      period,
      assessedAt: at.toISOString(),
      sources: data.sources,
      live: data.live ? liveScope(deps.loaded) : null,
      out: { dir: deps.outDir, perRun: true },
      bundle: data.bundle,
      deliver: data.deliver,
      trigger: { by: 'schedule', name: data.schedule },
    },
    at,
  );
  const r = await enqueuePack(deps.queues, plan);
  return { kind: 'scheduled', runId: r.runId, created: r.created };
}

export function deliverProcessor(deps: ProcessorDeps) {
  return async (
    job: Job<DeliverJobData, DeliverJobResult, DeliverJobName>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<DeliverJobResult> => {
    try {
      const data = checkDeliverData(job.data);
      const children = Object.values(await job.getChildrenValues<PackJobResult>());
      const bundlePath = children.find((c) => c.runId === data.runId)?.bundle?.path ?? null;
      const write = progressWriter<StageProgress>(job, deps.progressIntervalMs ?? 1000);
      return await deliverRun(deps, data, bundlePath, signal, (p) => write(p, true));
    } catch (err) {
      throw toJobError(err);
    }
  };
}
