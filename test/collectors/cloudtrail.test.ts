import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  type GetEventSelectorsCommandInput,
  type GetTrailStatusCommandInput,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type GetObjectCommandInput, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLLECTORS } from '../../src/collectors/catalog.js';
import * as cloudtrailModule from '../../src/collectors/live/cloudtrail.js';
import { cloudtrailCollector, LOOKUP_EVENT_SOURCES } from '../../src/collectors/live/cloudtrail.js';
import { eventContent, parseEvent } from '../../src/normalizers/cloudtrail/event.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import {
  ACCOUNT,
  allItems,
  awsError,
  bucketRouter,
  cloudTrailFileName,
  cloudTrailLogFile,
  contentOf,
  FakeBucket,
  FakeLookup,
  liveRun,
  lookupEventCli,
  ofKind,
  stratusEvents,
  tempStore,
  writeContext,
  type TempStore,
} from '../fixtures/collectors/cloudtrail/harness.js';
import { outputProblems, smithyAvailable } from '../fixtures/smithy.js';
import { toSdk } from '../fixtures/sagemaker/helpers.js';

const REGION = 'eu-west-1';
const WINDOW = { start: new Date('2026-10-01T00:00:00.000Z'), end: new Date('2026-10-04T00:00:00.000Z') };
const NOW = new Date('2026-10-04T06:00:00.000Z');
const FIXTURES = path.resolve('test/fixtures/collectors/cloudtrail');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const TIME_KEYS = ['LatestDeliveryTime', 'StartLoggingTime', 'LatestCloudWatchLogsDeliveryTime', 'LatestDigestDeliveryTime', 'LatestNotificationTime', 'StopLoggingTime'];

const MAIN_ARN = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/management-events';
const ORG_ARN = 'arn:aws:cloudtrail:eu-west-1:999988887777:trail/org-trail';
const MAIN_BUCKET = 'auditpack-cloudtrail-111122223333';
const US_BUCKET = 'us-audit-logs-111122223333';
const ORG_BUCKET = 'org-log-archive-999988887777';
const dayPrefix = (day: string, prefix = 'ct/') => `${prefix}AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${day.replaceAll('-', '/')}/`;

const ct = mockClient(CloudTrailClient);
const s3 = mockClient(S3Client);
const stores: TempStore[] = [];
const newStore = (): TempStore => {
  const s = tempStore('cloudtrail');
  stores.push(s);
  return s;
};

/** The trail fixtures, as the SDK returns them. */
function mockTrails(describe: Record<string, unknown> = fixture('describe-trails.json')): void {
  ct.on(DescribeTrailsCommand).resolves(toSdk(describe, []));
  const byArn: Record<string, string> = { [MAIN_ARN]: 'management-events', [ORG_ARN]: 'org-trail' };
  ct.on(GetTrailStatusCommand).callsFake((input: GetTrailStatusCommandInput) => toSdk(fixture(`get-trail-status.${byArn[input.Name!]}.json`), TIME_KEYS));
  ct.on(GetEventSelectorsCommand).callsFake((input: GetEventSelectorsCommandInput) => toSdk(fixture(`get-event-selectors.${byArn[input.TrailName!]}.json`), []));
}

function mockLookup(lookup: FakeLookup): void {
  ct.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => lookup.lookup(input));
}

function mockBuckets(...buckets: FakeBucket[]): void {
  const router = bucketRouter(buckets);
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => router.list(input));
  s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => router.get(input));
}

/** The log files of the standard estate: one on Oct 1, five on Oct 2 (three listing pages of two), none on Oct 3. */
const FILES: { day: string; hhmm: string; stratus: string }[] = [
  { day: '2026-10-01', hhmm: '0905', stratus: 'aws.defense-evasion.cloudtrail-stop.json' },
  { day: '2026-10-02', hhmm: '0810', stratus: 'aws.impact.bedrock-invoke-model.json' },
  { day: '2026-10-02', hhmm: '0915', stratus: 'aws.persistence.iam-create-admin-user.json' },
  { day: '2026-10-02', hhmm: '1020', stratus: 'aws.defense-evasion.cloudtrail-delete.json' },
  { day: '2026-10-02', hhmm: '1125', stratus: 'aws.defense-evasion.cloudtrail-event-selectors.json' },
  { day: '2026-10-02', hhmm: '1230', stratus: 'aws.persistence.iam-backdoor-role.json' },
];
const keyOf = (f: { day: string; hhmm: string }, prefix = 'ct/') => `${dayPrefix(f.day, prefix)}${cloudTrailFileName(ACCOUNT, REGION, f.day, f.hhmm, `r${f.hhmm}`)}`;
const eventsOf = (f: { day: string; stratus: string }) => stratusEvents(f.stratus, ACCOUNT, REGION, f.day);

