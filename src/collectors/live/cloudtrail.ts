import { attempt as sharedAttempt, step as sharedStep } from './step.js';
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, LookupEventsCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';

import type { EvidenceKind } from '../../evidence/kinds.js';
import { collected, failed, type AnyObservation } from '../../evidence/observation.js';
import { emitAll } from '../../sources/export-dir/emit.js';
import { eventContent, parseEvent, type ParsedEvent } from '../../normalizers/cloudtrail/event.js';
import { normalizeTrails } from '../../normalizers/cloudtrail/trail.js';
import { NormalizeError } from '../../normalizers/types.js';
import { handleCloudTrailLog } from '../../sources/export-dir/handlers/cloudtrail-log.js';
import { DEFAULT_LIMITS } from '../../sources/export-dir/read.js';
import { routeOf } from '../../sources/export-dir/routes.js';
import { COLLECTORS } from '../catalog.js';
import { withoutMetadata } from './pages.js';
import { dayPath, joinKey, readLogDay, utcDays, type S3LogReader } from './s3-logs.js';
import { jsonRaw, type LiveCollector, type LiveContext } from './types.js';

const DECLARATION = COLLECTORS.find((c) => c.id === 'cloudtrail')!;

/**
 * Event sources whose management events are looked up (one paginated LookupEvents each: the API takes a single
 * lookup attribute): the AI services, and the services whose changes the frameworks read (IAM, KMS, CloudTrail
 * itself, Config). Everything else reaches the evidence through the trail's log files only.
 */
export const LOOKUP_EVENT_SOURCES = [
  'sagemaker.amazonaws.com',
  'bedrock.amazonaws.com',
  'iam.amazonaws.com',
  'kms.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
] as const;

/**
 * How long after an event LookupEvents may still not return it (CloudTrail delivers events within about 15 minutes).
 * The lookup checkpoint never claims coverage closer to the present than this, so a rerun asks again for that tail.
 */
export const LOOKUP_SETTLE_MS = 15 * 60_000;

type Emit = LiveContext['emit'];

export const cloudtrailCollector: LiveCollector = {
  ...DECLARATION,
  operations: [
    'cloudtrail:DescribeTrails',
    'cloudtrail:GetTrailStatus',
    'cloudtrail:GetEventSelectors',
    'cloudtrail:LookupEvents',
    's3:ListBucket',
    's3:GetObject',
  ],
  async collect(ctx) {
    const trails = new Set<string>();
    const events = new Set<string>();
    let activityFiles = 0;
    // Kinds with a failure somewhere: their count would understate, and a count of 0 reads as proof of absence.
    const gaps = new Set<EvidenceKind>();
    const fail: Fail = async (kinds, operation, error, resource) => {
      for (const k of kinds) gaps.add(k);
      await ctx.fail(kinds, operation, error, resource);
    };
    // Counts what was collected; an event seen both by LookupEvents and in a log file is one item and counts once.
    const count = (obs: AnyObservation): void => {
      if (obs.status.state === 'error') gaps.add(obs.kind);
      if (obs.status.state === 'collected') {
        if (obs.kind === 'cloudtrail.trail') trails.add(obs.resource ?? '');
        else if (obs.kind === 'cloudtrail.event') events.add(obs.resource ?? '');
        else if (obs.kind === 'cloudtrail.activity') activityFiles += 1;
      }
    };
    const emit: Emit = async (obs) => {
      count(obs);
      await ctx.emit(obs);
    };
    emit.many = async (list) => {
      list.forEach(count);
      await emitAll(ctx.emit, list);
    };

    const listed = await sharedAttempt(() => describeTrails(ctx, fail, emit), 'cloudtrail:collect');
    if (!listed.ok) {
      // The first call also tells whether the region is usable at all (an opt-in region not enabled answers with
      // an unrecognized client): then every CloudTrail kind is not applicable here and nothing else is asked.
      if (listed.error.category === 'unavailable_in_region' || listed.error.category === 'not_subscribed') {
        await fail(['cloudtrail.trail', 'cloudtrail.activity', 'cloudtrail.event'], listed.operation, listed.error);
        return;
      }
      // The trail list also says where the log files are: without it they cannot be read either.
      await fail(['cloudtrail.trail', 'cloudtrail.activity'], listed.operation, listed.error);
    }
    for (const source of LOOKUP_EVENT_SOURCES) await step(fail, ['cloudtrail.event'], () => lookupEvents(ctx, source, emit), `lookup-events/${source}`);
    for (const loc of logLocations(ctx, listed.ok ? listed.value : [])) {
      await step(fail, ['cloudtrail.activity'], () => readTrailLogs(ctx, loc, emit), `s3://${loc.bucket}/${joinKey(loc.keyPrefix, `AWSLogs/${ctx.account}/CloudTrail/${ctx.region}/`)}`);
    }

    await ctx.emit(
      collected(
        {
          collector: 'cloudtrail',
          kind: 'inventory',
          account: ctx.account,
          region: ctx.region,
          resource: `cloudtrail/${ctx.account}/${ctx.region}`,
          observedAt: { type: 'instant', at: ctx.now().toISOString() },
          raw: null,
          sources: [{ type: 'api', operation: 'cloudtrail:DescribeTrails', requestId: null }],
        },
        {
          collector: 'cloudtrail',
          counts: withoutGaps({ 'cloudtrail.trail': trails.size, 'cloudtrail.activity': activityFiles, 'cloudtrail.event': events.size }, gaps),
        },
      ),
    );
  },
};

