import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActivityAggregator } from '../../src/normalizers/cloudtrail/activity.js';
import { classifyEvent } from '../../src/normalizers/cloudtrail/classify.js';
import { eventContent, parseEvent } from '../../src/normalizers/cloudtrail/event.js';
import { normalizeTrails } from '../../src/normalizers/cloudtrail/trail.js';
import { NormalizeError } from '../../src/normalizers/types.js';
import { CONTENT_SCHEMAS } from '../../src/evidence/content.js';

const STRATUS = path.resolve('test/fixtures/realdata/stratus-red-team');
const stratusEvents = (): { file: string; event: unknown }[] =>
  readdirSync(path.join(STRATUS, 'detonation-logs'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(path.join(STRATUS, 'detonation-logs', f), 'utf8')) as unknown[]).map((event) => ({ file: f, event })));

describe('CloudTrail events (real stratus-red-team detonation logs)', () => {
  it('parses all 310 real events and keeps only the security- or AI-relevant ones', () => {
    const all = stratusEvents();
    expect(all).toHaveLength(310);
    const kept = all.map(({ file, event }) => eventContent(parseEvent(event, file))).filter((c) => c !== null);
    for (const c of kept) CONTENT_SCHEMAS['cloudtrail.event'].parse(c);
    const names = new Set(kept.map((c) => c.eventName));
    expect([...names]).toEqual(expect.arrayContaining(['StopLogging', 'DeleteTrail', 'PutEventSelectors']));
    expect(kept.find((c) => c.eventName === 'StopLogging')!.categories).toContain('logging_change');
    // Model invocations are counted, not kept one by one.
    expect(names.has('InvokeModel')).toBe(false);
  });

  it('counts Bedrock invocations per principal in the daily aggregate', () => {
    const agg = new ActivityAggregator('2024-01-01');
    for (const { file, event } of stratusEvents().filter((e) => e.file.includes('bedrock'))) agg.add(parseEvent(event, file));
    const r = agg.result();
    const invokes = Object.entries(r.aiCalls).filter(([k]) => k.endsWith('|bedrock.amazonaws.com|InvokeModel'));
    expect(invokes.length).toBeGreaterThan(0);
    expect(r.totalEvents).toBe(Object.values(r.byOperation).reduce((a, b) => a + b, 0));
  });

  it('counts a duplicated event (same eventID) once', () => {
    const { file, event } = stratusEvents()[0]!;
    const agg = new ActivityAggregator('2024-01-01');
    expect(agg.add(parseEvent(event, file))).toBe(true);
    expect(agg.add(parseEvent(event, file))).toBe(false);
    expect(agg.result().totalEvents).toBe(1);
  });

  it.each(['aws.defense-evasion.bedrock-guardrail-delete.json', 'aws.defense-evasion.bedrock-model-invocation-logging-delete.json'])(
    'rejects the non-ISO eventTime of %s with an error naming the input and the problem',
    (f) => {
      const event = JSON.parse(readFileSync(path.join(STRATUS, 'pr-672-unmerged', f), 'utf8')) as unknown;
      expect(() => parseEvent(event, `pr-672/${f}`)).toThrow(NormalizeError);
      expect(() => parseEvent(event, `pr-672/${f}`)).toThrow(
        /^pr-672\/.*\.json: eventTime of event ee73c230-44bc-4492-8542-cfb189eae287 is not an ISO-8601 instant with a time zone: "2025-03-26 \d\d:\d\d:\d\d\.000000000"$/,
      );
    },
  );

  it('classifies the real DeleteGuardrail and logging deletion once their time is ISO', () => {
    for (const [f, category] of [
      ['aws.defense-evasion.bedrock-guardrail-delete.json', 'guardrail_change'],
      ['aws.defense-evasion.bedrock-model-invocation-logging-delete.json', 'logging_change'],
    ] as const) {
      const event = JSON.parse(readFileSync(path.join(STRATUS, 'pr-672-unmerged', f), 'utf8')) as Record<string, unknown>;
      const c = eventContent(parseEvent({ ...event, eventTime: '2025-03-26T16:43:57Z' }, f))!;
      expect(c.categories).toContain(category);
      expect(c.principal.issuerArn).toMatch(/AWSReservedSSO_DevAdmin/);
    }
  });

  it('names the missing field of a partial event (real panther test events)', () => {
    const doc = JSON.parse(readFileSync('test/fixtures/realdata/panther-analysis/panther_cloudtrail_test_events.json', 'utf8')) as { tests: { log: unknown }[] };
    let ok = 0;
    const problems = new Set<string>();
    for (const t of doc.tests) {
      try {
        parseEvent(t.log, 'panther');
        ok += 1;
      } catch (err) {
        expect(err).toBeInstanceOf(NormalizeError);
        problems.add((err as NormalizeError).problem.replace(/event [^ ]+ /, 'event X ').replace(/: ".*"$/, '').replace(/got .*/, 'got …'));
      }
    }
    expect(ok).toBeGreaterThan(200);
    expect([...problems].some((p) => /eventTime .*is required|eventTime of event X is not an ISO-8601/.test(p))).toBe(true);
  });

  it('reads model approvals only when the approval status is set', () => {
    expect(classifyEvent('sagemaker.amazonaws.com', 'UpdateModelPackage', false, { modelApprovalStatus: 'Approved' })).toContain('model_approval');
    expect(classifyEvent('sagemaker.amazonaws.com', 'UpdateModelPackage', false, { customerMetadataProperties: {} })).not.toContain('model_approval');
    expect(classifyEvent('kms.amazonaws.com', 'PutKeyPolicy', false, {})).toEqual(['key_change']);
    expect(classifyEvent('ec2.amazonaws.com', 'DescribeInstances', true, {})).toEqual([]);
  });
});

