import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BedrockClient,
  GetGuardrailCommand,
  GetModelInvocationLoggingConfigurationCommand,
  ListGuardrailsCommand,
  type GetGuardrailCommandInput,
  type ListGuardrailsCommandInput,
} from '@aws-sdk/client-bedrock';
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandInput, type FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type GetObjectCommandInput, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { COLLECTORS } from '../../src/collectors/catalog.js';
import * as bedrockModule from '../../src/collectors/live/bedrock.js';
import { bedrockCollector } from '../../src/collectors/live/bedrock.js';
import { LOGGING_CONFIG_RESOURCE } from '../../src/normalizers/bedrock-config.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import {
  ACCOUNT,
  allItems,
  awsError,
  bedrockLogFile,
  bucketRouter,
  contentOf,
  dnsError,
  FakeBucket,
  liveRun,
  metadata,
  ofKind,
  pantherInvocations,
  tempStore,
  writeContext,
  type LiveRun,
  type TempStore,
} from '../fixtures/collectors/cloudtrail/harness.js';
import { outputProblems, smithyAvailable } from '../fixtures/smithy.js';
import { fixture, toSdk } from '../fixtures/sagemaker/helpers.js';

const REGION = 'us-east-1';
const WINDOW = { start: new Date('2026-10-01T00:00:00.000Z'), end: new Date('2026-10-04T00:00:00.000Z') };
const NOW = new Date('2026-10-04T06:00:00.000Z');
const BUCKET = 'bedrock-invocation-logs-111122223333';
const GROUP = '/aws/bedrock/modelinvocations';
const GUARDRAIL_IDS = ['gr7abc123def', 'gr2claims7ssn', 'gr5draftonly9'];
const TIME_KEYS = ['createdAt', 'updatedAt'];

const bedrock = mockClient(BedrockClient);
const logs = mockClient(CloudWatchLogsClient);
const s3 = mockClient(S3Client);
const stores: TempStore[] = [];
const newStore = (): TempStore => {
  const s = tempStore('bedrock');
  stores.push(s);
  return s;
};

/** The configuration fixture with both destinations; `drop` removes one. */
function loggingConfig(drop?: 's3Config' | 'cloudWatchConfig'): Record<string, unknown> {
  const doc = fixture('bedrock-config/get-model-invocation-logging-configuration.json');
  const lc = { ...(doc['loggingConfig'] as Record<string, unknown>) };
  if (drop) delete lc[drop];
  return { loggingConfig: lc };
}

const guardrailCli = (id: string): Record<string, unknown> =>
  id === 'gr7abc123def' ? fixture('bedrock-config/get-guardrail.gr7abc123def.json') : fixture(`collectors/bedrock/get-guardrail.${id}.json`);
const listPage = (n: number): Record<string, unknown> => fixture(`collectors/bedrock/list-guardrails.page-${n}.json`);

function mockBedrock(config: Record<string, unknown> = loggingConfig()): void {
  bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves(toSdk(config, []));
  bedrock.on(ListGuardrailsCommand).callsFake((input: ListGuardrailsCommandInput) => {
    const n = input.nextToken === undefined ? 1 : input.nextToken === 'eyJvZmZzZXQiOjF9' ? 2 : 3;
    return toSdk(listPage(n), TIME_KEYS);
  });
  bedrock.on(GetGuardrailCommand).callsFake((input: GetGuardrailCommandInput) => toSdk(guardrailCli(input.guardrailIdentifier!), TIME_KEYS));
}

function mockBuckets(...buckets: FakeBucket[]): void {
  const router = bucketRouter(buckets);
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => router.list(input));
  s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => router.get(input));
}

