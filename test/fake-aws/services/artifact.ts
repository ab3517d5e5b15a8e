/**
 * AWS Artifact (restJson1, `/v1/report/...`), from `cli/<acct>/global/artifact/`: the report metadata files, and the
 * PDFs behind the presigned URLs that GetReport hands out. GetReport requires the term token of GetTermForReport.
 */
import { randomBytes } from 'node:crypto';
import { AwsError, type CallContext, type JsonHandler } from '../types.js';

type Rec = Record<string, unknown>;

/** Term tokens handed out, per account and report. */
const terms = new Map<string, string>();

function reports(ctx: CallContext): Rec[] {
  return ctx.estate
    .qualified(ctx.account, 'global', 'artifact', 'get-report-metadata')
    .map((d) => ((d.doc as Rec)['reportDetails'] ?? {}) as Rec);
}

function report(ctx: CallContext, id: string, version: unknown): Rec {
  const r = reports(ctx).find((x) => x['id'] === id);
  if (!r || (version !== undefined && version !== r['version']))
    throw new AwsError('ResourceNotFoundException', 404, `Report ${id} not found`);
  return r;
}

export const artifactHandlers: Record<string, JsonHandler> = {
  ListReports(_input, ctx) {
    return {
      reports: reports(ctx).map((r) => {
        const s: Rec = {};
        for (const k of [
          'id',
          'name',
          'state',
          'arn',
          'version',
          'uploadState',
          'description',
          'periodStart',
          'periodEnd',
          'series',
          'category',
          'companyName',
          'productName',
          'statusMessage',
          'acceptanceType',
        ]) {
          if (r[k] !== undefined) s[k] = r[k];
        }
        return s;
      }),
    };
  },
  GetReportMetadata(input, ctx) {
    return { reportDetails: report(ctx, input['reportId'] as string, input['reportVersion']) };
  },
  GetTermForReport(input, ctx) {
    const r = report(ctx, input['reportId'] as string, input['reportVersion']);
    const token = `term-token-${randomBytes(8).toString('hex')}`;
    terms.set(`${ctx.account}/${String(r['id'])}/${token}`, token);
    return {
      termToken: token,
      documentPresignedUrl: ctx.presign(Buffer.from(`Terms for ${String(r['name'])}`), 'text/plain'),
    };
  },
  GetReport(input, ctx) {
    const r = report(ctx, input['reportId'] as string, input['reportVersion']);
    if (!terms.has(`${ctx.account}/${String(r['id'])}/${String(input['termToken'])}`))
      throw new AwsError('ValidationException', 400, 'termToken is invalid or expired');
    const pdf = ctx.estate.cliFile(ctx.account, 'global', 'artifact', `get-report.${String(r['id'])}.pdf`);
    if (!pdf) throw new AwsError('ResourceNotFoundException', 404, `Report ${String(r['id'])} has no document`);
    return { documentPresignedUrl: ctx.presign(pdf.bytes, 'application/pdf') };
  },
};
