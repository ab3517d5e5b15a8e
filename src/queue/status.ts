/**
 * The status of a pack run, read from its jobs: the collect children (through the pack's dependencies), the pack
 * job's progress (one entry per stage) and result, and the deliver parent when the run is delivered.
 */
import type { StageName, StageProgress } from '../pipeline/context.js';
import { deliverJobId, packJobId } from './names.js';
import { RedisUnavailableError } from './producer.js';
import type { QueueHandles } from './queues.js';
import type { DeliverJobResult, PackJobData, PackJobResult, PackProgress, StageState } from './types.js';

export type PackState = 'queued' | 'collecting' | 'running' | 'delivering' | 'completed' | 'failed';

export interface PackStatus {
  readonly id: string;
  readonly state: PackState;
  /** The pack job's BullMQ state. */
  readonly jobState: string;
  readonly trigger: PackJobData['trigger'];
  readonly period: string;
  readonly frameworks: readonly string[];
  readonly assessedAt: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly stages: Readonly<Record<StageName, StageState>>;
  /** The stage running now, with its detail. */
  readonly current: StageProgress | null;
  readonly attempts: { readonly made: number; readonly max: number };
  readonly result: PackJobResult | null;
  readonly delivery: {
    readonly state: string;
    readonly result: DeliverJobResult | null;
    readonly error: string | null;
  } | null;
  readonly error: string | null;
}

const FINISHED = new Set(['completed', 'failed']);

function isPackProgress(p: unknown): p is PackProgress {
  return typeof p === 'object' && p !== null && 'stages' in p && 'stage' in p;
}

function isStageProgress(p: unknown): p is StageProgress {
  return typeof p === 'object' && p !== null && 'stage' in p && 'done' in p && 'total' in p;
}

/** Null when no pack job has this run id (never created, or expired after `keepDays`). */
export async function packStatus(q: QueueHandles, runId: string): Promise<PackStatus | null> {
  let job = await q.pack.getJob(packJobId(runId));
  if (!job || job.data.kind !== 'pack') return null;
  const data = job.data;
  const jobState = await job.getState();
  // The job may have finished between reading it and reading its state: read it again, so that a finished state
  // never comes with the result, reason and finish time of before (a status with "completed" and no result).
  if ((jobState === 'completed' || jobState === 'failed') && job.finishedOn === undefined) {
    job = (await q.pack.getJob(packJobId(runId))) ?? job;
  }
  const progress = isPackProgress(job.progress) ? job.progress : null;

  const deps = await job.getDependenciesCount();
  const childrenDone = (deps.processed ?? 0) + (deps.ignored ?? 0) + (deps.failed ?? 0);
  const total = data.collect.children;
  let current: StageProgress | null = null;
  let collect: StageState;
  if (jobState === 'waiting-children') {
    collect = { state: 'running', done: childrenDone, total };
    current = { stage: 'collect', done: childrenDone, total, detail: `${total - childrenDone} unit(s) left` };
    if (total === 1) {
      // A single unit (one export directory): show its own progress (files read).
      const unprocessed = await job.getDependencies({ unprocessed: { count: 1 } });
      const key = unprocessed.unprocessed?.[0];
      const child = key ? await q.collect.getJob(key.slice(key.lastIndexOf(':') + 1)) : undefined;
      if (child && isStageProgress(child.progress)) current = child.progress;
    }
  } else {
    collect = progress?.stages.collect ?? { state: total === 0 ? 'skipped' : 'done', done: childrenDone, total };
  }
  const pending: StageState = { state: 'pending', done: 0, total: 0 };
  const stages: Record<StageName, StageState> = {
    collect,
    assess: progress?.stages.assess ?? pending,
    render: progress?.stages.render ?? pending,
    bundle: progress?.stages.bundle ?? (data.bundle ? pending : { state: 'skipped', done: 0, total: 0 }),
    deliver: data.deliver.length ? pending : { state: 'skipped', done: 0, total: 0 },
  };
  if (jobState === 'active' && progress)
    current = { stage: progress.stage, done: progress.done, total: progress.total, detail: progress.detail };

  let delivery: PackStatus['delivery'] = null;
  let deliveredOn: number | undefined;
  if (data.deliver.length) {
    let d = await q.deliver.getJob(deliverJobId(runId));
    if (d) {
      const ds = await d.getState();
      // As for the pack job: finished since it was read, read it again.
      if (FINISHED.has(ds) && d.finishedOn === undefined) d = (await q.deliver.getJob(deliverJobId(runId))) ?? d;
      const result = ds === 'completed' ? d.returnvalue : null;
      if (FINISHED.has(ds)) deliveredOn = d.finishedOn;
      delivery = { state: ds, result, error: ds === 'failed' ? (d.failedReason ?? 'failed') : null };
      stages.deliver = {
        state: ds === 'completed' ? 'done' : ds === 'failed' ? 'failed' : ds === 'active' ? 'running' : 'pending',
        done: result?.receipts.length ?? 0,
        total: data.deliver.length,
      };
      if (ds === 'active' && isStageProgress(d.progress)) current = d.progress;
    }
  }

  let state: PackState;
  if (jobState === 'failed') state = 'failed';
  else if (jobState === 'waiting-children') state = 'collecting';
  else if (jobState === 'active') state = 'running';
  else if (jobState === 'completed') {
    state = !delivery
      ? data.deliver.length
        ? 'delivering'
        : 'completed'
      : delivery.state === 'completed'
        ? 'completed'
        : delivery.state === 'failed'
          ? 'failed'
          : 'delivering';
  } else state = 'queued';
  if (jobState === 'failed') {
    const at = progress?.stage ?? 'assess';
    stages[at] = { ...stages[at], state: 'failed' };
  }
  const result = jobState === 'completed' ? job.returnvalue : null;
  return {
    id: runId,
    state,
    jobState,
    trigger: data.trigger,
    period: data.assess.period,
    frameworks: data.assess.frameworks,
    assessedAt: data.assess.assessedAt,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt:
      (state === 'completed' || state === 'failed') && job.finishedOn
        ? new Date(Math.max(job.finishedOn, deliveredOn ?? 0)).toISOString()
        : null,
    stages,
    current,
    attempts: { made: job.attemptsMade, max: job.opts.attempts ?? 1 },
    result,
    delivery,
    error: jobState === 'failed' ? (job.failedReason ?? 'failed') : (delivery?.error ?? null),
  };
}