const dayPrefix = (day: string, prefix = 'invocations/') => `${prefix}AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/${REGION}/${day.replaceAll('-', '/')}/`;
const FILES = [
  { day: '2026-10-01', hour: '09', name: '20261001T091502114Z_0a1b2c3d4e5f6071', records: [0, 1] },
  { day: '2026-10-02', hour: '14', name: '20261002T141722357Z_4a5b6c7d8e9f0a1b', records: [0, 1, 2, 3] },
  { day: '2026-10-02', hour: '14', name: '20261002T142010001Z_9f8e7d6c5b4a3921', records: [4, 5, 6, 7] },
];
const keyOf = (f: (typeof FILES)[number], prefix = 'invocations/') => `${dayPrefix(f.day, prefix)}${f.hour}/${f.name}.json.gz`;
const recordsOf = (f: (typeof FILES)[number]) => {
  const all = pantherInvocations(ACCOUNT, REGION, f.day);
  return f.records.map((i) => all[i]!);
};

function invocationBucket(pageSize = 1000): FakeBucket {
  const b = new FakeBucket(BUCKET, ACCOUNT, pageSize);
  for (const f of FILES) b.put(keyOf(f), bedrockLogFile(recordsOf(f)));
  return b;
}

/** FilterLogEvents over a log group holding `records` (one message each), `pageSize` events per page. */
class FakeLogGroup {
  readonly calls: FilterLogEventsCommandInput[] = [];
  constructor(
    readonly name: string,
    readonly messages: { timestamp: number; message: string }[],
    readonly pageSize = 10_000,
  ) {}

  static of(name: string, records: Record<string, unknown>[], pageSize?: number): FakeLogGroup {
    return new FakeLogGroup(name, records.map((r) => ({ timestamp: Date.parse(String(r['timestamp'])), message: JSON.stringify(r) })), pageSize);
  }

  filter(input: FilterLogEventsCommandInput): FilterLogEventsCommandOutput {
    this.calls.push(input);
    if (input.logGroupName !== this.name) throw awsError('ResourceNotFoundException', 400, 'The specified log group does not exist.');
    const matching = this.messages.filter((m) => m.timestamp >= (input.startTime ?? 0) && m.timestamp <= (input.endTime ?? Infinity)).sort((a, b) => a.timestamp - b.timestamp);
    const offset = input.nextToken ? Number(input.nextToken.split('/')[1]) : 0;
    const page = matching.slice(offset, offset + this.pageSize);
    return { $metadata: metadata(`filter-${this.calls.length}`), ...this.cli(page, offset, matching.length) };
  }

  /** The response in CLI JSON (timestamps are epoch milliseconds either way). */
  cli(page: { timestamp: number; message: string }[], offset: number, total: number) {
    return {
      events: page.map((m, i) => ({
        logStreamName: 'aws/bedrock/modelinvocations',
        timestamp: m.timestamp,
        message: m.message,
        ingestionTime: m.timestamp + 850,
        eventId: `3797582648918273648917236498172364981723649817236${String(offset + i).padStart(3, '0')}`,
      })),
      searchedLogStreams: [],
      ...(offset + page.length < total ? { nextToken: `Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCr/${offset + page.length}` } : {}),
    };
  }
}

function mockLogs(group: FakeLogGroup): void {
  logs.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => group.filter(input));
}

const errorsOf = (run: LiveRun) => run.observations.filter((o) => o.status.state !== 'collected');
const run = (store: TempStore['store'], extra: Partial<Parameters<typeof liveRun>[0]> = {}): LiveRun =>
  liveRun({ collector: 'bedrock', store, region: REGION, window: WINDOW, now: NOW, ...extra });

beforeEach(() => {
  bedrock.reset();
  logs.reset();
  s3.reset();
});
afterAll(() => {
  bedrock.restore();
  logs.restore();
  s3.restore();
  for (const s of stores) s.cleanup();
});

