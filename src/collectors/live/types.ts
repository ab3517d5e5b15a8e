import type { AwsClientFactory } from '../../aws/clients.js';
import type { ClassifiedError } from '../../aws/errors.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import type { CallerIdentity } from '../../evidence/model.js';
import type { RawPayload } from '../../evidence/observation.js';
import type { NormalizeMeta } from '../../normalizers/types.js';
import type { Emit } from '../../sources/export-dir/emit.js';
import type { CollectorDeclaration } from '../catalog.js';

/** A call's outcome as provenance: the operation and the request id AWS returned. */
export interface CallRecord<T> {
  readonly output: T;
  readonly requestId: string | null;
}

export interface Checkpoints {
  get(name: string): Promise<unknown>;
  set(name: string, value: unknown): Promise<void>;
}

/**
 * Everything a live collector gets for one account and region. Collectors do no logging and hold no state
 * between runs except through `checkpoints`.
 */
export interface LiveContext {
  readonly account: string;
  /** The region collected; `global` collectors (Artifact) get their API region in `apiRegion`. */
  readonly region: string;
  readonly apiRegion: string;
  readonly clients: AwsClientFactory;
  readonly callerIdentity: CallerIdentity | null;
  /** The window events and logs are collected for. */
  readonly window: { readonly start: Date; readonly end: Date };
  readonly now: () => Date;
  readonly signal: AbortSignal;
  readonly checkpoints: Checkpoints;
  readonly fetch: typeof fetch;
  /** Sends one observation to the store. */
  /** Stores an observation; `emit.many`, where present, stores a group at once (a log file's kept events). */
  readonly emit: Emit;
  /**
   * Calls AWS with retries for throttling/5xx (SDK adaptive retry plus our ceiling). Throws CollectionFailure on
   * a permanent error, which the collector either records with `fail` or lets propagate to the runner.
   */
  call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<CallRecord<T>>;
  /** Normalizer meta for data returned by one or more calls. */
  meta(calls: readonly { operation: string; requestId: string | null }[], raw: RawPayload | null, observedAt?: string): NormalizeMeta;
  /** Records that `kinds` could not be collected here: an error item, or not_applicable when the service is absent. */
  fail(kinds: readonly EvidenceKind[], operation: string, error: ClassifiedError, resource?: string): Promise<void>;
}

export interface LiveCollector extends CollectorDeclaration {
  /** SDK command names (as `service:Operation`) the collector can send: the IAM policy test checks they are covered. */
  readonly operations: readonly string[];
  collect(ctx: LiveContext): Promise<void>;
}

export function jsonRaw(value: unknown): RawPayload {
  return { bytes: Buffer.from(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))), mediaType: 'application/json', sensitive: false };
}
