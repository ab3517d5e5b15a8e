import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  AuditManagerClient,
  BatchImportEvidenceToAssessmentControlCommand,
  GetAssessmentCommand,
  GetEvidenceFileUploadUrlCommand,
  type Assessment,
  type BatchImportEvidenceToAssessmentControlCommandInput,
  type GetEvidenceFileUploadUrlCommandInput,
} from '@aws-sdk/client-auditmanager';
import { S3Client } from '@aws-sdk/client-s3';
import { AuditManagerServiceException } from '@aws-sdk/client-auditmanager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIT_MANAGER_DAILY_LIMIT,
  AUDIT_MANAGER_MAX_FILE_BYTES,
  AuditManagerTarget,
  buildEvidenceFiles,
  dailyKey,
  deliver,
  DeliveryError,
  DeliveryInputError,
  importToAuditManager,
  ledgerKey,
  loadControlMapping,
  matchControlName,
  parseControlMapping,
  readBundleIndex,
  inspectBundle,
  type AuditManagerImportInput,
} from '../../src/delivery/index.js';
import type { EvidenceEntry } from '../../src/delivery/audit-manager-files.js';
import { loadCatalogs } from '../../src/delivery/control-matching.js';
import { FakeS3 } from '../fixtures/delivery/fake-s3.js';
import { makeBundle, type DeliveryFixture } from '../fixtures/delivery/bundle.js';
import { smithyProblems } from '../fixtures/delivery/smithy-check.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLEFAKE00003', secretAccessKey: 'am/secret+key/never-printed-000000000000' };
const REGION = 'eu-west-1';
const NOW = new Date('2026-11-03T10:00:00.000Z');
const NAMES = JSON.parse(readFileSync(path.resolve('test/fixtures/delivery/custom-framework-control-names.json'), 'utf8')) as { sources: Record<string, string[]> };

let fx: DeliveryFixture;
let fake: FakeS3;
beforeAll(async () => {
  // 150 extra days of CloudTrail activity: SOC 2 CC7.2 then cites 154 evidence items.
  fx = await makeBundle({ extraDays: 150 });
  fake = await new FakeS3({ buckets: { 'am-uploads': { anonymous: true }, 'northwind-am-evidence': { region: REGION }, 'us-evidence': { region: 'us-east-1' } }, credentials: CREDS }).start();
});
afterAll(async () => {
  await fake.stop();
  rmSync(fx.root, { recursive: true, force: true });
});

let client: AuditManagerClient;
let am: ReturnType<typeof mockClient>;
let uploadCount = 0;
/** The evidenceFileName values GetEvidenceFileUploadUrl returned, in order. */
let returned: string[] = [];
function setupMocks(): void {
  am.reset();
  // The upload URL points at the fake S3 (an anonymous bucket standing in for Audit Manager's own).
  am.on(GetEvidenceFileUploadUrlCommand).callsFake((input: GetEvidenceFileUploadUrlCommandInput) => {
    const n = ++uploadCount;
    const evidenceFileName = `u${n}-${input.fileName!}`.slice(0, 300);
    returned.push(evidenceFileName);
    return { uploadUrl: `${fake.endpoint}/am-uploads/${n}/${encodeURIComponent(input.fileName!)}`, evidenceFileName };
  });
  am.on(BatchImportEvidenceToAssessmentControlCommand).resolves({ errors: [] });
}
beforeEach(() => {
  client = new AuditManagerClient({ region: REGION, credentials: CREDS });
  am = mockClient(client);
  returned = [];
  setupMocks();
  fake.reset();
});
afterEach(() => {
  am.restore();
  client.destroy();
});

interface Am {
  readonly assessmentId: string;
  readonly ids: { cc61: string; cc64: string; cc72: string; cc710: string; retention: string; inactive: string };
  readonly sets: { access: string; ops: string; custom: string };
  readonly assessment: Assessment;
}