describe('CloudTrail trails', () => {
  const meta = { account: '111122223333', region: 'eu-west-1', observedAt: '2026-11-01T06:00:00.000Z', sources: [{ type: 'file' as const, path: 'cli/d.json', sha256: 'a'.repeat(64) }], raw: null };
  const describeTrails = {
    trailList: [
      { Name: 'org', TrailARN: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org', HomeRegion: 'eu-west-1', IsMultiRegionTrail: true, LogFileValidationEnabled: true, KmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k', S3BucketName: 'b', IsOrganizationTrail: false },
      { Name: 'shadow', TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/shadow', HomeRegion: 'us-east-1', IsMultiRegionTrail: true },
    ],
  };

  it('joins status and selectors, and skips shadow copies of trails homed elsewhere', () => {
    const obs = normalizeTrails(
      describeTrails,
      new Map([['org', { IsLogging: true, LatestDeliveryTime: 1793512800 }]]),
      new Map([['org', { AdvancedEventSelectors: [{ Name: 'data', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] }, { Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }]]),
      meta,
    );
    expect(obs).toHaveLength(1);
    expect(obs[0]!.content).toMatchObject({ name: 'org', isLogging: true, kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k', dataEvents: { s3: true, lambda: false, other: [] }, managementEvents: 'all', latestDeliveryTime: '2026-11-01T06:00:00.000Z' });
    expect(obs[0]!.resource).toBe('arn:aws:cloudtrail:eu-west-1:111122223333:trail/org');
  });

  it('gives identical content for the CLI shape (epoch seconds) and the SDK shape (Date)', () => {
    const cli = normalizeTrails(describeTrails, new Map([['org', { IsLogging: true, LatestDeliveryTime: 1793512800 }]]), new Map(), meta);
    const sdk = normalizeTrails(describeTrails, new Map([['org', { IsLogging: true, LatestDeliveryTime: new Date(1793512800 * 1000) }]]), new Map(), meta);
    expect(sdk[0]!.content).toEqual(cli[0]!.content);
  });

  it('names the trail entry at fault', () => {
    expect(() => normalizeTrails({ trailList: [{ HomeRegion: 'eu-west-1' }] }, new Map(), new Map(), meta)).toThrow(/cli\/d\.json: trailList\[0\]\.Name is required/);
    expect(() => normalizeTrails({ trailList: {} }, new Map(), new Map(), meta)).toThrow(/trailList must be an array/);
  });
});