describe('bedrockCollector: declaration', () => {
  it('is the catalog declaration with operations the IAM policy covers, and the only collector the module exports', () => {
    const decl = COLLECTORS.find((c) => c.id === 'bedrock')!;
    expect(bedrockCollector).toMatchObject({ id: 'bedrock', regional: true, kinds: decl.kinds, iamActions: decl.iamActions });
    for (const op of bedrockCollector.operations) expect(decl.iamActions as readonly string[]).toContain(op);
    expect(new Set(bedrockCollector.operations)).toEqual(new Set(decl.iamActions));
    const collectors = Object.values(bedrockModule).filter((v) => typeof v === 'object' && v !== null && 'collect' in v);
    expect(collectors).toEqual([bedrockCollector]);
  });

  it.skipIf(!smithyAvailable('bedrock', 'logs'))('mocks responses in the shapes of the Bedrock and CloudWatch Logs Smithy models', () => {
    expect(outputProblems('bedrock', 'GetModelInvocationLoggingConfiguration', loggingConfig())).toEqual([]);
    for (const n of [1, 2, 3]) expect(outputProblems('bedrock', 'ListGuardrails', listPage(n))).toEqual([]);
    for (const id of GUARDRAIL_IDS) expect(outputProblems('bedrock', 'GetGuardrail', guardrailCli(id))).toEqual([]);
    const group = FakeLogGroup.of(GROUP, pantherInvocations(ACCOUNT, REGION, '2026-10-02'), 3);
    expect(outputProblems('logs', 'FilterLogEvents', group.cli(group.messages.slice(0, 3), 0, 8))).toEqual([]);
    expect(outputProblems('logs', 'FilterLogEvents', { events: [{ timestamp: '2026-10-02T14:17:22Z' }] })).toHaveLength(1);
  });
});