function mainBucket(pageSize = 2): FakeBucket {
  const b = new FakeBucket(MAIN_BUCKET, ACCOUNT, pageSize);
  for (const f of FILES) b.put(keyOf(f), cloudTrailLogFile(eventsOf(f)), new Date(`${f.day}T${f.hhmm.slice(0, 2)}:${f.hhmm.slice(2)}:40.000Z`));
  return b;
}

/** The shadow (multi-region trail homed in us-east-1) delivers this region's files to its own bucket, without a prefix. */
const US_FILE = { day: '2026-10-03', hhmm: '1400', stratus: 'aws.persistence.iam-backdoor-user.json' };
function usBucket(): FakeBucket {
  return new FakeBucket(US_BUCKET, ACCOUNT).put(keyOf(US_FILE, ''), cloudTrailLogFile(eventsOf(US_FILE)));
}

/** Management events LookupEvents knows: IAM (six: three pages of two), CloudTrail, Bedrock, all on Oct 2. */
function lookupEvents(): Record<string, unknown>[] {
  const day = '2026-10-02';
  return [
    ...stratusEvents('aws.persistence.iam-create-admin-user.json', ACCOUNT, REGION, day),
    ...stratusEvents('aws.persistence.iam-backdoor-role.json', ACCOUNT, REGION, day),
    ...stratusEvents('aws.persistence.iam-create-backdoor-role.json', ACCOUNT, REGION, day),
    ...stratusEvents('aws.defense-evasion.cloudtrail-stop.json', ACCOUNT, REGION, '2026-10-01'),
    ...stratusEvents('aws.impact.bedrock-invoke-model.json', ACCOUNT, REGION, day),
  ];
}

function collectedErrors(run: ReturnType<typeof liveRun>) {
  return run.observations.filter((o) => o.status.state !== 'collected');
}

beforeEach(() => {
  ct.reset();
  s3.reset();
});
afterEach(() => {
  ct.reset();
  s3.reset();
});
afterAll(() => {
  ct.restore();
  s3.restore();
  for (const s of stores) s.cleanup();
});

describe('cloudtrailCollector: declaration', () => {
  it('is the catalog declaration with operations the IAM policy covers, and the only collector the module exports', () => {
    const decl = COLLECTORS.find((c) => c.id === 'cloudtrail')!;
    expect(cloudtrailCollector).toMatchObject({ id: 'cloudtrail', regional: true, kinds: decl.kinds, iamActions: decl.iamActions });
    for (const op of cloudtrailCollector.operations) expect(decl.iamActions as readonly string[]).toContain(op);
    expect(cloudtrailCollector.operations).toEqual(expect.arrayContaining(['cloudtrail:LookupEvents', 's3:ListBucket', 's3:GetObject']));
    const collectors = Object.values(cloudtrailModule).filter((v) => typeof v === 'object' && v !== null && 'collect' in v);
    expect(collectors).toEqual([cloudtrailCollector]);
    expect(LOOKUP_EVENT_SOURCES).toEqual(['sagemaker.amazonaws.com', 'bedrock.amazonaws.com', 'iam.amazonaws.com', 'kms.amazonaws.com', 'cloudtrail.amazonaws.com', 'config.amazonaws.com']);
  });

  it.skipIf(!smithyAvailable('cloudtrail'))('mocks responses in the shapes of the CloudTrail Smithy model', () => {
    expect(outputProblems('cloudtrail', 'DescribeTrails', fixture('describe-trails.json'))).toEqual([]);
    for (const t of ['management-events', 'org-trail']) {
      expect(outputProblems('cloudtrail', 'GetTrailStatus', fixture(`get-trail-status.${t}.json`))).toEqual([]);
      expect(outputProblems('cloudtrail', 'GetEventSelectors', fixture(`get-event-selectors.${t}.json`))).toEqual([]);
    }
    const page = { Events: lookupEvents().map(lookupEventCli), NextToken: 'iam.amazonaws.com:2' };
    expect(outputProblems('cloudtrail', 'LookupEvents', page)).toEqual([]);
    // The checker does catch drift: the SDK's Date or a boolean ReadOnly are not what the service sends.
    expect(outputProblems('cloudtrail', 'LookupEvents', { Events: [{ ...page.Events[0], ReadOnly: false }] })).toHaveLength(1);
  });
});

