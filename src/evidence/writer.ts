import { canonicalJson } from '../util/canonical-json.js';
import { CONTENT_SCHEMAS } from './content.js';
import { evidenceId } from './identity.js';
import { SCHEMA_VERSION, type CallerIdentity, type EvidenceItem } from './model.js';
import type { AnyObservation } from './observation.js';
import type { EvidenceStore } from './store.js';

export interface WriteContext {
  readonly store: EvidenceStore;
  /** The clock is injected so tests and replays give stable collectedAt values. */
  readonly now: () => Date;
  readonly collectorVersion: string;
  readonly callerIdentity: CallerIdentity | null;
}

export interface WriteOutcome {
  readonly item: EvidenceItem;
  readonly stored: boolean;
}

export class InvalidContentError extends Error {
  constructor(
    readonly kind: string,
    readonly detail: string,
  ) {
    super(`normalized ${kind} content does not match its schema: ${detail}`);
    this.name = 'InvalidContentError';
  }
}

/** Turns an observation into a stored evidence item: validate, store blobs, compute the id, store the record. */
export async function writeObservation(ctx: WriteContext, obs: AnyObservation): Promise<WriteOutcome> {
  let contentRef = null;
  if (obs.content !== null) {
    const parsed = CONTENT_SCHEMAS[obs.kind].safeParse(obs.content);
    if (!parsed.success) {
      throw new InvalidContentError(obs.kind, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    contentRef = await ctx.store.putBlob(Buffer.from(canonicalJson(obs.content)), 'application/json');
  }
  let rawRef = null;
  if (obs.raw) {
    const ref = await ctx.store.putBlob(obs.raw.bytes, obs.raw.mediaType, obs.raw.gzip ? { gzip: obs.raw.gzip } : undefined);
    rawRef = { ...ref, sensitive: obs.raw.sensitive };
  }
  const id = evidenceId({
    collector: obs.collector,
    kind: obs.kind,
    account: obs.account,
    region: obs.region,
    resource: obs.resource,
    observedAt: obs.observedAt,
    status: obs.status,
    contentSha256: contentRef?.sha256 ?? null,
  });
  const item: EvidenceItem = {
    schemaVersion: SCHEMA_VERSION,
    id,
    collector: obs.collector,
    kind: obs.kind,
    account: obs.account,
    region: obs.region,
    resource: obs.resource,
    observedAt: obs.observedAt,
    collectedAt: ctx.now().toISOString(),
    provenance: { sources: [...obs.sources], collectorVersion: ctx.collectorVersion, callerIdentity: ctx.callerIdentity },
    status: obs.status,
    content: contentRef,
    raw: rawRef,
  };
  return ctx.store.putItem(item);
}

/** Reads and parses an item's normalized content. */
export async function readContent(store: EvidenceStore, item: EvidenceItem): Promise<unknown> {
  if (!item.content) return null;
  return JSON.parse((await store.getBlob(item.content.sha256)).toString('utf8')) as unknown;
}
