// Hostile AWS API payloads on the live path: the fake AWS endpoint (test/fake-aws, contract validation off so it
// sends what a broken or hostile service would) serves a model card whose Content is not JSON or nested 100,000
// deep, a guardrail without its name, an enum value outside the API's, a recorder whose `recording` is a string,
// and a Config item with a capture time that is not ISO-8601; the real live collectors (real AWS SDK clients,
// SigV4) normalise them. Each must become an error item naming the API call and the problem, the run goes on for
// the rest, nothing crashes, and the evidence already in the store is untouched.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLiveCollection, type LiveSummary } from '../../src/collectors/live/runner.js';
import { LIVE_COLLECTORS } from '../../src/collectors/live/registry.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { EvidenceItem } from '../../src/evidence/model.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import { FakeAws, type Identity } from '../fake-aws/server.js';
import { modelsAvailable } from '../fake-aws/smithy.js';
import { recordOutcome } from './outcomes.js';
import {
  hostileTemp,
  lostRecords,
  put,
  removeHostileTemps,
  snapshotStore,
  type StoreSnapshot,
} from './lib/hostile-kit.js';

const A = '111122223333';
const R = 'eu-west-1';
const ID: Identity = {
  accessKeyId: 'AKIAHOSTILEPAYLOAD01',
  secretAccessKey: 'fake-secret-hostile-payloads',
  account: A,
};
const card = (name: string, over: Record<string, unknown>): string =>
  JSON.stringify({
    ModelCardArn: `arn:aws:sagemaker:${R}:${A}:model-card/${name}`,
    ModelCardName: name,
    ModelCardVersion: 1,
    Content: '{}',
    ModelCardStatus: 'Draft',
    CreationTime: '2026-10-01T00:00:00Z',
    LastModifiedTime: '2026-10-01T00:00:00Z',
    ...over,
  });

const CASES = [
  {
    id: 'model-card-content-not-json',
    kind: 'sagemaker.model_card',
    code: 'MalformedInput',
    message:
      'sagemaker:DescribeModelCard: Content is not valid JSON (it must hold the model card content as a JSON document)',
  },
  {
    id: 'guardrail-missing-name',
    kind: 'bedrock.guardrail',
    code: 'MissingField',
    message: 'bedrock:GetGuardrail: name is required and must be a non-empty string, got undefined',
  },
  {
    id: 'compliance-enum-outside-api',
    kind: 'config.rule_compliance',
    code: 'UnknownShape',
    message:
      'config:DescribeComplianceByConfigRule: ComplianceByConfigRules[0].Compliance.ComplianceType must be one of COMPLIANT|NON_COMPLIANT|NOT_APPLICABLE|INSUFFICIENT_DATA, got "MAYBE"',
  },
  {
    id: 'config-item-time-not-iso8601',
    kind: 'config.configuration_item',
    code: 'InvalidTime',
    message:
      'config:collect: Results[1].configurationItemCaptureTime is not an ISO-8601 instant with a time zone: "yesterday"',
  },
] as const;

let fake: FakeAws;
let storeDir: string;
let before: StoreSnapshot;
let summary: LiveSummary;
let threw: unknown = null;
const items: EvidenceItem[] = [];