/** An Audit Manager SOC 2 assessment with fresh ids (so ledgers and daily counts never leak between tests). */
function amAssessment(over: { status?: 'ACTIVE' | 'INACTIVE'; frameworkName?: string } = {}): Am {
  const ids = { cc61: randomUUID(), cc64: randomUUID(), cc72: randomUUID(), cc710: randomUUID(), retention: randomUUID(), inactive: randomUUID() };
  const assessmentId = randomUUID();
  const sets = { access: 'Logical and Physical Access Controls', ops: 'System Operations', custom: 'Custom controls' };
  return {
    assessmentId,
    ids,
    sets,
    assessment: {
      arn: `arn:aws:auditmanager:${REGION}:111122223333:assessment/${assessmentId}`,
      awsAccount: { id: '111122223333' },
      metadata: { id: assessmentId, name: 'Northwind SOC 2 Type II 2026', status: over.status ?? 'ACTIVE', complianceType: 'SOC 2' },
      framework: {
        id: randomUUID(),
        metadata: { name: over.frameworkName ?? 'SOC 2' },
        controlSets: [
          {
            id: sets.access,
            status: 'ACTIVE',
            controls: [
              { id: ids.cc61, name: 'CC6.1 - The entity implements logical access security software, infrastructure, and architectures', status: 'UNDER_REVIEW' },
              { id: ids.cc64, name: 'CC6.4 - The entity restricts physical access to facilities', status: 'UNDER_REVIEW' },
            ],
          },
          {
            id: sets.ops,
            status: 'ACTIVE',
            controls: [
              { id: ids.cc72, name: 'CC7.2 - The entity monitors system components for anomalies', status: 'UNDER_REVIEW' },
              { id: ids.cc710, name: 'CC7.10 - Not a criterion', status: 'UNDER_REVIEW' },
            ],
          },
          {
            id: sets.custom,
            status: 'ACTIVE',
            controls: [
              { id: ids.retention, name: 'Northwind: data retention schedule', status: 'UNDER_REVIEW' },
              { id: ids.inactive, name: 'CC8.1 - Change management (retired)', status: 'INACTIVE' },
            ],
          },
        ],
      },
    },
  };
}

function input(a: Am, over: Partial<AuditManagerImportInput> = {}): AuditManagerImportInput {
  am.on(GetAssessmentCommand, { assessmentId: a.assessmentId }).resolves({ assessment: a.assessment });
  return { client, store: fx.pack.store, assessmentId: a.assessmentId, region: REGION, assessment: fx.pack.assessment, now: () => NOW, ...over };
}

const efn = (f: { manualEvidence: unknown }): string => (f.manualEvidence as { evidenceFileName: string }).evidenceFileName;
const batchCalls = () => am.commandCalls(BatchImportEvidenceToAssessmentControlCommand).map((c) => c.args[0].input);
const uploadCalls = () => am.commandCalls(GetEvidenceFileUploadUrlCommand).map((c) => c.args[0].input);

function uploaded(evidenceFileName: string): Buffer {
  const n = /^u(\d+)-/.exec(evidenceFileName)![1]!;
  const key = fake.keys('am-uploads', `${n}/`)[0]!;
  return fake.object('am-uploads', key)!.body;
}

