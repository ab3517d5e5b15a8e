/**
 * Job payloads are read back from Redis, where anyone with access to the deployment's Redis can write a job. A
 * worker therefore checks every payload before it touches the store or the filesystem: the shape (a bad one fails
 * the job with an UnrecoverableError naming the field), the paths (absolute, normalised, no `..`, no NUL; the
 * bundle inside the run's output directory) and, when the worker's config lists `queue.allowedPaths`, that every
 * directory it reads or writes lies under one of them (symbolic links resolved).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { LIVE_COLLECTORS } from '../collectors/live/registry.js';
import { MAX_PREFIXES_PER_JOB, MAX_PREFIX_LENGTH } from './split.js';
import type { CollectJobData, DeliverJobData, PackQueueData } from './types.js';

/** Delivery targets per run: a trigger with more is refused when planned, a job with more when it is run. */
export const MAX_DELIVERY_TARGETS = 20;

const ID = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const runId = z
  .string()
  .regex(ID, 'a run id (letters, digits, . _ -)')
  .refine((s) => !s.includes('__'), 'a run id (no "__")');
const name = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/, 'a name (letters, digits, . _ -, at most 64)')
  .refine((s) => !s.includes('__'), 'a name (no "__")');
const instant = z.iso.datetime({ offset: true });
/** An absolute, normalised path without `..` segments or NUL bytes (no other check here: see `allowedPaths`). */
const absPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\0'), 'a path without NUL bytes')
  .refine((s) => path.isAbsolute(s), 'an absolute path')
  .refine((s) => !s.split(/[\\/]/).includes('..'), 'a path without ".." segments')
  .refine((s) => path.normalize(s) === s || path.normalize(s) === s.replace(/\/+$/, ''), 'a normalised path');
const collectorId = z
  .string()
  .refine(
    (s) => LIVE_COLLECTORS.some((c) => c.id === s),
    `a live collector (${LIVE_COLLECTORS.map((c) => c.id).join(', ')})`,
  );

/**
 * A path relative to an export directory, as the planner writes part prefixes: `/`-separated segments (a trailing
 * `/` for a directory), none empty, `.` or `..`, no backslash, no NUL, not absolute.
 */
const relPrefix = z
  .string()
  .min(1)
  .max(MAX_PREFIX_LENGTH)
  .refine((s) => !s.includes('\0'), 'a path without NUL bytes')
  .refine((s) => !s.includes('\\'), 'a path with / separators only')
  .refine((s) => !s.startsWith('/') && !path.isAbsolute(s), 'a relative path')
  .refine(
    (s) =>
      s
        .replace(/\/$/, '')
        .split('/')
        .every((seg) => seg !== '' && seg !== '.' && seg !== '..'),
    'a normalised path without "." or ".." segments',
  );
const ExportDirData = z
  .object({
    kind: z.literal('export-dir'),
    runId,
    source: absPath,
    part: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/, 'a part name (letters, digits, . _ -)')
      .refine((s) => !s.includes('__'), 'a part name (no "__")')
      .optional(),
    prefixes: z.array(relPrefix).min(1).max(MAX_PREFIXES_PER_JOB).optional(),
  })
  .refine((d) => (d.part === undefined) === (d.prefixes === undefined), {
    message: 'part and prefixes go together',
    path: ['prefixes'],
  });
const LiveData = z
  .object({
    kind: z.literal('live'),
    runId,
    collector: collectorId,
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    region: z.string().regex(/^(global|[a-z]{2}(-[a-z]+)+-\d{1,2})$/, 'an AWS region code or global'),
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/, 'an IAM role ARN')
      .optional(),
    window: z.object({ start: instant, end: instant }),
  })
  .refine((d) => Date.parse(d.window.start) <= Date.parse(d.window.end), {
    message: 'start after end',
    path: ['window'],
  });
const ScheduledCollect = z
  .object({
    kind: z.literal('schedule'),
    schedule: name,
    collector: collectorId.optional(),
    source: absPath.optional(),
    lookbackMs: z
      .number()
      .int()
      .positive()
      .max(366 * 86_400_000),
  })
  .refine((d) => (d.collector === undefined) !== (d.source === undefined), {
    message: 'exactly one of collector and source',
    path: ['collector'],
  });
