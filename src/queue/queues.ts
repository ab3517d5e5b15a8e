import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { RedisTarget } from './connection.js';
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

export type CollectQueue = Queue<CollectJobData, CollectJobResult, CollectJobName>;
export type PackQueue = Queue<PackQueueData, PackJobResult, PackJobName>;
export type DeliverQueue = Queue<DeliverJobData, DeliverJobResult, DeliverJobName>;

/** The producer side: typed queues of one prefix and the flow producer that adds a pack with its children. */
export interface QueueHandles {
  readonly prefix: string;
  readonly target: RedisTarget;
  readonly collect: CollectQueue;
  readonly pack: PackQueue;
  readonly deliver: DeliverQueue;
  readonly flows: FlowProducer;
  readonly jobOptions: JobOptionSet;
  close(): Promise<void>;
}

export interface JobOptionSet {
  readonly collect: JobsOptions;
  readonly pack: JobsOptions;
  readonly deliver: JobsOptions;
  /** Scheduler-fired trigger jobs (cheap; keep a few for the dashboard). */
  readonly trigger: JobsOptions;
}

/**
 * Retries with exponential backoff for transient failures (permanent ones throw UnrecoverableError and fail at
 * once). Finished jobs stay `keepDays` (age only, no count cap: collect children finish before their pack, so they
 * always expire first and a pack id is never re-added over children that still exist).
 */
export function jobOptions(settings: Pick<QueueSettings, 'attempts' | 'backoffMs' | 'keepDays'>): JobOptionSet {
  const keep = { age: settings.keepDays * 86_400 };
  const base: JobsOptions = {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    removeOnComplete: keep,
    removeOnFail: keep,
  };
  return {
    collect: { ...base, ignoreDependencyOnFailure: true },
    pack: base,
    deliver: base,
    trigger: {
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.backoffMs },
      removeOnComplete: { age: settings.keepDays * 86_400, count: 100 },
      removeOnFail: keep,
    },
  };
}

/** `onError`: connection errors (ioredis reconnects by itself; without a listener Node would crash on them). */
export function openQueues(
  target: RedisTarget,
  settings: Pick<QueueSettings, 'prefix' | 'attempts' | 'backoffMs' | 'keepDays'>,
  onError: (err: Error) => void = () => undefined,
): QueueHandles {
  const opts = { connection: target.options, prefix: settings.prefix };
  const collect: CollectQueue = new Queue<CollectJobData, CollectJobResult, CollectJobName>('collect', opts);
  const pack: PackQueue = new Queue<PackQueueData, PackJobResult, PackJobName>('pack', opts);
  const deliver: DeliverQueue = new Queue<DeliverJobData, DeliverJobResult, DeliverJobName>('deliver', opts);
  const flows = new FlowProducer(opts);
  collect.on('error', onError);
  pack.on('error', onError);
  deliver.on('error', onError);
  flows.on('error', onError);
  let closing: Promise<void> | undefined;
  return {
    prefix: settings.prefix,
    target,
    collect,
    pack,
    deliver,
    flows,
    jobOptions: jobOptions(settings),
    close() {
      closing ??= Promise.all([collect.close(), pack.close(), deliver.close(), flows.close()]).then(() => undefined);
      return closing;
    },
  };
}
