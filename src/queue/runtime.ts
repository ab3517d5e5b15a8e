/**
 * A worker process's queue side: BullMQ workers for the chosen queues, the shared rate limiter, the health
 * endpoint, and graceful shutdown. No logging here: everything worth a log line is an event for the entry point.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisClient, pingRedis, type RedisTarget } from './connection.js';
import { startHealthServer, type HealthReport, type HealthServer } from './health.js';
import type { QueueName } from './names.js';
import { collectProcessor, deliverProcessor, packProcessor, type ProcessorDeps } from './processors.js';
import { openQueues, type QueueHandles } from './queues.js';
import { RedisTokenBuckets, type RateLimiter } from './rate-limit.js';
import { sweepStoreTemp, type SweepOptions } from './recovery.js';
import type { QueueSettings } from './settings.js';
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
} from './types.js';

export type WorkerEvent =
  | { readonly type: 'ready'; readonly queues: readonly QueueName[]; readonly healthPort: number | null }
  | {
      readonly type: 'active';
      readonly queue: QueueName;
      readonly jobId: string;
      readonly name: string;
      readonly runId?: string;
    }
  | {
      readonly type: 'completed';
      readonly queue: QueueName;
      readonly jobId: string;
      readonly name: string;
      readonly runId?: string;
    }
  | {
      readonly type: 'failed';
      readonly queue: QueueName;
      readonly jobId?: string;
      readonly name?: string;
      readonly runId?: string;
      readonly error: Error;
      readonly attemptsMade: number;
      /** No retry follows (attempts used up, or a permanent error). */
      readonly final: boolean;
    }
  | { readonly type: 'stalled'; readonly queue: QueueName; readonly jobId: string }
  | { readonly type: 'error'; readonly queue?: QueueName; readonly error: Error }
  | { readonly type: 'swept'; readonly files: readonly string[] }
  | { readonly type: 'shutdown-timeout'; readonly graceMs: number }
  | { readonly type: 'closed' };

export interface WorkerRuntimeOptions {
  readonly target: RedisTarget;
  readonly settings: QueueSettings;
  readonly queues: readonly QueueName[];
  /** Per queue; default `settings.concurrency`. */
  readonly concurrency?: Partial<Record<QueueName, number>>;
  readonly deps: Omit<ProcessorDeps, 'queues' | 'limiter'>;
  /** Default: token buckets in Redis per account and service (`settings.rateLimits`). */
  readonly limiter?: RateLimiter;
  /** Shown in the dashboard and on each job this worker processed. */
  readonly name?: string;
  /** null: no health endpoint. Default `settings.health`. */
  readonly health?: { readonly host: string; readonly port: number } | null;
  /** A local store root: orphaned staging files of dead workers are swept at start. */
  readonly storeRoot?: string | null;
  readonly sweep?: SweepOptions;
  readonly onEvent?: (e: WorkerEvent) => void;
}

export type QueueWorker =
  | Worker<CollectJobData, CollectJobResult, CollectJobName>
  | Worker<PackQueueData, PackJobResult, PackJobName>
  | Worker<DeliverJobData, DeliverJobResult, DeliverJobName>;

export interface WorkerRuntime {
  readonly queues: QueueHandles;
  readonly workers: readonly QueueWorker[];
  readonly healthPort: number | null;
  health(): Promise<HealthReport>;
  /** Stops taking jobs, waits up to `graceMs` for running ones, then cancels them (they are retried elsewhere). */
  close(graceMs?: number): Promise<void>;
}

function runIdOf(job: { data: unknown } | undefined): string | undefined {
  const data = job?.data as { runId?: unknown } | undefined;
  return typeof data?.runId === 'string' ? data.runId : undefined;
}

/** How long shutdown waits for each step that needs Redis once the grace period is over. */
const FORCE_CLOSE_MS = 5000;