describe('importToAuditManager', () => {
  it('matches controls, uploads one evidence file per control and imports it, with inputs exactly as the Smithy model wants', async () => {
    const a = amAssessment();
    const r = await importToAuditManager(input(a));

    expect(am).toHaveReceivedCommandWith(GetAssessmentCommand, { assessmentId: a.assessmentId });
    // CC6.1, CC6.4 and CC7.2 match; CC7.10 and the custom control do not; the INACTIVE control is deferred.
    expect(r.imported.map((c) => [c.controlId, c.auditpackControls])).toEqual([
      [a.ids.cc61, ['soc2:CC6.1']],
      [a.ids.cc64, ['soc2:CC6.4']],
      [a.ids.cc72, ['soc2:CC7.2']],
    ]);
    expect(r.unmatched.map((c) => c.controlId)).toEqual([a.ids.cc710, a.ids.retention]);
    expect(r.deferred).toEqual([{ controlSetId: a.sets.custom, controlId: a.ids.inactive, controlName: 'CC8.1 - Change management (retired)', reason: 'inactive', detail: 'the control is INACTIVE in the assessment' }]);
    expect(r.failed).toEqual([]);

    const uploads = uploadCalls();
    expect(uploads).toHaveLength(3);
    for (const u of uploads) {
      expect(Object.keys(u)).toEqual(['fileName']);
      expect(smithyProblems('GetEvidenceFileUploadUrl', u)).toEqual([]);
      expect(u.fileName).toMatch(/^auditpack_pack-[a-f0-9]{24}_soc2-CC[67]\.[124]_[a-f0-9]{12}\.json$/);
    }
    const batches = batchCalls();
    expect(batches).toEqual([
      { assessmentId: a.assessmentId, controlSetId: a.sets.access, controlId: a.ids.cc61, manualEvidence: [{ evidenceFileName: returned[0] }] },
      { assessmentId: a.assessmentId, controlSetId: a.sets.access, controlId: a.ids.cc64, manualEvidence: [{ evidenceFileName: returned[1] }] },
      { assessmentId: a.assessmentId, controlSetId: a.sets.ops, controlId: a.ids.cc72, manualEvidence: [{ evidenceFileName: returned[2] }] },
    ]);
    for (const b of batches) expect(smithyProblems('BatchImportEvidenceToAssessmentControl', b)).toEqual([]);
    expect(r.imported.map((c) => c.files.map(efn))).toEqual([[returned[0]], [returned[1]], [returned[2]]]);
  });

  it('the evidence file is the control result with its evidence ids and hashes, and is what was uploaded', async () => {
    const a = amAssessment();
    const r = await importToAuditManager(input(a));
    const cc61 = r.imported[0]!;
    const body = uploaded(efn(cc61.files[0]!));
    expect(cc61.files[0]!.size).toBe(body.length);
    const doc = JSON.parse(body.toString('utf8')) as {
      format: string;
      pack: { id: string; assessedAt: string; bundle: unknown };
      auditManager: Record<string, string>;
      part: unknown;
      controls: { framework: string; control: string; status: string; reasons: string[]; evidenceIds: string[] }[];
      evidence: EvidenceEntry[];
    };
    const result = fx.pack.assessment.frameworks.find((f) => f.id === 'soc2')!.results.find((x) => x.control === 'CC6.1')!;
    expect(doc.format).toBe('auditpack-audit-manager-evidence/1');
    expect(doc.pack).toMatchObject({ id: fx.pack.assessment.packId, assessedAt: fx.pack.assessment.assessedAt, bundle: null });
    expect(doc.auditManager).toEqual({ assessmentId: a.assessmentId, controlSetId: a.sets.access, controlId: a.ids.cc61, controlName: a.assessment.framework!.controlSets![0]!.controls![0]!.name });
    expect(doc.part).toBeNull();
    expect(doc.controls).toEqual([expect.objectContaining({ framework: 'soc2', control: 'CC6.1', status: result.status, reasons: result.reasons, evidenceIds: result.evidenceIds })]);
    expect(doc.evidence.map((e) => e.id)).toEqual([...result.evidenceIds].sort());
    for (const e of doc.evidence) {
      const item = (await fx.pack.store.getItem(e.id))!;
      expect(e.contentSha256).toBe(item.content?.sha256 ?? null);
      expect(e.rawSha256).toBe(item.raw?.sha256 ?? null);
      expect(e.kind).toBe(item.kind);
    }
  });

  it('never imports the same evidence twice: a second run finds everything in the ledger and calls nothing but GetAssessment', async () => {
    const a = amAssessment();
    const first = await importToAuditManager(input(a));
    const ledger = (await fx.pack.store.getState(ledgerKey(a.assessmentId, a.sets.access, a.ids.cc61))) as { entries: Record<string, { fileName: string }> };
    expect(Object.values(ledger.entries).map((e) => e.fileName)).toEqual([first.imported[0]!.files[0]!.fileName]);
    am.resetHistory();
    const second = await importToAuditManager(input(a, { now: () => new Date(NOW.getTime() + 3 * 86_400_000) }));
    expect(uploadCalls()).toEqual([]);
    expect(batchCalls()).toEqual([]);
    expect(second.imported).toEqual([]);
    expect(second.alreadyImported.map((c) => [c.controlId, c.files])).toEqual(first.imported.map((c) => [c.controlId, c.files.map((f) => f.fileName)]));
  });

  it('honours 100 imports per control per UTC day across runs, in batches of 50, and continues the next day', async () => {
    expect(AUDIT_MANAGER_DAILY_LIMIT).toBe(100);
    const a = amAssessment();
    const mapping = parseControlMapping(`version: 1\ncontrols:\n  - controlId: ${a.ids.cc72}\n    auditpack: [soc2:CC7.2]\nignore: [${a.ids.cc61}, ${a.ids.cc64}, ${a.ids.inactive}]\n`, 'mapping.yaml');
    // A file limit that fits the control results and one evidence entry: CC7.2 (154 items) becomes 154 parts.
    const probe = buildEvidenceFiles({
      assessment: fx.pack.assessment,
      target: { assessmentId: a.assessmentId, controlSetId: a.sets.ops, controlId: a.ids.cc72, controlName: 'CC7.2 - The entity monitors system components for anomalies' },
      results: [fx.pack.assessment.frameworks[0]!.results.find((x) => x.control === 'CC7.2')!],
      evidence: [],
      bundle: null,
      format: 'json',
      maxBytes: 10_000_000,
    });
    const maxFileBytes = (probe.ok ? probe.files[0]!.body.length : 0) + 700;
    const run = (day: number) => importToAuditManager(input(a, { mapping, maxFileBytes, now: () => new Date(NOW.getTime() + day * 86_400_000) }));

    const day0 = await run(0);
    const parts = day0.imported[0]!.files.length + Number(/^(\d+) of/.exec(day0.deferred[0]!.detail)![1]);
    expect(parts).toBeGreaterThan(AUDIT_MANAGER_DAILY_LIMIT);
    expect(day0.imported[0]!.files).toHaveLength(100);
    expect(day0.deferred).toEqual([expect.objectContaining({ controlId: a.ids.cc72, reason: 'daily-limit' })]);
    expect(day0.deferred[0]!.detail).toMatch(/wait for the next UTC day: 0 of 100 .* on 2026-11-03/);
    expect(batchCalls().map((b) => b.manualEvidence!.length)).toEqual([50, 50]);
    for (const b of batchCalls()) expect(smithyProblems('BatchImportEvidenceToAssessmentControl', b)).toEqual([]);
    expect(await fx.pack.store.getState(dailyKey(a.ids.cc72, '2026-11-03'))).toMatchObject({ count: 100 });
    for (const f of day0.imported[0]!.files) expect(f.fileName).toMatch(/_part-\d+-of-\d+_[a-f0-9]{12}\.json$/);

    // Same day, a rerun: nothing more goes out.
    am.resetHistory();
    const again = await run(0);
    expect(batchCalls()).toEqual([]);
    expect(uploadCalls()).toEqual([]);
    expect(again.imported).toEqual([]);
    expect(again.deferred[0]!.detail).toMatch(/100 of 100 manual evidence imports for this control are used on 2026-11-03/);

    // Next UTC day: the rest.
    am.resetHistory();
    const day1 = await run(1);
    expect(day1.imported[0]!.files).toHaveLength(parts - 100);
    expect(day1.deferred).toEqual([]);
    const rest = parts - 100;
    expect(batchCalls().map((b) => b.manualEvidence!.length)).toEqual(rest > 50 ? [50, rest - 50] : [rest]);
    const ledger = (await fx.pack.store.getState(ledgerKey(a.assessmentId, a.sets.ops, a.ids.cc72))) as { entries: Record<string, unknown> };
    expect(Object.keys(ledger.entries)).toHaveLength(parts);
  });

  it('splits a summary over 100 MB into parts under the limit, and defers what cannot fit at all', async () => {
    expect(AUDIT_MANAGER_MAX_FILE_BYTES).toBe(100_000_000);
    const a = amAssessment();
    const result = fx.pack.assessment.frameworks[0]!.results.find((x) => x.control === 'CC7.2')!;
    const one = (i: number): EvidenceEntry => ({
      id: i.toString(16).padStart(64, '0'),
      kind: 'cloudtrail.activity',
      collector: 'cloudtrail',
      account: '111122223333',
      region: 'eu-west-1',
      resource: `AWSLogs/111122223333/CloudTrail/eu-west-1/2026-10-01#${i}`,
      status: 'collected',
      observedStart: '2026-10-01T00:00:00.000Z',
      observedEnd: '2026-10-02T00:00:00.000Z',
      contentSha256: 'c'.repeat(64),
      rawSha256: 'd'.repeat(64),
      bundlePath: `evidence/cloudtrail/2026-10-01/${i.toString(16).padStart(64, '0')}.json.gz`,
      bundleSha256: 'e'.repeat(64),
    });
    const evidence = Array.from({ length: 200_000 }, (_, i) => one(i));
    const built = buildEvidenceFiles({
      assessment: fx.pack.assessment,
      target: { assessmentId: a.assessmentId, controlSetId: a.sets.ops, controlId: a.ids.cc72, controlName: 'CC7.2' },
      results: [result],
      evidence,
      bundle: null,
      format: 'json',
      maxBytes: AUDIT_MANAGER_MAX_FILE_BYTES,
    });
    expect(built.ok).toBe(true);
    const files = built.ok ? built.files : [];
    expect(files.length).toBe(2);
    expect(files.reduce((n, f) => n + f.body.length, 0)).toBeGreaterThan(AUDIT_MANAGER_MAX_FILE_BYTES);
    let seen = 0;
    for (const [i, f] of files.entries()) {
      expect(f.body.length).toBeLessThanOrEqual(AUDIT_MANAGER_MAX_FILE_BYTES);
      const doc = JSON.parse(f.body.toString('utf8')) as { part: { index: number; count: number }; evidence: EvidenceEntry[]; controls: unknown[] };
      expect(doc.part).toEqual({ index: i + 1, count: 2 });
      expect(doc.controls).toHaveLength(1);
      expect(doc.evidence[0]!.id).toBe(evidence[seen]!.id);
      seen += doc.evidence.length;
      expect(f.fileName).toMatch(new RegExp(`_part-${i + 1}-of-2_${f.sha256.slice(0, 12)}\\.json$`));
    }
    expect(seen).toBe(evidence.length);

    // A limit the control results alone exceed: deferred, with the reason, nothing sent.
    const r = await importToAuditManager(input(a, { maxFileBytes: 2_000 }));
    expect(r.imported).toEqual([]);
    expect(r.deferred.filter((d) => d.reason === 'too-large').map((d) => d.controlId)).toEqual([a.ids.cc61, a.ids.cc64, a.ids.cc72]);
    expect(r.deferred[0]!.detail).toMatch(/does not fit Audit Manager's 2000-byte file limit even split into parts/);
    expect(uploadCalls()).toEqual([]);
  });

  it('a file Audit Manager rejects is reported, stays out of the ledger and the daily count, and goes out on the next run', async () => {
    const a = amAssessment();
    am.on(BatchImportEvidenceToAssessmentControlCommand, { controlId: a.ids.cc64 }).callsFake((i: BatchImportEvidenceToAssessmentControlCommandInput) => ({
      errors: [{ manualEvidence: i.manualEvidence![0], errorCode: '400', errorMessage: 'Unsupported file type' }],
    }));
    am.on(BatchImportEvidenceToAssessmentControlCommand, { controlId: a.ids.cc72 }).rejects(
      new AuditManagerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 429, requestId: 'r-1' } }),
    );
    const r = await importToAuditManager(input(a));
    expect(r.imported.map((c) => c.controlId)).toEqual([a.ids.cc61]);
    expect(r.failed.map((c) => c.controlId)).toEqual([a.ids.cc64, a.ids.cc72]);
    expect(r.failed[0]!.error).toMatch(/400 Unsupported file type/);
    expect(r.failed[1]!.error).toMatch(/BatchImportEvidenceToAssessmentControl: ThrottlingException \(HTTP 429\): Rate exceeded \[request r-1\]/);
    expect(await fx.pack.store.getState(dailyKey(a.ids.cc64, '2026-11-03'))).toMatchObject({ count: 0 });
    expect(await fx.pack.store.getState(ledgerKey(a.assessmentId, a.sets.access, a.ids.cc64))).toMatchObject({ entries: {} });

    setupMocks();
    const again = await importToAuditManager(input(a));
    expect(again.imported.map((c) => c.controlId)).toEqual([a.ids.cc64, a.ids.cc72]);
    expect(again.alreadyImported.map((c) => c.controlId)).toEqual([a.ids.cc61]);
    expect(batchCalls().map((b) => b.controlId)).toEqual([a.ids.cc64, a.ids.cc72]);
  });

  it('imports from an evidence bucket in the same region with s3ResourcePath, and refuses a bucket in another region', async () => {
    const a = amAssessment();
    const s3 = new S3Client({ region: REGION, endpoint: fake.endpoint, forcePathStyle: true, credentials: CREDS });
    try {
      const kms = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const r = await importToAuditManager(input(a, { evidenceBucket: { client: s3, bucket: 'northwind-am-evidence', prefix: 'auditpack/', kmsKeyId: kms }, format: 'csv' }));
      expect(uploadCalls()).toEqual([]);
      const batches = batchCalls();
      expect(batches).toHaveLength(3);
      for (const b of batches) {
        expect(smithyProblems('BatchImportEvidenceToAssessmentControl', b)).toEqual([]);
        expect(Object.keys(b.manualEvidence![0]!)).toEqual(['s3ResourcePath']);
        const key = b.manualEvidence![0]!.s3ResourcePath!.replace('s3://northwind-am-evidence/', '');
        expect(key).toMatch(/^auditpack\/auditpack_pack-[a-f0-9]{24}_soc2-CC[67]\.[124]_[a-f0-9]{12}\.csv$/);
        const put = fake.requests.find((q) => q.operation === 'PutObject' && q.key === key)!;
        expect(put.headers).toMatchObject({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': kms, 'if-none-match': '*', 'content-type': 'text/csv' });
        const csv = fake.object('northwind-am-evidence', key)!.body.toString('utf8');
        expect(csv.split('\r\n')[0]).toBe(
          '"pack_id","bundle_sha256","framework","control","title","status","reasons","accepted_risk","evidence_id","kind","account","region","resource","evidence_status","observed_start","observed_end","content_sha256","raw_sha256","bundle_path","bundle_file_sha256"',
        );
      }
      expect(r.imported[2]!.files[0]!.manualEvidence).toEqual({ s3ResourcePath: batches[2]!.manualEvidence![0]!.s3ResourcePath });

      am.resetHistory();
      const other = amAssessment();
      await expect(importToAuditManager(input(other, { evidenceBucket: { client: s3, bucket: 'us-evidence', prefix: '' } }))).rejects.toThrow(
        /evidence bucket us-evidence is in us-east-1, but the assessment is in eu-west-1/,
      );
      expect(am.commandCalls(GetAssessmentCommand)).toHaveLength(0);
    } finally {
      s3.destroy();
    }
  });

  it('a mapping file maps by id or name (over automatic matching) and ignores controls; bad references are bad input', async () => {
    const a = amAssessment();
    const file = path.join(fx.root, 'am-mapping.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'controls:',
        '  - controlName: "Northwind: data retention schedule"',
        '    controlSet: Custom controls',
        '    auditpack: ["gdpr:Art.5(1)(e)", "soc2:P4.2"]',
        `  - controlId: ${a.ids.cc72}`,
        '    auditpack: ["hipaa:164.312(b)"]',
        `ignore: ["${a.ids.cc64}"]`,
        '',
      ].join('\n'),
    );
    const mapping = loadControlMapping(file);
    const r = await importToAuditManager(input(a, { mapping, mappingFile: file }));
    expect(r.imported.map((c) => [c.controlId, c.auditpackControls])).toEqual([
      [a.ids.cc61, ['soc2:CC6.1']],
      [a.ids.cc72, ['hipaa:164.312(b)']],
      [a.ids.retention, ['gdpr:Art.5(1)(e)', 'soc2:P4.2']],
    ]);
    expect(r.imported[2]!.files[0]!.fileName).toMatch(/_gdpr-Art.5_1_e_-and-1-more_/);
    expect(r.unmatched.map((c) => c.controlId)).toEqual([a.ids.cc710]);

    const bad = parseControlMapping('version: 1\ncontrols:\n  - controlName: x\n    auditpack: ["soc2:CC99.9", "iso:A.5.1"]\n', 'bad.yaml');
    await expect(importToAuditManager(input(amAssessment(), { mapping: bad, mappingFile: 'bad.yaml' }))).rejects.toThrow(
      /bad\.yaml names unknown controls: soc2:CC99\.9 \(no control "CC99\.9" in soc2\); iso:A\.5\.1 \(framework "iso" is not in this pack/,
    );
    expect(() => parseControlMapping('version: 2\n', 'v2.yaml')).toThrow(DeliveryInputError);
    expect(() => parseControlMapping('version: 1\ncontrols:\n  - auditpack: [soc2:CC6.1]\n', 'x.yaml')).toThrow(/give controlId or controlName/);
    expect(() => loadControlMapping(path.join(fx.root, 'missing.yaml'))).toThrow(/cannot be read \(ENOENT\)/);
  });

  it('Audit Manager errors: a missing assessment is bad input, an inactive one and AccessDenied are delivery failures', async () => {
    const missing = amAssessment();
    am.on(GetAssessmentCommand, { assessmentId: missing.assessmentId }).rejects(
      new AuditManagerServiceException({ name: 'ResourceNotFoundException', $fault: 'client', message: 'The resource was not found', $metadata: { httpStatusCode: 404 } }),
    );
    await expect(importToAuditManager({ client, store: fx.pack.store, assessmentId: missing.assessmentId, region: REGION, assessment: fx.pack.assessment })).rejects.toThrow(DeliveryInputError);
    await expect(importToAuditManager(input(amAssessment({ status: 'INACTIVE' })))).rejects.toThrow(/INACTIVE; it takes no new evidence/);
    const denied = amAssessment();
    am.on(GetAssessmentCommand, { assessmentId: denied.assessmentId }).rejects(
      new AuditManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized', $metadata: { httpStatusCode: 403 } }),
    );
    const err = await importToAuditManager({ client, store: fx.pack.store, assessmentId: denied.assessmentId, region: REGION, assessment: fx.pack.assessment }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as Error).message).not.toContain(CREDS.secretAccessKey);
    await expect(importToAuditManager(input(amAssessment(), { assessmentId: 'not-a-uuid' }))).rejects.toThrow(/not an Audit Manager assessment id/);
  });

  it('a dry run matches and builds, but uploads, imports and records nothing', async () => {
    const a = amAssessment();
    const r = await importToAuditManager(input(a, { dryRun: true }));
    expect(r.dryRun).toBe(true);
    expect(r.imported).toHaveLength(3);
    expect(uploadCalls()).toEqual([]);
    expect(batchCalls()).toEqual([]);
    expect(await fx.pack.store.getState(ledgerKey(a.assessmentId, a.sets.access, a.ids.cc61))).toBeUndefined();
    expect(await fx.pack.store.getState(dailyKey(a.ids.cc61, '2026-11-03'))).toBeUndefined();
  });
});