export function isFinal(s: PackStatus): boolean {
  return s.state === 'completed' || s.state === 'failed';
}

export interface FollowOptions {
  readonly onProgress?: (p: StageProgress) => void;
  readonly onStatus?: (s: PackStatus) => void;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /**
   * How long Redis may stay unreachable while following (a restart, a failover) before following gives up with
   * `RedisUnavailableError`; the run itself goes on in the workers. Default 30 s.
   */
  readonly redisGraceMs?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * Polls the run until it is completed or failed, reporting each change of stage progress. Polling reads the
 * progress the workers write (the same data BullMQ's progress events carry) and survives Redis reconnects.
 */
export async function followPack(q: QueueHandles, runId: string, opts: FollowOptions = {}): Promise<PackStatus> {
  let last = '';
  const finished = new Set<StageName>();
  let unreachableSince: number | null = null;
  for (;;) {
    opts.signal?.throwIfAborted();
    let status: PackStatus | null;
    try {
      status = await packStatus(q, runId);
      unreachableSince = null;
    } catch (err) {
      // A producer's commands fail at once while Redis is unreachable: wait for it up to the grace period.
      const now = Date.now();
      unreachableSince ??= now;
      if (now - unreachableSince >= (opts.redisGraceMs ?? 30_000))
        throw new RedisUnavailableError(
          q.target.description,
          `lost while following run ${runId} (${(err as Error).message}); the run goes on in the workers`,
        );
      await sleep(Math.min(opts.pollMs ?? 1000, 1000), opts.signal);
      continue;
    }
    if (!status) throw new Error(`run ${runId}: no such pack job`);
    opts.onStatus?.(status);
    for (const name of ['collect', 'assess', 'render', 'bundle', 'deliver'] as const) {
      const s = status.stages[name];
      if ((s.state === 'done' || s.state === 'failed') && !finished.has(name)) {
        finished.add(name);
        const total = Math.max(s.total, 1);
        opts.onProgress?.({ stage: name, done: total, total, detail: s.state });
      }
    }
    if (status.current && !finished.has(status.current.stage)) {
      const key = JSON.stringify(status.current);
      if (key !== last) {
        last = key;
        opts.onProgress?.(status.current);
      }
    }
    if (isFinal(status)) return status;
    await sleep(opts.pollMs ?? 1000, opts.signal);
  }
}
