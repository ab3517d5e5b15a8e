/**
 * Seeded CloudTrail corpus for the ingest benchmarks: log files in the layout and format CloudTrail delivers to S3
 * (`AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<rand>.json.gz`, each
 * the gzip of a compact `{"Records":[...]}`).
 *
 * Records are built from the real public events in test/fixtures/realdata (Stratus Red Team detonation logs and the
 * Panther rule test events): each generated record starts from a real one (its field set, identity shape, TLS
 * details, parameters) and gets this corpus's accounts, regions, times, ids and principals. On top of that the
 * high-volume traffic of an estate running AI workloads (STS, KMS, S3 data events, EC2 reads, Bedrock and SageMaker
 * invocations and reads) and the rare changes the evidence keeps (IAM, KMS policy, CloudTrail, Bedrock guardrail and
 * logging, SageMaker approvals). Some records carry what a scanner must get right: escaped quotes and backslashes,
 * non-ASCII text (raw UTF-8, and `\u` escapes including surrogate pairs), `"eventName"` / `"eventSource"` keys nested
 * inside requestParameters (and inside escaped JSON strings), and CloudTrail's duplicate deliveries.
 *
 * Deterministic: the same seed and size give byte-identical files (same zlib). An existing corpus whose manifest
 * matches is reused.
 *
 * CLI: `tsx bench/generate/cloudtrail.ts --size s|l [--seed N] [--out DIR]`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REALDATA = path.join(ROOT, 'test/fixtures/realdata');
/** Bump when the output for a given seed changes, so stale corpora are regenerated. */
const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 20261001;

export type CorpusSize = 's' | 'l';

interface Shape {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly days: readonly string[];
  /** Files per account × region × day. */
  readonly filesPerDay: number;
  readonly eventsPerFile: number;
}

export const SHAPES: Record<CorpusSize, Shape> = {
  // CI: 8 files, 4,000 events, generated in well under a second.
  s: { accounts: ['111122223333', '444455556666'], regions: ['eu-west-1'], days: ['2026-10-01', '2026-10-02'], filesPerDay: 2, eventsPerFile: 500 },
  // The large corpus: 1,000,000 events in 100 files (2 accounts × 2 regions × 5 days × 5 files).
  l: {
    accounts: ['111122223333', '444455556666'],
    regions: ['eu-west-1', 'us-east-1'],
    days: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05'],
    filesPerDay: 5,
    eventsPerFile: 10_000,
  },
};

export interface CorpusFile {
  /** Relative to the corpus root (the export directory). */
  readonly rel: string;
  readonly events: number;
  readonly bytes: number;
  readonly inflatedBytes: number;
  readonly sha256: string;
}

export interface CorpusManifest {
  readonly generator: string;
  readonly version: number;
  readonly seed: number;
  readonly size: CorpusSize;
  readonly events: number;
  readonly bytes: number;
  readonly inflatedBytes: number;
  readonly files: readonly CorpusFile[];
}

/** mulberry32. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${'89ab'[this.int(4)]}${this.hex(3)}-${this.hex(12)}`;
  }
  alnum(n: number): string {
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += A[this.int(A.length)];
    return s;
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Rec = { [k: string]: Json };

/** The real events the corpus is built from. */
function realTemplates(): Rec[] {
  const out: Rec[] = [];
  const dir = path.join(REALDATA, 'stratus-red-team/detonation-logs');
  for (const f of readdirSync(dir).sort()) out.push(...(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Rec[]));
  const panther = JSON.parse(readFileSync(path.join(REALDATA, 'panther-analysis/panther_cloudtrail_test_events.json'), 'utf8')) as { tests: { log: Rec }[] };
  for (const t of panther.tests) {
    const log = t.log;
    if (typeof log['eventSource'] !== 'string' || typeof log['eventName'] !== 'string') continue;
    // Panther's enrichment fields are not CloudTrail's.
    out.push(Object.fromEntries(Object.entries(log).filter(([k]) => !k.startsWith('p_'))));
  }
  return out;
}

interface Principal {
  readonly identity: Rec;
}

