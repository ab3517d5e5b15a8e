import { CollectionFailure, type ClassifiedError } from '../../aws/errors.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import { NormalizeError } from '../../normalizers/types.js';
import type { LiveContext } from './types.js';

export type Attempt<T> = { ok: true; value: T } | { ok: false; operation: string; error: ClassifiedError };

/**
 * Runs one part of a collection. A permanent AWS failure, or a response the normalizer rejects, is returned as
 * data; anything else (an abort, a bug) is thrown. `fallbackOperation` names the part when the input was a file.
 */
export async function attempt<T>(fn: () => Promise<T>, fallbackOperation: string): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof CollectionFailure) return { ok: false, operation: err.operation, error: err.classified };
    if (err instanceof NormalizeError) {
      const operation = /^[a-z0-9-]+:[A-Za-z0-9]+$/.test(err.input) ? err.input : fallbackOperation;
      return { ok: false, operation, error: { category: 'other', code: err.code, message: err.problem, retryable: false, httpStatus: null, requestId: null } };
    }
    throw err;
  }
}

/** Runs one part; a failure becomes error (or not_applicable) items for `kinds` and the rest of the run goes on. */
export async function step<T>(
  fail: LiveContext['fail'],
  fallbackOperation: string,
  kinds: readonly EvidenceKind[],
  fn: () => Promise<T>,
  resource?: string,
): Promise<T | undefined> {
  const r = await attempt(fn, fallbackOperation);
  if (r.ok) return r.value;
  await fail(kinds, r.operation, r.error, resource);
  return undefined;
}
