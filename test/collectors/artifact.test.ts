import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsClientFactory } from '../../src/aws/clients.js';
import { COLLECTORS } from '../../src/collectors/catalog.js';
import {
  ARTIFACT_REPORT_SERIES,
  artifactCollector,
  makeArtifactCollector,
  wantedReport,
} from '../../src/collectors/live/artifact.js';
import { makeLiveContext } from '../../src/collectors/live/context.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { EvidenceItem } from '../../src/evidence/model.js';
import type { AnyObservation } from '../../src/evidence/observation.js';
import { writeObservation } from '../../src/evidence/writer.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import {
  CREDENTIALS,
  EXAMPLE_PDF,
  FakeArtifact,
  SMITHY_EXAMPLES,
  pdfOf,
  type FakeReport,
} from '../fixtures/collectors/artifact/fake-artifact.js';

const ACCOUNT = '111122223333';
const API_REGION = 'eu-west-1';
const NOW = new Date('2025-02-10T12:00:00.000Z');
const EXAMPLE_ID = 'report-abcdef0123456789';
type Json = Record<string, unknown>;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A report as AWS Artifact lists and describes it (members of ReportSummary / ReportDetail). */
function report(
  id: string,
  name: string,
  series: string,
  extra: { acceptanceType?: 'PASSTHROUGH' | 'EXPLICIT' } = {},
  document: Buffer | string = pdfOf(name),
): FakeReport {
  const arn = `arn:aws:artifact:${API_REGION}::report/${id}`;
  const common = {
    arn,
    id,
    name,
    series,
    category: 'Certifications and Attestations',
    companyName: 'AWS',
    productName: 'AWS',
    description: `${name} for the review period`,
    periodStart: '2024-04-01T00:00:00Z',
    periodEnd: '2025-03-31T00:00:00Z',
    state: 'PUBLISHED',
    version: 3,
    ...extra,
  };
  return {
    summary: { ...common, uploadState: 'COMPLETE' },
    metadata: {
      reportDetails: {
        ...common,
        arn: `${arn}:3`,
        createdAt: '2025-05-02T17:20:11.512Z',
        termArn: `arn:aws:artifact:${API_REGION}::term/term-${id.slice(7)}:1`,
        uploadState: 'COMPLETE',
      },
    },
    document,
  };
}

const EXAMPLE: FakeReport = {
  summary: (SMITHY_EXAMPLES.ListReports.output['reports'] as Json[])[0]!,
  metadata: SMITHY_EXAMPLES.GetReportMetadata.output,
  document: EXAMPLE_PDF,
};
const SOC2 = report('report-SOC2TYPE2REPORT01', 'AWS SOC 2 Type 2 Report', 'SOC', { acceptanceType: 'PASSTHROUGH' });
const ISO = report('report-ISO27001CERTIFIC', 'ISO IEC 27001-2022 Certificate', 'ISO', { acceptanceType: 'EXPLICIT' });
const PCI = { ...report('report-PCIDSSAOC0000001', 'PCI DSS Attestation of Compliance', 'PCI'), truncate: true };
const SOC1 = report(
  'report-SOC1TYPE2REPORT01',
  'AWS SOC 1 Type 2 Report',
  'SOC',
  {},
  '<html><body>Sign in to continue</body></html>',
);
const GDPR = report('report-GDPRDPA000000001', 'AWS GDPR Data Processing Addendum', 'Agreements');

let fake: FakeArtifact;
const dirs: string[] = [];