describe('bedrockCollector: collection', () => {
  it('collects the logging configuration, every guardrail (three pages) and the S3 invocation logs; CloudWatch is not read', async () => {
    mockBedrock();
    const bucket = invocationBucket(1);
    mockBuckets(bucket);
    const group = FakeLogGroup.of(GROUP, pantherInvocations(ACCOUNT, REGION, '2026-10-02'));
    mockLogs(group);
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);

    expect(errorsOf(r)).toEqual([]);
    const config = ofKind(r, 'bedrock.logging_config');
    expect(config.map((c) => c.resource)).toEqual([LOGGING_CONFIG_RESOURCE]);
    expect(await contentOf(store, config[0]!)).toMatchObject({ enabled: true, s3: { bucketName: BUCKET, keyPrefix: 'invocations' }, cloudWatch: { logGroupName: GROUP } });
    expect(config[0]!.provenance.sources).toEqual([{ type: 'api', operation: 'bedrock:GetModelInvocationLoggingConfiguration', requestId: '7f3c9e51-0d5b-4c1a-9a65-3b2f1e8d4c77' }]);

    expect(bedrock.commandCalls(ListGuardrailsCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, 'eyJvZmZzZXQiOjF9', 'eyJvZmZzZXQiOjJ9']);
    expect(bedrock.commandCalls(GetGuardrailCommand).map((c) => c.args[0].input)).toEqual(GUARDRAIL_IDS.map((guardrailIdentifier) => ({ guardrailIdentifier })));
    const guardrails = ofKind(r, 'bedrock.guardrail');
    expect(guardrails.map((g) => g.resource)).toEqual(GUARDRAIL_IDS.map((id) => `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/${id}`));
    expect(await contentOf(store, guardrails[1]!)).toMatchObject({ name: 'claims-triage-guardrail', piiEntities: [{ type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' }, { type: 'NAME', action: 'ANONYMIZE' }] });

    // S3: one listing per day (pages of one key each), one GetObject per file, read whole.
    expect([...new Set(bucket.listCalls.map((c) => c.Prefix))]).toEqual(['2026-10-01', '2026-10-02', '2026-10-03'].map((d) => dayPrefix(d)));
    expect(bucket.listCalls.filter((c) => c.Prefix === dayPrefix('2026-10-02')).map((c) => c.ContinuationToken !== undefined)).toEqual([false, true]);
    expect(bucket.getCalls).toEqual(FILES.map((f) => keyOf(f)));
    const summaries = ofKind(r, 'bedrock.invocation_summary');
    expect(summaries.map((s) => s.resource)).toEqual(FILES.map((f) => keyOf(f, '')));
    expect(summaries[1]!.raw).toMatchObject({ mediaType: 'application/x-ndjson', sensitive: true });
    const c1 = await contentOf(store, summaries[1]!);
    expect(c1).toMatchObject({ day: '2026-10-02', records: 4 });
    expect(logs).not.toHaveReceivedAnyCommand();

    expect(await contentOf(store, ofKind(r, 'inventory')[0]!)).toEqual({
      collector: 'bedrock',
      counts: { 'bedrock.logging_config': 1, 'bedrock.guardrail': 3, 'bedrock.invocation_summary': 3 },
    });
  });

  it('reads CloudWatch Logs when S3 holds nothing for the window: one summary per complete UTC day, paginated', async () => {
    mockBedrock();
    const empty = new FakeBucket(BUCKET, ACCOUNT);
    mockBuckets(empty);
    const oct2 = pantherInvocations(ACCOUNT, REGION, '2026-10-02');
    const oct3 = pantherInvocations(ACCOUNT, REGION, '2026-10-03').slice(0, 2);
    const group = FakeLogGroup.of(GROUP, [...oct2, ...oct3], 3);
    mockLogs(group);
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);

    expect(errorsOf(r)).toEqual([]);
    expect(empty.listCalls).toHaveLength(3);
    // One query per complete day of the window; Oct 2's eight records in a nextToken chain of three pages.
    expect(group.calls.map((c) => [c.logGroupName, c.startTime, c.endTime, c.nextToken?.split('/')[1]])).toEqual([
      [GROUP, Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-10-02T00:00:00Z') - 1, undefined],
      [GROUP, Date.parse('2026-10-02T00:00:00Z'), Date.parse('2026-10-03T00:00:00Z') - 1, undefined],
      [GROUP, Date.parse('2026-10-02T00:00:00Z'), Date.parse('2026-10-03T00:00:00Z') - 1, '3'],
      [GROUP, Date.parse('2026-10-02T00:00:00Z'), Date.parse('2026-10-03T00:00:00Z') - 1, '6'],
      [GROUP, Date.parse('2026-10-03T00:00:00Z'), Date.parse('2026-10-04T00:00:00Z') - 1, undefined],
    ]);
    const summaries = ofKind(r, 'bedrock.invocation_summary');
    expect(summaries.map((s) => [s.resource, s.observedAt])).toEqual([
      [`cloudwatch-logs/${GROUP}/2026-10-02`, { type: 'window', start: '2026-10-02T00:00:00.000Z', end: '2026-10-03T00:00:00.000Z' }],
      [`cloudwatch-logs/${GROUP}/2026-10-03`, { type: 'window', start: '2026-10-03T00:00:00.000Z', end: '2026-10-04T00:00:00.000Z' }],
    ]);
    expect(summaries[0]!.provenance.sources).toEqual(['filter-2', 'filter-3', 'filter-4'].map((requestId) => ({ type: 'api', operation: 'logs:FilterLogEvents', requestId })));
    expect(await contentOf(store, summaries[0]!)).toMatchObject({ day: '2026-10-02', records: 8 });
    // The raw payload is the day's records as JSON Lines, kept as sensitive.
    expect(summaries[0]!.raw).toMatchObject({ mediaType: 'application/x-ndjson', sensitive: true });
    const raw = (await store.getBlob(summaries[0]!.raw!.sha256)).toString('utf8');
    const inTimeOrder = [...oct2].sort((a, b) => Date.parse(String(a['timestamp'])) - Date.parse(String(b['timestamp'])));
    expect(raw.trimEnd().split('\n').map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(inTimeOrder.map((x) => x['requestId']));
    expect(await contentOf(store, ofKind(r, 'inventory')[0]!)).toMatchObject({ counts: { 'bedrock.invocation_summary': 2 } });
  });

  it('summarises a CloudWatch day once: a day read is not read again, a day not over yet is left for later', async () => {
    mockBedrock(loggingConfig('s3Config'));
    const group = FakeLogGroup.of(GROUP, [...pantherInvocations(ACCOUNT, REGION, '2026-10-03'), ...pantherInvocations(ACCOUNT, REGION, '2026-10-04')]);
    mockLogs(group);
    const { store } = newStore();
    const window = { start: WINDOW.start, end: new Date('2026-10-04T18:00:00.000Z') };
    const first = run(store, { window, now: new Date('2026-10-04T18:00:00.000Z') });
    await bedrockCollector.collect(first.ctx);
    expect(s3).not.toHaveReceivedAnyCommand();
    expect(group.calls.map((c) => new Date(c.startTime!).toISOString().slice(0, 10))).toEqual(['2026-10-01', '2026-10-02', '2026-10-03']);
    expect(ofKind(first, 'bedrock.invocation_summary').map((s) => s.resource)).toEqual([`cloudwatch-logs/${GROUP}/2026-10-03`]);

    const n = group.calls.length;
    const second = run(store, { window, now: new Date('2026-10-05T00:20:00.000Z') });
    await bedrockCollector.collect(second.ctx);
    expect(group.calls.slice(n).map((c) => new Date(c.startTime!).toISOString().slice(0, 10))).toEqual(['2026-10-04']);
    expect(ofKind(second, 'bedrock.invocation_summary').map((s) => s.resource)).toEqual([`cloudwatch-logs/${GROUP}/2026-10-04`]);
  });

  it('records logging off as such and reads no logs', async () => {
    mockBedrock({});
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    expect(errorsOf(r)).toEqual([]);
    expect(await contentOf(store, ofKind(r, 'bedrock.logging_config')[0]!)).toMatchObject({ enabled: false, s3: null, cloudWatch: null });
    expect(s3).not.toHaveReceivedAnyCommand();
    expect(logs).not.toHaveReceivedAnyCommand();
    expect(await contentOf(store, ofKind(r, 'inventory')[0]!)).toEqual({
      collector: 'bedrock',
      counts: { 'bedrock.logging_config': 1, 'bedrock.guardrail': 3, 'bedrock.invocation_summary': 0 },
    });
  });

  it('records an account without guardrails as zero, not as an error', async () => {
    mockBedrock({});
    bedrock.on(ListGuardrailsCommand).resolves({ $metadata: metadata('list-empty'), guardrails: [] });
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    expect(errorsOf(r)).toEqual([]);
    expect(bedrock).not.toHaveReceivedCommand(GetGuardrailCommand);
    expect(await contentOf(store, ofKind(r, 'inventory')[0]!)).toMatchObject({ counts: { 'bedrock.guardrail': 0 } });
  });
});

describe('bedrockCollector: failures', () => {
  it.each([
    ['no endpoint (ENOTFOUND)', dnsError('bedrock.ap-east-2.amazonaws.com'), 'EndpointNotFound'],
    ['UnrecognizedClientException', awsError('UnrecognizedClientException', 400, 'The security token included in the request is invalid.'), 'UnrecognizedClientException'],
  ])('records Bedrock not offered in the region (%s) as not_applicable and asks nothing else', async (_label, error, code) => {
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).rejects(error);
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    expect(r.observations.map((o) => [o.kind, o.status.state])).toEqual([
      ['bedrock.logging_config', 'not_applicable'],
      ['bedrock.guardrail', 'not_applicable'],
      ['bedrock.invocation_summary', 'not_applicable'],
    ]);
    const reason = r.observations[0]!.status.state === 'not_applicable' ? r.observations[0]!.status.reason : '';
    expect(reason.startsWith(`bedrock:GetModelInvocationLoggingConfiguration: ${code}: `)).toBe(true);
    // Not retried: unavailable is permanent.
    expect(bedrock).toHaveReceivedCommandTimes(GetModelInvocationLoggingConfigurationCommand, 1);
    expect(bedrock).not.toHaveReceivedCommand(ListGuardrailsCommand);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('turns AccessDenied on ListGuardrails into an error item for guardrails; the rest is collected', async () => {
    mockBedrock();
    bedrock.on(ListGuardrailsCommand).rejects(awsError('AccessDeniedException', 403, 'User is not authorized to perform: bedrock:ListGuardrails'));
    mockBuckets(invocationBucket());
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    expect(errorsOf(r).map((e) => [e.kind, e.resource, e.status])).toEqual([
      ['bedrock.guardrail', 'bedrock:ListGuardrails', { state: 'error', code: 'AccessDeniedException', message: 'bedrock:ListGuardrails: User is not authorized to perform: bedrock:ListGuardrails' }],
    ]);
    expect(ofKind(r, 'bedrock.logging_config')).toHaveLength(1);
    expect(ofKind(r, 'bedrock.invocation_summary')).toHaveLength(3);
    // No guardrail count: after a failure, 0 would read as proof that there are none.
    expect(await contentOf(store, ofKind(r, 'inventory')[0]!)).toEqual({ collector: 'bedrock', counts: { 'bedrock.logging_config': 1, 'bedrock.invocation_summary': 3 } });
  });

  it('turns AccessDenied on the logging configuration into error items for it and for the invocation logs; guardrails are collected', async () => {
    mockBedrock();
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).rejects(awsError('AccessDeniedException', 403, 'denied'));
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    expect(errorsOf(r).map((e) => [e.kind, e.status.state])).toEqual([
      ['bedrock.logging_config', 'error'],
      ['bedrock.invocation_summary', 'error'],
    ]);
    expect(ofKind(r, 'bedrock.guardrail')).toHaveLength(3);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('retries ThrottlingException twice on GetGuardrail, then collects', async () => {
    mockBedrock({});
    bedrock
      .on(GetGuardrailCommand)
      .rejectsOnce(awsError('ThrottlingException', 429, 'Too many requests, please wait before trying again.'))
      .rejectsOnce(awsError('ThrottlingException', 429, 'Too many requests, please wait before trying again.'))
      .callsFake((input: GetGuardrailCommandInput) => toSdk(guardrailCli(input.guardrailIdentifier!), TIME_KEYS));
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    expect(errorsOf(r)).toEqual([]);
    expect(bedrock).toHaveReceivedCommandTimes(GetGuardrailCommand, 5);
    expect(ofKind(r, 'bedrock.guardrail')).toHaveLength(3);
  });

  it('retries a 500 on FilterLogEvents, then collects', async () => {
    mockBedrock(loggingConfig('s3Config'));
    const group = FakeLogGroup.of(GROUP, pantherInvocations(ACCOUNT, REGION, '2026-10-02'));
    logs
      .on(FilterLogEventsCommand)
      .rejectsOnce(awsError('ServiceUnavailableException', 500, 'The service cannot complete the request.'))
      .callsFake((input: FilterLogEventsCommandInput) => group.filter(input));
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    expect(errorsOf(r)).toEqual([]);
    expect(logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 4);
    expect(ofKind(r, 'bedrock.invocation_summary').map((s) => s.resource)).toEqual([`cloudwatch-logs/${GROUP}/2026-10-02`]);
  });

  it('falls back to CloudWatch when the S3 bucket refuses before any file, and records the refusal when there is no fallback', async () => {
    mockBedrock();
    const foreign = new FakeBucket(BUCKET, '444455556666');
    for (const f of FILES) foreign.put(keyOf(f), bedrockLogFile(recordsOf(f)));
    mockBuckets(foreign);
    mockLogs(FakeLogGroup.of(GROUP, pantherInvocations(ACCOUNT, REGION, '2026-10-02')));
    const { store } = newStore();
    const both = run(store);
    await bedrockCollector.collect(both.ctx);
    expect(errorsOf(both)).toEqual([]);
    expect(ofKind(both, 'bedrock.invocation_summary').map((s) => s.resource)).toEqual([`cloudwatch-logs/${GROUP}/2026-10-02`]);

    bedrock.reset();
    mockBedrock(loggingConfig('cloudWatchConfig'));
    const s3Only = run(newStore().store);
    await bedrockCollector.collect(s3Only.ctx);
    expect(errorsOf(s3Only).map((e) => [e.kind, e.resource, e.status.state === 'error' ? e.status.code : null])).toEqual([
      ['bedrock.invocation_summary', `s3://${BUCKET}/invocations/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/${REGION}/`, 'AccessDenied'],
    ]);
  });

  it('reports malformed CloudWatch records in an error item for the day, and summarises the good ones', async () => {
    mockBedrock(loggingConfig('s3Config'));
    const records = pantherInvocations(ACCOUNT, REGION, '2026-10-02');
    const group = FakeLogGroup.of(GROUP, records);
    const t = Date.parse('2026-10-02T15:00:00Z');
    group.messages.push({ timestamp: t, message: '{"schemaType":"ModelInvocationLog","timestamp":' }, { timestamp: t + 1, message: JSON.stringify({ ...records[0], timestamp: '2026-10-02 15:00:01.000000000' }) });
    mockLogs(group);
    const { store } = newStore();
    const r = run(store);
    await bedrockCollector.collect(r.ctx);
    const errors = errorsOf(r);
    expect(errors.map((e) => [e.kind, e.resource, e.status.state === 'error' ? e.status.code : null])).toEqual([
      ['bedrock.invocation_summary', `cloudwatch-logs/${GROUP}/2026-10-02`, 'MalformedRecords'],
    ]);
    expect(errors[0]!.status.state === 'error' ? errors[0]!.status.message : '').toMatch(/2 of 10 records are malformed: .*invalid JSON.*timestamp is not an ISO-8601 instant/);
    expect(await contentOf(store, ofKind(r, 'inventory')[0]!)).toEqual({ collector: 'bedrock', counts: { 'bedrock.logging_config': 1, 'bedrock.guardrail': 3 } });
    expect(await contentOf(store, ofKind(r, 'bedrock.invocation_summary')[0]!)).toMatchObject({ records: 8 });
  });
});

describe('bedrockCollector: interruption and resumption', () => {
  it('stops between files when aborted, and a rerun reads only the files not yet handled', async () => {
    mockBedrock();
    const bucket = invocationBucket();
    mockBuckets(bucket);
    const { store } = newStore();
    const controller = new AbortController();
    const first = run(store, {
      controller,
      onEmit: (obs) => {
        if (obs.kind === 'bedrock.invocation_summary') controller.abort();
      },
    });
    await expect(bedrockCollector.collect(first.ctx)).rejects.toMatchObject({ name: 'AbortError' });
    expect(bucket.getCalls).toEqual([keyOf(FILES[0]!)]);
    expect(ofKind(first, 'inventory')).toEqual([]);

    const second = run(store);
    await bedrockCollector.collect(second.ctx);
    expect(bucket.getCalls.slice(1)).toEqual([keyOf(FILES[1]!), keyOf(FILES[2]!)]);
    const starts = bucket.listCalls.slice(-3).map((c) => [c.Prefix, c.StartAfter]);
    expect(starts).toEqual([
      [dayPrefix('2026-10-01'), keyOf(FILES[0]!)],
      [dayPrefix('2026-10-02'), undefined],
      [dayPrefix('2026-10-03'), undefined],
    ]);
    // S3 had files for the window (in the first run): CloudWatch is still not read.
    expect(logs).not.toHaveReceivedAnyCommand();
    expect((await allItems(store)).filter((i) => i.kind === 'bedrock.invocation_summary')).toHaveLength(3);

    // Nothing new: a third run lists after the last keys and reads nothing.
    const gets = bucket.getCalls.length;
    await bedrockCollector.collect(run(store).ctx);
    expect(bucket.getCalls.length).toBe(gets);
    expect(logs).not.toHaveReceivedAnyCommand();
  });
});

describe('bedrockCollector: same items as the export directory', () => {
  it('yields the same invocation summaries (ids) for a log file read from S3 and from an export directory', async () => {
    mockBedrock(loggingConfig('cloudWatchConfig'));
    const bucket = invocationBucket();
    mockBuckets(bucket);
    const live = newStore();
    await bedrockCollector.collect(run(live.store).ctx);

    const exported = newStore();
    const root = path.join(exported.dir, 'export');
    for (const f of FILES) {
      const rel = keyOf(f, '');
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), bucket.objects.get(keyOf(f))!.bytes);
    }
    const summary = await collectExportDir(writeContext(exported.store, NOW), root);
    expect(summary.errors).toEqual([]);
    const idsOf = async (store: TempStore['store']) =>
      (await allItems(store))
        .filter((i) => i.kind === 'bedrock.invocation_summary')
        .map((i) => i.id)
        .sort();
    const liveIds = await idsOf(live.store);
    expect(liveIds).toHaveLength(3);
    expect(liveIds).toEqual(await idsOf(exported.store));
  });
});
