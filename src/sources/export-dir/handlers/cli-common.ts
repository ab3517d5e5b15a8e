import type { EvidenceKind } from '../../../evidence/kinds.js';
import type { NormalizeMeta } from '../../../normalizers/types.js';
import { errorObservation, type Emit } from '../emit.js';
import { decodeUtf8, parseJson, type FileInput, type ReadLimits } from '../read.js';

/** The files of one `cli/<acct>/<region>/<service>/` directory, keyed by `<operation>` or `<operation>.<qualifier>`. */
export interface CliDir {
  readonly account: string;
  readonly region: string;
  readonly files: ReadonlyMap<string, FileInput>;
}

export interface CliContext {
  readonly dir: CliDir;
  readonly limits: ReadLimits;
  readonly emit: Emit;
}

/** Parses a CLI JSON output; on failure emits an error item of `kind` for it and returns undefined. */
export async function readCliJson(ctx: CliContext, file: FileInput, kind: EvidenceKind, collector: string): Promise<unknown> {
  try {
    return parseJson(decodeUtf8(file.bytes, file.rel), file.rel, ctx.limits);
  } catch (err) {
    await ctx.emit(
      errorObservation(kind, collector, { account: ctx.dir.account, region: ctx.dir.region, observedAt: { type: 'instant', at: file.mtime } }, file, err),
    );
    return undefined;
  }
}

/** Runs a normalizer; a NormalizeError (or any error) becomes an error item for the file instead of aborting the run. */
export async function normalizeOrReport(ctx: CliContext, file: FileInput, kind: EvidenceKind, collector: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    await ctx.emit(
      errorObservation(kind, collector, { account: ctx.dir.account, region: ctx.dir.region, observedAt: { type: 'instant', at: file.mtime } }, file, err),
    );
  }
}

export function cliMeta(ctx: CliContext, primary: FileInput, extra: readonly FileInput[] = []): NormalizeMeta {
  return {
    account: ctx.dir.account,
    region: ctx.dir.region,
    observedAt: primary.mtime,
    sources: [primary, ...extra].map((f) => ({ type: 'file' as const, path: f.rel, sha256: f.sha256 })),
    raw: { bytes: primary.bytes, mediaType: 'application/json', sensitive: false },
  };
}

/** Files named `<operation>.<qualifier>.json`, as [qualifier, file] pairs sorted by qualifier. */
export function qualified(dir: CliDir, operation: string): [string, FileInput][] {
  const out: [string, FileInput][] = [];
  for (const [key, file] of dir.files) {
    if (key.startsWith(`${operation}.`) && file.rel.endsWith('.json')) out.push([key.slice(operation.length + 1), file]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