function principals(rng: Rng, account: string): Principal[] {
  const out: Principal[] = [];
  for (const name of ['amir', 'lena', 'sam', 'priya', 'jordan', 'zoë.müller']) {
    out.push({
      identity: {
        type: 'IAMUser',
        principalId: `AIDA${rng.alnum(16)}`,
        arn: `arn:aws:iam::${account}:user/${name}`,
        accountId: account,
        accessKeyId: `AKIA${rng.alnum(16)}`,
        userName: name,
      },
    });
  }
  for (const role of ['SageMakerExecutionRole', 'DataPipelineRole', 'SupportAssistantRole', 'AdminRole', 'BedrockAgentRole', 'ReadOnlyAuditor']) {
    const roleId = `AROA${rng.alnum(16)}`;
    for (const session of ['cli', `session-${rng.hex(6)}`]) {
      out.push({
        identity: {
          type: 'AssumedRole',
          principalId: `${roleId}:${session}`,
          arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
          accountId: account,
          accessKeyId: `ASIA${rng.alnum(16)}`,
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
            attributes: { creationDate: '2026-10-01T00:00:00Z', mfaAuthenticated: 'false' },
          },
        },
      });
    }
  }
  for (const svc of ['sagemaker.amazonaws.com', 'bedrock.amazonaws.com', 'config.amazonaws.com']) out.push({ identity: { type: 'AWSService', invokedBy: svc } });
  return out;
}

/** What a generated record does: event source, name, read-only flag, request parameters. */
interface Operation {
  readonly weight: number;
  readonly source: string;
  readonly names: readonly string[];
  readonly readOnly: boolean;
  readonly params: (rng: Rng, account: string, region: string) => Json;
}

const MODELS = ['anthropic.claude-3-sonnet-20240229-v1:0', 'amazon.titan-text-express-v1', 'meta.llama3-8b-instruct-v1:0'];

