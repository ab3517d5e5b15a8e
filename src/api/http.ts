/** The HTTP API's request and response shapes: trigger bodies, errors, and what a pack's status shows. */
import path from 'node:path';
import { z } from 'zod';
import type { PackStatus } from '../queue/status.js';

export const RUN_ID = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const TARGET = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/, 'a delivery target name');

export const TriggerBody = z.strictObject({
  frameworks: z
    .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a framework id such as soc2'))
    .min(1)
    .max(20)
    .optional(),
  period: z.string().max(32).optional(),
  asOf: z.iso.datetime().optional(),
  /** Names of export directories configured under api.sources (never paths). */
  sources: z.array(z.string().max(64)).max(20).default([]),
  live: z.boolean().default(false),
  deliver: z.array(TARGET).max(10).default([]),
  bundle: z.boolean().optional(),
});

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function invalid(issues: readonly { path: readonly PropertyKey[]; message: string }[]): HttpError {
  const list = issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
  return new HttpError(400, `invalid request: ${list.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
    issues: list,
  });
}

/** What the API shows of a run: no server paths. */
export function publicStatus(s: PackStatus): Record<string, unknown> {
  const r = s.result;
  return {
    id: s.id,
    state: s.state,
    period: s.period,
    frameworks: s.frameworks,
    assessedAt: s.assessedAt,
    trigger: s.trigger,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    stages: s.stages,
    current: s.current,
    attempts: s.attempts,
    error: s.error,
    result: r
      ? {
          packId: r.packId,
          frameworks: r.frameworks,
          evidenceItems: r.evidenceItems,
          collect: r.collect,
          files: (r.files ?? []).map((f) => path.basename(f)),
          bundle: r.bundle ? { sha256: r.bundle.sha256, size: r.bundle.size, url: `/packs/${s.id}/bundle` } : null,
        }
      : null,
    delivery: s.delivery
      ? {
          state: s.delivery.state,
          error: s.delivery.error,
          receipts: (s.delivery.result?.receipts ?? []).map((x) => ({
            target: x.target,
            sha256: x.sha256,
            bytes: x.bytes,
          })),
        }
      : null,
  };
}

export function isRedisDown(err: unknown): boolean {
  const m = (err as Error | null)?.message ?? '';
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED|Stream isn't writeable|MaxRetriesPerRequest/.test(m);
}
