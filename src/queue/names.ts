/**
 * Queue names and job ids. Ids are deterministic, so adding the same work twice while it is still known to BullMQ
 * is a no-op; they never contain `:` (BullMQ rejects it: `:` separates key parts) and are never bare integers.
 */

export const QUEUE_NAMES = ['collect', 'pack', 'deliver'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** One part of a job id: letters, digits, `.`, `_`, `-`; no `__` (the separator), 1-128 characters. */
const PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;

export class JobIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobIdError';
  }
}

/** Checks one id part; never rewrites it (two different inputs must never map to the same id). */
export function idPart(value: string, what: string): string {
  if (!PART.test(value) || value.includes('__')) {
    throw new JobIdError(
      `${what} "${value.slice(0, 80)}" cannot be part of a job id (letters, digits, . _ - only; no "__"; at most 128 characters)`,
    );
  }
  return value;
}

export function isQueueName(s: string): s is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(s);
}

export function packJobId(runId: string): string {
  return `pack__${idPart(runId, 'run id')}`;
}

export function deliverJobId(runId: string): string {
  return `deliver__${idPart(runId, 'run id')}`;
}

/** A live collection unit: one collector in one account and region (`global` for account-wide collectors). */
export function collectJobId(runId: string, collector: string, account: string, region: string): string {
  return [
    'collect',
    idPart(runId, 'run id'),
    idPart(collector, 'collector'),
    idPart(account, 'account'),
    idPart(region, 'region'),
  ].join('__');
}

/**
 * A part of an export directory of a run: the directory by its position and a digest of its path (paths
 * themselves may hold anything), the part by its name (`all`: the whole directory; see split.ts).
 */
export function exportCollectJobId(runId: string, index: number, pathDigest: string, part = 'all'): string {
  return [
    'collect',
    idPart(runId, 'run id'),
    'export-dir',
    `${index}-${idPart(pathDigest, 'path digest')}`,
    idPart(part, 'export directory part'),
  ].join('__');
}

/** Parses `pack__<runId>` back to the run id (null for anything else). */
export function runIdOfPackJob(jobId: string | undefined): string | null {
  if (!jobId?.startsWith('pack__')) return null;
  const runId = jobId.slice('pack__'.length);
  return PART.test(runId) ? runId : null;
}
