import {
  ArtifactClient,
  downloadPresigned,
  IncompleteDownloadError,
  type ArtifactReportDetail,
} from '../../aws/artifact-client.js';
import { CollectionFailure, type ClassifiedError } from '../../aws/errors.js';
import {
  normalizeArtifactReport,
  normalizeArtifactReportList,
  type ArtifactReportSummary,
} from '../../normalizers/artifact.js';
import { NormalizeError } from '../../normalizers/types.js';
import { COLLECTORS } from '../catalog.js';
import { allPages, withoutMetadata } from './pages.js';
import { jsonRaw, type LiveCollector, type LiveContext } from './types.js';

const DECLARATION = COLLECTORS.find((c) => c.id === 'artifact')!;

/**
 * The report series collected: AWS's SOC, ISO and PCI attestations, which the frameworks read as inherited controls.
 * A report is kept when its `series` is one of these, or, without a series, when its name starts with one (case
 * insensitive). `null` collects every report.
 */
export const ARTIFACT_REPORT_SERIES: readonly string[] | null = ['SOC', 'ISO', 'PCI'];

/** ListReports page size (the model allows 1..300). */
const PAGE_SIZE = 100;

export function wantedReport(
  r: Pick<ArtifactReportSummary, 'series' | 'name'>,
  series: readonly string[] | null = ARTIFACT_REPORT_SERIES,
): boolean {
  if (series === null) return true;
  const wanted = series.map((s) => s.toLowerCase());
  if (r.series) return wanted.includes(r.series.trim().toLowerCase());
  const name = r.name.trim().toLowerCase();
  return wanted.some((s) => name === s || name.startsWith(`${s} `) || name.startsWith(`${s}-`));
}

/**
 * AWS Artifact: the AWS compliance reports (SOC, ISO, PCI) with their PDFs, as inherited-control evidence. Artifact is
 * account-wide; it is called in `ctx.apiRegion` and recorded under region `global`.
 *
 * Per report: GetReportMetadata, then GetTermForReport (term token) and GetReport (presigned URL), then the PDF is
 * downloaded with plain `fetch`. The item is emitted only once the whole PDF is in hand and starts with `%PDF-`; a
 * download that stops early is an error item, never a half document. Reports whose terms need an explicit
 * click-through (`acceptanceType: EXPLICIT`) are not downloaded: fetching them would accept the terms on the user's
 * behalf, so they become error items telling the user to accept the terms in the console.
 */
export const artifactCollector: LiveCollector = makeArtifactCollector();

/** The Artifact collector with another series filter (`null`: every report); `artifactCollector` is the default. */
export function makeArtifactCollector(options: { readonly series?: readonly string[] | null } = {}): LiveCollector {
  const series = options.series === undefined ? ARTIFACT_REPORT_SERIES : options.series;
  return {
    ...DECLARATION,
    operations: [
      'artifact:ListReports',
      'artifact:GetReportMetadata',
      'artifact:GetTermForReport',
      'artifact:GetReport',
    ],
    collect: (ctx) => collectArtifact(ctx, series),
  };
}

