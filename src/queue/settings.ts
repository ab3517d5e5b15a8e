/**
 * The zod shapes of the `queue:` and `schedules:` sections of auditpack.yaml. This file imports nothing but zod, so
 * the main config schema can include these sections without an import cycle.
 */
import { z } from 'zod';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const idName = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/, 'letters, digits, . _ - (at most 64), no "__"')
  .refine((s) => !s.includes('__'), 'no "__"');

/** `15m`, `1h`, `6h`, `1d`, `30s` or milliseconds. */
export const Duration = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 15m, 1h or 1d')
    .transform((s) => parseDuration(s)),
]);

export function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s);
  if (!m) throw new Error(`"${s}" is not a duration such as 30s, 15m, 1h or 1d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
const TimeZone = z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Berlin');
/** Five or six cron fields (seconds optional), as BullMQ's job schedulers take them. */
const CronPattern = z.string().regex(/^\S+(\s+\S+){4,5}$/, 'a cron pattern with 5 or 6 fields, such as "0 3 1 * *"');

export const Bucket = z.strictObject({
  /** Collection units that may start at once for one account and service. */
  burst: z.number().int().min(1).max(1000),
  /** Sustained units per minute for one account and service. */
  perMinute: z.number().positive().max(60_000),
});
export type Bucket = z.infer<typeof Bucket>;

export const QueueSection = z.strictObject({
  redis: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(1).max(65535).default(6379),
      db: z.number().int().min(0).max(255).default(0),
      username: z.string().optional(),
      /** The environment variable holding the password (never the password itself). */
      passwordEnv: envName.optional(),
      tls: z.boolean().default(false),
    })
    .default({ host: '127.0.0.1', port: 6379, db: 0, tls: false }),
  /** Redis key prefix: one per deployment (tests use one per test). */
  prefix: idName.default('auditpack'),
  concurrency: z
    .strictObject({
      collect: z.number().int().min(1).max(64).default(4),
      pack: z.number().int().min(1).max(16).default(1),
      deliver: z.number().int().min(1).max(16).default(2),
    })
    .default({ collect: 4, pack: 1, deliver: 2 }),
  /** Attempts per job; transient failures are retried with exponential backoff starting at backoffMs. */
  attempts: z.number().int().min(1).max(25).default(5),
  backoffMs: z.number().int().min(10).max(3_600_000).default(5000),
  /** A worker holds a job's lock this long between renewals; a dead worker's jobs come back after it expires. */
  lockDurationMs: z.number().int().min(1000).max(3_600_000).default(60_000),
  stalledIntervalMs: z.number().int().min(500).max(3_600_000).default(30_000),
  /** Times a job may be recovered from a dead worker before it fails. */
  maxStalledCount: z.number().int().min(0).max(100).default(3),
  /** On SIGTERM, wait this long for running jobs, then stop them (another worker takes them over). */
  shutdownGraceMs: z.number().int().min(0).max(3_600_000).default(60_000),
  /** How long finished jobs (and so pack status) stay in Redis. */
  keepDays: z.number().int().min(1).max(400).default(30),
  /** Token buckets per account and service, shared by every worker through Redis. */
  rateLimits: z
    .strictObject({
      default: Bucket.default({ burst: 4, perMinute: 30 }),
      services: z.record(z.string(), Bucket).default({}),
    })
    .default({ default: { burst: 4, perMinute: 30 }, services: {} }),
  health: z
    .strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })
    .default({ host: '127.0.0.1', port: 9464 }),
  /** Delivery targets served by the built-in handler: name → directory (relative to this file). */
  directoryTargets: z.record(idName, z.string().min(1)).default({}),
  /**
   * Directories (relative to this file) that job payloads may name as export directories, output directories and
   * bundle paths; a job naming anything else fails at once. Absent: any absolute path the worker can reach.
   */
  allowedPaths: z.array(z.string().min(1)).optional(),
});
export type QueueSettings = z.infer<typeof QueueSection>;

export const CollectSchedule = z
  .strictObject({
    id: idName,
    /** A live collector id: collected in every account and region of the scope. */
    collector: z.string().optional(),
    /** An export directory (relative to this file), read again on each run. */
    source: z.string().optional(),
    every: Duration.optional(),
    pattern: CronPattern.optional(),
    tz: TimeZone.optional(),
    /** How far back each run looks; default twice `every`, else one day. Runs overlap; the store is idempotent. */
    lookback: Duration.optional(),
  })
  .refine((s) => (s.collector === undefined) !== (s.source === undefined), {
    message: 'give exactly one of collector and source',
  })
  .refine((s) => (s.every === undefined) !== (s.pattern === undefined), {
    message: 'give exactly one of every and pattern',
  });
export type CollectSchedule = z.infer<typeof CollectSchedule>;

export const PackSchedule = z.strictObject({
  id: idName,
  frameworks: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).min(1),
  /** Default: 03:00 on the first day of each month; the pack covers the previous month. */
  pattern: CronPattern.default('0 3 1 * *'),
  tz: TimeZone.optional(),
  /** Export directories collected as part of the pack (relative to this file). */
  sources: z.array(z.string()).default([]),
  /** Also collect live (every live collector × scope account × region) as part of the pack. */
  live: z.boolean().default(false),
  /** Delivery target names. */
  deliver: z.array(idName).default([]),
  bundle: z.boolean().default(true),
});
export type PackSchedule = z.infer<typeof PackSchedule>;

export const SchedulesSection = z.strictObject({
  tz: TimeZone.default('UTC'),
  collect: z.array(CollectSchedule).default([]),
  packs: z.array(PackSchedule).default([]),
});
export type SchedulesSettings = z.infer<typeof SchedulesSection>;