type Fail = LiveContext['fail'];

/** cloudtrail's parts, failing as data: see `step.ts`. */
async function step<T>(fail: Fail, kinds: readonly EvidenceKind[], fn: () => Promise<T>, resource?: string): Promise<T | undefined> {
  return sharedStep(fail, 'cloudtrail:collect', kinds, fn, resource);
}

/** Inventory counts without the kinds that failed somewhere (their absence from the counts is the honest answer). */
function withoutGaps(counts: Record<string, number>, gaps: ReadonlySet<string>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([k]) => !gaps.has(k)));
}

/**
 * DescribeTrails (shadows of multi-region trails included, for the log files) → one `cloudtrail.trail` per trail
 * homed here, joined with its GetTrailStatus and GetEventSelectors. A trail whose status or selectors cannot be read
 * becomes an error item of its own. Returns every trail listed.
 */
async function describeTrails(ctx: LiveContext, fail: Fail, emit: Emit): Promise<Trail[]> {
  const client = ctx.clients.cloudTrail(ctx.region);
  const described = await ctx.call('cloudtrail:DescribeTrails', (s) => client.send(new DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal: s }));
  const all = described.output.trailList ?? [];
  for (const trail of all) {
    if (!trail.Name || (trail.HomeRegion && trail.HomeRegion !== ctx.region)) continue;
    const id = trail.TrailARN ?? trail.Name;
    await step(
      fail,
      ['cloudtrail.trail'],
      async () => {
        const status = await ctx.call('cloudtrail:GetTrailStatus', (s) => client.send(new GetTrailStatusCommand({ Name: id }), { abortSignal: s }));
        const selectors = await ctx.call('cloudtrail:GetEventSelectors', (s) => client.send(new GetEventSelectorsCommand({ TrailName: id }), { abortSignal: s }));
        const doc = { trailList: [trail] };
        const raw = jsonRaw({ DescribeTrails: doc, GetTrailStatus: withoutMetadata(status.output), GetEventSelectors: withoutMetadata(selectors.output) });
        const meta = ctx.meta(
          [
            { operation: 'cloudtrail:DescribeTrails', requestId: described.requestId },
            { operation: 'cloudtrail:GetTrailStatus', requestId: status.requestId },
            { operation: 'cloudtrail:GetEventSelectors', requestId: selectors.requestId },
          ],
          raw,
        );
        const byName = (v: unknown): Map<string, unknown> => new Map([[trail.Name!, v]]);
        for (const obs of normalizeTrails(doc, byName(withoutMetadata(status.output)), byName(withoutMetadata(selectors.output)), meta)) await emit(obs);
      },
      id,
    );
  }
  return all;
}

