import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { EvidenceItem } from '../../src/evidence/model.js';
import { collectExportDir, type ExportDirSummary } from '../../src/sources/export-dir/index.js';
import { eventContent, parseEvent } from '../../src/normalizers/cloudtrail/event.js';

const STRATUS = path.resolve('test/fixtures/realdata/stratus-red-team');
const A = '111122223333';
const CT = `AWSLogs/${A}/CloudTrail/eu-west-1/2026/10`;
const BR = `AWSLogs/${A}/BedrockModelInvocationLogs/eu-west-1/2026/10/05/10`;
const CLI = `cli/${A}/eu-west-1`;

let root: string;
let storeDir: string;
let first: ExportDirSummary;
let second: ExportDirSummary;
const items: EvidenceItem[] = [];

const real = (f: string): Record<string, unknown>[] => JSON.parse(readFileSync(path.join(STRATUS, 'detonation-logs', f), 'utf8')) as Record<string, unknown>[];
const pr672 = (f: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(STRATUS, 'pr-672-unmerged', f), 'utf8')) as Record<string, unknown>;
const put = (rel: string, data: string | Buffer): void => {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), data);
};
const invocation = (requestId: string, text: string) =>
  JSON.stringify({
    schemaType: 'ModelInvocationLog', schemaVersion: '1.0', timestamp: '2026-10-05T10:00:00Z', accountId: A, identity: { arn: `arn:aws:sts::${A}:assumed-role/App/x` },
    region: 'eu-west-1', requestId, operation: 'Converse', modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    input: { inputContentType: 'application/json', inputBodyJson: { messages: [{ role: 'user', content: [{ text }] }] }, inputTokenCount: 5 },
    output: { outputContentType: 'application/json', outputBodyJson: { output: { message: { content: [{ text: 'ok' }] } } }, outputTokenCount: 1 },
  });

const goodEvents = [...real('aws.defense-evasion.cloudtrail-stop.json'), ...real('aws.impact.bedrock-invoke-model.json')];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'auditpack-export-'));
  storeDir = mkdtempSync(path.join(tmpdir(), 'auditpack-store-'));
  put(`${CT}/05/${A}_CloudTrail_eu-west-1_20261005T0000Z_good.json.gz`, gzipSync(JSON.stringify({ Records: goodEvents })));
  // CloudTrail may deliver the same events twice: the second file must not duplicate any kept event.
  put(`${CT}/06/${A}_CloudTrail_eu-west-1_20261006T0000Z_dup.json.gz`, gzipSync(JSON.stringify({ Records: goodEvents })));
  put(`${CT}/07/${A}_CloudTrail_eu-west-1_20261007T0000Z_truncated.json.gz`, gzipSync(JSON.stringify({ Records: goodEvents })).subarray(0, 200));
  put(`${CT}/08/${A}_CloudTrail_eu-west-1_20261008T0000Z_invalid.json.gz`, gzipSync('{"Records": [ {"eventID": '));
  put(`${CT}/09/${A}_CloudTrail_eu-west-1_20261009T0000Z_shape.json.gz`, gzipSync(JSON.stringify([{ eventID: 'x' }])));
  put(`${CT}/10/${A}_CloudTrail_eu-west-1_20261010T0000Z_plain.json.gz`, JSON.stringify({ Records: [] }));
  put(
    `${CT}/11/${A}_CloudTrail_eu-west-1_20261011T0000Z_pr672.json.gz`,
    gzipSync(JSON.stringify({ Records: [pr672('aws.defense-evasion.bedrock-guardrail-delete.json'), pr672('aws.defense-evasion.bedrock-model-invocation-logging-delete.json'), goodEvents[0]] })),
  );
  put(`${CT}/12/${A}_CloudTrail_eu-west-1_20261012T0000Z_latin1.json.gz`, gzipSync(Buffer.concat([Buffer.from('{"Records":[{"eventName":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')])));
  const nested = '['.repeat(5000) + ']'.repeat(5000);
  put(`${CT}/13/${A}_CloudTrail_eu-west-1_20261013T0000Z_nested.json.gz`, gzipSync(`{"Records":${nested}}`));
  put(`${BR}/huge.json.gz`, gzipSync([invocation('r1', 'hello, my email is jane.doe@example.com'), '"' + 'x'.repeat(17 * 1024 * 1024) + '"', invocation('r2', 'plain question'), 'not json'].join('\n')));
  put(`${CLI}/configservice/describe-config-rules.json`, '{"ConfigRules": [');
  put(`${CLI}/configservice/describe-compliance-by-config-rule.json`, JSON.stringify({ ComplianceByConfigRules: [{ ConfigRuleName: 'cloud-trail-enabled', Compliance: { ComplianceType: 'COMPLIANT' } }] }));
  put(`${CLI}/configservice/describe-configuration-recorder-status.json`, JSON.stringify({ ConfigurationRecordersStatus: [{ recording: true }] }));
  put('README.txt', 'not evidence');
  mkdirSync(path.join(root, `${CLI}/cloudtrail`), { recursive: true });
  symlinkSync('/etc/passwd', path.join(root, `${CLI}/cloudtrail/describe-trails.json`));
  mkdirSync(path.join(root, `${CLI}/sagemaker`), { recursive: true });

  const store = new LocalDirectoryStore(storeDir, { fsync: false });
  const ctx = { store, now: () => new Date('2026-11-01T00:00:00Z'), collectorVersion: 'test', callerIdentity: null };
  first = await collectExportDir(ctx, root);
  second = await collectExportDir({ ...ctx, now: () => new Date('2026-11-02T00:00:00Z') }, root);
  for await (const i of store.listItems({})) items.push(i);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(storeDir, { recursive: true, force: true });
});

