import type { AwsClientFactory } from '../../aws/clients.js';
import type { ClassifiedError } from '../../aws/errors.js';
import { withRetry, type RetryPolicy } from '../../aws/retry.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import type { CallerIdentity } from '../../evidence/model.js';
import { failed, notApplicable, type AnyObservation } from '../../evidence/observation.js';
import type { EvidenceStore } from '../../evidence/store.js';
import type { Emit } from '../../sources/export-dir/emit.js';
import type { Checkpoints, LiveContext } from './types.js';

export interface ContextParams {
  readonly collector: string;
  readonly account: string;
  readonly region: string;
  readonly apiRegion: string;
  readonly clients: AwsClientFactory;
  readonly callerIdentity: CallerIdentity | null;
  readonly window: { readonly start: Date; readonly end: Date };
  readonly now: () => Date;
  readonly signal: AbortSignal;
  readonly store: EvidenceStore;
  readonly fetch: typeof fetch;
  readonly retry?: RetryPolicy;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** With `many` where the caller can store a group at once (see `Emit`). */
  readonly emit: Emit;
}

export function makeLiveContext(p: ContextParams): LiveContext {
  const checkpoints: Checkpoints = {
    get: (name) => p.store.getState(`checkpoints/${p.collector}/${p.account}/${p.region}/${name}`),
    set: (name, value) => p.store.putState(`checkpoints/${p.collector}/${p.account}/${p.region}/${name}`, value),
  };
  return {
    account: p.account,
    region: p.region,
    apiRegion: p.apiRegion,
    clients: p.clients,
    callerIdentity: p.callerIdentity,
    window: p.window,
    now: p.now,
    signal: p.signal,
    checkpoints,
    fetch: p.fetch,
    emit: p.emit,
    async call(operation, fn) {
      const output = await withRetry(operation, () => fn(p.signal), { policy: p.retry, signal: p.signal, sleep: p.sleep });
      const md = (output as { $metadata?: { requestId?: string } } | null)?.$metadata;
      return { output, requestId: md?.requestId ?? null };
    },
    meta(calls, raw, observedAt) {
      return {
        account: p.account,
        region: p.region,
        observedAt: observedAt ?? p.now().toISOString(),
        sources: calls.map((c) => ({ type: 'api' as const, operation: c.operation, requestId: c.requestId })),
        raw,
      };
    },
    async fail(kinds: readonly EvidenceKind[], operation: string, error: ClassifiedError, resource?: string) {
      const at = p.now().toISOString();
      for (const kind of kinds) {
        const base = {
          collector: p.collector,
          kind,
          account: p.account,
          region: p.region,
          resource: resource ?? operation,
          // A day-resolution time keeps a re-run on the same day idempotent for the same failure.
          observedAt: { type: 'instant' as const, at: `${at.slice(0, 10)}T00:00:00.000Z` },
          raw: null,
          sources: [{ type: 'api' as const, operation, requestId: error.requestId }],
        };
        const obs =
          error.category === 'unavailable_in_region' || error.category === 'not_subscribed'
            ? notApplicable(base, `${operation}: ${error.code}: ${error.message}`)
            : failed(base, error.code, `${operation}: ${error.message}`);
        await p.emit(obs as AnyObservation);
      }
    },
  };
}
