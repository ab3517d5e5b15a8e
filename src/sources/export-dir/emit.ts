import type { EvidenceKind } from '../../evidence/kinds.js';
import type { ObservedAt } from '../../evidence/model.js';
import { failed, type AnyObservation } from '../../evidence/observation.js';
import { NormalizeError, type NormalizeMeta } from '../../normalizers/types.js';
import type { FileInput } from './read.js';

/** Receives observations as handlers produce them, so a handler never holds a whole directory's items. */
export type Emit = (obs: AnyObservation) => Promise<void>;

export function fileMeta(file: FileInput, account: string, region: string, raw: NormalizeMeta['raw'] = null): NormalizeMeta {
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
  return err instanceof NormalizeError || (typeof (err as NodeJS.ErrnoException).code === 'string' && err instanceof Error);
}