/** Whether `p` settles (resolves or rejects) within `ms`; never throws. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

export class HealthPortInUseError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'HealthPortInUseError';
  }
}

export async function startWorkerRuntime(opts: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const emit = (e: WorkerEvent): void => opts.onEvent?.(e);
  const { settings, target } = opts;
  const queues = openQueues(target, settings, (error) => emit({ type: 'error', error }));
  const client: Redis = redisClient(target, `${settings.prefix}:auditpack:worker`);
  client.on('error', () => undefined); // reconnects by itself; the health report says when Redis is down
  const limiter = opts.limiter ?? new RedisTokenBuckets(client, settings.prefix, settings.rateLimits);
  const deps: ProcessorDeps = { ...opts.deps, queues, limiter };

  if (opts.storeRoot) {
    const files = await sweepStoreTemp(opts.storeRoot, opts.sweep);
    if (files.length) emit({ type: 'swept', files });
  }

  let closing = false;
  const health = async (): Promise<HealthReport> => {
    const up = await pingRedis(client);
    const counts: Record<string, Record<string, number>> = {};
    if (up) {
      // Filled as the answers come; reported in the order of the worker's queues (not the order they answered).
      const answers: Partial<Record<QueueName, Record<string, number>>> = {};
      const read = Promise.all(
        opts.queues.map(async (q) => {
          answers[q] = await queues[q].getJobCounts(
            'waiting',
            'active',
            'delayed',
            'waiting-children',
            'failed',
            'completed',
            'prioritized',
          );
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([read, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]).finally(() =>
        clearTimeout(timer),
      );
      for (const q of opts.queues) {
        const a = answers[q];
        if (a) counts[q] = a;
      }
    }
    return {
      status: up && !closing ? 'ok' : 'degraded',
      redis: up ? 'up' : 'down',
      worker: closing ? 'closing' : 'running',
      queues: counts,
    };
  };
  const healthOpts = opts.health === undefined ? settings.health : opts.health;
  let server: HealthServer | null = null;
  if (healthOpts) {
    try {
      server = await startHealthServer({ host: healthOpts.host, port: healthOpts.port, report: health });
    } catch (err) {
      // Nothing runs yet: release the connections so the process can exit with the error.
      await queues.close();
      client.disconnect();
      const code = (err as NodeJS.ErrnoException).code;
      throw code === 'EADDRINUSE'
        ? new HealthPortInUseError(
            `health port ${healthOpts.host}:${healthOpts.port} is in use (another worker on this host?): give each worker its own port, or 0 for any free one`,
          )
        : err;
    }
  }

  const common = {
    connection: target.options,
    prefix: settings.prefix,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    ...(opts.name ? { name: opts.name } : {}),
  };
  const concurrency = (q: QueueName): number => opts.concurrency?.[q] ?? settings.concurrency[q];
  const workers: QueueWorker[] = [];
  const wire = <D, R, N extends string>(queue: QueueName, w: Worker<D, R, N>): Worker<D, R, N> => {
    w.on('active', (job) => emit({ type: 'active', queue, jobId: job.id ?? '', name: job.name, runId: runIdOf(job) }));
    // A scheduled trigger has no run id of its own: its result names the run it started.
    w.on('completed', (job, result) =>
      emit({
        type: 'completed',
        queue,
        jobId: job.id ?? '',
        name: job.name,
        runId: runIdOf(job) ?? runIdOf({ data: result }),
      }),
    );
    w.on('failed', (job, error) => {
      const attempts = job?.opts.attempts ?? 1;
      const final =
        !job ||
        error instanceof UnrecoverableError ||
        error.name === 'UnrecoverableError' ||
        job.attemptsMade >= attempts;
      emit({
        type: 'failed',
        queue,
        jobId: job?.id,
        name: job?.name,
        runId: runIdOf(job),
        error,
        attemptsMade: job?.attemptsMade ?? 0,
        final,
      });
    });
    w.on('stalled', (jobId) => emit({ type: 'stalled', queue, jobId }));
    w.on('error', (error) => emit({ type: 'error', queue, error }));
    return w;
  };
  for (const q of opts.queues) {
    if (q === 'collect') {
      workers.push(
        wire(
          q,
          new Worker<CollectJobData, CollectJobResult, CollectJobName>('collect', collectProcessor(deps), {
            ...common,
            concurrency: concurrency(q),
          }),
        ),
      );
    } else if (q === 'pack') {
      workers.push(
        wire(
          q,
          new Worker<PackQueueData, PackJobResult, PackJobName>('pack', packProcessor(deps), {
            ...common,
            concurrency: concurrency(q),
          }),
        ),
      );
    } else {
      workers.push(
        wire(
          q,
          new Worker<DeliverJobData, DeliverJobResult, DeliverJobName>('deliver', deliverProcessor(deps), {
            ...common,
            concurrency: concurrency(q),
          }),
        ),
      );
    }
  }

  await Promise.all(workers.map((w) => w.waitUntilReady()));
  emit({ type: 'ready', queues: opts.queues, healthPort: server?.port ?? null });

  let closed: Promise<void> | undefined;
  return {
    queues,
    workers,
    healthPort: server?.port ?? null,
    health,
    close(graceMs = settings.shutdownGraceMs) {
      closed ??= (async () => {
        closing = true;
        let timer: NodeJS.Timeout | undefined;
        const graceful = Promise.all(workers.map((w) => w.close())).then(() => 'closed' as const);
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        if ((await Promise.race([graceful, timeout])) === 'timeout') {
          emit({ type: 'shutdown-timeout', graceMs });
          // Running jobs are aborted (their stage handlers stop at the next check) and go back for a retry.
          for (const w of workers) w.cancelAllJobs('worker shutting down');
          // With Redis unreachable the end of a cancelled job can never be recorded and close() would wait for
          // ever: after a last bounded wait the connections are dropped (the jobs come back when their locks expire).
          if (!(await settlesWithin(graceful, FORCE_CLOSE_MS)))
            for (const w of workers) void w.disconnect().catch(() => undefined);
        }
        clearTimeout(timer);
        await server?.close();
        if (!(await settlesWithin(queues.close(), FORCE_CLOSE_MS))) {
          for (const h of [queues.collect, queues.pack, queues.deliver, queues.flows])
            void h.disconnect().catch(() => undefined);
        }
        if (!(await settlesWithin(client.quit(), FORCE_CLOSE_MS))) client.disconnect();
        emit({ type: 'closed' });
      })();
      return closed;
    },
  };
}
