import { ListRegionsCommand } from '@aws-sdk/client-account';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { AwsClientFactory } from '../../aws/clients.js';
import { classifyAwsError, CollectionFailure } from '../../aws/errors.js';
import { withRetry, type RetryPolicy } from '../../aws/retry.js';
import type { CallerIdentity } from '../../evidence/model.js';
import type { AnyObservation } from '../../evidence/observation.js';
import type { EvidenceStore } from '../../evidence/store.js';
import { writeObservation, writeObservations } from '../../evidence/writer.js';
import type { Emit } from '../../sources/export-dir/emit.js';
import { makeLiveContext } from './context.js';
import type { LiveCollector } from './types.js';

export interface AccountTarget {
  readonly id: string;
  /** Role to assume in the account; omitted = use the caller's own credentials (must be that account). */
  readonly roleArn?: string;
}

export interface LiveRunOptions {
  readonly collectors: readonly LiveCollector[];
  /** Empty: the caller's own account only. */
  readonly accounts: readonly AccountTarget[];
  readonly externalId?: string;
  /** Empty: every region enabled in each account (account:ListRegions). */
  readonly regions: readonly string[];
  readonly window: { readonly start: Date; readonly end: Date };
  readonly store: EvidenceStore;
  readonly now: () => Date;
  readonly generator: { readonly name: string; readonly version: string };
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  readonly sdkMaxAttempts?: number;
  readonly retry?: RetryPolicy;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onProgress?: (p: { done: number; total: number; detail: string }) => void;
  /** Base credentials (tests); default: the standard AWS credential chain. */
  readonly credentials?: ConstructorParameters<typeof AwsClientFactory>[0]['credentials'];
}

export interface LiveTally {
  collected: number;
  notApplicable: number;
  errors: number;
  newItems: number;
}

export interface LiveSummary {
  readonly callerIdentity: CallerIdentity | null;
  readonly accounts: readonly string[];
  readonly byCollector: Record<string, LiveTally>;
  readonly errors: string[];
  readonly failed: boolean;
}

const HOME_REGION = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';

