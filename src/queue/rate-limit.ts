import type { Redis } from 'ioredis';
import type { Bucket } from './settings.js';

/** Decides whether a collection unit for an account and service may start now. */
export interface RateLimiter {
  /** 0: go (a token was taken); otherwise the milliseconds to wait before asking again. */
  acquire(account: string, service: string): Promise<number>;
}

/**
 * A token bucket per account and service, in Redis, shared by every worker: `burst` units may start at once and
 * `perMinute` more each minute, however many workers there are. Time comes from Redis (TIME), not from the workers'
 * clocks. A unit that gets no token is delayed (not retried: it costs no attempt).
 */
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * perMs)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / perMs)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / perMs) + 60000)
return wait
`;

export class RedisTokenBuckets implements RateLimiter {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly rules: { readonly default: Bucket; readonly services: Readonly<Record<string, Bucket>> },
  ) {}

  /** The Redis key of a bucket (inside the deployment's prefix, beside BullMQ's keys). */
  key(account: string, service: string): string {
    return `${this.prefix}:auditpack:ratelimit:${service}:${account}`;
  }

  async acquire(account: string, service: string): Promise<number> {
    const rule = this.rules.services[service] ?? this.rules.default;
    const wait = await this.client.eval(
      TOKEN_BUCKET,
      1,
      this.key(account, service),
      String(rule.burst),
      String(rule.perMinute / 60_000),
    );
    return typeof wait === 'number' ? wait : Number(wait);
  }
}

/** No limits (in-process runs, tests of other things). */
export const UNLIMITED: RateLimiter = { acquire: () => Promise.resolve(0) };
