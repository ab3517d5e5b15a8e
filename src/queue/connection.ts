import { Redis } from 'ioredis';
import { ConfigError } from '../config/load.js';
import type { QueueSettings } from './settings.js';

/** Connection options both BullMQ and ioredis take as they are. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
  enableReadyCheck: boolean;
  retryStrategy: (times: number) => number;
  connectionName?: string;
  enableOfflineQueue?: boolean;
}

/** How to reach Redis, and a description safe to log. */
export interface RedisTarget {
  readonly options: RedisConnectionOptions;
  /** host:port/db, never the password. */
  readonly description: string;
}

function bad(where: string, problem: string): ConfigError {
  return new ConfigError(where, [problem]);
}

/**
 * AUDITPACK_REDIS_URL (redis://[user:password@]host:port/db, rediss:// for TLS) wins over `queue.redis`; a
 * password in the config comes from the environment variable `passwordEnv` names.
 */
export function redisTarget(settings: QueueSettings, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const url = env['AUDITPACK_REDIS_URL'];
  // Workers block on Redis: ioredis must retry commands forever rather than fail them (BullMQ's requirement).
  const common = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times: number): number => Math.min(200 * 2 ** Math.min(times, 6), 5000),
  };
  if (url) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw bad('AUDITPACK_REDIS_URL', 'not a URL such as redis://127.0.0.1:6379/0');
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
      throw bad('AUDITPACK_REDIS_URL', 'must start with redis:// or rediss://');
    const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
    if (!Number.isInteger(db) || db < 0) throw bad('AUDITPACK_REDIS_URL', 'the path must be a database number');
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port ? Number(u.port) : 6379;
    return {
      options: {
        ...common,
        host,
        port,
        db,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      },
      description: `${u.protocol}//${host}:${port}/${db}`,
    };
  }
  const r = settings.redis;
  let password: string | undefined;
  if (r.passwordEnv) {
    password = env[r.passwordEnv];
    if (password === undefined) throw bad('queue.redis.passwordEnv', `names ${r.passwordEnv}, which is not set`);
  }
  return {
    options: {
      ...common,
      host: r.host,
      port: r.port,
      db: r.db,
      ...(r.username ? { username: r.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(r.tls ? { tls: {} } : {}),
    },
    description: `${r.tls ? 'rediss' : 'redis'}://${r.host}:${r.port}/${r.db}`,
  };
}

/**
 * For producers (the CLI, the HTTP API): commands fail at once while Redis is unreachable instead of waiting in
 * ioredis's offline queue, so a request gets a clear error rather than hanging. Workers keep the default.
 */
export function producerTarget(target: RedisTarget): RedisTarget {
  return { ...target, options: { ...target.options, enableOfflineQueue: false } };
}

/** A plain client for our own keys (rate limits, health); closed by the caller. */
export function redisClient(target: RedisTarget, name?: string): Redis {
  return new Redis({ ...target.options, lazyConnect: false, ...(name ? { connectionName: name } : {}) });
}

/** PING with a deadline: true when Redis answered in time. */
export async function pingRedis(client: Redis, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return answer === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
