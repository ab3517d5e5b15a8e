import { CollectionFailure } from '../../aws/errors.js';
import { attempt as sharedAttempt, step as sharedStep } from './step.js';
import { GetGuardrailCommand, GetModelInvocationLoggingConfigurationCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';

import type { EvidenceKind } from '../../evidence/kinds.js';
import { collected, failed, type RawPayload } from '../../evidence/observation.js';
import { normalizeGuardrail, normalizeLoggingConfig, type BedrockLoggingConfigContent } from '../../normalizers/bedrock-config.js';
import { InvocationAggregator } from '../../normalizers/bedrock-invocations.js';
import { dayWindow } from '../../normalizers/cloudtrail/activity.js';
import { NormalizeError } from '../../normalizers/types.js';
import { handleBedrockLog } from '../../sources/export-dir/handlers/bedrock-log.js';
import { DEFAULT_LIMITS, parseJson } from '../../sources/export-dir/read.js';
import { routeOf } from '../../sources/export-dir/routes.js';
import { COLLECTORS } from '../catalog.js';
import { allPages, withoutMetadata } from './pages.js';
import { dayPath, joinKey, readLogDay, utcDays, type S3LogReader } from './s3-logs.js';
import { jsonRaw, type LiveCollector, type LiveContext } from './types.js';

const DECLARATION = COLLECTORS.find((c) => c.id === 'bedrock')!;

/** The kinds that say something about Bedrock in a region (all but the inventory). */
const BEDROCK_KINDS = ['bedrock.logging_config', 'bedrock.guardrail', 'bedrock.invocation_summary'] as const satisfies readonly EvidenceKind[];

/**
 * A UTC day of CloudWatch Logs records is summarised only once it is over plus this delay for late delivery, so its
 * summary is written once, complete: a partial summary followed by a fuller one would count records twice.
 */
export const CLOUDWATCH_SETTLE_MS = 15 * 60_000;

const DAY_MS = 86_400_000;

type Emit = LiveContext['emit'];
type LoggingConfig = BedrockLoggingConfigContent;

export const bedrockCollector: LiveCollector = {
  ...DECLARATION,
  operations: [
    'bedrock:GetModelInvocationLoggingConfiguration',
    'bedrock:ListGuardrails',
    'bedrock:GetGuardrail',
    's3:ListBucket',
    's3:GetObject',
    'logs:FilterLogEvents',
  ],
  async collect(ctx) {
    const counts: Record<string, number> = {};
    // Kinds with a failure somewhere: their count would understate, and a count of 0 reads as proof of absence.
    const gaps = new Set<EvidenceKind>();
    const fail: Fail = async (kinds, operation, error, resource) => {
      for (const k of kinds) gaps.add(k);
      await ctx.fail(kinds, operation, error, resource);
    };
    const emit: Emit = async (obs) => {
      if (obs.status.state === 'collected') counts[obs.kind] = (counts[obs.kind] ?? 0) + 1;
      else if (obs.status.state === 'error') gaps.add(obs.kind);
      await ctx.emit(obs);
    };

    const config = await sharedAttempt(() => loggingConfig(ctx, emit), 'bedrock:collect');
    if (!config.ok) {
      // The first call tells whether Bedrock is offered here at all (no endpoint, or an unrecognized client):
      // then every Bedrock kind is not applicable and nothing else is asked.
      if (config.error.category === 'unavailable_in_region' || config.error.category === 'not_subscribed') {
        await fail(BEDROCK_KINDS, config.operation, config.error);
        return;
      }
      // Without the configuration, where the invocation logs are is unknown too.
      await fail(['bedrock.logging_config', 'bedrock.invocation_summary'], config.operation, config.error);
    }
    await step(fail, ['bedrock.guardrail'], () => guardrails(ctx, fail, emit));
    if (config.ok && config.value.enabled) await invocationLogs(ctx, config.value, fail, emit);

    await ctx.emit(
      collected(
        {
          collector: 'bedrock',
          kind: 'inventory',
          account: ctx.account,
          region: ctx.region,
          resource: `bedrock/${ctx.account}/${ctx.region}`,
          observedAt: { type: 'instant', at: ctx.now().toISOString() },
          raw: null,
          sources: [{ type: 'api', operation: 'bedrock:ListGuardrails', requestId: null }],
        },
        {
          collector: 'bedrock',
          counts: Object.fromEntries(BEDROCK_KINDS.filter((k) => !gaps.has(k)).map((k) => [k, counts[k] ?? 0])),
        },
      ),
    );
  },
};

type Fail = LiveContext['fail'];

/** bedrock's parts, failing as data: see `step.ts`. */
async function step<T>(fail: Fail, kinds: readonly EvidenceKind[], fn: () => Promise<T>, resource?: string): Promise<T | undefined> {
  return sharedStep(fail, 'bedrock:collect', kinds, fn, resource);
}

async function loggingConfig(ctx: LiveContext, emit: Emit): Promise<LoggingConfig> {
  const client = ctx.clients.bedrock(ctx.region);
  const res = await ctx.call('bedrock:GetModelInvocationLoggingConfiguration', (s) => client.send(new GetModelInvocationLoggingConfigurationCommand({}), { abortSignal: s }));
  const doc = withoutMetadata(res.output);
  const obs = normalizeLoggingConfig(doc, ctx.meta([{ operation: 'bedrock:GetModelInvocationLoggingConfiguration', requestId: res.requestId }], jsonRaw(doc)));
  await emit(obs);
  return obs.content!;
}

/** ListGuardrails (every page) and GetGuardrail per guardrail; without a version GetGuardrail returns the working draft, as the CLI does. */
async function guardrails(ctx: LiveContext, fail: Fail, emit: Emit): Promise<void> {
  const client = ctx.clients.bedrock(ctx.region);
  const list = await allPages(
    ctx,
    'bedrock:ListGuardrails',
    (nextToken, s) => client.send(new ListGuardrailsCommand({ nextToken, maxResults: 100 }), { abortSignal: s }),
    (p) => p.nextToken,
  );
  const seen = new Set<string>();
  for (const g of list.pages.flatMap((p) => p.guardrails ?? [])) {
    if (!g.id || seen.has(g.id)) continue;
    seen.add(g.id);
    const id = g.id;
    await step(
      fail,
      ['bedrock.guardrail'],
      async () => {
        let res;
        try {
          res = await ctx.call('bedrock:GetGuardrail', (s) => client.send(new GetGuardrailCommand({ guardrailIdentifier: id }), { abortSignal: s }));
        } catch (err) {
          // Deleted since it was listed: it no longer exists to be assessed.
          if (err instanceof CollectionFailure && err.classified.category === 'not_found') return;
          throw err;
        }
        const doc = withoutMetadata(res.output);
        await emit(normalizeGuardrail(doc, ctx.meta([{ operation: 'bedrock:GetGuardrail', requestId: res.requestId }], jsonRaw(doc))));
      },
      g.arn ?? id,
    );
  }
}

/**
 * Invocation records, from wherever the configuration delivers them.
 *
 * When both destinations are configured they receive the same records, and reading both would count each invocation
 * twice (an S3 file and a CloudWatch day are different resources, so their summaries are different items). S3 is
 * read first and preferred: its files are immutable and hashed, the items are exactly the export directory's, and
 * reading resumes key by key. CloudWatch Logs is read when S3 is not configured, or holds no file for the window
 * (S3 delivery added later, nothing delivered yet), or could not be read before any file was found: the records are
 * then collected from CloudWatch and the S3 failure is not recorded as a gap. An S3 failure with no CloudWatch to
 * fall back on, or after files were found, is an error item.
 */
async function invocationLogs(ctx: LiveContext, lc: LoggingConfig, fail: Fail, emit: Emit): Promise<void> {
  let s3HadFiles = false;
  if (lc.s3) {
    const s3 = lc.s3;
    const state = { hadFiles: false };
    const r = await sharedAttempt(() => readS3(ctx, s3.bucketName, s3.keyPrefix, state, emit), 'bedrock:collect');
    s3HadFiles = state.hadFiles;
    if (!r.ok && (state.hadFiles || !lc.cloudWatch)) {
      await fail(['bedrock.invocation_summary'], r.operation, r.error, `s3://${s3.bucketName}/${joinKey(s3.keyPrefix, `AWSLogs/${ctx.account}/BedrockModelInvocationLogs/${ctx.region}/`)}`);
    }
  }
  if (lc.cloudWatch && !s3HadFiles) {
    const group = lc.cloudWatch.logGroupName;
    await step(fail, ['bedrock.invocation_summary'], () => readCloudWatch(ctx, group, emit), `cloudwatch-logs/${group}`);
  }
}

async function readS3(ctx: LiveContext, bucket: string, keyPrefix: string | null, state: { hadFiles: boolean }, emit: Emit): Promise<void> {
  const reader: S3LogReader<{ account: string; region: string; day: string }> = {
    // Bedrock delivers only to a bucket in the same region.
    client: ctx.clients.s3(ctx.region),
    expectedOwner: ctx.account,
    collector: 'bedrock',
    kind: 'bedrock.invocation_summary',
    route: (key) => {
      const r = routeOf(key);
      return r?.type === 'bedrock-log' && r.account === ctx.account && r.region === ctx.region ? r : null;
    },
    handle: (file, route, e) => handleBedrockLog(file, route, DEFAULT_LIMITS, e),
    emit,
  };
  for (const day of utcDays(ctx.window)) {
    // The day prefix covers its hour folders (`.../YYYY/MM/DD/HH/`), listed in key order.
    const prefix = joinKey(keyPrefix, `AWSLogs/${ctx.account}/BedrockModelInvocationLogs/${ctx.region}/${dayPath(day)}/`);
    const r = await readLogDay(ctx, reader, { bucket, prefix, day });
    if (r.logFiles > 0 || r.resumed) state.hadFiles = true;
  }
}

interface CloudWatchCheckpoint {
  readonly logGroupName: string;
  readonly done: true;
}

/**
 * FilterLogEvents on the log group, one complete UTC day at a time (each message is one `ModelInvocationLog`
 * record) → one `bedrock.invocation_summary` per day with records, whose raw payload is that day's records as
 * JSON Lines (sensitive: prompts). A day done is checkpointed and not read again; a day not over yet is left for
 * a later run. A day's raw payload over the inflated-size limit is not kept (the summary still is).
 */
async function readCloudWatch(ctx: LiveContext, group: string, emit: Emit): Promise<void> {
  const client = ctx.clients.logs(ctx.region);
  for (const day of utcDays(ctx.window)) {
    const start = Date.parse(`${day}T00:00:00.000Z`);
    if (start + DAY_MS + CLOUDWATCH_SETTLE_MS > ctx.now().getTime()) continue;
    const name = `cw-${day}`;
    const cp = (await ctx.checkpoints.get(name)) as Partial<CloudWatchCheckpoint> | undefined;
    if (cp?.done === true && cp.logGroupName === group) continue;
    ctx.signal.throwIfAborted();

    const resource = `cloudwatch-logs/${group}/${day}`;
    const agg = new InvocationAggregator(day);
    const calls: { operation: string; requestId: string | null }[] = [];
    const problems: string[] = [];
    let lines: Buffer[] | null = [];
    let rawSize = 0;
    let messages = 0;
    let token: string | undefined;
    do {
      const input = { logGroupName: group, startTime: start, endTime: start + DAY_MS - 1, nextToken: token };
      const page = await ctx.call('logs:FilterLogEvents', (s) => client.send(new FilterLogEventsCommand(input), { abortSignal: s }));
      calls.push({ operation: 'logs:FilterLogEvents', requestId: page.requestId });
      for (const e of page.output.events ?? []) {
        const text = e.message?.replace(/\n+$/, '');
        if (!text) continue;
        messages += 1;
        const line = Buffer.from(`${text}\n`);
        rawSize += line.length;
        if (lines && rawSize <= DEFAULT_LIMITS.maxInflatedBytes) lines.push(line);
        else lines = null;
        const input = `${resource} event ${e.eventId ?? messages}`;
        try {
          agg.add(parseJson(text, input, DEFAULT_LIMITS), input);
        } catch (err) {
          if (!(err instanceof NormalizeError)) throw err;
          problems.push(`event ${e.eventId ?? messages}: ${err.problem}`);
        }
      }
      const next = page.output.nextToken;
      token = next && next !== token ? next : undefined;
    } while (token);

    const sources = calls.map((c) => ({ type: 'api' as const, operation: c.operation, requestId: c.requestId }));
    const base = { collector: 'bedrock', kind: 'bedrock.invocation_summary' as const, account: ctx.account, region: ctx.region, resource, observedAt: dayWindow(day), sources };
    if (agg.count > 0) {
      const raw: RawPayload | null = lines ? { bytes: Buffer.concat(lines, rawSize), mediaType: 'application/x-ndjson', sensitive: true } : null;
      await emit(collected({ ...base, raw }, agg.result()));
    }
    if (problems.length > 0) {
      const summary = `${problems.length} of ${messages} records are malformed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`;
      await emit(failed({ ...base, raw: null }, 'MalformedRecords', `${resource}: ${summary}`));
    }
    await ctx.checkpoints.set(name, { logGroupName: group, done: true } satisfies CloudWatchCheckpoint);
  }
}