describe('cloudtrailCollector: collection', () => {
  it('collects trails homed here, every looked-up source (paginated) and the log files of every day of the window', async () => {
    mockTrails();
    const lookup = new FakeLookup(lookupEvents(), 2);
    mockLookup(lookup);
    const main = mainBucket(2);
    const us = usBucket();
    const org = new FakeBucket(ORG_BUCKET, '999988887777');
    mockBuckets(main, us, org);
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);

    expect(collectedErrors(run)).toEqual([]);
    // Trails: the two homed in eu-west-1, not the shadow of the us-east-1 trail.
    const trails = ofKind(run, 'cloudtrail.trail');
    expect(trails.map((t) => t.resource).sort()).toEqual([MAIN_ARN, ORG_ARN]);
    const main0 = await contentOf(store, trails.find((t) => t.resource === MAIN_ARN)!);
    expect(main0).toMatchObject({
      name: 'management-events',
      isMultiRegion: true,
      logFileValidationEnabled: true,
      isLogging: true,
      latestDeliveryTime: '2026-10-03T23:55:12.000Z',
      managementEvents: 'all',
      dataEvents: { s3: true, lambda: false, other: [] },
      s3BucketName: MAIN_BUCKET,
    });
    expect(trails[0]!.provenance.sources.map((s) => (s.type === 'api' ? s.operation : s.path))).toEqual([
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetTrailStatus',
      'cloudtrail:GetEventSelectors',
    ]);
    expect(ct).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
    expect(ct.commandCalls(GetTrailStatusCommand).map((c) => c.args[0].input.Name).sort()).toEqual([MAIN_ARN, ORG_ARN]);

    // LookupEvents: one lookup per source over the window; IAM's six events come in a NextToken chain of three pages.
    const sources = lookup.calls.map((c) => c.LookupAttributes![0]!.AttributeValue);
    expect(new Set(sources)).toEqual(new Set(LOOKUP_EVENT_SOURCES));
    const iam = lookup.calls.filter((c) => c.LookupAttributes![0]!.AttributeValue === 'iam.amazonaws.com');
    expect(iam.map((c) => c.NextToken)).toEqual([undefined, 'iam.amazonaws.com:2', 'iam.amazonaws.com:4']);
    for (const c of lookup.calls) expect([c.StartTime, c.EndTime, c.LookupAttributes![0]!.AttributeKey]).toEqual([WINDOW.start, WINDOW.end, 'EventSource']);

    // Log files: each day prefix of the window, the day with five files in three pages, one GetObject per file.
    const mainPrefixes = main.listCalls.map((c) => c.Prefix);
    expect([...new Set(mainPrefixes)]).toEqual(['2026-10-01', '2026-10-02', '2026-10-03'].map((d) => dayPrefix(d)));
    const oct2 = main.listCalls.filter((c) => c.Prefix === dayPrefix('2026-10-02'));
    expect(oct2).toHaveLength(3);
    expect(oct2.map((c) => [c.StartAfter, c.ContinuationToken !== undefined])).toEqual([
      [undefined, false],
      [undefined, true],
      [undefined, true],
    ]);
    for (const c of [...main.listCalls, ...us.listCalls]) expect(c.ExpectedBucketOwner).toBe(ACCOUNT);
    expect(main.getCalls).toEqual(FILES.map((f) => keyOf(f)));
    // The shadow trail's bucket is read for this region's folder only; the trail of another account is not read.
    expect([...new Set(us.listCalls.map((c) => c.Prefix))]).toEqual(['2026-10-01', '2026-10-02', '2026-10-03'].map((d) => dayPrefix(d, '')));
    expect(us.getCalls).toEqual([keyOf(US_FILE, '')]);
    expect(org.listCalls).toEqual([]);

    const activity = ofKind(run, 'cloudtrail.activity');
    expect(activity).toHaveLength(7);
    expect(activity.map((a) => a.resource)).toEqual([...FILES.map((f) => keyOf(f).slice(3)), keyOf(US_FILE, '')]);
    const first = activity[0]!;
    expect(first.observedAt).toEqual({ type: 'window', start: '2026-10-01T00:00:00.000Z', end: '2026-10-02T00:00:00.000Z' });
    expect(first.provenance.sources).toEqual([
      { type: 'file', path: keyOf(FILES[0]!), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { type: 'api', operation: 's3:GetObject', requestId: 'get-1', endpoint: `s3://${MAIN_BUCKET}` },
    ]);
    // The raw payload is the log file as delivered: the same SHA-256 as the file (the hash CloudTrail digests sign).
    expect(first.raw).toMatchObject({ mediaType: 'application/gzip', sensitive: false });
    expect(first.raw!.sha256).toBe((first.provenance.sources[0] as { sha256: string }).sha256);

    // Events: every kept event once, whether looked up, read from a file, or both.
    const eventResources = new Set(ofKind(run, 'cloudtrail.event').map((e) => e.resource));
    const expected = new Set(
      [...lookupEvents(), ...FILES.flatMap(eventsOf), ...eventsOf(US_FILE)]
        .map((e) => eventContent(parseEvent(e, 'test')))
        .filter((c) => c !== null)
        .map((c) => `cloudtrail-event/${c.eventId}`),
    );
    expect(eventResources).toEqual(expected);
    expect([...eventResources].length).toBeGreaterThan(5);
    const stop = ofKind(run, 'cloudtrail.event').find((e) => e.resource === `cloudtrail-event/${eventsOf(FILES[0]!)[0]!['eventID'] as string}`)!;
    expect(await contentOf(store, stop)).toMatchObject({ eventName: 'StopLogging', categories: ['logging_change'], target: 'name=stratus-red-team-ct-stop-trail-buykxbqejv' });

    const inventory = ofKind(run, 'inventory');
    expect(inventory).toHaveLength(1);
    expect(await contentOf(store, inventory[0]!)).toEqual({
      collector: 'cloudtrail',
      counts: { 'cloudtrail.trail': 2, 'cloudtrail.activity': 7, 'cloudtrail.event': expected.size },
    });
    // Every kind the collector yields satisfies its content schema (the writer validates) and has an id.
    expect(new Set(run.items.map((i) => i.id)).size).toBeGreaterThan(10);
  });

  it('reads an organization trail of this account under AWSLogs/<organization id>/<account>/', async () => {
    const describe = fixture('describe-trails.json');
    const orgTrail = { ...(describe['trailList'] as Record<string, unknown>[])[0], IsOrganizationTrail: true, S3KeyPrefix: undefined };
    mockTrails({ trailList: [orgTrail] });
    mockLookup(new FakeLookup([]));
    const bucket = new FakeBucket(MAIN_BUCKET, ACCOUNT);
    const f = FILES[0]!;
    const key = `AWSLogs/o-a1b2c3d4e5/${ACCOUNT}/CloudTrail/${REGION}/2026/10/01/${cloudTrailFileName(ACCOUNT, REGION, f.day, f.hhmm, 'org')}`;
    bucket.put(key, cloudTrailLogFile(eventsOf(f)));
    mockBuckets(bucket);
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    expect(bucket.listCalls[0]).toMatchObject({ Prefix: 'AWSLogs/', Delimiter: '/' });
    expect(bucket.getCalls).toEqual([key]);
    expect(ofKind(run, 'cloudtrail.activity').map((a) => a.resource)).toEqual([key]);
  });

  it('records an empty estate as zero counts, not as errors', async () => {
    ct.on(DescribeTrailsCommand).resolves(toSdk({ trailList: [] }, []));
    const lookup = new FakeLookup([]);
    mockLookup(lookup);
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    expect(collectedErrors(run)).toEqual([]);
    expect(lookup.calls).toHaveLength(LOOKUP_EVENT_SOURCES.length);
    expect(s3).not.toHaveReceivedAnyCommand();
    expect(run.items.map((i) => i.kind)).toEqual(['inventory']);
    expect(await contentOf(store, run.items[0]!)).toEqual({ collector: 'cloudtrail', counts: { 'cloudtrail.trail': 0, 'cloudtrail.activity': 0, 'cloudtrail.event': 0 } });
  });
});