interface LookupCheckpoint {
  /** Events with times in [start, end] have all been collected. */
  readonly covered: { readonly start: string; readonly end: string } | null;
  /**
   * A lookup of [start, end] that was interrupted. LookupEvents returns the newest events first, so everything in
   * [oldest, end] was collected; coverage would extend to `coverEnd` once [start, oldest] is done.
   */
  readonly pending: { readonly start: string; readonly end: string; readonly coverEnd: string; readonly oldest: string } | null;
}

function lookupCheckpointOf(value: unknown): LookupCheckpoint {
  const v = (value ?? {}) as Record<string, unknown>;
  const isoPair = (x: unknown, keys: string[]): boolean =>
    x !== null && typeof x === 'object' && keys.every((k) => typeof (x as Record<string, unknown>)[k] === 'string' && !Number.isNaN(Date.parse((x as Record<string, string>)[k]!)));
  return {
    covered: isoPair(v['covered'], ['start', 'end']) ? (v['covered'] as LookupCheckpoint['covered']) : null,
    pending: isoPair(v['pending'], ['start', 'end', 'coverEnd', 'oldest']) ? (v['pending'] as LookupCheckpoint['pending']) : null,
  };
}

/**
 * Management events of one event source for the window, through LookupEvents: each event worth keeping becomes a
 * `cloudtrail.event` exactly as from a log file (same id), malformed events one error item for the source.
 *
 * Incremental: the checkpoint records the time range already covered and, while a lookup is under way, the
 * oldest event time reached (pages come newest first). A rerun first finishes an interrupted lookup below that
 * time, then asks only for what follows the covered range.
 */
async function lookupEvents(ctx: LiveContext, source: string, emit: Emit): Promise<void> {
  const name = `lookup-${source}`;
  const cp = lookupCheckpointOf(await ctx.checkpoints.get(name));
  const windowStart = ctx.window.start.getTime();
  const windowEnd = ctx.window.end.getTime();
  // Coverage helps only if it contains the window's start; otherwise the window is looked up afresh.
  let covered = cp.covered && Date.parse(cp.covered.start) <= windowStart && Date.parse(cp.covered.end) > windowStart ? cp.covered : null;
  const coverStart = covered?.start ?? ctx.window.start.toISOString();
  let from = covered ? Date.parse(covered.end) : windowStart;
  const reader = new EventReader(ctx, source, emit);

  if (cp.pending && Date.parse(cp.pending.start) === from) {
    const pending = cp.pending;
    if (Date.parse(pending.oldest) > from) {
      await reader.range(from, Date.parse(pending.oldest), (oldest) => ctx.checkpoints.set(name, { covered, pending: { ...pending, oldest } } satisfies LookupCheckpoint));
    }
    covered = { start: coverStart, end: pending.coverEnd };
    await ctx.checkpoints.set(name, { covered, pending: null } satisfies LookupCheckpoint);
    from = Date.parse(pending.coverEnd);
  }
  if (from < windowEnd) {
    const coverEnd = new Date(Math.max(from, Math.min(windowEnd, ctx.now().getTime() - LOOKUP_SETTLE_MS))).toISOString();
    const pending = { start: new Date(from).toISOString(), end: ctx.window.end.toISOString(), coverEnd, oldest: ctx.window.end.toISOString() };
    await reader.range(from, windowEnd, (oldest) => ctx.checkpoints.set(name, { covered, pending: { ...pending, oldest } } satisfies LookupCheckpoint));
    covered = { start: coverStart, end: coverEnd };
    await ctx.checkpoints.set(name, { covered, pending: null } satisfies LookupCheckpoint);
  }
  await reader.reportProblems();
}

class EventReader {
  private readonly seen = new Set<string>();
  private readonly problems: string[] = [];
  private total = 0;
  private firstBad: { requestId: string | null } | null = null;
  private span: { start: number; end: number } | null = null;

