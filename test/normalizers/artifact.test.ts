import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeArtifactReport, normalizeArtifactReportList } from '../../src/normalizers/artifact.js';
import type { NormalizeMeta } from '../../src/normalizers/types.js';
import {
  ACCOUNT,
  apiMeta,
  fixture,
  fixtureBytes,
  normalizeError,
  OBSERVED_AT,
  toEpoch,
  toSdk,
  validContent,
} from '../fixtures/sagemaker/helpers.js';
import { outputMembersOf, outputProblems, smithyAvailable } from '../fixtures/smithy.js';

const META_FILE = 'artifact/get-report-metadata.report-abcdef0123456789.json';
const PDF_FILE = 'artifact/get-report.report-abcdef0123456789.pdf';
const LIST_FILE = 'artifact/list-reports.json';
const TIME_KEYS = ['periodStart', 'periodEnd', 'createdAt', 'lastModifiedAt', 'deletedAt'];
const cli = () => fixture(META_FILE);
const pdf = () => fixtureBytes(PDF_FILE);

/** As the export-directory source builds it: metadata file first, then the PDF (the raw blob). */
function meta(): NormalizeMeta {
  const src = (p: string) => ({
    type: 'file' as const,
    path: `cli/${ACCOUNT}/global/${p}`,
    sha256: createHash('sha256').update(p).digest('hex'),
  });
  return {
    account: ACCOUNT,
    region: 'global',
    observedAt: OBSERVED_AT,
    sources: [src(META_FILE), src(PDF_FILE)],
    raw: { bytes: pdf(), mediaType: 'application/pdf', sensitive: false },
  };
}

const EXPECTED = {
  reportId: 'report-abcdef0123456789',
  name: 'Name of report',
  version: 1,
  series: 'Artifact Series',
  category: 'Artifact Category',
  companyName: 'AWS',
  productName: 'Product of report',
  periodStart: '2022-04-01T20:32:04.000Z',
  periodEnd: '2022-04-01T20:32:04.000Z',
  state: 'PUBLISHED',
  description: 'Description of report',
};

describe('normalizeArtifactReport', () => {
  it('normalizes the GetReportMetadata example output with the downloaded PDF', () => {
    const obs = normalizeArtifactReport(cli(), pdf(), meta());
    expect(obs).toMatchObject({
      collector: 'artifact',
      kind: 'artifact.report',
      account: ACCOUNT,
      region: 'global',
      resource: 'arn:aws:artifact:us-east-1::report/report-abcdef0123456789:1',
      observedAt: { type: 'instant', at: OBSERVED_AT },
    });
    validContent(obs);
    expect(obs.content).toEqual({
      ...EXPECTED,
      documentSha256: '4feb7ae1d29410d1e2b4264c82497972bb4d9e4a45616c9d81e1573b3f02457f',
    });
    expect(obs.content!.documentSha256).toBe(createHash('sha256').update(pdf()).digest('hex'));
  });

  it('is in region global whatever the meta says, and has no digest without the PDF', () => {
    const obs = normalizeArtifactReport(cli(), null, apiMeta('artifact:GetReportMetadata', 'us-east-1'));
    expect(obs.region).toBe('global');
    expect(obs.content).toEqual({ ...EXPECTED, documentSha256: null });
  });

  it('gives identical content for the SDK v3 response and epoch-second times', () => {
    const fromCli = normalizeArtifactReport(cli(), pdf(), meta()).content;
    const sdk = toSdk(cli(), TIME_KEYS);
    expect((sdk['reportDetails'] as Record<string, unknown>)['periodStart']).toBeInstanceOf(Date);
    expect(normalizeArtifactReport(sdk, pdf(), apiMeta('artifact:GetReportMetadata')).content).toEqual(fromCli);
    expect(normalizeArtifactReport(toEpoch(cli(), TIME_KEYS), pdf(), meta()).content).toEqual(fromCli);
  });

  it('uses the report id as resource when there is no ARN', () => {
    const r = cli();
    delete (r['reportDetails'] as Record<string, unknown>)['arn'];
    expect(normalizeArtifactReport(r, null, meta()).resource).toBe('report-abcdef0123456789');
  });

  it('rejects a document that is not a PDF, naming the PDF file', () => {
    const html = new TextEncoder().encode('<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>');
    const err = normalizeError(() => normalizeArtifactReport(cli(), html, meta()));
    expect(err.input).toBe(`cli/${ACCOUNT}/global/${PDF_FILE}`);
    expect(err.problem).toBe('report report-abcdef0123456789 document is not a PDF (it does not start with %PDF-)');
    expect(err.code).toBe('NotPdf');
    expect(
      normalizeError(() => normalizeArtifactReport(cli(), new Uint8Array(), apiMeta('artifact:GetReport'))).input,
    ).toBe('artifact:GetReport');
    expect(normalizeError(() => normalizeArtifactReport(cli(), new TextEncoder().encode('%PDF'), meta())).code).toBe(
      'NotPdf',
    );
  });

  it('rejects missing reportDetails, id or name, an unknown state and bad times', () => {
    const e1 = normalizeError(() => normalizeArtifactReport({}, null, meta()));
    expect([e1.input, e1.problem, e1.code]).toEqual([
      `cli/${ACCOUNT}/global/${META_FILE}`,
      'reportDetails must be a JSON object, got undefined',
      'UnknownShape',
    ]);
    for (const key of ['id', 'name']) {
      const r = cli();
      delete (r['reportDetails'] as Record<string, unknown>)[key];
      expect(normalizeError(() => normalizeArtifactReport(r, null, meta())).problem).toBe(
        `reportDetails.${key} is required and must be a non-empty string, got undefined`,
      );
    }
    const state = cli();
    (state['reportDetails'] as Record<string, unknown>)['state'] = 'DRAFT';
    expect(normalizeError(() => normalizeArtifactReport(state, null, meta())).problem).toBe(
      'reportDetails.state must be one of PUBLISHED|UNPUBLISHED, got "DRAFT"',
    );
    const time = cli();
    (time['reportDetails'] as Record<string, unknown>)['periodEnd'] = '2022-04-01';
    const e2 = normalizeError(() => normalizeArtifactReport(time, null, meta()));
    expect([e2.problem, e2.code]).toEqual([
      'reportDetails.periodEnd is not an ISO-8601 instant with a time zone: "2022-04-01"',
      'InvalidTime',
    ]);
    const version = cli();
    (version['reportDetails'] as Record<string, unknown>)['version'] = 1.5;
    expect(normalizeError(() => normalizeArtifactReport(version, null, meta())).problem).toBe(
      'reportDetails.version must be an integer, got 1.5',
    );
  });
});

