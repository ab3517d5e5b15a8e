import { createHash } from 'node:crypto';
import type { ContentOf } from '../evidence/content.js';
import type { Observation } from '../evidence/observation.js';
import { collected } from '../evidence/observation.js';
import type { NormalizeMeta } from './types.js';
import { NormalizeError } from './types.js';
// The strict member helpers live with the SageMaker normalizers; they are service-neutral.
import { baseOf, inputOf, obj, optEnum, optInt, optList, optStr, optTime, reqStr } from './sagemaker/common.js';
import type { Obj } from './sagemaker/common.js';

export type ArtifactReportContent = ContentOf<'artifact.report'>;

/** Smithy `com.amazonaws.artifact#PublishedState`, `#UploadState`, `#AcceptanceType`. */
export const ARTIFACT_PUBLISHED_STATES = ['PUBLISHED', 'UNPUBLISHED'] as const;
export const ARTIFACT_UPLOAD_STATES = ['PROCESSING', 'COMPLETE', 'FAILED', 'FAULT'] as const;
export const ARTIFACT_ACCEPTANCE_TYPES = ['PASSTHROUGH', 'EXPLICIT'] as const;

/** AWS Artifact is account-wide: its evidence is recorded under this region. */
export const ARTIFACT_REGION = 'global';

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

/** A `ReportSummary` (ListReports) with the fields `artifact.report` does not keep. */
export type ArtifactReportSummary = ArtifactReportContent & {
  readonly arn: string | null;
  readonly uploadState: string | null;
  readonly acceptanceType: string | null;
  readonly statusMessage: string | null;
};

/** `ReportDetail` / `ReportSummary` → our content (without the document digest). `path` prefixes error paths. */
function reportOf(d: Obj, input: string, path: string): ArtifactReportSummary {
  const periodStart = optTime(d, 'periodStart', input, path);
  const periodEnd = optTime(d, 'periodEnd', input, path);
  for (const key of ['createdAt', 'lastModifiedAt', 'deletedAt']) optTime(d, key, input, path);
  return {
    reportId: reqStr(d, 'id', input, path),
    name: reqStr(d, 'name', input, path),
    version: optInt(d, 'version', input, path),
    series: optStr(d, 'series', input, path),
    category: optStr(d, 'category', input, path),
    companyName: optStr(d, 'companyName', input, path),
    productName: optStr(d, 'productName', input, path),
    periodStart,
    periodEnd,
    state: optEnum(d, 'state', ARTIFACT_PUBLISHED_STATES, input, path),
    description: optStr(d, 'description', input, path),
    documentSha256: null,
    arn: optStr(d, 'arn', input, path),
    uploadState: optEnum(d, 'uploadState', ARTIFACT_UPLOAD_STATES, input, path),
    acceptanceType: optEnum(d, 'acceptanceType', ARTIFACT_ACCEPTANCE_TYPES, input, path),
    statusMessage: optStr(d, 'statusMessage', input, path),
  };
}

function isPdf(bytes: Uint8Array): boolean {
  return bytes.length >= PDF_MAGIC.length && PDF_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * `GetReportMetadata` output (`{"reportDetails": {...}}`) plus, when it was downloaded from `GetReport`'s presigned
 * URL, the report PDF → one `artifact.report` in region `global`. `documentSha256` is the SHA-256 of the PDF bytes;
 * bytes that do not start with `%PDF-` (an S3 error page, an HTML login page) are a NormalizeError, never hashed as
 * if they were the report. `meta.raw` should carry the PDF itself when the caller wants it stored.
 */
export function normalizeArtifactReport(
  response: unknown,
  pdf: Uint8Array | null,
  meta: NormalizeMeta,
): Observation<'artifact.report'> {
  const input = inputOf(meta, 'artifact:GetReportMetadata');
  const r = obj(response, input, 'GetReportMetadata response');
  const d = obj(r['reportDetails'], input, 'reportDetails');
  const {
    arn,
    uploadState: _u,
    acceptanceType: _a,
    statusMessage: _s,
    ...report
  } = reportOf(d, input, 'reportDetails.');
  optStr(d, 'termArn', input, 'reportDetails.');
  optInt(d, 'sequenceNumber', input, 'reportDetails.');
  let documentSha256: string | null = null;
  if (pdf !== null) {
    if (!isPdf(pdf)) {
      const pdfInput = meta.sources.find((s) => s.type === 'file' && s.path.toLowerCase().endsWith('.pdf'));
      throw new NormalizeError(
        pdfInput?.type === 'file' ? pdfInput.path : input,
        `report ${report.reportId} document is not a PDF (it does not start with %PDF-)`,
        'NotPdf',
      );
    }
    documentSha256 = createHash('sha256').update(pdf).digest('hex');
  }
  const content: ArtifactReportContent = { ...report, documentSha256 };
  return collected(baseOf(meta, 'artifact', 'artifact.report', arn ?? report.reportId, ARTIFACT_REGION), content);
}

/**
 * `ListReports` output → the reports it lists (one page) and the token of the next page. For live collectors that
 * pick which reports to fetch metadata and documents for; throws NormalizeError like the other normalizers.
 */
export function normalizeArtifactReportList(
  response: unknown,
  input: string = 'artifact:ListReports',
): { reports: ArtifactReportSummary[]; nextToken: string | null } {
  const r = obj(response, input, 'ListReports response');
  const reports = optList(r, 'reports', input, '').map((item, i) =>
    reportOf(obj(item, input, `reports[${i}]`), input, `reports[${i}].`),
  );
  return { reports, nextToken: optStr(r, 'nextToken', input, '') };
}