/** The traffic mix (weights in per mille). About 2 % of the records are changes kept as evidence. */
const OPERATIONS: readonly Operation[] = [
  { weight: 170, source: 'sts.amazonaws.com', names: ['AssumeRole', 'GetCallerIdentity'], readOnly: true, params: (r, a) => ({ roleArn: `arn:aws:iam::${a}:role/DataPipelineRole`, roleSessionName: `etl-${r.hex(6)}`, durationSeconds: 3600 }) },
  { weight: 160, source: 'kms.amazonaws.com', names: ['Decrypt', 'GenerateDataKey', 'Encrypt'], readOnly: true, params: (r, a, g) => ({ keyId: `arn:aws:kms:${g}:${a}:key/${r.uuid()}`, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::northwind-data-${a}/raw/${r.hex(8)}.parquet` } }) },
  { weight: 200, source: 's3.amazonaws.com', names: ['GetObject', 'PutObject', 'HeadObject'], readOnly: true, params: (r, a) => ({ bucketName: `northwind-data-${a}`, key: `raw/2026/10/${r.hex(8)}.parquet`, Host: `northwind-data-${a}.s3.amazonaws.com` }) },
  { weight: 100, source: 'ec2.amazonaws.com', names: ['DescribeInstances', 'DescribeSecurityGroups', 'DescribeVolumes'], readOnly: true, params: (r) => ({ maxResults: 1000, filterSet: { items: [{ name: 'tag:Owner', valueSet: { items: [{ value: r.pick(['Zoë Müller', 'data-team', 'ﾃｽﾄ', 'ml 🚀 ops']) }] } }] } }) },
  { weight: 120, source: 'bedrock.amazonaws.com', names: ['InvokeModel', 'Converse', 'InvokeModelWithResponseStream'], readOnly: true, params: (r) => ({ modelId: r.pick(MODELS) }) },
  { weight: 60, source: 'sagemaker.amazonaws.com', names: ['InvokeEndpoint'], readOnly: true, params: (r) => ({ endpointName: r.pick(['credit-risk-prod', 'triage-assistant']), contentType: 'application/json' }) },
  { weight: 40, source: 'sagemaker.amazonaws.com', names: ['DescribeEndpoint', 'ListModelPackages', 'DescribeModelCard', 'Search'], readOnly: true, params: (r) => ({ endpointName: 'credit-risk-prod', filter: { eventName: r.pick(['UpdateModelPackage', 'StopLogging']), eventSource: 'sagemaker.amazonaws.com' } }) },
  { weight: 30, source: 'bedrock.amazonaws.com', names: ['ListFoundationModels', 'GetModelInvocationLoggingConfiguration', 'GetGuardrail'], readOnly: true, params: () => ({ byOutputModality: 'TEXT' }) },
  { weight: 25, source: 'logs.amazonaws.com', names: ['CreateLogStream', 'DescribeLogGroups'], readOnly: false, params: (r) => ({ logGroupName: '/aws/sagemaker/Endpoints/credit-risk-prod', logStreamName: `AllTraffic/${r.hex(16)}` }) },
  { weight: 20, source: 'cloudtrail.amazonaws.com', names: ['LookupEvents', 'DescribeTrails'], readOnly: true, params: (r) => ({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: r.pick(['StopLogging', 'DeleteTrail']) }], eventName: 'StopLogging' }) },
  { weight: 15, source: 'events.amazonaws.com', names: ['PutRule'], readOnly: false, params: () => ({ name: 'detect-trail-changes', eventPattern: JSON.stringify({ source: ['aws.cloudtrail'], detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: ['StopLogging', 'DeleteTrail'] } }) }) },
  { weight: 30, source: 'config.amazonaws.com', names: ['DescribeConfigRules', 'PutEvaluations'], readOnly: true, params: () => ({ configRuleNames: ['sagemaker-endpoint-configuration-kms-key-configured'] }) },
  // The changes the evidence keeps (about 2 %).
  { weight: 6, source: 'iam.amazonaws.com', names: ['AttachRolePolicy', 'CreateUser', 'PutRolePolicy', 'UpdateAssumeRolePolicy'], readOnly: false, params: (r) => ({ roleName: 'SageMakerExecutionRole', policyArn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess', userName: `svc-${r.hex(4)}` }) },
  { weight: 3, source: 'kms.amazonaws.com', names: ['PutKeyPolicy', 'CreateGrant', 'DisableKeyRotation'], readOnly: false, params: (r, a, g) => ({ keyId: `arn:aws:kms:${g}:${a}:key/${r.uuid()}`, policyName: 'default' }) },
  { weight: 2, source: 'cloudtrail.amazonaws.com', names: ['StopLogging', 'UpdateTrail', 'PutEventSelectors'], readOnly: false, params: () => ({ name: 'management-events' }) },
  { weight: 2, source: 'bedrock.amazonaws.com', names: ['UpdateGuardrail', 'PutModelInvocationLoggingConfiguration', 'CreateModelCustomizationJob'], readOnly: false, params: (r) => ({ guardrailIdentifier: `gr-${r.hex(10)}`, name: 'pii-guardrail', description: 'Blocks "PII" in prompts \\ responses — ünïcödé 🚀' }) },
  { weight: 3, source: 'sagemaker.amazonaws.com', names: ['UpdateModelPackage', 'CreateTrainingJob', 'UpdateEndpoint', 'CreateModelCard'], readOnly: false, params: (r) => ({ modelPackageArn: `arn:aws:sagemaker:eu-west-1:111122223333:model-package/credit-risk/${r.int(40)}`, modelApprovalStatus: r.pick(['Approved', 'PendingManualApproval']), modelCardName: 'credit-risk', modelCardStatus: r.pick(['Approved', 'Draft']) }) },
  { weight: 2, source: 'config.amazonaws.com', names: ['PutConfigRule', 'StopConfigurationRecorder'], readOnly: false, params: () => ({ configRule: { configRuleName: 'cloudtrail-enabled' }, configurationRecorderName: 'default' }) },
];
const TOTAL_WEIGHT = OPERATIONS.reduce((n, o) => n + o.weight, 0);

function pickOperation(rng: Rng): Operation {
  let x = rng.int(TOTAL_WEIGHT);
  for (const o of OPERATIONS) {
    if (x < o.weight) return o;
    x -= o.weight;
  }
  return OPERATIONS[0]!;
}

const USER_AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.cp',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#legacy Botocore/1.34.69',
  'aws-sdk-js/3.540.0 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#20.20.2 api/sagemaker#3.540.0',
  'sagemaker.amazonaws.com',
  // Escapes a scanner must read: a quote, a backslash, a tab.
  'Mozilla/5.0 (Windows NT 10.0; "Win64"; x64) C:\\Program Files\\Amazon\\AWSCLIV2\\aws.exe\tconsole',
];

/** Non-ASCII as `\uXXXX` (surrogate pairs for astral characters): JSON-equivalent, as some serializers write it. */
function escapeNonAscii(json: string): string {
  let out = '';
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    out += c < 0x80 ? json[i] : `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

function isoSecond(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One record: a real template re-dressed with this corpus's account, region, time, principal and operation. */
function record(rng: Rng, templates: readonly Rec[], who: readonly Principal[], account: string, region: string, time: number): Rec {
  const t = rng.pick(templates);
  // Most records are the estate's own traffic on a real record's shape; one in 20 keeps the real operation too.
  const real = rng.int(20) === 0;
  const op = pickOperation(rng);
  const source = real ? (t['eventSource'] as string) : op.source;
  const name = real ? (t['eventName'] as string) : rng.pick(op.names);
  const params = real ? (t['requestParameters'] ?? null) : op.params(rng, account, region);
  const readOnly = real ? (typeof t['readOnly'] === 'boolean' ? t['readOnly'] : /^(Get|Describe|List|Lookup)/.test(name)) : op.readOnly;
  const failedCall = rng.int(40) === 0;
  const rec: Rec = {
    eventVersion: (t['eventVersion'] as string | undefined) ?? '1.09',
    userIdentity: rng.pick(who).identity,
    eventTime: isoSecond(time),
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: source === 'sagemaker.amazonaws.com' && rng.int(3) === 0 ? 'sagemaker.amazonaws.com' : `${10 + rng.int(200)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`,
    userAgent: rng.pick(USER_AGENTS),
  };
  if (failedCall) {
    rec['errorCode'] = rng.pick(['AccessDenied', 'ThrottlingException', 'ValidationException']);
    rec['errorMessage'] = `User: arn:aws:sts::${account}:assumed-role/ReadOnlyAuditor/cli is not authorized to perform: ${source.split('.')[0]}:${name}`;
  }
  rec['requestParameters'] = params;
  rec['responseElements'] = real ? (t['responseElements'] ?? null) : null;
  if (t['additionalEventData'] !== undefined) rec['additionalEventData'] = t['additionalEventData'];
  rec['requestID'] = rng.uuid();
  rec['eventID'] = rng.uuid();
  rec['readOnly'] = readOnly;
  if (source === 's3.amazonaws.com' && !real) rec['resources'] = [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::northwind-data-${account}/raw/${rng.hex(8)}.parquet` }];
  rec['eventType'] = source === 's3.amazonaws.com' ? 'AwsApiCall' : ((t['eventType'] as string | undefined) ?? 'AwsApiCall');
  rec['managementEvent'] = source !== 's3.amazonaws.com';
  rec['recipientAccountId'] = account;
  rec['eventCategory'] = source === 's3.amazonaws.com' ? 'Data' : 'Management';
  if (t['tlsDetails'] !== undefined) rec['tlsDetails'] = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${source.split('.')[0]}.${region}.amazonaws.com` };
  return rec;
}

function filesOf(shape: Shape): { account: string; region: string; day: string; n: number }[] {
  const out = [];
  for (const account of shape.accounts)
    for (const region of shape.regions) for (const day of shape.days) for (let n = 0; n < shape.filesPerDay; n++) out.push({ account, region, day, n });
  return out;
}

function manifestPath(dir: string): string {
  return path.join(dir, 'manifest.json');
}

function readManifest(dir: string): CorpusManifest | null {
  try {
    return JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as CorpusManifest;
  } catch {
    return null;
  }
}

/**
 * The corpus of `size` for `seed` under `dir` (the export directory root): reused when its manifest matches and
 * every file is there with its size, else generated afresh.
 */
export function ensureCloudTrailCorpus(dir: string, size: CorpusSize, seed = DEFAULT_SEED, log: (line: string) => void = () => undefined): CorpusManifest {
  const existing = readManifest(dir);
  if (
    existing &&
    existing.version === GENERATOR_VERSION &&
    existing.seed === seed &&
    existing.size === size &&
    existing.files.every((f) => existsSync(path.join(dir, f.rel)))
  ) {
    return existing;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const shape = SHAPES[size];
  const templates = realTemplates();
  const rng = new Rng(seed);
  const files: CorpusFile[] = [];
  const specs = filesOf(shape);
  const t0 = Date.now();
  for (const spec of specs) {
    const who = principals(new Rng(seed ^ (Number(spec.account.slice(-6)) * 31)), spec.account);
    // Files of a day are spread over it; each covers the five minutes after its timestamp, as CloudTrail's do.
    const dayStart = Date.parse(`${spec.day}T00:00:00Z`);
    const fileStart = dayStart + Math.floor(((spec.n + rng.next() * 0.5) * 86_400_000) / shape.filesPerDay / 300_000) * 300_000;
    const records: string[] = [];
    let previous = '';
    for (let i = 0; i < shape.eventsPerFile; i++) {
      // CloudTrail may deliver an event twice: about one in a thousand records repeats the one before.
      if (previous && rng.int(1000) === 0) {
        records.push(previous);
        continue;
      }
      const rec = record(rng, templates, who, spec.account, spec.region, fileStart + Math.floor((i * 300_000) / shape.eventsPerFile));
      let json = JSON.stringify(rec);
      if (rng.int(50) === 0) json = escapeNonAscii(json);
      records.push(json);
      previous = json;
    }
    const text = `{"Records":[${records.join(',')}]}`;
    const inflated = Buffer.from(text, 'utf8');
    const gz = gzipSync(inflated, { level: 6 });
    const stamp = new Date(fileStart).toISOString().replace(/[-:]/g, '').replace(/\d\d\.\d{3}Z$/, 'Z');
    const [y, m, d] = spec.day.split('-');
    const rel = `AWSLogs/${spec.account}/CloudTrail/${spec.region}/${y}/${m}/${d}/${spec.account}_CloudTrail_${spec.region}_${stamp}_${rng.alnum(16)}.json.gz`;
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), gz);
    files.push({ rel, events: shape.eventsPerFile, bytes: gz.length, inflatedBytes: inflated.length, sha256: createHash('sha256').update(gz).digest('hex') });
    if (files.length % 10 === 0) log(`generated ${files.length}/${specs.length} files (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const manifest: CorpusManifest = {
    generator: 'bench/generate/cloudtrail.ts',
    version: GENERATOR_VERSION,
    seed,
    size,
    events: files.reduce((n, f) => n + f.events, 0),
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    inflatedBytes: files.reduce((n, f) => n + f.inflatedBytes, 0),
    files,
  };
  // Written last: a corpus interrupted half-way has no manifest and is generated again.
  writeFileSync(manifestPath(dir), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The account/region/day folders of a corpus, in order: the unit of work shared out to workers and queue jobs. */
export function dayFolders(manifest: CorpusManifest): string[] {
  return [...new Set(manifest.files.map((f) => f.rel.slice(0, f.rel.lastIndexOf('/') + 1)))].sort();
}

/** The corpus directory of a bench run: `<workDir>/cloudtrail` (workDir is already per size). */
export function corpusDir(workDir: string): string {
  return path.join(workDir, 'cloudtrail');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { size: { type: 'string', default: 's' }, seed: { type: 'string' }, out: { type: 'string' } } });
  const size = values.size as CorpusSize;
  if (size !== 's' && size !== 'l') throw new Error(`--size: expected s or l, got ${values.size}`);
  const out = values.out ?? corpusDir(path.join(ROOT, 'bench/.work', size));
  const m = ensureCloudTrailCorpus(out, size, values.seed ? Number(values.seed) : DEFAULT_SEED, (l) => process.stderr.write(`${l}\n`));
  process.stdout.write(`${out}: ${m.files.length} files, ${m.events} events, ${(m.bytes / 2 ** 20).toFixed(1)} MiB gzip, ${(m.inflatedBytes / 2 ** 20).toFixed(1)} MiB JSON\n`);
}