describe.skipIf(!modelsAvailable())('hostile AWS API payloads through the live collectors', () => {
  beforeAll(async () => {
    const tmp = hostileTemp('hostile-aws');
    const estate = path.join(tmp, 'estate');
    put(
      estate,
      `cli/${A}/${R}/sagemaker/describe-model-card.badcontent.json`,
      card('badcontent', { Content: '{not json' }),
    );
    put(
      estate,
      `cli/${A}/${R}/sagemaker/describe-model-card.deep.json`,
      card('deep', {
        Content: `{"model_overview":{"model_description":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
      }),
    );
    put(estate, `cli/${A}/${R}/sagemaker/describe-model-card.good.json`, card('good', {}));
    put(
      estate,
      `cli/${A}/${R}/bedrock/get-guardrail.g1.json`,
      JSON.stringify({
        guardrailId: 'g1',
        guardrailArn: `arn:aws:bedrock:${R}:${A}:guardrail/g1`,
        version: 'DRAFT',
        status: 'READY',
        createdAt: '2026-10-01T00:00:00Z',
        updatedAt: '2026-10-01T00:00:00Z',
        blockedInputMessaging: 'x',
        blockedOutputsMessaging: 'y',
      }),
    );
    put(estate, `cli/${A}/${R}/bedrock/get-model-invocation-logging-configuration.json`, '{}');
    put(
      estate,
      `cli/${A}/${R}/configservice/describe-compliance-by-config-rule.json`,
      JSON.stringify({ ComplianceByConfigRules: [{ ConfigRuleName: 'r1', Compliance: { ComplianceType: 'MAYBE' } }] }),
    );
    const s3 = JSON.parse(
      readFileSync(path.resolve('../shared/realdata/aws-config-rdk/example_ci/AWS_S3_Bucket.json'), 'utf8'),
    ) as Record<string, unknown>;
    put(
      estate,
      `AWSLogs/${A}/Config/${R}/2026/10/05/ConfigSnapshot/${A}_Config_${R}_ConfigSnapshot_20261005T000000Z_h.json.gz`,
      gzipSync(
        JSON.stringify({
          fileVersion: '1.0',
          configurationItems: [
            { ...s3, awsAccountId: A, awsRegion: R, configurationItemCaptureTime: 'yesterday' },
            {
              ...s3,
              awsAccountId: A,
              awsRegion: R,
              resourceId: 'b2',
              configurationItemCaptureTime: '2026-10-05T00:00:00Z',
            },
          ],
        }),
      ),
    );
    // Good evidence already in the store.
    storeDir = path.join(tmp, 'store');
    const store = new LocalDirectoryStore(storeDir, { fsync: false });
    const good = path.join(tmp, 'good');
    put(good, `cli/${A}/${R}/sagemaker/describe-model-card.seed.json`, card('seed', {}));
    mkdirSync(path.join(good, `cli/${A}/${R}/configservice`), { recursive: true });
    writeFileSync(
      path.join(good, `cli/${A}/${R}/configservice/describe-configuration-recorder-status.json`),
      JSON.stringify({ ConfigurationRecordersStatus: [{ name: 'default', recording: true }] }),
    );
    await collectExportDir(
      { store, now: () => new Date('2026-11-01T00:00:00Z'), collectorVersion: 'faults', callerIdentity: null },
      good,
    );
    before = snapshotStore(storeDir);

    fake = new FakeAws({ exportDir: estate, identities: [ID], validate: false });
    await fake.start();
    for (const [k, v] of Object.entries(fake.env(ID))) process.env[k] = v;
    try {
      summary = await runLiveCollection({
        collectors: LIVE_COLLECTORS.filter((c) => ['sagemaker', 'bedrock', 'config'].includes(c.id)),
        accounts: [{ id: A }],
        regions: [R],
        window: { start: new Date('2026-10-01T00:00:00Z'), end: new Date('2026-10-31T00:00:00Z') },
        store,
        now: () => new Date('2026-11-01T00:00:00Z'),
        generator: { name: 'auditpack', version: 'faults' },
        credentials: { accessKeyId: ID.accessKeyId, secretAccessKey: ID.secretAccessKey },
        sdkMaxAttempts: 1,
      });
    } catch (err) {
      threw = err;
    }
    for await (const i of store.listItems({})) items.push(i);
  }, 180_000);

  afterAll(async () => {
    await fake?.stop();
    removeHostileTemps();
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s: an error item naming the API call and the problem', (_id, c) => {
    expect(threw).toBeNull();
    const errs = items.filter((i) => i.kind === c.kind && i.status.state === 'error');
    expect(errs.map((i) => (i.status.state === 'error' ? `${i.status.code}: ${i.status.message}` : ''))).toEqual([
      `${c.code}: ${c.message}`,
    ]);
    expect(
      summary.errors.some(
        (e) =>
          e === `${c.kind.split('.')[0] === 'sagemaker' ? 'sagemaker' : c.kind.split('.')[0]} ${A}/${R}: ${c.message}`,
      ),
    ).toBe(true);
    recordOutcome({
      id: `hostile-input/aws-payload/${c.id}`,
      group: 'Hostile input',
      scenario: `Live collection through the fake AWS endpoint (contract validation off): ${c.id.replace(/-/g, ' ')}.`,
      expected: `One error item ${c.code} naming the API call and the problem; the run completes; nothing stored before is lost.`,
      runs: 1,
      lost: lostRecords(before, snapshotStore(storeDir)).length,
      duplicated: 0,
      crashes: threw ? 1 : 0,
      leaks: 0,
    });
  });

  it('the rest is collected: the good card, the 100,000-deep one (its odd field ignored) and the good Config item', () => {
    expect(threw).toBeNull();
    const cards = items
      .filter((i) => i.kind === 'sagemaker.model_card' && i.status.state === 'collected')
      .map((i) => i.resource);
    expect(cards.join(' '), cards.join(' ')).toMatch(/model-card\/good/);
    expect(cards.join(' ')).toMatch(/model-card\/deep/);
    expect(items.some((i) => i.kind === 'config.configuration_item' && i.status.state === 'collected')).toBe(true);
    expect(lostRecords(before, snapshotStore(storeDir))).toEqual([]);
    expect(summary.failed).toBe(true);
    expect(fake.stats.problems).toEqual([]);
  });
});