const CollectData = z.discriminatedUnion('kind', [ExportDirData, LiveData, ScheduledCollect]);

const PackData = z
  .looseObject({
    kind: z.literal('pack'),
    runId,
    triggerId: z.string().max(64),
    trigger: z.looseObject({ by: z.enum(['cli', 'api', 'schedule']), name: z.string().max(128).optional() }),
    pinned: z.boolean(),
    assess: z.looseObject({
      runId,
      organisation: z.string().max(512),
      frameworks: z
        .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a framework id'))
        .min(1)
        .max(50),
      period: z.string().max(32),
      assessedAt: instant,
      freshnessDays: z.number().int().positive(),
    }),
    render: z.looseObject({ outDir: absPath, accountNames: z.record(z.string(), z.string().max(256)) }),
    bundle: z.object({ path: absPath }).nullable(),
    collect: z.object({ children: z.number().int().min(0).max(100_000) }),
    deliver: z.array(name).max(MAX_DELIVERY_TARGETS),
  })
  .refine((d) => d.assess.runId === d.runId, { message: 'not the run id of the job', path: ['assess', 'runId'] })
  .refine((d) => !d.bundle || d.bundle.path === path.join(d.render.outDir, `auditpack-${d.runId}.zip`), {
    message: "not auditpack-<runId>.zip in the run's output directory",
    path: ['bundle', 'path'],
  });
const ScheduledPack = z.object({
  kind: z.literal('schedule'),
  schedule: name,
  frameworks: z
    .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a framework id'))
    .min(1)
    .max(50),
  tz: z.string().max(64),
  sources: z.array(absPath).max(50),
  live: z.boolean(),
  deliver: z.array(name).max(MAX_DELIVERY_TARGETS),
  bundle: z.boolean(),
});
const PackQueue = z.union([PackData, ScheduledPack]);
const DeliverData = z.object({ kind: z.literal('deliver'), runId, targets: z.array(name).max(MAX_DELIVERY_TARGETS) });

function refuse(queue: string, issues: readonly z.core.$ZodIssue[]): never {
  const list = issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(payload)'}: ${i.message}`);
  throw new UnrecoverableError(`invalid ${queue} job payload: ${list.join('; ')}`);
}

function realish(p: string): string {
  // The nearest existing ancestor, with its links resolved: a missing output directory is created under it.
  let dir = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return p;
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

/** Whether `p` lies under one of `roots` (both with symbolic links resolved). */
export function withinRoots(p: string, roots: readonly string[]): boolean {
  const real = realish(p);
  return roots.some((r) => {
    const root = realish(r);
    const rel = path.relative(root, real);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

function confine(queue: string, field: string, p: string, roots: readonly string[] | null | undefined): void {
  if (!roots || roots.length === 0) return;
  if (!withinRoots(p, roots))
    throw new UnrecoverableError(`invalid ${queue} job payload: ${field}: ${p} is outside queue.allowedPaths`);
}

export function checkCollectData(data: unknown, roots?: readonly string[] | null): CollectJobData {
  const r = CollectData.safeParse(data);
  if (!r.success) refuse('collect', r.error.issues);
  const d = r.data as CollectJobData;
  if (d.kind === 'export-dir') confine('collect', 'source', d.source, roots);
  if (d.kind === 'schedule' && d.source) confine('collect', 'source', d.source, roots);
  return d;
}

export function checkPackData(data: unknown, roots?: readonly string[] | null): PackQueueData {
  const r = PackQueue.safeParse(data);
  if (!r.success) {
    // Report the issues of the variant the payload claims to be.
    const kind = (data as { kind?: unknown } | null)?.kind;
    const one = (kind === 'schedule' ? ScheduledPack : PackData).safeParse(data);
    refuse('pack', one.success ? r.error.issues : one.error.issues);
  }
  const d = r.data as PackQueueData;
  if (d.kind === 'pack') {
    confine('pack', 'render.outDir', d.render.outDir, roots);
    if (d.bundle) confine('pack', 'bundle.path', d.bundle.path, roots);
  } else d.sources.forEach((s, i) => confine('pack', `sources.${i}`, s, roots));
  return d;
}

export function checkDeliverData(data: unknown): DeliverJobData {
  const r = DeliverData.safeParse(data);
  if (!r.success) refuse('deliver', r.error.issues);
  return r.data;
}
