import { normalizeArtifactReport } from '../../../normalizers/artifact.js';
import { cliMeta, normalizeOrReport, qualified, readCliJson, type CliContext } from './cli-common.js';

/** get-report-metadata.<id>.json, with the report PDF get-report.<id>.pdf when it was downloaded. */
export async function handleCliArtifact(ctx: CliContext): Promise<void> {
  for (const [reportId, file] of qualified(ctx.dir, 'get-report-metadata')) {
    const doc = await readCliJson(ctx, file, 'artifact.report', 'artifact');
    if (doc === undefined) continue;
    const pdf = ctx.dir.files.get(`get-report.${reportId}#pdf`);
    await normalizeOrReport(ctx, file, 'artifact.report', 'artifact', async () => {
      const obs = normalizeArtifactReport(doc, pdf?.bytes ?? null, cliMeta(ctx, file, pdf ? [pdf] : []));
      // The report PDF is the raw payload: it is what an auditor opens, and it ships in the bundle's attachments.
      await ctx.emit(pdf ? { ...obs, raw: { bytes: pdf.bytes, mediaType: 'application/pdf', sensitive: false } } : obs);
    });
  }
}
