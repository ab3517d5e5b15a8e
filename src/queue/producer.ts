import type { QueueAwareConfig } from './config.js';
import { pingRedis, producerTarget, redisClient, redisTarget, type RedisTarget } from './connection.js';
import { openQueues, type QueueHandles } from './queues.js';

export class RedisUnavailableError extends Error {
  constructor(description: string, detail = '') {
    super(`cannot reach Redis at ${description} (queue.redis, AUDITPACK_REDIS_URL)${detail ? `: ${detail}` : ''}`);
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Waits until Redis answers a PING, for at most `timeoutMs` (a worker starting before Redis, or during a
 * restart); throws `RedisUnavailableError` when it never does. Resolves false when `signal` aborts first.
 */
export async function waitForRedis(target: RedisTarget, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const probe = redisClient({
    ...target,
    options: { ...target.options, enableOfflineQueue: true, retryStrategy: () => 500 },
  });
  probe.on('error', () => undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (signal?.aborted) return false;
      if (await pingRedis(probe, Math.max(100, Math.min(2000, deadline - Date.now())))) return true;
      if (Date.now() >= deadline)
        throw new RedisUnavailableError(target.description, `no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  } finally {
    probe.disconnect();
  }
}

/**
 * Closes a producer's queues; when Redis is gone a graceful close never finishes (or fails), so after `deadlineMs`
 * the connections are dropped instead. Never throws: the command's own outcome is what matters.
 */
export async function closeProducer(q: QueueHandles, deadlineMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    q.close().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs))),
  ]);
  clearTimeout(timer);
  // Not awaited: with Redis gone these promises may never settle, and a process waiting only on them would end
  // silently with exit code 0 before the caller reports anything.
  if (!closed) for (const h of [q.collect, q.pack, q.deliver, q.flows]) void h.disconnect().catch(() => undefined);
}

/**
 * Queues for a producer (CLI, HTTP API): Redis is checked first so a command fails with a clear message instead
 * of waiting for a server that is not there, and commands fail fast while it is unreachable.
 */
export async function openProducer(
  cfg: QueueAwareConfig,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 5000,
): Promise<QueueHandles> {
  const target = producerTarget(redisTarget(cfg.queue, env));
  const probe = redisClient({
    ...target,
    options: { ...target.options, enableOfflineQueue: true, retryStrategy: () => 500 },
  });
  probe.on('error', () => undefined);
  try {
    if (!(await pingRedis(probe, timeoutMs))) throw new RedisUnavailableError(target.description);
  } finally {
    probe.disconnect();
  }
  return openQueues(target, cfg.queue);
}