/** Collects every collector × account × region; a failure is recorded as evidence and the run goes on. */
export async function runLiveCollection(opts: LiveRunOptions): Promise<LiveSummary> {
  const signal = opts.signal ?? new AbortController().signal;
  const summary = { callerIdentity: null as CallerIdentity | null, accounts: [] as string[], byCollector: {} as Record<string, LiveTally>, errors: [] as string[], failed: false };
  const base = new AwsClientFactory({ sdkMaxAttempts: opts.sdkMaxAttempts ?? 3, credentials: opts.credentials });
  const identityOf = async (clients: AwsClientFactory): Promise<CallerIdentity> => {
    const out = await withRetry('sts:GetCallerIdentity', () => clients.sts(HOME_REGION).send(new GetCallerIdentityCommand({}), { abortSignal: signal }), { signal, sleep: opts.sleep, policy: opts.retry });
    return { arn: out.Arn ?? 'unknown', account: out.Account ?? 'unknown', userId: out.UserId };
  };
  const caller = await identityOf(base);
  summary.callerIdentity = caller;
  const targets = opts.accounts.length > 0 ? opts.accounts : [{ id: caller.account }];

  const plan: { account: string; clients: AwsClientFactory; identity: CallerIdentity; regions: string[] }[] = [];
  for (const t of targets) {
    let clients = base;
    if (t.roleArn) {
      clients = new AwsClientFactory({
        sdkMaxAttempts: opts.sdkMaxAttempts ?? 3,
        credentials: fromTemporaryCredentials({
          params: { RoleArn: t.roleArn, RoleSessionName: `auditpack-${t.id}`, ExternalId: opts.externalId, DurationSeconds: 3600 },
          masterCredentials: opts.credentials,
          clientConfig: { region: HOME_REGION },
        }),
      });
    }
    let identity: CallerIdentity;
    let regions: string[];
    try {
      identity = t.roleArn ? await identityOf(clients) : caller;
      regions = opts.regions.length > 0 ? [...opts.regions] : await enabledRegions(clients, signal, opts);
    } catch (err) {
      const c = err instanceof CollectionFailure ? err.classified : classifyAwsError(err);
      summary.errors.push(`account ${t.id}: ${c.code}: ${c.message}`);
      summary.failed = true;
      continue;
    }
    plan.push({ account: t.id, clients, identity, regions });
  }
  summary.accounts = plan.map((p) => p.account);

  const total = plan.reduce((n, p) => n + opts.collectors.reduce((m, c) => m + (c.regional ? p.regions.length : 1), 0), 0);
  let done = 0;
  for (const p of plan) {
    for (const collector of opts.collectors) {
      const regions = collector.regional ? p.regions : ['global'];
      for (const region of regions) {
        signal.throwIfAborted();
        opts.onProgress?.({ done, total, detail: `${collector.id} ${p.account}/${region}` });
        const tally = (summary.byCollector[collector.id] ??= { collected: 0, notApplicable: 0, errors: 0, newItems: 0 });
        const count = (obs: AnyObservation): void => {
          if (obs.status.state === 'collected') tally.collected += 1;
          else if (obs.status.state === 'not_applicable') tally.notApplicable += 1;
          else {
            tally.errors += 1;
            summary.errors.push(`${collector.id} ${p.account}/${region}: ${obs.status.message}`);
          }
        };
        const writeCtx = { store: opts.store, now: opts.now, collectorVersion: `${opts.generator.name}/${opts.generator.version} live`, callerIdentity: p.identity };
        const emit: Emit = async (obs) => {
          count(obs);
          const { stored } = await writeObservation(writeCtx, obs);
          if (stored) tally.newItems += 1;
        };
        // A group (a log file's kept events) in one store write: the local store makes it one segment.
        emit.many = async (list) => {
          list.forEach(count);
          for (const o of await writeObservations(writeCtx, list)) if (o.stored) tally.newItems += 1;
        };
        const ctx = makeLiveContext({
          collector: collector.id,
          account: p.account,
          region,
          apiRegion: region === 'global' ? HOME_REGION : region,
          clients: p.clients,
          callerIdentity: p.identity,
          window: opts.window,
          now: opts.now,
          signal,
          store: opts.store,
          fetch: opts.fetch ?? fetch,
          retry: opts.retry,
          sleep: opts.sleep,
          emit,
        });
        try {
          await collector.collect(ctx);
        } catch (err) {
          if (signal.aborted) throw err;
          // A collector that could not finish leaves a gap for every kind it yields, never a silent pass.
          const c = err instanceof CollectionFailure ? err.classified : classifyAwsError(err);
          const op = err instanceof CollectionFailure ? err.operation : `${collector.service}:collect`;
          await ctx.fail(collector.kinds, op, c);
        }
        done += 1;
      }
    }
  }
  opts.onProgress?.({ done, total, detail: 'done' });
  for (const c of [base, ...new Set(plan.map((p) => p.clients))]) c.destroy();
  summary.failed = summary.failed || Object.values(summary.byCollector).some((t) => t.errors > 0);
  return summary;
}

async function enabledRegions(clients: AwsClientFactory, signal: AbortSignal, opts: LiveRunOptions): Promise<string[]> {
  const regions: string[] = [];
  let token: string | undefined;
  do {
    const out = await withRetry(
      'account:ListRegions',
      () => clients.account(HOME_REGION).send(new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], NextToken: token }), { abortSignal: signal }),
      { signal, sleep: opts.sleep, policy: opts.retry },
    );
    for (const r of out.Regions ?? []) if (r.RegionName) regions.push(r.RegionName);
    token = out.NextToken;
  } while (token);
  return regions.sort();
}
