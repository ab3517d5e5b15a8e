/**
 * The Northwind example generator: determinism, real file formats (checked against the official Smithy models and
 * the SageMaker model-card schema), and consistency of examples/northwind/expected-state.json with the files.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SEED,
  expectedState,
  generateExample,
  type GenerateResult,
} from '../../examples/northwind/generate.js';
import { ibanValid, luhnValid } from '../../examples/northwind/lib/pii.js';

const REALDATA = process.env['AUDITPACK_REALDATA'] ?? path.resolve('..', 'shared', 'realdata');
const MODELS = path.join(REALDATA, 'api-models-aws');
const HAVE_MODELS = existsSync(path.join(MODELS, 'sagemaker'));
const CARD_SCHEMA = path.join(
  REALDATA,
  'sagemaker-python-sdk/sagemaker-core/src/sagemaker/core/tools/model_card/model_card_schema.json',
);
const UPSTREAM_ANALYSIS = path.join(
  REALDATA,
  'amazon-sagemaker-examples/archived/fraud_detection/clarify_output/bias_2/analysis.json',
);
if (!HAVE_MODELS) console.warn(`[examples] Smithy models not found under ${MODELS}: shape checks are skipped`);

const PROD = '111122223333';
const MLDEV = '444455556666';
const COLLECTION_MS = Date.parse('2026-11-01T06:00:00Z');
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dirA: string;
let dirB: string;
let dirC: string;
let resultA: GenerateResult;
let cpuMsA = 0;
let filesA: string[] = [];
const expected = JSON.parse(readFileSync('examples/northwind/expected-state.json', 'utf8')) as Json;

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const readJson = (root: string, rel: string): Json => JSON.parse(readFileSync(path.join(root, rel), 'utf8')) as Json;

function cloudTrailFiles(): string[] {
  return filesA.filter((f) => f.includes('/CloudTrail/'));
}

function cloudTrailRecords(root: string, rel: string): Json[] {
  const doc = JSON.parse(gunzipSync(readFileSync(path.join(root, rel))).toString('utf8')) as Json;
  return doc['Records'] as Json[];
}

let recordsCache: { file: string; r: Json }[] | undefined;
function allRecords(): { file: string; r: Json }[] {
  recordsCache ??= cloudTrailFiles().flatMap((file) => cloudTrailRecords(dirA, file).map((r) => ({ file, r })));
  return recordsCache;
}

let invocationCache: { file: string; r: Json }[] | undefined;
function invocationRecords(): { file: string; r: Json }[] {
  invocationCache ??= filesA
    .filter((f) => f.includes('/BedrockModelInvocationLogs/'))
    .flatMap((file) =>
      gunzipSync(readFileSync(path.join(dirA, file)))
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => ({ file, r: JSON.parse(l) as Json })),
    );
  return invocationCache;
}

beforeAll(async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'auditpack-northwind-'));
  dirA = path.join(base, 'a');
  dirB = path.join(base, 'b');
  dirC = path.join(base, 'c');
  // CPU time rather than wall time, so that a loaded CI machine does not make the size/speed check flaky.
  const cpu0 = process.cpuUsage();
  resultA = await generateExample(dirA);
  const cpu = process.cpuUsage(cpu0);
  cpuMsA = (cpu.user + cpu.system) / 1000;
  await generateExample(dirB, { seed: DEFAULT_SEED });
  await generateExample(dirC, { seed: 7 });
  filesA = listFiles(dirA);
});

afterAll(() => {
  if (dirA) rmSync(path.dirname(dirA), { recursive: true, force: true });
});

describe('determinism and size', () => {
  it('same seed gives a byte-identical tree (paths, contents and mtimes)', () => {
    const filesB = listFiles(dirB);
    expect(filesB).toEqual(filesA);
    for (const f of filesA) {
      expect(sha(path.join(dirB, f)), f).toBe(sha(path.join(dirA, f)));
      expect(statSync(path.join(dirB, f)).mtimeMs, f).toBe(statSync(path.join(dirA, f)).mtimeMs);
    }
  });

  it('a different seed gives different CloudTrail content but the same planted files', () => {
    const filesC = listFiles(dirC);
    const ctA = new Set(cloudTrailFiles().map((f) => sha(path.join(dirA, f))));
    const ctC = filesC.filter((f) => f.includes('/CloudTrail/')).map((f) => sha(path.join(dirC, f)));
    expect(ctC.filter((h) => ctA.has(h))).toEqual([]);
    const planted = filesA.filter((f) => !f.includes('/CloudTrail/'));
    expect(filesC.filter((f) => !f.includes('/CloudTrail/'))).toEqual(planted);
    for (const f of planted) expect(sha(path.join(dirC, f)), f).toBe(sha(path.join(dirA, f)));
  });

  it('is small and fast, and reports what it wrote', () => {
    const bytes = filesA.reduce((s, f) => s + statSync(path.join(dirA, f)).size, 0);
    expect(bytes).toBeLessThan(20 * 1024 * 1024);
    expect(cpuMsA).toBeLessThan(10_000);
    expect(resultA.files).toBe(filesA.length);
    expect(resultA.events).toBe(allRecords().length);
    expect(resultA.invocations).toBe(invocationRecords().length);
    expect(resultA.invocations).toBe(expected['bedrock']['totalLoggedRecords']);
  });

  it('every CLI output (and Clarify/Artifact file) carries the collection time as mtime', () => {
    const observed = filesA.filter((f) => f.startsWith('cli/') || f.startsWith('clarify/'));
    expect(observed.length).toBeGreaterThan(50);
    for (const f of observed) expect(statSync(path.join(dirA, f)).mtimeMs, f).toBe(COLLECTION_MS);
    for (const d of expected['sagemaker']['emptyDirectories'] as Json[]) {
      const p = path.join(dirA, d['path'] as string);
      expect(statSync(p).isDirectory()).toBe(true);
      expect(readdirSync(p)).toEqual([]);
    }
  });
});

describe('CloudTrail log files', () => {
  it('follow the S3 delivery layout and gunzip to {"Records":[...]} sorted by ISO eventTime', () => {
    const files = cloudTrailFiles();
    expect(files.length).toBeGreaterThan(4 * 31 * 2);
    for (const f of files) {
      const m =
        /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail_\2_(\d{8})T(\d{4})Z_[A-Za-z0-9]{16}\.json\.gz$/.exec(
          f,
        );
      expect(m, f).not.toBeNull();
      if (!m) continue;
      expect(m[6]).toBe(`${m[3]}${m[4]}${m[5]}`);
      const doc = JSON.parse(gunzipSync(readFileSync(path.join(dirA, f))).toString('utf8')) as Json;
      expect(Object.keys(doc)).toEqual(['Records']);
      const recs = doc['Records'] as Json[];
      expect(recs.length).toBeGreaterThan(0);
      let prev = '';
      for (const r of recs) {
        expect(r['eventTime'], f).toMatch(ISO_Z);
        expect((r['eventTime'] as string) >= prev, f).toBe(true);
        prev = r['eventTime'] as string;
        expect((r['eventTime'] as string).slice(0, 10)).toBe(`${m[3]}-${m[4]}-${m[5]}`);
        expect(r['recipientAccountId']).toBe(m[1]);
        expect(r['awsRegion']).toBe(m[2]);
        expect(
          r['eventTime'] < `${m[3]}-${m[4]}-${m[5]}T${m[7]?.slice(0, 2)}:${m[7]?.slice(2)}:00Z`,
          `${f}: file named before its events`,
        ).toBe(true);
      }
    }
  });

  it('every event has an eventID (uuid) and a requestID, both unique across the tree', () => {
    const ids = new Set<string>();
    const reqs = new Set<string>();
    let n = 0;
    for (const { r } of allRecords()) {
      n++;
      expect(r['eventID']).toMatch(UUID);
      expect(typeof r['requestID']).toBe('string');
      ids.add(r['eventID'] as string);
      reqs.add(r['requestID'] as string);
      for (const k of [
        'eventVersion',
        'userIdentity',
        'eventSource',
        'eventName',
        'eventType',
        'readOnly',
        'eventCategory',
        'managementEvent',
      ]) {
        expect(r, `${String(r['eventID'])} lacks ${k}`).toHaveProperty(k);
      }
    }
    expect(ids.size).toBe(n);
    expect(reqs.size).toBe(n);
  });

  it('has files for every day in every account/region except the planted gap', () => {
    const coverage = expected['cloudtrail']['logFiles'] as Record<
      string,
      { daysWithFiles: number; missingDays: string[] }
    >;
    for (const [pair, c] of Object.entries(coverage)) {
      const [acct, region] = pair.split('/');
      const days = new Set(
        cloudTrailFiles()
          .filter((f) => f.startsWith(`AWSLogs/${acct}/CloudTrail/${region}/`))
          .map((f) => f.split('/').slice(4, 7).join('-')),
      );
      expect(days.size, pair).toBe(c.daysWithFiles);
      for (const d of c.missingDays) {
        expect(days.has(d), `${pair} ${d}`).toBe(false);
        expect(existsSync(path.join(dirA, `AWSLogs/${acct}/CloudTrail/${region}/${d.replaceAll('-', '/')}`))).toBe(
          false,
        );
      }
    }
    expect(coverage[`${MLDEV}/us-east-1`]?.missingDays).toEqual(['2026-10-17', '2026-10-18']);
  });

  it('holds the planted sensitive changes exactly as expected-state.json says', () => {
    const byId = new Map(allRecords().map(({ file, r }) => [r['eventID'] as string, { file, r }]));
    const changes = expected['cloudtrail']['sensitiveChanges'] as Json[];
    expect(changes.map((c) => c['eventName'] as string)).toEqual([
      'DeleteModelInvocationLoggingConfiguration',
      'DeleteGuardrail',
      'PutKeyPolicy',
      'StopLogging',
    ]);
    for (const c of changes) {
      const hit = byId.get(c['eventID'] as string);
      expect(hit, c['id'] as string).toBeDefined();
      if (!hit) continue;
      expect(hit.file.startsWith(`AWSLogs/${c['account'] as string}/CloudTrail/${c['region'] as string}/`)).toBe(true);
      expect(hit.r['eventTime']).toBe(c['eventTime']);
      expect(hit.r['eventName']).toBe(c['eventName']);
      expect(hit.r['requestID']).toBe(c['requestID']);
      expect(hit.r['userIdentity']['arn']).toBe(c['principal']);
      expect(hit.r['errorCode'] ?? null).toBe(c['errorCode']);
      expect(c['countsAsChange']).toBe(c['errorCode'] === null);
    }
    const stop = changes.find((c) => c['eventName'] === 'StopLogging');
    expect(stop?.['errorCode']).toBe('AccessDenied');
    expect(stop?.['eventTime']).toMatch(/^2026-10-03T/);
    const times = Object.fromEntries(changes.map((c) => [c['eventName'] as string, c['eventTime'] as string]));
    expect(times).toMatchObject({
      DeleteModelInvocationLoggingConfiguration: '2026-10-21T14:05:00Z',
      DeleteGuardrail: '2026-10-22T09:30:00Z',
      PutKeyPolicy: '2026-10-14T11:00:00Z',
    });
  });

  it('records the model approval and the SageMaker activity', () => {
    const recs = allRecords().map(({ r }) => r);
    const approval = recs.filter((r) => r['eventName'] === 'UpdateModelPackage');
    expect(approval).toHaveLength(1);
    expect(approval[0]?.['eventTime']).toBe(expected['cloudtrail']['modelApproval']['eventTime']);
    expect(approval[0]?.['userIdentity']['arn']).toBe('arn:aws:sts::111122223333:assumed-role/MLApprover/dana.kim');
    expect(approval[0]?.['requestParameters']['modelApprovalStatus']).toBe('Approved');
    const ids = new Set(recs.map((r) => r['eventID'] as string));
    for (const e of expected['cloudtrail']['sagemakerEvents'] as Json[])
      expect(ids.has(e['eventID'] as string), e['eventName'] as string).toBe(true);
    // Bedrock runtime calls: eu-west-1 only, in both accounts; one CloudTrail event per call.
    for (const [pair, c] of Object.entries(expected['cloudtrail']['bedrockRuntimeEvents'] as Record<string, Json>)) {
      const [acct, region] = pair.split('/');
      const n = recs.filter(
        (r) =>
          r['recipientAccountId'] === acct &&
          r['awsRegion'] === region &&
          ['InvokeModel', 'Converse'].includes(r['eventName'] as string),
      ).length;
      expect(n, pair).toBe(c['cloudTrailEvents']);
      if (region === 'us-east-1') expect(n).toBe(0);
      else expect(n).toBeGreaterThan(50);
    }
  });
});

describe('Bedrock model-invocation logs', () => {
  it('every line is a ModelInvocationLog record with the real shape', () => {
    const recs = invocationRecords();
    expect(recs.length).toBeGreaterThan(200);
    expect(recs.length).toBeLessThan(1000);
    const ids = new Set<string>();
    for (const { file, r } of recs) {
      const m =
        /^AWSLogs\/(\d{12})\/BedrockModelInvocationLogs\/eu-west-1\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/\d{8}T\d{6}Z_[0-9a-f]{16}\.json\.gz$/.exec(
          file,
        );
      expect(m, file).not.toBeNull();
      expect(r['schemaType']).toBe('ModelInvocationLog');
      expect(r['schemaVersion']).toBe('1.0');
      expect(r['timestamp']).toMatch(ISO_Z);
      expect((r['timestamp'] as string).slice(0, 13)).toBe(`${m?.[2]}-${m?.[3]}-${m?.[4]}T${m?.[5]}`);
      expect(r['accountId']).toBe(m?.[1]);
      expect(r['region']).toBe('eu-west-1');
      expect(r['identity']['arn']).toMatch(/^arn:aws:sts::\d{12}:assumed-role\//);
      expect(['InvokeModel', 'Converse']).toContain(r['operation']);
      expect(['anthropic.claude-3-haiku-20240307-v1:0', 'amazon.titan-text-express-v1']).toContain(r['modelId']);
      expect(Object.keys(r['input'] as Json)).toEqual(['inputContentType', 'inputBodyJson', 'inputTokenCount']);
      expect(Object.keys(r['output'] as Json)).toEqual(['outputContentType', 'outputBodyJson', 'outputTokenCount']);
      ids.add(r['requestId'] as string);
    }
    expect(ids.size).toBe(recs.length);
  });

  it('prod logs every day; ml-dev stops when logging was deleted; us-east-1 has none', () => {
    const recs = invocationRecords();
    const deleted = expected['bedrock']['loggingDeleted']['at'] as string;
    const prodDays = new Set(
      recs.filter(({ r }) => r['accountId'] === PROD).map(({ r }) => (r['timestamp'] as string).slice(0, 10)),
    );
    expect(prodDays.size).toBe(31);
    const dev = recs.filter(({ r }) => r['accountId'] === MLDEV);
    expect(dev.length).toBeGreaterThan(0);
    expect(dev.every(({ r }) => (r['timestamp'] as string) < deleted)).toBe(true);
    expect(dev.some(({ r }) => (r['timestamp'] as string).startsWith('2026-10-21'))).toBe(true);
    expect(filesA.some((f) => f.includes('/BedrockModelInvocationLogs/us-east-1/'))).toBe(false);
    // Invocations go on in ml-dev after the deletion: CloudTrail still shows them.
    const after = allRecords().filter(
      ({ r }) =>
        r['recipientAccountId'] === MLDEV &&
        ['InvokeModel', 'Converse'].includes(r['eventName'] as string) &&
        (r['eventTime'] as string) > deleted,
    );
    expect(after.length).toBe(expected['bedrock']['invocationsAfterLoggingDeleted']['cloudTrailEventsOnly']);
    expect(after.length).toBeGreaterThan(10);
    // Each logged call has the CloudTrail event with the same request id.
    const ctReq = new Set(allRecords().map(({ r }) => r['requestID'] as string));
    for (const { r } of recs) expect(ctReq.has(r['requestId'] as string)).toBe(true);
  });

  it('about 10% of prompts carry PII; prod PII is guarded except the three planted records', () => {
    const recs = invocationRecords().map(({ r }) => r);
    const pii = expected['bedrock']['pii'];
    const guarded = (r: Json): boolean => {
      const body = r['output']['outputBodyJson'] as Json;
      return body['stopReason'] === 'guardrail_intervened' || body['amazon-bedrock-guardrailAction'] === 'INTERVENED';
    };
    const traced = (r: Json): boolean => /"piiEntities"/.test(JSON.stringify(r['output']['outputBodyJson']));
    const prod = recs.filter((r) => r['accountId'] === PROD);
    expect(prod.length).toBe(pii['prod']['records']);
    const intervened = prod.filter(guarded);
    expect(intervened.length).toBe(pii['prod']['guardrailIntervened']);
    expect(intervened.every(traced)).toBe(true);
    const ratio = (pii['prod']['recordsWithPii'] as number) / recs.length;
    expect(ratio).toBeGreaterThan(0.07);
    expect(ratio).toBeLessThan(0.14);
    const unguarded = pii['prod']['unguarded'] as Json[];
    expect(unguarded).toHaveLength(3);
    const byReq = new Map(prod.map((r) => [r['requestId'] as string, r]));
    const types = new Set<string>();
    for (const u of unguarded) {
      const r = byReq.get(u['requestId'] as string);
      expect(r, u['requestId'] as string).toBeDefined();
      if (!r) continue;
      expect(r['timestamp']).toBe(u['timestamp']);
      expect(guarded(r)).toBe(false);
      expect(traced(r)).toBe(false);
      const text = JSON.stringify(r['input']['inputBodyJson']);
      for (const t of u['piiTypes'] as string[]) types.add(t);
      if ((u['piiTypes'] as string[]).includes('INTERNATIONAL_BANK_ACCOUNT_NUMBER')) {
        const iban = /GB\d{2}(?: [A-Z0-9]{4}){4} [0-9]{2}/.exec(text)?.[0];
        expect(iban && ibanValid(iban)).toBe(true);
      }
      if ((u['piiTypes'] as string[]).includes('CREDIT_DEBIT_CARD_NUMBER')) {
        const card = /\b4\d{3}(?: \d{4}){3}\b/.exec(text)?.[0];
        expect(card && luhnValid(card.replace(/ /g, ''))).toBe(true);
      }
      if ((u['piiTypes'] as string[]).includes('EMAIL')) expect(text).toMatch(/@example\.(com|org|net)/);
      if ((u['piiTypes'] as string[]).includes('US_SOCIAL_SECURITY_NUMBER'))
        expect(text).toMatch(/\b\d{3}-\d{2}-\d{4}\b/);
    }
    expect([...types].sort()).toEqual([
      'CREDIT_DEBIT_CARD_NUMBER',
      'EMAIL',
      'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
      'PHONE',
      'US_SOCIAL_SECURITY_NUMBER',
    ]);
    // Every guardrail-trace card number is Luhn-valid.
    for (const r of intervened) {
      for (const m of JSON.stringify(r['output']['outputBodyJson']).matchAll(
        /"match":"([^"]+)","type":"CREDIT_DEBIT_CARD_NUMBER"/g,
      )) {
        expect(luhnValid((m[1] ?? '').replace(/ /g, ''))).toBe(true);
      }
    }
    // ml-dev prompts are synthetic: no trace, no intervention.
    expect(recs.filter((r) => r['accountId'] === MLDEV).some(guarded)).toBe(false);
  });

  it('logging configuration and guardrail files match the planted state', () => {
    for (const c of expected['bedrock']['loggingConfiguration'] as Json[]) {
      const doc = readJson(
        dirA,
        `cli/${c['account'] as string}/${c['region'] as string}/bedrock/get-model-invocation-logging-configuration.json`,
      );
      if (c['enabled']) {
        expect(doc['loggingConfig']['s3Config']['bucketName']).toBe(c['s3Bucket']);
        expect(doc['loggingConfig']['cloudWatchConfig']['logGroupName']).toBe(c['cloudWatchLogGroup']);
        expect(doc['loggingConfig']['textDataDeliveryEnabled']).toBe(true);
      } else expect(doc).toEqual({});
    }
    const g = (expected['bedrock']['guardrails'] as Json[])[0] as Json;
    const doc = readJson(dirA, g['file'] as string);
    expect(doc['sensitiveInformationPolicy']['piiEntities']).toEqual([
      { type: 'EMAIL', action: 'ANONYMIZE' },
      { type: 'PHONE', action: 'ANONYMIZE' },
      { type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' },
      { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' },
    ]);
    expect(doc['contentPolicy']['filters'].length).toBeGreaterThan(0);
    expect(readdirSync(path.join(dirA, `cli/${MLDEV}/eu-west-1/bedrock`))).toEqual([
      'get-model-invocation-logging-configuration.json',
    ]);
  });
});

describe('Config, SageMaker, Clarify and Artifact files', () => {
  it('rule compliance in the CLI outputs matches expected-state.json', () => {
    const rules = expected['config']['rules'] as Json[];
    expect(rules).toHaveLength(32);
    for (const rule of rules) {
      const base = `cli/${rule['account'] as string}/${rule['region'] as string}/configservice`;
      const all = readJson(dirA, `${base}/describe-compliance-by-config-rule.json`)[
        'ComplianceByConfigRules'
      ] as Json[];
      const c = all.find((x) => x['ConfigRuleName'] === rule['ruleName']);
      expect(c?.['Compliance']['ComplianceType'], `${base} ${rule['ruleName'] as string}`).toBe(rule['complianceType']);
      expect(c?.['Compliance']['ComplianceType']).not.toBe('NOT_APPLICABLE');
      const defs = readJson(dirA, `${base}/describe-config-rules.json`)['ConfigRules'] as Json[];
      const def = defs.find((x) => x['ConfigRuleName'] === rule['ruleName']);
      expect(def?.['Source']).toEqual({ Owner: 'AWS', SourceIdentifier: rule['sourceIdentifier'] });
      const details = readJson(
        dirA,
        `${base}/get-compliance-details-by-config-rule.${rule['ruleName'] as string}.json`,
      )['EvaluationResults'] as Json[];
      expect(details).toHaveLength(rule['evaluatedResources'] as number);
      const nc = details
        .filter((d) => d['ComplianceType'] === 'NON_COMPLIANT')
        .map((d) => d['EvaluationResultIdentifier']['EvaluationResultQualifier']['ResourceId'] as string);
      expect(nc).toEqual((rule['nonCompliantResources'] as Json[]).map((r) => r['resourceId'] as string));
    }
    const nonCompliant = rules
      .filter((r) => r['complianceType'] === 'NON_COMPLIANT')
      .map((r) => `${r['account'] as string}/${r['region'] as string}/${r['sourceIdentifier'] as string}`);
    expect(nonCompliant.sort()).toEqual(
      [
        `${MLDEV}/eu-west-1/CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED`,
        `${MLDEV}/eu-west-1/CLOUD_TRAIL_ENCRYPTION_ENABLED`,
        `${MLDEV}/us-east-1/CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED`,
        `${MLDEV}/us-east-1/CLOUD_TRAIL_ENCRYPTION_ENABLED`,
        `${MLDEV}/eu-west-1/S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED`,
        `${MLDEV}/eu-west-1/SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED`,
        `${PROD}/eu-west-1/IAM_USER_MFA_ENABLED`,
      ].sort(),
    );
    const pack = readJson(
      dirA,
      `cli/${PROD}/eu-west-1/configservice/describe-conformance-pack-compliance.Operational-Best-Practices-for-HIPAA-Security.json`,
    );
    expect(
      (pack['ConformancePackRuleComplianceList'] as Json[]).map((x) => ({
        ruleName: x['ConfigRuleName'] as string,
        complianceType: x['ComplianceType'] as string,
      })),
    ).toEqual((expected['config']['conformancePacks'] as Json[])[0]?.['rules']);
  });

  it('writes one Config snapshot per account/region with the expected items', () => {
    for (const s of expected['config']['snapshots'] as Json[]) {
      expect(s['file']).toMatch(
        new RegExp(
          `^AWSLogs/${s['account'] as string}/Config/${s['region'] as string}/2026/10/31/ConfigSnapshot/${s['account'] as string}_Config_${s['region'] as string}_ConfigSnapshot_\\d{8}T\\d{6}Z_[0-9a-f-]{36}\\.json\\.gz$`,
        ),
      );
      const doc = JSON.parse(gunzipSync(readFileSync(path.join(dirA, s['file'] as string))).toString('utf8')) as Json;
      expect(doc['fileVersion']).toBe('1.0');
      expect(s['file']).toContain(doc['configSnapshotId']);
      const items = doc['configurationItems'] as Json[];
      expect(
        items.map((i) => ({
          resourceType: i['resourceType'],
          resourceId: i['resourceId'],
          resourceName: i['resourceName'],
        })),
      ).toEqual(s['items']);
      for (const i of items) {
        expect(i['configurationItemVersion']).toBe('1.3');
        expect(i['awsAccountId']).toBe(s['account']);
        expect(typeof i['ARN']).toBe('string');
      }
      for (const k of s['kmsKeys'] as Json[]) {
        const ci = items.find((i) => i['resourceId'] === k['keyId']);
        expect(ci?.['supplementaryConfiguration']['KeyRotationStatus']).toBe(k['keyRotationStatus']);
        expect(ci?.['configuration']['origin']).toBe(k['origin']);
      }
    }
  });

  it('trail CLI outputs exist for eu-west-1 only and hold the planted settings', () => {
    for (const t of expected['cloudtrail']['trails'] as Json[]) {
      const base = `cli/${t['account'] as string}/eu-west-1/cloudtrail`;
      const trail = readJson(dirA, `${base}/describe-trails.json`)['trailList'][0] as Json;
      expect(trail['Name']).toBe(t['name']);
      expect(trail['IsMultiRegionTrail']).toBe(t['isMultiRegionTrail']);
      expect(trail['LogFileValidationEnabled']).toBe(t['logFileValidationEnabled']);
      expect(trail['KmsKeyId'] ?? null).toBe(t['kmsKeyId']);
      expect(readJson(dirA, `${base}/get-trail-status.${t['name'] as string}.json`)['IsLogging']).toBe(true);
      expect(existsSync(path.join(dirA, `cli/${t['account'] as string}/us-east-1/cloudtrail`))).toBe(false);
    }
    const sel = readJson(dirA, `cli/${PROD}/eu-west-1/cloudtrail/get-event-selectors.org-audit-trail.json`);
    expect(JSON.stringify(sel['AdvancedEventSelectors'])).toContain('arn:aws:s3:::northwind-ml-data/');
  });

  it('model cards are valid against the SageMaker model card schema', (ctx) => {
    if (!existsSync(CARD_SCHEMA)) ctx.skip();
    const schema = JSON.parse(readFileSync(CARD_SCHEMA, 'utf8')) as Json;
    delete schema['$id'];
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const c of expected['sagemaker']['modelCards'] as Json[]) {
      const doc = readJson(
        dirA,
        `cli/${c['account'] as string}/${c['region'] as string}/sagemaker/describe-model-card.${c['name'] as string}.json`,
      );
      expect(doc['ModelCardStatus']).toBe(c['status']);
      const content = JSON.parse(doc['Content'] as string) as Json;
      expect(validate(content), JSON.stringify(validate.errors)).toBe(true);
      expect(content['intended_uses']?.['risk_rating'] ?? null).toBe(c['riskRating']);
      if (c['hostileText']) expect(content['intended_uses']['intended_uses']).toBe(c['hostileText']);
    }
    expect((expected['sagemaker']['modelCards'] as Json[])[1]?.['hostileText']).toContain(
      '<script>alert("x")</script> & <b>markup</b>',
    );
  });

  it('lineage reaches the dataset in prod and stops at the training job in ml-dev', () => {
    for (const l of expected['sagemaker']['lineage'] as Json[]) {
      const doc = readJson(
        dirA,
        `cli/${l['account'] as string}/${l['region'] as string}/sagemaker/query-lineage.${l['start'] as string}.json`,
      );
      const vertices = doc['Vertices'] as Json[];
      expect(vertices.some((v) => (v['Arn'] as string).endsWith(`/${l['start'] as string}`))).toBe(true);
      const datasets = vertices.filter((v) => v['Type'] === 'DataSet');
      if (l['reachesDataset']) {
        expect(datasets.map((d) => d['Arn'] as string)).toContain(
          (l['datasetVertices'] as Json[]).find((d) => d['source'] === l['dataset'])?.['arn'],
        );
      } else {
        expect(datasets).toEqual([]);
        expect(vertices.some((v) => v['Type'] === 'TrainingJob')).toBe(true);
      }
      // Every edge joins two listed vertices.
      const arns = new Set(vertices.map((v) => v['Arn'] as string));
      for (const e of doc['Edges'] as Json[]) {
        expect(arns.has(e['SourceArn'] as string)).toBe(true);
        expect(arns.has(e['DestinationArn'] as string)).toBe(true);
      }
    }
    const pkg = readJson(dirA, `cli/${PROD}/eu-west-1/sagemaker/describe-model-package.credit-risk-3.json`);
    expect(pkg['ModelApprovalStatus']).toBe('Approved');
    expect(pkg['LastModifiedBy']['IamIdentity']['Arn']).toBe(
      'arn:aws:sts::111122223333:assumed-role/MLApprover/dana.kim',
    );
    expect(pkg['ModelMetrics']['Bias']['Report']['S3Uri']).toBe(
      's3://northwind-ml-artifacts/clarify/credit-risk/analysis.json',
    );
    const cfg = readJson(dirA, `cli/${PROD}/eu-west-1/sagemaker/describe-endpoint-config.credit-risk-prod-config.json`);
    expect(cfg['KmsKeyId']).toMatch(/^arn:aws:kms:/);
    expect(cfg['DataCaptureConfig']['EnableCapture']).toBe(true);
    const dev = readJson(dirA, `cli/${MLDEV}/eu-west-1/sagemaker/describe-endpoint-config.churn-staging-config.json`);
    expect(dev['KmsKeyId']).toBeUndefined();
    expect(dev['DataCaptureConfig']).toBeUndefined();
  });

  it('Clarify: the real analysis.json is copied unchanged; the churn predictions give the planted DI', () => {
    const report = (expected['clarify']['reports'] as Json[])[0] as Json;
    const copied = readFileSync(path.join(dirA, report['file'] as string));
    expect(sha(path.join(dirA, report['file'] as string))).toBe(
      sha('examples/northwind/templates/clarify/fraud-detection-bias_2-analysis.json'),
    );
    if (existsSync(UPSTREAM_ANALYSIS)) expect(copied.equals(readFileSync(UPSTREAM_ANALYSIS))).toBe(true);
    const p = (expected['clarify']['predictions'] as Json[])[0] as Json;
    const lines = readFileSync(path.join(dirA, p['file'] as string), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe('facet,label,prediction');
    const rows = lines.slice(1).map((l) => l.split(',').map(Number) as [number, number, number]);
    expect(rows).toHaveLength(p['rows'] as number);
    const rate = (facet: number): number =>
      rows.filter((r) => r[0] === facet && r[2] === 1).length / rows.filter((r) => r[0] === facet).length;
    const di = rate(1) / rate(0);
    expect(di).toBeCloseTo(p['expectedDI'] as number, 12);
    expect(di).toBeCloseTo(0.65, 12);
    expect(di < 0.8 || di > 1.25).toBe(true);
    for (const [facet, g] of [
      [0, p['counts']['facet0']],
      [1, p['counts']['facet1']],
    ] as [number, Json][]) {
      const mine = rows.filter((r) => r[0] === facet);
      expect(mine.length).toBe(g['n']);
      expect(mine.filter((r) => r[1] === 1 && r[2] === 1).length).toBe(g['tp']);
      expect(mine.filter((r) => r[1] === 0 && r[2] === 1).length).toBe(g['fp']);
      expect(mine.filter((r) => r[1] === 1 && r[2] === 0).length).toBe(g['fn']);
      expect(mine.filter((r) => r[1] === 0 && r[2] === 0).length).toBe(g['tn']);
    }
  });

  it('Artifact: metadata plus a structurally valid PDF per report', () => {
    const qpdf = (() => {
      try {
        execFileSync('qpdf', ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    for (const r of expected['artifact']['reports'] as Json[]) {
      expect(r['id']).toMatch(/^report-[a-zA-Z0-9]{16}$/);
      const meta = readJson(dirA, r['metadataFile'] as string)['reportDetails'] as Json;
      expect(meta['id']).toBe(r['id']);
      expect(meta['name']).toBe(r['name']);
      expect(meta['series']).toBe(r['series']);
      expect(meta['category']).toBe('Certifications and Attestations');
      expect((meta['periodStart'] as string).slice(0, 10)).toBe(r['periodStart']);
      expect((meta['periodEnd'] as string).slice(0, 10)).toBe(r['periodEnd']);
      const pdf = readFileSync(path.join(dirA, r['pdfFile'] as string));
      const text = pdf.toString('latin1');
      expect(text.startsWith('%PDF-1.4\n')).toBe(true);
      expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
      const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)?.[1]);
      expect(text.slice(startxref, startxref + 4)).toBe('xref');
      const xref = /xref\n0 (\d+)\n([\s\S]*?)trailer/.exec(text.slice(startxref));
      const entries = (xref?.[2] ?? '').match(/.{20}/gs) ?? [];
      expect(entries).toHaveLength(Number(xref?.[1]));
      entries.slice(1).forEach((e, i) => {
        const off = Number(e.slice(0, 10));
        expect(text.slice(off, off + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
      });
      const len = Number(/\/Length (\d+) >>\nstream\n/.exec(text)?.[1]);
      const streamStart = text.indexOf('stream\n') + 'stream\n'.length;
      expect(text.slice(streamStart + len, streamStart + len + '\nendstream'.length)).toBe('\nendstream');
      expect(text).toContain('example data');
      if (qpdf) execFileSync('qpdf', ['--check', path.join(dirA, r['pdfFile'] as string)], { stdio: 'pipe' });
    }
  });
});

describe('expected-state.json', () => {
  it('is what the generator plants (run `tsx scripts/generate-examples.ts --write-expected` after changing it)', () => {
    expect(expected).toEqual(JSON.parse(JSON.stringify(expectedState())) as Json);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Smithy shape checks

type Shapes = Record<string, Json>;
const modelCache = new Map<string, Shapes>();

function loadModel(service: string): Shapes {
  let m = modelCache.get(service);
  if (!m) {
    const dir = path.join(MODELS, service, 'service');
    const version = readdirSync(dir)[0] ?? '';
    const file = readdirSync(path.join(dir, version)).find((f) => f.endsWith('.json')) ?? '';
    m = (JSON.parse(readFileSync(path.join(dir, version, file), 'utf8')) as Json)['shapes'] as Shapes;
    modelCache.set(service, m);
  }
  return m;
}

function operationShape(shapes: Shapes, op: string, which: 'input' | 'output'): string {
  const id = Object.keys(shapes).find((k) => k.endsWith(`#${op}`) && shapes[k]?.['type'] === 'operation');
  if (!id) throw new Error(`operation ${op} not found`);
  return shapes[id]?.[which]?.['target'] as string;
}

const PRELUDE: Record<string, string> = {
  'smithy.api#String': 'string',
  'smithy.api#Boolean': 'boolean',
  'smithy.api#PrimitiveBoolean': 'boolean',
  'smithy.api#Integer': 'integer',
  'smithy.api#PrimitiveInteger': 'integer',
  'smithy.api#Long': 'long',
  'smithy.api#PrimitiveLong': 'long',
  'smithy.api#Float': 'float',
  'smithy.api#Double': 'double',
  'smithy.api#Timestamp': 'timestamp',
  'smithy.api#Document': 'document',
  'smithy.api#Blob': 'blob',
  'smithy.api#Unit': 'document',
};

/** Checks member names, enum values and primitive types against a Smithy shape; `lowerCamel` for CloudTrail. */
function checkShape(
  shapes: Shapes,
  target: string,
  value: unknown,
  where: string,
  errors: string[],
  lowerCamel = false,
): void {
  const shape = shapes[target];
  const type = PRELUDE[target] ?? (shape?.['type'] as string | undefined);
  if (value === null || value === undefined) return;
  switch (type) {
    case 'structure':
    case 'union': {
      if (typeof value !== 'object' || Array.isArray(value))
        return void errors.push(`${where}: expected object for ${target}`);
      const members = (shape?.['members'] ?? {}) as Record<string, Json>;
      const byKey = new Map(
        Object.entries(members).map(([k, v]) => [lowerCamel ? k.charAt(0).toLowerCase() + k.slice(1) : k, v]),
      );
      const keys = Object.keys(value);
      if (type === 'union' && keys.length !== 1) errors.push(`${where}: a union needs exactly one member`);
      for (const k of keys) {
        const m = byKey.get(k);
        if (!m) errors.push(`${where}.${k}: not a member of ${target}`);
        else checkShape(shapes, m['target'] as string, (value as Json)[k], `${where}.${k}`, errors, lowerCamel);
      }
      return;
    }
    case 'list':
    case 'set':
      if (!Array.isArray(value)) return void errors.push(`${where}: expected array for ${target}`);
      value.forEach((v, i) =>
        checkShape(shapes, shape?.['member']?.['target'] as string, v, `${where}[${i}]`, errors, lowerCamel),
      );
      return;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value))
        return void errors.push(`${where}: expected map for ${target}`);
      for (const [k, v] of Object.entries(value))
        checkShape(shapes, shape?.['value']?.['target'] as string, v, `${where}{${k}}`, errors, false);
      return;
    case 'enum': {
      const values = Object.entries((shape?.['members'] ?? {}) as Record<string, Json>).map(
        ([k, m]) => (m['traits']?.['smithy.api#enumValue'] as string | undefined) ?? k,
      );
      if (!values.includes(value as string)) errors.push(`${where}: ${JSON.stringify(value)} not in enum ${target}`);
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return void errors.push(`${where}: expected string`);
      const pattern = shape?.['traits']?.['smithy.api#pattern'] as string | undefined;
      if (pattern && value !== 'HIDDEN_DUE_TO_SECURITY_REASONS') {
        let re: RegExp | undefined;
        try {
          re = new RegExp(pattern, 'u');
        } catch {
          re = undefined;
        }
        if (re && !re.test(value))
          errors.push(`${where}: ${JSON.stringify(value).slice(0, 80)} does not match ${pattern}`);
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${where}: expected boolean`);
      return;
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'intEnum':
      if (!Number.isInteger(value)) errors.push(`${where}: expected integer`);
      return;
    case 'float':
    case 'double':
      if (typeof value !== 'number') errors.push(`${where}: expected number`);
      return;
    case 'timestamp':
      if (
        typeof value !== 'string' ||
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value)
      )
        errors.push(`${where}: not an ISO timestamp`);
      return;
    default:
      return;
  }
}

const CLI_OPERATIONS: [RegExp, string, string][] = [
  [/\/cloudtrail\/describe-trails\.json$/, 'cloudtrail', 'DescribeTrails'],
  [/\/cloudtrail\/get-trail-status\.[^/]+\.json$/, 'cloudtrail', 'GetTrailStatus'],
  [/\/cloudtrail\/get-event-selectors\.[^/]+\.json$/, 'cloudtrail', 'GetEventSelectors'],
  [
    /\/configservice\/describe-configuration-recorder-status\.json$/,
    'config-service',
    'DescribeConfigurationRecorderStatus',
  ],
  [/\/configservice\/describe-configuration-recorders\.json$/, 'config-service', 'DescribeConfigurationRecorders'],
  [/\/configservice\/describe-config-rules\.json$/, 'config-service', 'DescribeConfigRules'],
  [/\/configservice\/describe-compliance-by-config-rule\.json$/, 'config-service', 'DescribeComplianceByConfigRule'],
  [
    /\/configservice\/get-compliance-details-by-config-rule\.[^/]+\.json$/,
    'config-service',
    'GetComplianceDetailsByConfigRule',
  ],
  [
    /\/configservice\/describe-conformance-pack-compliance\.[^/]+\.json$/,
    'config-service',
    'DescribeConformancePackCompliance',
  ],
  [/\/bedrock\/get-model-invocation-logging-configuration\.json$/, 'bedrock', 'GetModelInvocationLoggingConfiguration'],
  [/\/bedrock\/get-guardrail\.[^/]+\.json$/, 'bedrock', 'GetGuardrail'],
  [/\/sagemaker\/describe-model-card\.[^/]+\.json$/, 'sagemaker', 'DescribeModelCard'],
  [/\/sagemaker\/describe-model\.[^/]+\.json$/, 'sagemaker', 'DescribeModel'],
  [/\/sagemaker\/describe-artifact\.[^/]+\.json$/, 'sagemaker', 'DescribeArtifact'],
  [/\/sagemaker\/describe-model-package\.[^/]+\.json$/, 'sagemaker', 'DescribeModelPackage'],
  [/\/sagemaker\/describe-endpoint-config\.[^/]+\.json$/, 'sagemaker', 'DescribeEndpointConfig'],
  [/\/sagemaker\/describe-endpoint\.[^/]+\.json$/, 'sagemaker', 'DescribeEndpoint'],
  [/\/sagemaker\/query-lineage\.[^/]+\.json$/, 'sagemaker', 'QueryLineage'],
  [/\/artifact\/get-report-metadata\.[^/]+\.json$/, 'artifact', 'GetReportMetadata'],
];

describe.skipIf(!HAVE_MODELS)('against the official Smithy models (../shared/realdata/api-models-aws)', () => {
  it('every CLI JSON output uses only members, enum values and types of its operation output shape', () => {
    const cliJson = filesA.filter((f) => f.startsWith('cli/') && f.endsWith('.json'));
    expect(cliJson.length).toBeGreaterThan(60);
    const errors: string[] = [];
    for (const f of cliJson) {
      const op = CLI_OPERATIONS.find(([re]) => re.test(f));
      if (!op) {
        errors.push(`${f}: no operation mapping`);
        continue;
      }
      const shapes = loadModel(op[1]);
      checkShape(shapes, operationShape(shapes, op[2], 'output'), readJson(dirA, f), f, errors);
    }
    expect(errors).toEqual([]);
  });

  it('SageMaker CloudTrail requestParameters/responseElements are the Smithy request/response in lowerCamelCase', () => {
    const shapes = loadModel('sagemaker');
    const errors: string[] = [];
    const writes = allRecords().filter(
      ({ r }) => r['eventSource'] === 'sagemaker.amazonaws.com' && r['readOnly'] === false,
    );
    expect(writes.length).toBe((expected['cloudtrail']['sagemakerEvents'] as Json[]).length);
    for (const { r } of writes) {
      const name = r['eventName'] as string;
      checkShape(
        shapes,
        operationShape(shapes, name, 'input'),
        r['requestParameters'],
        `${name}.requestParameters`,
        errors,
        true,
      );
      checkShape(
        shapes,
        operationShape(shapes, name, 'output'),
        r['responseElements'],
        `${name}.responseElements`,
        errors,
        true,
      );
      for (const k of Object.keys(r['requestParameters'] as Json)) expect(k.charAt(0)).toBe(k.charAt(0).toLowerCase());
    }
    const card = writes.find(({ r }) => r['eventName'] === 'CreateModelCard');
    expect(card?.r['requestParameters']['content']).toBe('HIDDEN_DUE_TO_SECURITY_REASONS');
    expect(errors).toEqual([]);
  });

  it('Bedrock runtime request and response bodies of Converse records follow the bedrock-runtime shapes', () => {
    const shapes = loadModel('bedrock-runtime');
    const errors: string[] = [];
    const converse = invocationRecords().filter(({ r }) => r['operation'] === 'Converse');
    expect(converse.length).toBeGreaterThan(100);
    for (const { r } of converse) {
      checkShape(
        shapes,
        operationShape(shapes, 'Converse', 'input'),
        r['input']['inputBodyJson'],
        `${r['requestId'] as string}.input`,
        errors,
      );
      checkShape(
        shapes,
        operationShape(shapes, 'Converse', 'output'),
        r['output']['outputBodyJson'],
        `${r['requestId'] as string}.output`,
        errors,
      );
    }
    // `detected` on PII trace entries is newer than the 2025-04 model; everything else must match.
    expect(errors.filter((e) => !/\.detected: not a member of/.test(e))).toEqual([]);
  });
});