describe('AuditManagerTarget (from the signed bundle)', () => {
  it('finds the assessment by run id, checks the pack id, and cites each evidence file with its hash in the signed manifest', async () => {
    const a = amAssessment();
    am.on(GetAssessmentCommand).resolves({ assessment: a.assessment });
    const bundle = await inspectBundle(fx.bundle.path);
    const index = await readBundleIndex(bundle);
    const noRun = new AuditManagerTarget({ assessmentId: a.assessmentId, region: REGION, store: fx.pack.store, client });
    // The stand-in report model of the test pack does not record the run id.
    await expect(deliver(noRun, fx.bundle.path)).rejects.toThrow(/give the run \(--run RUN_ID\)/);
    await expect(deliver(new AuditManagerTarget({ assessmentId: a.assessmentId, region: REGION, store: fx.pack.store, client, runId: 'run-nope' }), fx.bundle.path)).rejects.toThrow(
      /run run-nope has no assessment/,
    );
    await fx.pack.store.putState('runs/run-other/assessment', { ...fx.pack.assessment, packId: 'pack-000000000000000000000000' });
    await expect(deliver(new AuditManagerTarget({ assessmentId: a.assessmentId, region: REGION, store: fx.pack.store, client, runId: 'run-other' }), fx.bundle.path)).rejects.toThrow(
      /assessed pack pack-0{24}, but northwind-2026-10\.zip holds pack/,
    );

    const target = new AuditManagerTarget({ assessmentId: a.assessmentId, region: REGION, store: fx.pack.store, client, runId: fx.pack.runId });
    const r = await deliver(target, fx.bundle.path, { now: () => NOW });
    expect(r.bundle).toEqual({ name: 'northwind-2026-10.zip', sha256: fx.bundle.sha256, size: fx.bundle.size, packId: fx.pack.assessment.packId });
    const cc72 = r.imported.find((c) => c.controlId === a.ids.cc72)!;
    const doc = JSON.parse(uploaded(efn(cc72.files[0]!)).toString('utf8')) as {
      pack: { bundle: { name: string; sha256: string } };
      evidence: EvidenceEntry[];
    };
    expect(doc.pack.bundle).toEqual({ name: 'northwind-2026-10.zip', sha256: fx.bundle.sha256 });
    expect(doc.evidence).toHaveLength(154);
    for (const e of doc.evidence) {
      expect(e.bundlePath).toMatch(/^evidence\/[a-z_]+\/\d{4}-\d{2}-\d{2}\/[a-f0-9]{64}\.json\.gz$/);
      expect(e.bundleSha256).toBe(index.files.get(e.bundlePath!));
    }
  });
});

