import { canonicalJson, sha256Hex } from '../util/canonical-json.js';
import { CONTENT_SCHEMAS } from './content.js';
import { evidenceId } from './identity.js';
import { SCHEMA_VERSION, type CallerIdentity, type EvidenceItem } from './model.js';
import type { AnyObservation } from './observation.js';
import type { BatchBlob, EvidenceStore } from './store.js';

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
  const { item, blobs } = prepareObservation(ctx, obs);
  for (const b of blobs) await ctx.store.putBlob(b.data, b.mediaType, b.gzip ? { gzip: b.gzip } : undefined);
  return ctx.store.putItem(item);
}

/**
 * Many observations at once: one `putBatch` where the store has it (the local store writes them as one segment),
 * else one by one. Outcomes in the order of `list`.
 */
export async function writeObservations(ctx: WriteContext, list: readonly AnyObservation[]): Promise<WriteOutcome[]> {
  if (!ctx.store.putBatch) return writeEach(ctx, list);
  const items: EvidenceItem[] = [];
  const blobs = new Map<string, BatchBlob>();
  for (const obs of list) {
    const prepared = prepareObservation(ctx, obs);
    items.push(prepared.item);
    for (const b of prepared.blobs) if (!blobs.has(b.sha256)) blobs.set(b.sha256, b);
  }
  return ctx.store.putBatch({ items, blobs: [...blobs.values()] });
}

/**
 * Without a batch write (the S3 store), at most this many observations are written at a time: each is a few round
 * trips to the store, and one at a time an ingest would mostly wait for them.
 */
const WRITE_CONCURRENCY = 16;

async function writeEach(ctx: WriteContext, list: readonly AnyObservation[]): Promise<WriteOutcome[]> {
  const out: WriteOutcome[] = new Array<WriteOutcome>(list.length);
  let next = 0;
  let stop = false;
  const lane = async (): Promise<void> => {
    try {
      for (let i = next++; i < list.length && !stop; i = next++) out[i] = await writeObservation(ctx, list[i]!);
    } catch (err) {
      stop = true;
      throw err;
    }
  };
  // Every lane finishes (or fails) before this returns: no write is left running behind a failure.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(WRITE_CONCURRENCY, list.length) }, lane));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return out;
}

/** Validates the content, hashes the blobs and builds the item (nothing is stored yet). */
function prepareObservation(ctx: WriteContext, obs: AnyObservation): { item: EvidenceItem; blobs: BatchBlob[] } {
  const blobs: BatchBlob[] = [];
  let contentRef = null;
  if (obs.content !== null) {
    const parsed = CONTENT_SCHEMAS[obs.kind].safeParse(obs.content);
    if (!parsed.success) {
      throw new InvalidContentError(
        obs.kind,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    }
    const data = Buffer.from(canonicalJson(obs.content));
    contentRef = { sha256: sha256Hex(data), size: data.byteLength, mediaType: 'application/json' };
    blobs.push({ ...contentRef, data });
  }
  let rawRef = null;
  if (obs.raw) {
    const ref = { sha256: sha256Hex(obs.raw.bytes), size: obs.raw.bytes.byteLength, mediaType: obs.raw.mediaType };
    blobs.push({ ...ref, data: obs.raw.bytes, ...(obs.raw.gzip ? { gzip: obs.raw.gzip } : {}) });
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
    provenance: {
      sources: [...obs.sources],
      collectorVersion: ctx.collectorVersion,
      callerIdentity: ctx.callerIdentity,
    },
    status: obs.status,
    content: contentRef,
    raw: rawRef,
  };
  return { item, blobs };
}

/** Reads and parses an item's normalized content. */
export async function readContent(store: EvidenceStore, item: EvidenceItem): Promise<unknown> {
  if (!item.content) return null;
  return JSON.parse((await store.getBlob(item.content.sha256)).toString('utf8')) as unknown;
}