  constructor(
    private readonly ctx: LiveContext,
    private readonly source: string,
    private readonly emit: Emit,
  ) {}

  /** Looks up [start, end] page by page; `progress` gets the oldest event time reached after each page. */
  async range(start: number, end: number, progress: (oldest: string) => Promise<void>): Promise<void> {
    const client = this.ctx.clients.cloudTrail(this.ctx.region);
    this.span = { start: Math.min(start, this.span?.start ?? start), end: Math.max(end, this.span?.end ?? end) };
    let token: string | undefined;
    do {
      const input = {
        LookupAttributes: [{ AttributeKey: 'EventSource' as const, AttributeValue: this.source }],
        StartTime: new Date(start),
        EndTime: new Date(end),
        MaxResults: 50,
        NextToken: token,
      };
      const page = await this.ctx.call('cloudtrail:LookupEvents', (s) => client.send(new LookupEventsCommand(input), { abortSignal: s }));
      let oldest: number | null = null;
      for (const [i, e] of (page.output.Events ?? []).entries()) {
        const time = e.EventTime instanceof Date ? e.EventTime.getTime() : NaN;
        if (!Number.isNaN(time)) oldest = oldest === null ? time : Math.min(oldest, time);
        await this.event(e.CloudTrailEvent, `Events[${i}]`, page.requestId);
      }
      if (oldest !== null) await progress(new Date(oldest).toISOString());
      const next = page.output.NextToken;
      token = next && next !== token ? next : undefined;
    } while (token);
  }

  private async event(text: string | undefined, locator: string, requestId: string | null): Promise<void> {
    this.total += 1;
    let record: unknown;
    let ev: ParsedEvent;
    try {
      if (typeof text !== 'string') throw new NormalizeError(locator, 'CloudTrailEvent is missing', 'MissingField');
      try {
        record = JSON.parse(text) as unknown;
      } catch (err) {
        throw new NormalizeError(locator, `CloudTrailEvent is not valid JSON: ${(err as Error).message}`, 'InvalidJson');
      }
      ev = parseEvent(record, `cloudtrail:LookupEvents ${this.source} ${locator}`);
    } catch (err) {
      if (!(err instanceof NormalizeError)) throw err;
      this.problems.push(`${locator}: ${err.problem}`);
      this.firstBad ??= { requestId };
      return;
    }
    if (this.seen.has(ev.eventId)) return;
    this.seen.add(ev.eventId);
    const content = eventContent(ev);
    if (!content) return;
    // The same item as `handleCloudTrailLog` makes of this event in a log file: same account, region, resource,
    // time and content, hence the same id.
    await this.emit(
      collected(
        {
          collector: 'cloudtrail',
          kind: 'cloudtrail.event',
          account: ev.accountId && /^\d{12}$/.test(ev.accountId) ? ev.accountId : this.ctx.account,
          region: ev.awsRegion,
          resource: `cloudtrail-event/${ev.eventId}`,
          observedAt: { type: 'instant', at: ev.eventTime },
          raw: { bytes: Buffer.from(JSON.stringify(record)), mediaType: 'application/json', sensitive: false },
          sources: [{ type: 'api', operation: 'cloudtrail:LookupEvents', requestId }],
        },
        content,
      ),
    );
  }

  /** One error item for the source when some events could not be read (they might have been the sensitive ones). */
  async reportProblems(): Promise<void> {
    if (this.problems.length === 0 || !this.span) return;
    const p = this.problems;
    const summary = `${p.length} of ${this.total} events from ${this.source} are malformed: ${p.slice(0, 3).join('; ')}${p.length > 3 ? '; …' : ''}`;
    await this.emit(
      failed(
        {
          collector: 'cloudtrail',
          kind: 'cloudtrail.event',
          account: this.ctx.account,
          region: this.ctx.region,
          resource: `lookup-events/${this.source}`,
          observedAt: { type: 'window', start: new Date(this.span.start).toISOString(), end: new Date(this.span.end).toISOString() },
          raw: null,
          sources: [{ type: 'api', operation: 'cloudtrail:LookupEvents', requestId: this.firstBad?.requestId ?? null }],
        },
        'MalformedRecords',
        `cloudtrail:LookupEvents: ${summary}`,
      ),
    );
  }
}

