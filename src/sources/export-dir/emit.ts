import type { EvidenceKind } from '../../evidence/kinds.js';
import type { ObservedAt } from '../../evidence/model.js';
import { failed, type AnyObservation } from '../../evidence/observation.js';
import { NormalizeError, type NormalizeMeta } from '../../normalizers/types.js';
import type { FileInput } from './read.js';

/**
 * Receives observations as handlers produce them, so a handler never holds a whole directory's items. `many`, where
 * the receiver has it, takes a group at once (a CloudTrail log file's kept events: one store write for all).
 */
export interface Emit {
  (obs: AnyObservation): Promise<void>;
  many?: (list: readonly AnyObservation[]) => Promise<void>;
}

/**
 * Kept observations handed over without `many`: at most this many writes at a time. Storing an item one by one is a
 * dozen file-system or network round trips; one at a time, an ingest spent most of its time waiting for them.
 */
const WRITE_CONCURRENCY = 16;

/** Emits a group: through `emit.many` when there is one, else each observation, a bounded number at once. */
export async function emitAll(emit: Emit, list: readonly AnyObservation[]): Promise<void> {
  if (list.length === 0) return;
  if (emit.many) return emit.many(list);
  const pending = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  for (const obs of list) {
    const p: Promise<void> = emit(obs).then(
      () => void pending.delete(p),
      (error: unknown) => {
        failure ??= { error };
        pending.delete(p);
      },
    );
    pending.add(p);
    if (pending.size >= WRITE_CONCURRENCY) await Promise.race(pending);
    if (failure) break;
  }
  await Promise.all(pending);
  if (failure) throw (failure as { error: unknown }).error;
}

export function fileMeta(
  file: FileInput,
  account: string,
  region: string,
  raw: NormalizeMeta['raw'] = null,
): NormalizeMeta {
  return {
    account,
    region,
    observedAt: file.mtime,
    sources: [{ type: 'file', path: file.rel, sha256: file.sha256 }],
    raw,
  };
}

/**
 * The error item for an input that could not be read or normalized. It names the file and the problem; the
 * mapper reads it as a gap for every control that needs this kind of evidence in this account and region.
 */
export function errorObservation(
  kind: EvidenceKind,
  collector: string,
  where: { account: string; region: string; observedAt: ObservedAt },
  input: { rel: string; sha256?: string },
  err: unknown,
): AnyObservation {
  const code = err instanceof NormalizeError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'ReadError');
  const problem = err instanceof NormalizeError ? err.problem : err instanceof Error ? err.message : String(err);
  // An error item carries no content, so it is well-formed whatever its kind.
  return failed(
    {
      collector,
      kind,
      account: where.account,
      region: where.region,
      resource: input.rel,
      observedAt: where.observedAt,
      raw: null,
      sources: input.sha256
        ? [{ type: 'file', path: input.rel, sha256: input.sha256 }]
        : [{ type: 'file', path: input.rel, sha256: '0'.repeat(64) }],
    },
    code,
    `${input.rel}: ${problem}`,
  ) as AnyObservation;
}

export function isExpected(err: unknown): boolean {
  return (
    err instanceof NormalizeError || (typeof (err as NodeJS.ErrnoException).code === 'string' && err instanceof Error)
  );
}