describe('automatic control matching', () => {
  const catalogs = loadCatalogs(['soc2', 'hipaa', 'gdpr']);
  it.each([
    ['CC6.1 - The entity implements logical access security software', ['soc2:CC6.1']],
    ['CC6.10 - not a criterion', []],
    ['Logical access (CC6.1) and removal of access (CC6.2).', ['soc2:CC6.1', 'soc2:CC6.2']],
    ['CC 7.2 monitoring', ['soc2:CC7.2']],
    ['164.312(b) Audit controls', ['hipaa:164.312(b)']],
    ['§ 164.312(a)(2)(iv) Encryption and decryption', ['hipaa:164.312(a)(2)(iv)']],
    ['164.308 (a)(1)(ii)(D) Information system activity review', ['hipaa:164.308(a)(1)(ii)(D)']],
    ['Article 32 - Security of processing', ['gdpr:Art.32']],
    ['Art. 5(1)(f) Integrity and confidentiality', ['gdpr:Art.5(1)(f)']],
    ['Art.25 Data protection by design', ['gdpr:Art.25']],
  ])('%s → %j', (name, refs) => {
    expect(matchControlName(name, catalogs)).toEqual(refs);
  });

  it('a framework hint restricts the search to that catalog', () => {
    expect(matchControlName('164.312(b) Audit controls', catalogs, 'soc2')).toEqual([]);
    expect(matchControlName('164.312(b) Audit controls', catalogs, 'hipaa')).toEqual(['hipaa:164.312(b)']);
  });

  it('matches none of the control names of real custom frameworks (ISO 27001, HDS, license and guardrail controls)', () => {
    const names = Object.values(NAMES.sources).flat();
    expect(names.length).toBeGreaterThan(40);
    for (const n of names) expect([n, matchControlName(n, catalogs)]).toEqual([n, []]);
  });
});