const errorFor = (suffix: string): EvidenceItem[] => items.filter((i) => i.status.state === 'error' && (i.resource ?? '').endsWith(suffix));
const message = (i: EvidenceItem): string => (i.status.state === 'error' ? `${i.status.code}: ${i.status.message}` : '');

describe('export directory: hostile and broken input', () => {
  it.each([
    ['truncated.json.gz', /^CorruptGzip: AWSLogs\/.*truncated\.json\.gz: gzip data is truncated$/],
    ['invalid.json.gz', /^InvalidJson: AWSLogs\/.*invalid\.json\.gz: invalid JSON: /],
    ['shape.json.gz', /^UnknownShape: AWSLogs\/.*shape\.json\.gz: expected \{"Records":\[...\]\}, got an array without a Records array$/],
    ['plain.json.gz', /^CorruptGzip: AWSLogs\/.*plain\.json\.gz: is not gzip data \(missing gzip header\)$/],
    ['latin1.json.gz', /^InvalidUtf8: AWSLogs\/.*latin1\.json\.gz: is not valid UTF-8$/],
    ['nested.json.gz', /^TooDeep: AWSLogs\/.*nested\.json\.gz: JSON is nested deeper than 256 levels$/],
    ['pr672.json.gz', /^MalformedRecords: AWSLogs\/.*pr672\.json\.gz: 2 of 3 records are malformed: Records\[0\]: eventTime of event ee73c230.* is not an ISO-8601 instant with a time zone: "2025-03-26 16:43:57\.000000000"; Records\[1\]: /],
    ['huge.json.gz', /^MalformedRecords: AWSLogs\/.*huge\.json\.gz: 2 of 4 lines are malformed: line 2 is 17825794 bytes, more than the 16777216-byte limit for one record; line 4: invalid JSON/],
    ['describe-config-rules.json', /^InvalidJson: cli\/.*describe-config-rules\.json: invalid JSON/],
    ['describe-configuration-recorder-status.json', /^MissingField: cli\/.*describe-configuration-recorder-status\.json: .*ConfigurationRecordersStatus\[0\]\.name is required/],
    ['cloudtrail/describe-trails.json', /^UnsafePath: cli\/.*describe-trails\.json: is a symbolic link \(not followed\)$/],
  ])('%s gives exactly one error item naming the file and the problem', (suffix, pattern) => {
    const errs = errorFor(suffix);
    expect(errs.map(message)).toHaveLength(1);
    expect(message(errs[0]!)).toMatch(pattern);
  });

  it('keeps every readable record: no item lost', () => {
    const kept = new Set(goodEvents.map((e) => (eventContent(parseEvent(e, 't')) ? e['eventID'] : null)).filter(Boolean));
    const events = items.filter((i) => i.kind === 'cloudtrail.event' && i.status.state === 'collected');
    expect(new Set(events.map((i) => i.resource))).toEqual(new Set([...kept].map((id) => `cloudtrail-event/${String(id)}`)));
    const activity = items.filter((i) => i.kind === 'cloudtrail.activity' && i.status.state === 'collected');
    expect(activity.map((i) => i.resource!.split('_').pop()).sort()).toEqual(['dup.json.gz', 'good.json.gz', 'pr672.json.gz']);
    const bedrock = items.filter((i) => i.kind === 'bedrock.invocation_summary' && i.status.state === 'collected');
    expect(bedrock).toHaveLength(1);
    expect(bedrock[0]!.raw!.sensitive).toBe(true);
  });

  it('duplicated deliveries and re-runs store nothing twice', () => {
    const events = items.filter((i) => i.kind === 'cloudtrail.event');
    expect(new Set(events.map((i) => i.resource)).size).toBe(events.length);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const t of Object.values(second.byCollector)) expect(t.newItems).toBe(0);
    const firstTotal = Object.values(first.byCollector).reduce((n, t) => n + t.newItems, 0);
    expect(items).toHaveLength(firstTotal);
  });

  it('reports refused and skipped entries in the summary', () => {
    expect(first.refused).toEqual([{ path: `${CLI}/cloudtrail/describe-trails.json`, reason: 'is a symbolic link (not followed)' }]);
    expect(first.skipped).toEqual(['README.txt']);
  });

  it('an empty service directory is an inventory of zero, not a gap', () => {
    const inv = items.find((i) => i.kind === 'inventory' && i.collector === 'sagemaker');
    expect(inv?.status.state).toBe('collected');
  });

  it('never copies raw prompts into normalized content', async () => {
    const store = new LocalDirectoryStore(storeDir);
    const summary = items.find((i) => i.kind === 'bedrock.invocation_summary' && i.status.state === 'collected')!;
    const text = (await store.getBlob(summary.content!.sha256)).toString('utf8');
    expect(text).not.toContain('jane.doe@example.com');
    expect(text).toContain('[EMAIL]');
  });

  it('rejects a source that is not a directory with a clear error', async () => {
    const store = new LocalDirectoryStore(storeDir, { fsync: false });
    const ctx = { store, now: () => new Date(), collectorVersion: 'test', callerIdentity: null };
    await expect(collectExportDir(ctx, path.join(root, 'nope'))).rejects.toThrow(/export directory .*nope: does not exist/);
    await expect(collectExportDir(ctx, path.join(root, 'README.txt'))).rejects.toThrow(/is not a directory/);
    expect(readdirSync(storeDir)).toContain('records');
  });
});