describe('cloudtrailCollector: failures', () => {
  it('turns AccessDenied on DescribeTrails into error items for trails and activity, and still looks up events', async () => {
    ct.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException', 400, 'User is not authorized to perform: cloudtrail:DescribeTrails'));
    mockLookup(new FakeLookup(lookupEvents()));
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    const errors = collectedErrors(run);
    expect(errors.map((e) => [e.kind, e.resource, e.status])).toEqual([
      ['cloudtrail.trail', 'cloudtrail:DescribeTrails', { state: 'error', code: 'AccessDeniedException', message: 'cloudtrail:DescribeTrails: User is not authorized to perform: cloudtrail:DescribeTrails' }],
      ['cloudtrail.activity', 'cloudtrail:DescribeTrails', { state: 'error', code: 'AccessDeniedException', message: 'cloudtrail:DescribeTrails: User is not authorized to perform: cloudtrail:DescribeTrails' }],
    ]);
    expect(errors[0]!.sources).toEqual([{ type: 'api', operation: 'cloudtrail:DescribeTrails', requestId: 'req-AccessDeniedException-400' }]);
    expect(ct).toHaveReceivedCommandTimes(DescribeTrailsCommand, 1);
    expect(ofKind(run, 'cloudtrail.event').length).toBeGreaterThan(0);
    expect(s3).not.toHaveReceivedAnyCommand();
    // Only the events are counted: a trail count of 0 after a refusal would read as proof that there are none.
    expect(await contentOf(store, ofKind(run, 'inventory')[0]!)).toEqual({ collector: 'cloudtrail', counts: { 'cloudtrail.event': ofKind(run, 'cloudtrail.event').length } });
  });

  it('records a region that is not enabled (UnrecognizedClientException) as not_applicable and asks nothing else', async () => {
    ct.on(DescribeTrailsCommand).rejects(awsError('UnrecognizedClientException', 400, 'The security token included in the request is invalid.'));
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: 'ap-east-2', window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    expect(run.observations.map((o) => [o.kind, o.region, o.status.state])).toEqual([
      ['cloudtrail.trail', 'ap-east-2', 'not_applicable'],
      ['cloudtrail.activity', 'ap-east-2', 'not_applicable'],
      ['cloudtrail.event', 'ap-east-2', 'not_applicable'],
    ]);
    expect(ct).toHaveReceivedCommandTimes(DescribeTrailsCommand, 1);
    expect(ct).not.toHaveReceivedCommand(LookupEventsCommand);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('turns AccessDenied on one LookupEvents source into one error item for that source; the others are collected', async () => {
    mockTrails({ trailList: [] });
    const lookup = new FakeLookup(lookupEvents(), 2);
    ct.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      if (input.LookupAttributes?.[0]?.AttributeValue === 'iam.amazonaws.com') throw awsError('AccessDeniedException', 400, 'not authorized to perform: cloudtrail:LookupEvents');
      return lookup.lookup(input);
    });
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    const errors = collectedErrors(run);
    expect(errors.map((e) => [e.kind, e.resource, e.status.state === 'error' ? e.status.code : null])).toEqual([
      ['cloudtrail.event', 'lookup-events/iam.amazonaws.com', 'AccessDeniedException'],
    ]);
    const names = await Promise.all(ofKind(run, 'cloudtrail.event').map(async (e) => (await contentOf(store, e))['eventSource']));
    expect(new Set(names)).toEqual(new Set(['cloudtrail.amazonaws.com', 'bedrock.amazonaws.com']));
  });

  it('retries ThrottlingException twice, then collects', async () => {
    mockTrails();
    ct.on(DescribeTrailsCommand)
      .rejectsOnce(awsError('ThrottlingException', 400, 'Rate exceeded'))
      .rejectsOnce(awsError('ThrottlingException', 400, 'Rate exceeded'))
      .resolves(toSdk(fixture('describe-trails.json'), []));
    mockLookup(new FakeLookup([]));
    mockBuckets(mainBucket(), usBucket());
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    expect(ct).toHaveReceivedCommandTimes(DescribeTrailsCommand, 3);
    expect(collectedErrors(run)).toEqual([]);
    expect(ofKind(run, 'cloudtrail.trail')).toHaveLength(2);
    expect(ofKind(run, 'cloudtrail.activity')).toHaveLength(7);
  });

  it('retries a 500 on GetObject, then reads the file', async () => {
    mockTrails();
    mockLookup(new FakeLookup([]));
    const main = mainBucket();
    const router = bucketRouter([main, usBucket()]);
    s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => router.list(input));
    s3.on(GetObjectCommand)
      .rejectsOnce(awsError('InternalError', 500, 'We encountered an internal error. Please try again.'))
      .callsFake((input: GetObjectCommandInput) => router.get(input));
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    expect(collectedErrors(run)).toEqual([]);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 8);
    expect(ofKind(run, 'cloudtrail.activity')).toHaveLength(7);
  });

  it('records a bucket owned by another account (ExpectedBucketOwner refused) as an error item, and reads the other trails', async () => {
    mockTrails();
    mockLookup(new FakeLookup([]));
    const foreign = new FakeBucket(MAIN_BUCKET, '444455556666');
    for (const f of FILES) foreign.put(keyOf(f), cloudTrailLogFile(eventsOf(f)));
    mockBuckets(foreign, usBucket());
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    const errors = collectedErrors(run);
    expect(errors.map((e) => [e.kind, e.resource, e.status.state === 'error' ? e.status.code : null])).toEqual([
      ['cloudtrail.activity', `s3://${MAIN_BUCKET}/ct/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/`, 'AccessDenied'],
    ]);
    // One refused listing is enough: the other days are not asked.
    expect(foreign.listCalls).toHaveLength(1);
    expect(foreign.getCalls).toEqual([]);
    expect(ofKind(run, 'cloudtrail.activity')).toHaveLength(1);
    expect(await contentOf(store, ofKind(run, 'inventory')[0]!)).toEqual({ collector: 'cloudtrail', counts: { 'cloudtrail.trail': 2, 'cloudtrail.event': ofKind(run, 'cloudtrail.event').length } });
  });

  it('reports malformed looked-up events in one error item per source and keeps the good ones', async () => {
    mockTrails({ trailList: [] });
    const events = stratusEvents('aws.impact.bedrock-invoke-model.json', ACCOUNT, REGION, '2026-10-02');
    // A real event whose time is not ISO-8601 (stratus-red-team PR 672), and a truncated JSON string.
    const badTime = readFileSync('test/fixtures/realdata/stratus-red-team/pr-672-unmerged/aws.defense-evasion.bedrock-guardrail-delete.json', 'utf8');
    const bad = new Map([
      [String(events[0]!['eventID']), badTime],
      [String(events[1]!['eventID']), '{"eventVersion":"1.09","userIdentity":{'],
    ]);
    mockLookup(new FakeLookup(events, 50, bad));
    const { store } = newStore();
    const run = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    const errors = collectedErrors(run);
    expect(errors).toHaveLength(1);
    const e = errors[0]!;
    expect([e.kind, e.resource, e.observedAt]).toEqual([
      'cloudtrail.event',
      'lookup-events/bedrock.amazonaws.com',
      { type: 'window', start: WINDOW.start.toISOString(), end: WINDOW.end.toISOString() },
    ]);
    expect(e.status).toMatchObject({ state: 'error', code: 'MalformedRecords' });
    const message = e.status.state === 'error' ? e.status.message : '';
    expect(message).toMatch(/^cloudtrail:LookupEvents: 2 of 15 events from bedrock\.amazonaws\.com are malformed: /);
    expect(message).toContain('is not an ISO-8601 instant with a time zone: "2025-03-26 16:43:57.000000000"');
    expect(message).toContain('CloudTrailEvent is not valid JSON');
    const kept = await Promise.all(ofKind(run, 'cloudtrail.event').map(async (i) => (await contentOf(store, i))['eventName']));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).not.toContain('InvokeModel');
  });
});

