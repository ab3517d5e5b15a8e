import { UnrecoverableError } from 'bullmq';
import { CollectionFailure } from '../aws/errors.js';
import { ZodError } from 'zod';

/** Errors that no retry can fix: bad input, configuration, a missing run, a refused signature. */
const PERMANENT_NAMES = new Set([
  'UsageError',
  'ConfigError',
  'FrameworkError',
  'AcceptedRisksError',
  'SigningError',
  'PlanError',
  'JobIdError',
  'NormalizeError',
  'UnrecoverableError',
]);
const PERMANENT_FS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ELOOP', 'ENAMETOOLONG']);

/** Whether a failure is worth retrying with backoff; false for AccessDenied, validation and bad input. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof UnrecoverableError) return false;
  if (err instanceof CollectionFailure) return err.retryable;
  if (err instanceof ZodError) return false;
  const e = err as { name?: unknown; retryable?: unknown; code?: unknown; message?: unknown } | null;
  if (e && typeof e.retryable === 'boolean') return e.retryable;
  if (e && typeof e.name === 'string' && PERMANENT_NAMES.has(e.name)) return false;
  if (e && typeof e.code === 'string' && PERMANENT_FS.has(e.code)) return false;
  // The export-directory source says "export directory X: does not exist / is not a directory".
  if (e && typeof e.message === 'string' && /^export directory .*: (does not exist|is not a directory)/.test(e.message))
    return false;
  if (e && typeof e.message === 'string' && / has no assessment to (render|bundle)$/.test(e.message)) return false;
  return true;
}

/**
 * What a processor throws: the error itself for a transient failure (BullMQ retries it with exponential backoff),
 * an UnrecoverableError with the same message for a permanent one (the job fails at once, no retries).
 */
export function toJobError(err: unknown): Error {
  if (err instanceof UnrecoverableError) return err;
  const error = err instanceof Error ? err : new Error(String(err));
  if (isRetryable(err)) return error;
  const permanent = new UnrecoverableError(`${error.name}: ${error.message}`);
  (permanent as Error & { cause?: unknown }).cause = error;
  return permanent;
}
