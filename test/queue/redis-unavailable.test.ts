// Producers and workers when Redis is gone for good (bugs found by the fault suite, test/faults/redis-gone.test.ts):
// `pack --queue` following a run used to print "unexpected failure: Stream isn't writeable ..." and then either hang
// or end silently with exit code 0; a worker started without Redis waited forever and ignored SIGTERM.
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { redisTarget } from '../../src/queue/connection.js';
import { closeProducer, RedisUnavailableError, waitForRedis } from '../../src/queue/producer.js';
import type { QueueHandles } from '../../src/queue/queues.js';
import { QueueSection } from '../../src/queue/settings.js';
import { followPack } from '../../src/queue/status.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const never = (): Promise<void> => new Promise<void>(() => undefined);

/** Queue handles whose every command fails as ioredis fails them while Redis is unreachable. */
function unreachableQueues(onDisconnect: () => void = () => undefined): QueueHandles {
  const down = (): Promise<never> => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
  const handle = { getJob: down, close: never, disconnect: () => (onDisconnect(), never()) };
  return {
    prefix: 'p',
    target: { description: 'redis://127.0.0.1:1/0' },
    collect: handle,
    pack: handle,
    deliver: handle,
    flows: handle,
    close: never,
  } as unknown as QueueHandles;
}

describe('Redis unreachable', () => {
  it('followPack waits out a short outage, then fails with RedisUnavailableError naming the run', async () => {
    const err = await followPack(unreachableQueues(), 'pack-2026-10-abc', { pollMs: 10, redisGraceMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    expect((err as Error).message).toMatch(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0 .*lost while following run pack-2026-10-abc/);
  });

  it('closeProducer returns after its deadline when close and disconnect never settle', async () => {
    let disconnects = 0;
    await closeProducer(unreachableQueues(() => (disconnects += 1)), 50);
    expect(disconnects).toBe(4);
  });

  it('waitForRedis gives up after its timeout with the address, and returns false when aborted', async () => {
    const port = await freePort();
    const target = redisTarget(QueueSection.parse({}), { AUDITPACK_REDIS_URL: `redis://127.0.0.1:${port}/0` });
    const err = await waitForRedis(target, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    expect((err as Error).message).toBe(
      `cannot reach Redis at redis://127.0.0.1:${port}/0 (queue.redis, AUDITPACK_REDIS_URL): no answer within 300 ms`,
    );
    const aborted = new AbortController();
    setTimeout(() => aborted.abort(), 200);
    expect(await waitForRedis(target, 60_000, aborted.signal)).toBe(false);
  });
});