describe('normalizeArtifactReportList', () => {
  it('lists the reports of a ListReports page and its next token', () => {
    const { reports, nextToken } = normalizeArtifactReportList(fixture(LIST_FILE));
    expect(nextToken).toBe('gPFEGk7CF4wS901w7ppYclt7gPFEGk7CF4wS901w7ppYclt7gPFEGk7CF4wS901w7ppYclt7');
    expect(reports).toEqual([
      {
        ...EXPECTED,
        documentSha256: null,
        arn: 'arn:aws:artifact:us-east-1::report/report-abcdef0123456789',
        uploadState: null,
        acceptanceType: null,
        statusMessage: null,
      },
    ]);
    expect(normalizeArtifactReportList({})).toEqual({ reports: [], nextToken: null });
  });

  it('names the input and the element in errors', () => {
    const err = normalizeError(() => normalizeArtifactReportList({ reports: [{ id: 'report-abcdef0123456789' }] }));
    expect([err.input, err.problem]).toEqual([
      'artifact:ListReports',
      'reports[0].name is required and must be a non-empty string, got undefined',
    ]);
    expect(
      normalizeError(() =>
        normalizeArtifactReportList({ reports: [{ id: 'r', name: 'n', uploadState: 'DONE' }] }, 'x.json'),
      ).problem,
    ).toBe('reports[0].uploadState must be one of PROCESSING|COMPLETE|FAILED|FAULT, got "DONE"');
  });
});

describe.skipIf(!smithyAvailable())('Artifact fixtures vs the Smithy model', () => {
  it('are the smithy.api#examples outputs and use only members of the output shapes', () => {
    const members = outputMembersOf('artifact', 'GetReportMetadata');
    for (const key of Object.keys(cli())) expect(members).toContain(key);
    expect(outputProblems('artifact', 'GetReportMetadata', cli())).toEqual([]);
    for (const key of Object.keys(fixture(LIST_FILE)))
      expect(outputMembersOf('artifact', 'ListReports')).toContain(key);
    expect(outputProblems('artifact', 'ListReports', fixture(LIST_FILE))).toEqual([]);
  });
});