beforeEach(() => {
  vi.stubEnv('AWS_ENDPOINT_URL_ARTIFACT', '');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fake?.stop();
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function serve(reports: FakeReport[], pageSize = 2): Promise<FakeArtifact> {
  fake = await new FakeArtifact(API_REGION, reports, pageSize).start();
  vi.stubEnv('AWS_ENDPOINT_URL_ARTIFACT', fake.url);
  return fake;
}

async function run(opts: { signal?: AbortSignal; fetch?: typeof fetch } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'auditpack-artifact-'));
  dirs.push(dir);
  const store = new LocalDirectoryStore(path.join(dir, 'store'));
  const observations: AnyObservation[] = [];
  const sleeps: number[] = [];
  const ctx = makeLiveContext({
    collector: 'artifact',
    account: ACCOUNT,
    region: 'global',
    apiRegion: API_REGION,
    clients: new AwsClientFactory({ sdkMaxAttempts: 1, credentials: CREDENTIALS }),
    callerIdentity: null,
    window: { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-02-01T00:00:00Z') },
    now: () => NOW,
    signal: opts.signal ?? new AbortController().signal,
    store,
    fetch: opts.fetch ?? fetch,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    emit: async (obs) => {
      observations.push(obs);
      await writeObservation(
        { store, now: () => NOW, collectorVersion: 'auditpack/test live', callerIdentity: null },
        obs,
      );
    },
  });
  const items = async (): Promise<EvidenceItem[]> => {
    const out: EvidenceItem[] = [];
    for await (const item of store.listItems({})) out.push(item);
    return out;
  };
  return { ctx, store, dir, observations, sleeps, items };
}

const all = makeArtifactCollector({ series: null });
const state = (o: AnyObservation) => (o.status.state === 'error' ? `error ${o.status.code}` : o.status.state);

describe('artifactCollector', () => {
  it('is the catalog entry, with an IAM action for each operation', () => {
    const decl = COLLECTORS.find((c) => c.id === 'artifact')!;
    expect(artifactCollector).toMatchObject({ id: 'artifact', regional: false, kinds: decl.kinds });
    expect([...artifactCollector.operations].sort()).toEqual([...decl.iamActions].sort());
    expect(ARTIFACT_REPORT_SERIES).toEqual(['SOC', 'ISO', 'PCI']);
    expect(wantedReport({ series: 'soc', name: 'x' })).toBe(true);
    expect(wantedReport({ series: 'Agreements', name: 'SOC 2 addendum' })).toBe(false);
    expect(wantedReport({ series: null, name: 'PCI DSS Attestation' })).toBe(true);
    expect(wantedReport({ series: null, name: 'Pricing sheet' })).toBe(false);
  });

  it('pages through ListReports and collects each report with its PDF; explicit terms, cut downloads and non-PDFs are error items', async () => {
    await serve([EXAMPLE, SOC2, ISO, PCI, SOC1]);
    const h = await run();
    await all.collect(h.ctx);

    expect(fake.calls('ListReports').map((c) => c.query['nextToken'] ?? null)).toEqual([
      null,
      expect.any(String),
      expect.any(String),
    ]);
    expect(fake.calls('ListReports').every((c) => c.query['maxResults'] === '100')).toBe(true);
    expect(fake.received.filter((r) => r.op !== 'Download').every((r) => r.signatureOk === true)).toBe(true);
    expect(fake.calls('Download').every((r) => r.authorization === null)).toBe(true);

    expect(h.observations.map((o) => [o.resource, state(o)])).toEqual([
      ['arn:aws:artifact:us-east-1::report/report-abcdef0123456789:1', 'collected'],
      [`arn:aws:artifact:${API_REGION}::report/report-SOC2TYPE2REPORT01:3`, 'collected'],
      [`arn:aws:artifact:${API_REGION}::report/report-ISO27001CERTIFIC:3`, 'error TermAcceptanceRequired'],
      [`arn:aws:artifact:${API_REGION}::report/report-PCIDSSAOC0000001:3`, 'error IncompleteDownload'],
      [`arn:aws:artifact:${API_REGION}::report/report-SOC1TYPE2REPORT01:3`, 'error NotPdf'],
    ]);
    expect(
      h.observations.every((o) => o.region === 'global' && o.account === ACCOUNT && o.kind === 'artifact.report'),
    ).toBe(true);

    const [example, soc2] = h.observations as AnyObservation[] & { content: Json }[];
    expect(example!.content).toMatchObject({
      reportId: EXAMPLE_ID,
      name: 'Name of report',
      version: 1,
      documentSha256: sha256(EXAMPLE_PDF),
    });
    expect(soc2!.content).toMatchObject({
      name: 'AWS SOC 2 Type 2 Report',
      series: 'SOC',
      periodEnd: '2025-03-31T00:00:00.000Z',
      documentSha256: sha256(SOC2.document as Buffer),
    });
    expect(soc2!.sources.map((s) => (s.type === 'api' ? s.operation : s.path))).toEqual([
      'artifact:GetReportMetadata',
      'artifact:GetTermForReport',
      'artifact:GetReport',
    ]);
    expect(soc2!.sources.every((s) => s.type === 'api' && /^fake-\d+$/.test(s.requestId ?? ''))).toBe(true);
    // The same report version throughout, and GetReport with the term token GetTermForReport gave.
    expect(fake.calls('GetReport').find((c) => c.query['reportId'] === 'report-SOC2TYPE2REPORT01')!.query).toEqual({
      reportId: 'report-SOC2TYPE2REPORT01',
      reportVersion: '3',
      termToken: 'term-token-report-SOC2TYPE2REPORT01',
    });

    // Terms that need a click-through are never fetched, let alone accepted.
    const iso = h.observations[2]!;
    expect(iso.status.state === 'error' && iso.status.message).toMatch(
      /requires explicit acceptance of its terms .*does not accept terms on your behalf/,
    );
    expect(
      [...fake.calls('GetTermForReport'), ...fake.calls('GetReport')].some(
        (c) => c.query['reportId'] === 'report-ISO27001CERTIFIC',
      ),
    ).toBe(false);

    // The cut download was retried, then recorded; nothing of it reached the store.
    const pci = h.observations[3]!;
    expect(pci.status.state === 'error' && pci.status.message).toMatch(
      /^artifact:GetReport: document download ended after \d+ of \d+ bytes/,
    );
    expect(fake.calls('Download')).toHaveLength(1 + 1 + 4 + 1); // example, SOC 2, PCI (4 rounds), SOC 1
    const pdf = PCI.document as Buffer;
    expect(await h.store.hasBlob(sha256(pdf))).toBe(false);
    expect(await h.store.hasBlob(sha256(pdf.subarray(0, Math.floor(pdf.length / 2))))).toBe(false);
    expect(h.sleeps).toHaveLength(3);

    // Stored items: the PDF is the raw payload of each collected report.
    const stored = await h.items();
    expect(stored).toHaveLength(5);
    const socItem = stored.find((i) => i.resource?.includes('SOC2') && i.status.state === 'collected')!;
    expect(socItem.raw).toMatchObject({
      sha256: sha256(SOC2.document as Buffer),
      mediaType: 'application/pdf',
      sensitive: false,
    });
    expect((await h.store.getBlob(socItem.raw!.sha256)).equals(SOC2.document as Buffer)).toBe(true);
  });

  it('by default fetches only the SOC, ISO and PCI series', async () => {
    await serve([EXAMPLE, SOC2, GDPR], 100);
    const h = await run();
    await artifactCollector.collect(h.ctx);
    expect(fake.calls('GetReportMetadata').map((c) => c.query['reportId'])).toEqual(['report-SOC2TYPE2REPORT01']);
    expect(h.observations.map((o) => [o.resource, state(o)])).toEqual([
      [`arn:aws:artifact:${API_REGION}::report/report-SOC2TYPE2REPORT01:3`, 'collected'],
    ]);
  });

  it('retries a 429 and then collects as if nothing happened', async () => {
    await serve([SOC2]);
    fake.fail('ListReports', { status: 429, type: 'ThrottlingException', message: 'Rate exceeded' });
    fake.fail('GetReport', { status: 429, type: 'ThrottlingException', message: 'Rate exceeded' });
    const h = await run();
    await all.collect(h.ctx);
    expect(h.sleeps).toHaveLength(2);
    expect(fake.calls('ListReports')).toHaveLength(2);
    expect(h.observations.map(state)).toEqual(['collected']);
  });

  it('records a 403 on ListReports as one error item, not an empty result, and does not retry it', async () => {
    await serve([SOC2]);
    fake.fail('ListReports', {
      status: 403,
      type: 'AccessDeniedException',
      message:
        'User: arn:aws:sts::111122223333:assumed-role/auditpack/run is not authorized to perform: artifact:ListReports',
    });
    const h = await run();
    await all.collect(h.ctx);
    expect(fake.calls('ListReports')).toHaveLength(1);
    expect(h.observations).toHaveLength(1);
    const [o] = h.observations;
    expect(o).toMatchObject({
      kind: 'artifact.report',
      region: 'global',
      resource: 'artifact:ListReports',
      status: { state: 'error', code: 'AccessDeniedException' },
    });
    expect(o!.sources).toEqual([
      { type: 'api', operation: 'artifact:ListReports', requestId: expect.stringMatching(/^fake-/) },
    ]);
  });

  it('records a 403 on one report and collects the others', async () => {
    await serve([SOC2, report('report-SOC3REPORT000001', 'AWS SOC 3 Report', 'SOC')]);
    fake.fail('GetTermForReport', {
      status: 403,
      type: 'AccessDeniedException',
      message: 'not authorized to perform: artifact:GetTermForReport',
    });
    const h = await run();
    await all.collect(h.ctx);
    expect(h.observations.map((o) => [o.resource, state(o)])).toEqual([
      [`arn:aws:artifact:${API_REGION}::report/report-SOC2TYPE2REPORT01:3`, 'error AccessDeniedException'],
      [`arn:aws:artifact:${API_REGION}::report/report-SOC3REPORT000001:3`, 'collected'],
    ]);
  });

  it('is not applicable where the Artifact endpoint does not exist', async () => {
    const noDns: typeof fetch = () =>
      Promise.reject(
        Object.assign(new TypeError('fetch failed'), {
          cause: Object.assign(new Error('getaddrinfo ENOTFOUND artifact.ap-east-2.amazonaws.com'), {
            code: 'ENOTFOUND',
          }),
        }),
      );
    vi.stubEnv('AWS_ENDPOINT_URL_ARTIFACT', '');
    const h = await run({ fetch: noDns });
    await all.collect(h.ctx);
    expect(h.observations.map((o) => [o.kind, o.status.state])).toEqual([['artifact.report', 'not_applicable']]);
    expect(h.observations[0]!.status).toMatchObject({
      reason: expect.stringMatching(/^artifact:ListReports: EndpointNotFound: /),
    });
  });

  it('stops at once when the run is aborted, storing nothing half-done', async () => {
    await serve([SOC2, report('report-SOC3REPORT000001', 'AWS SOC 3 Report', 'SOC')]);
    const controller = new AbortController();
    fake.on('Download', () => controller.abort(new Error('interrupted by the user')));
    const h = await run({ signal: controller.signal });
    await expect(all.collect(h.ctx)).rejects.toThrow('interrupted by the user');
    expect(h.observations).toEqual([]);
    expect(fake.calls('GetReportMetadata')).toHaveLength(1);
  });

  it('gives the same item id as the export directory holding the same metadata and PDF', async () => {
    await serve([EXAMPLE, SOC2]);
    const live = await run();
    await all.collect(live.ctx);
    expect(live.observations.map(state)).toEqual(['collected', 'collected']);

    const root = path.join(live.dir, 'export');
    const dir = path.join(root, 'cli', ACCOUNT, 'global', 'artifact');
    mkdirSync(dir, { recursive: true });
    for (const r of [EXAMPLE, SOC2]) {
      const id = String(r.summary['id']);
      const files: [string, string | Buffer][] = [
        [path.join(dir, `get-report-metadata.${id}.json`), JSON.stringify(r.metadata, null, 2)],
        [path.join(dir, `get-report.${id}.pdf`), r.document],
      ];
      for (const [f, data] of files) {
        writeFileSync(f, data);
        await utimes(f, NOW, NOW);
      }
    }
    const exportStore = new LocalDirectoryStore(path.join(live.dir, 'export-store'));
    const summary = await collectExportDir(
      { store: exportStore, now: () => NOW, collectorVersion: 'auditpack/test export', callerIdentity: null },
      root,
    );
    expect(summary.errors).toEqual([]);
    const exported: EvidenceItem[] = [];
    for await (const item of exportStore.listItems({})) exported.push(item);
    const liveItems = await live.items();
    expect(exported.map((i) => i.id).sort()).toEqual(liveItems.map((i) => i.id).sort());
    // Same raw payload too: the PDF.
    expect(exported.map((i) => i.raw?.sha256).sort()).toEqual(liveItems.map((i) => i.raw?.sha256).sort());
  });
});