describe('cloudtrailCollector: interruption and resumption', () => {
  it('stops between files when aborted, and a rerun reads only the files not yet handled', async () => {
    mockTrails();
    const lookup = new FakeLookup(lookupEvents(), 2);
    mockLookup(lookup);
    const main = mainBucket(2);
    const us = usBucket();
    mockBuckets(main, us);
    const { store } = newStore();
    let activity = 0;
    const controller = new AbortController();
    const first = liveRun({
      collector: 'cloudtrail',
      store,
      region: REGION,
      window: WINDOW,
      now: NOW,
      controller,
      onEmit: (obs) => {
        if (obs.kind === 'cloudtrail.activity' && ++activity === 2) controller.abort();
      },
    });
    await expect(cloudtrailCollector.collect(first.ctx)).rejects.toMatchObject({ name: 'AbortError' });
    expect(main.getCalls).toEqual([keyOf(FILES[0]!), keyOf(FILES[1]!)]);
    expect(ofKind(first, 'inventory')).toEqual([]);

    const lookupsBefore = lookup.calls.length;
    const getsBefore = main.getCalls.length;
    const listsBefore = main.listCalls.length;
    const second = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(second.ctx);
    // The lookups had finished and covered the window: nothing to ask again.
    expect(lookup.calls.length).toBe(lookupsBefore);
    expect(main.getCalls.slice(getsBefore)).toEqual(FILES.slice(2).map((f) => keyOf(f)));
    const relisted = main.listCalls.slice(listsBefore).filter((c) => !c.ContinuationToken);
    expect(relisted.map((c) => [c.Prefix, c.StartAfter])).toEqual([
      [dayPrefix('2026-10-01'), keyOf(FILES[0]!)],
      [dayPrefix('2026-10-02'), keyOf(FILES[1]!)],
      [dayPrefix('2026-10-03'), undefined],
    ]);
    const all = (await allItems(store)).filter((i) => i.kind === 'cloudtrail.activity');
    expect(all).toHaveLength(7);
  });

  it('on a rerun reads only the keys delivered since the last one processed', async () => {
    mockTrails();
    mockLookup(new FakeLookup([]));
    const main = mainBucket(2);
    mockBuckets(main, usBucket());
    const { store } = newStore();
    await cloudtrailCollector.collect(liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW }).ctx);
    const late = [
      { day: '2026-10-02', hhmm: '2355', stratus: 'aws.persistence.iam-create-user-login-profile.json' },
      { day: '2026-10-03', hhmm: '0005', stratus: 'aws.privilege-escalation.iam-update-user-login-profile.json' },
    ];
    for (const f of late) main.put(keyOf(f), cloudTrailLogFile(eventsOf(f)));
    const gets = main.getCalls.length;
    const second = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(second.ctx);
    expect(main.getCalls.slice(gets)).toEqual(late.map((f) => keyOf(f)));
    expect(ofKind(second, 'cloudtrail.activity').map((a) => a.resource)).toEqual(late.map((f) => keyOf(f).slice(3)));
    expect(await contentOf(store, ofKind(second, 'inventory')[0]!)).toMatchObject({ counts: { 'cloudtrail.activity': 2 } });
  });

  it('resumes an interrupted LookupEvents below the oldest event reached, and later asks only for what follows', async () => {
    mockTrails({ trailList: [] });
    const events = lookupEvents().filter((e) => e['eventSource'] === 'iam.amazonaws.com');
    expect(events).toHaveLength(6);
    const lookup = new FakeLookup(events, 2);
    const controller = new AbortController();
    ct.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      const out = lookup.lookup(input);
      if (input.NextToken === 'iam.amazonaws.com:2') controller.abort();
      return out;
    });
    const { store } = newStore();
    const first = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW, controller });
    await expect(cloudtrailCollector.collect(first.ctx)).rejects.toMatchObject({ name: 'AbortError' });
    const newestFirst = [...events].sort((a, b) => Date.parse(String(b['eventTime'])) - Date.parse(String(a['eventTime'])));
    const oldestReached = new Date(String(newestFirst[3]!['eventTime']));

    const n = lookup.calls.length;
    const second = liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(second.ctx);
    const iam = lookup.calls.slice(n).filter((c) => c.LookupAttributes![0]!.AttributeValue === 'iam.amazonaws.com');
    // Only [window start, oldest reached] is asked again (the event at that instant included), in two pages.
    expect(iam.map((c) => [c.StartTime, c.EndTime, c.NextToken])).toEqual([
      [WINDOW.start, oldestReached, undefined],
      [WINDOW.start, oldestReached, 'iam.amazonaws.com:2'],
    ]);
    // Sources finished before the abort are not asked again; those after it are, whole.
    const resumed = new Set(lookup.calls.slice(n).map((c) => c.LookupAttributes![0]!.AttributeValue));
    expect(resumed).toEqual(new Set(['iam.amazonaws.com', 'kms.amazonaws.com', 'cloudtrail.amazonaws.com', 'config.amazonaws.com']));
    const kept = events.map((e) => eventContent(parseEvent(e, 't'))).filter((c) => c !== null);
    expect(new Set((await allItems(store)).filter((i) => i.kind === 'cloudtrail.event').map((i) => i.resource))).toEqual(new Set(kept.map((c) => `cloudtrail-event/${c.eventId}`)));

    // A later run over a longer window asks only for the time after the covered range.
    const m = lookup.calls.length;
    const later = { start: WINDOW.start, end: new Date('2026-10-06T00:00:00.000Z') };
    await cloudtrailCollector.collect(liveRun({ collector: 'cloudtrail', store, region: REGION, window: later, now: new Date('2026-10-06T01:00:00.000Z') }).ctx);
    const after = lookup.calls.slice(m);
    expect(after).toHaveLength(LOOKUP_EVENT_SOURCES.length);
    for (const c of after) expect([c.StartTime, c.EndTime]).toEqual([WINDOW.end, later.end]);
  });

  it('never claims coverage of the last 15 minutes, which LookupEvents may not have yet', async () => {
    mockTrails({ trailList: [] });
    const lookup = new FakeLookup([]);
    mockLookup(lookup);
    const { store } = newStore();
    const now = new Date('2026-10-04T00:05:00.000Z');
    await cloudtrailCollector.collect(liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now }).ctx);
    const n = lookup.calls.length;
    await cloudtrailCollector.collect(liveRun({ collector: 'cloudtrail', store, region: REGION, window: WINDOW, now }).ctx);
    for (const c of lookup.calls.slice(n)) expect([c.StartTime, c.EndTime]).toEqual([new Date('2026-10-03T23:50:00.000Z'), WINDOW.end]);
  });
});