async function collectArtifact(ctx: LiveContext, series: readonly string[] | null): Promise<void> {
  const client = new ArtifactClient({
    region: ctx.apiRegion,
    credentials: ctx.clients.options.credentials,
    fetch: ctx.fetch,
  });
  let summaries: ArtifactReportSummary[];
  try {
    const list = await allPages(
      ctx,
      'artifact:ListReports',
      (nextToken, s) => client.listReports({ maxResults: PAGE_SIZE, nextToken }, { abortSignal: s }),
      (p) => p.nextToken,
    );
    summaries = list.pages.flatMap((p) => normalizeArtifactReportList(withoutMetadata(p)).reports);
  } catch (err) {
    // Nothing listed: one gap for the kind (or not_applicable where Artifact is not offered).
    await failWith(ctx, err);
    return;
  }
  const seen = new Set<string>();
  for (const summary of summaries) {
    ctx.signal.throwIfAborted();
    if (!wantedReport(summary, series) || summary.state === 'UNPUBLISHED') continue;
    const key = `${summary.reportId}@${summary.version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await collectReport(ctx, client, summary);
  }
}

/** One report: metadata, term token, presigned URL, PDF; any failure is an error item for this report only. */
async function collectReport(ctx: LiveContext, client: ArtifactClient, summary: ArtifactReportSummary): Promise<void> {
  // The resource the item would have (GetReportMetadata's versioned ARN), so a failure and a success line up.
  let resource = summary.arn ?? summary.reportId;
  try {
    const input = {
      reportId: summary.reportId,
      ...(summary.version !== null ? { reportVersion: summary.version } : {}),
    };
    const metadata = await ctx.call('artifact:GetReportMetadata', (s) =>
      client.getReportMetadata(input, { abortSignal: s }),
    );
    const response = withoutMetadata(metadata.output);
    const detail: ArtifactReportDetail = response.reportDetails ?? {};
    resource = detail.arn ?? resource;
    const acceptance = detail.acceptanceType ?? summary.acceptanceType ?? null;
    if (acceptance === 'EXPLICIT') {
      await ctx.fail(
        ['artifact.report'],
        'artifact:GetTermForReport',
        custom(
          'TermAcceptanceRequired',
          `report "${detail.name ?? summary.name}" (${summary.reportId}) requires explicit acceptance of its terms${detail.termArn ? ` (${detail.termArn})` : ''}; ` +
            'auditpack does not accept terms on your behalf. Accept them and download the report in the AWS Artifact console, ' +
            'then add it to the export directory (cli/<account>/global/artifact/).',
        ),
        resource,
      );
      return;
    }
    const term = await ctx.call('artifact:GetTermForReport', (s) => client.getTermForReport(input, { abortSignal: s }));
    const termToken = term.output.termToken;
    if (!termToken) {
      throw new CollectionFailure(
        'artifact:GetTermForReport',
        custom('MissingTermToken', `GetTermForReport returned no termToken for ${summary.reportId}`, term.requestId),
      );
    }
    const report = await ctx.call('artifact:GetReport', (s) =>
      client.getReport({ ...input, termToken }, { abortSignal: s }),
    );
    const url = report.output.documentPresignedUrl;
    if (!url) {
      throw new CollectionFailure(
        'artifact:GetReport',
        custom(
          'MissingPresignedUrl',
          `GetReport returned no documentPresignedUrl for ${summary.reportId}`,
          report.requestId,
        ),
      );
    }
    // The download is retried like a call (a broken connection is transient); the URL stays valid for minutes.
    const doc = await ctx.call('artifact:GetReport', async (s) => {
      const d = await downloadPresigned(ctx.fetch, url, s);
      if (!d.lengthChecked && !endsLikePdf(d.bytes)) {
        throw new IncompleteDownloadError(
          `document download ended after ${d.bytes.length} bytes without the PDF end marker %%EOF`,
        );
      }
      return d;
    });
    const calls = [
      { operation: 'artifact:GetReportMetadata', requestId: metadata.requestId },
      { operation: 'artifact:GetTermForReport', requestId: term.requestId },
      { operation: 'artifact:GetReport', requestId: report.requestId },
    ];
    const pdf = doc.output.bytes;
    const obs = normalizeArtifactReport(response, pdf, ctx.meta(calls, jsonRaw(response)));
    // The PDF is the raw payload, as the export directory stores it: it is what an auditor opens.
    await ctx.emit({ ...obs, raw: { bytes: pdf, mediaType: 'application/pdf', sensitive: false } });
  } catch (err) {
    await failWith(ctx, err, resource);
  }
}

/** A PDF ends with `%%EOF` (possibly followed by a line end); only checked when no length was announced. */
function endsLikePdf(bytes: Uint8Array): boolean {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString('latin1');
  return tail.includes('%%EOF');
}

/** Records a failure for `artifact.report`; anything that is not an AWS or normalizer failure propagates. */
async function failWith(ctx: LiveContext, err: unknown, resource?: string): Promise<void> {
  if (err instanceof CollectionFailure) {
    await ctx.fail(['artifact.report'], err.operation, err.classified, resource);
    return;
  }
  if (err instanceof NormalizeError) {
    // A live NormalizeError names the operation whose output was wrong (e.g. artifact:GetReportMetadata).
    await ctx.fail(['artifact.report'], err.input, custom(err.code, err.problem), resource);
    return;
  }
  throw err;
}

function custom(code: string, message: string, requestId: string | null = null): ClassifiedError {
  return { category: 'other', code, message, retryable: false, httpStatus: null, requestId };
}