/** Where a trail delivers this account's and region's log files. */
interface LogLocation {
  readonly bucket: string;
  readonly keyPrefix: string | null;
  /** Region of the S3 client: the trail's home region, where its bucket normally is. */
  readonly bucketRegion: string;
  readonly organization: boolean;
}

/**
 * The trails whose log files hold this region's events: trails homed here and multi-region trails homed elsewhere
 * (listed here as shadows; only this region's folder of their bucket is read, so each region's files are read once,
 * by that region's run). A trail owned by another account (an organization trail seen from a member account) is
 * that account's to read. Two trails delivering to the same place are read once.
 */
function logLocations(ctx: LiveContext, trails: readonly Trail[]): LogLocation[] {
  const out = new Map<string, LogLocation>();
  for (const t of trails) {
    if (!t.S3BucketName) continue;
    if (t.HomeRegion && t.HomeRegion !== ctx.region && !t.IsMultiRegionTrail) continue;
    const owner = t.TrailARN?.split(':')[4];
    if (owner && owner !== ctx.account) continue;
    const loc = { bucket: t.S3BucketName, keyPrefix: t.S3KeyPrefix ?? null, bucketRegion: t.HomeRegion ?? ctx.region, organization: t.IsOrganizationTrail === true };
    out.set(`${loc.bucket}|${joinKey(loc.keyPrefix, '')}`, loc);
  }
  return [...out.values()];
}

/**
 * The trail's log files for each day of the window, read one at a time through the export directory's handler.
 * The bucket must be owned by this account (`ExpectedBucketOwner`): a bucket elsewhere (a central log archive) or
 * one we may not list is an error item, never an empty result.
 */
async function readTrailLogs(ctx: LiveContext, loc: LogLocation, emit: Emit): Promise<void> {
  const client = ctx.clients.s3(loc.bucketRegion);
  const base = loc.organization ? await organizationBase(ctx, loc) : `AWSLogs/${ctx.account}/`;
  const reader: S3LogReader<{ account: string; region: string; day: string }> = {
    client,
    expectedOwner: ctx.account,
    collector: 'cloudtrail',
    kind: 'cloudtrail.activity',
    route: (key) => {
      const r = routeOf(key);
      return r?.type === 'cloudtrail-log' && r.account === ctx.account && r.region === ctx.region ? r : null;
    },
    handle: (file, route, e) => handleCloudTrailLog(file, route, DEFAULT_LIMITS, e),
    emit,
  };
  for (const day of utcDays(ctx.window)) {
    await readLogDay(ctx, reader, { bucket: loc.bucket, prefix: joinKey(loc.keyPrefix, `${base}CloudTrail/${ctx.region}/${dayPath(day)}/`), day });
  }
}

/**
 * Organization trails deliver under `AWSLogs/<organization id>/<account>/` (trails created before that layout still
 * use `AWSLogs/<account>/`): one delimited listing of `AWSLogs/` tells which.
 */
async function organizationBase(ctx: LiveContext, loc: LogLocation): Promise<string> {
  const client = ctx.clients.s3(loc.bucketRegion);
  const prefix = joinKey(loc.keyPrefix, 'AWSLogs/');
  const page = await ctx.call('s3:ListBucket', (s) =>
    client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: prefix, Delimiter: '/', ExpectedBucketOwner: ctx.account }), { abortSignal: s }),
  );
  for (const cp of page.output.CommonPrefixes ?? []) {
    const m = cp.Prefix ? /AWSLogs\/(o-[a-z0-9]+)\/$/.exec(cp.Prefix) : null;
    if (m) return `AWSLogs/${m[1]}/${ctx.account}/`;
  }
  return `AWSLogs/${ctx.account}/`;
}