describe('cloudtrailCollector: same items as the export directory', () => {
  it('stores the kept events of a log file read from S3 as one segment, as the export directory does', async () => {
    const files = FILES.slice(0, 2);
    mockTrails({ trailList: [(fixture('describe-trails.json')['trailList'] as unknown[])[0]] });
    mockLookup(new FakeLookup([]));
    const bucket = new FakeBucket(MAIN_BUCKET, ACCOUNT);
    for (const f of files) bucket.put(keyOf(f), cloudTrailLogFile(eventsOf(f)));
    mockBuckets(bucket);
    const live = newStore();
    const run = liveRun({ collector: 'cloudtrail', store: live.store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);
    const events = (await allItems(live.store)).filter((i) => i.kind === 'cloudtrail.event');
    expect(events.length).toBeGreaterThan(0);
    const segments = readdirSync(path.join(live.dir, 'store', 'segments'));
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.length).toBeLessThanOrEqual(files.length);
    // No event has a record file of its own.
    const records = new Set(readdirSync(path.join(live.dir, 'store', 'records'), { recursive: true }).map((f) => path.basename(String(f), '.json')));
    expect(events.filter((e) => records.has(e.id))).toEqual([]);
  });

  it('yields the same activity and event items (ids) for a log file read from S3 and from an export directory', async () => {
    const files = FILES.slice(0, 3);
    const describe = fixture('describe-trails.json');
    mockTrails({ trailList: [(describe['trailList'] as unknown[])[0]] });
    // LookupEvents returns the same events as the files: they are the same items, stored once.
    mockLookup(new FakeLookup(files.flatMap(eventsOf)));
    const bucket = new FakeBucket(MAIN_BUCKET, ACCOUNT);
    for (const f of files) bucket.put(keyOf(f), cloudTrailLogFile(eventsOf(f)));
    mockBuckets(bucket);
    const live = newStore();
    const run = liveRun({ collector: 'cloudtrail', store: live.store, region: REGION, window: WINDOW, now: NOW });
    await cloudtrailCollector.collect(run.ctx);

    // The same objects as files of an export directory (the bucket's key prefix dropped: AWSLogs/... at the root).
    const exported = newStore();
    const root = path.join(exported.dir, 'export');
    for (const f of files) {
      const rel = keyOf(f).slice('ct/'.length);
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), bucket.objects.get(keyOf(f))!.bytes);
      utimesSync(path.join(root, rel), new Date('2026-10-02T00:05:00Z'), new Date('2026-10-02T00:05:00Z'));
    }
    const summary = await collectExportDir(writeContext(exported.store, NOW), root);
    expect(summary.errors).toEqual([]);

    const idsOf = async (store: TempStore['store'], kind: string) =>
      (await allItems(store))
        .filter((i) => i.kind === kind)
        .map((i) => i.id)
        .sort();
    for (const kind of ['cloudtrail.activity', 'cloudtrail.event']) {
      const a = await idsOf(live.store, kind);
      expect(a.length).toBeGreaterThan(0);
      expect(a).toEqual(await idsOf(exported.store, kind));
    }
    // Provenance differs (it is not part of the id): the live item names the S3 call that fetched the file.
    const liveActivity = (await allItems(live.store)).find((i) => i.kind === 'cloudtrail.activity')!;
    expect(liveActivity.provenance.sources.map((s) => s.type)).toEqual(['file', 'api']);
    expect(liveActivity.provenance.callerIdentity?.account).toBe(ACCOUNT);
  });
});
