import type { QueueAwareConfig } from './config.js';
import { pingRedis, producerTarget, redisClient, redisTarget } from './connection.js';
import { openQueues, type QueueHandles } from './queues.js';

export class RedisUnavailableError extends Error {
  constructor(description: string) {
    super(`cannot reach Redis at ${description} (queue.redis, AUDITPACK_REDIS_URL)`);
    this.name = 'RedisUnavailableError';
  }
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
