import path from 'node:path';
import { readContent } from '../evidence/writer.js';
import { mergeThresholds } from '../fairness/thresholds.js';
import type { EvidenceRecord } from '../mappers/types.js';
import { renderControlsCsv } from '../reports/csv.js';
import { renderHtml } from '../reports/html/render.js';
import { renderResultsJson } from '../reports/json.js';
import { buildReportModel, type FairnessThresholds, type ReportModel } from '../reports/model/index.js';
import { renderPdf } from '../reports/pdf/render.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { AssessmentResult } from './assess-stage.js';
import type { PipelineContext } from './context.js';
import { loadEvidence } from './evidence-loader.js';

export interface RenderJob {
  readonly runId: string;
  readonly outDir: string;
  /** The pack's generation time. Default: the assessment time, so the same run always renders the same bytes. */
  readonly generatedAt?: string;
  /** Display names of accounts (`auditpack.yaml` scope.accounts[].name). */
  readonly accountNames?: Readonly<Record<string, string>>;
  /** The bias thresholds the assessment used (`AssessJob.fairness`). Default: the built-in defaults. */
  readonly fairness?: FairnessThresholds;
  /** The assessment's freshness window in days (loading evidence, flagging stale state). Default 45. */
  readonly freshnessDays?: number;
}

export interface RenderResult {
  readonly files: readonly string[];
}

export const DEFAULT_FRESHNESS_DAYS = 45;

/**
 * Renders a finished assessment (read from the store by run id) into files in `outDir`: `results.json`,
 * `controls.csv`, and the evidence pack documents `report-model.json`, `pack.html` and `pack.pdf`. The evidence the
 * documents describe is loaded from the store unless given; when the assessment lists the ids it read, exactly
 * those items are used.
 */
export async function renderStage(
  ctx: PipelineContext,
  job: RenderJob,
  assessment?: AssessmentResult,
  evidence?: readonly EvidenceRecord[],
): Promise<RenderResult> {
  const result = assessment ?? ((await ctx.store.getState(`runs/${job.runId}/assessment`)) as AssessmentResult | undefined);
  if (!result) throw new Error(`run ${job.runId} has no assessment to render`);
  const total = 5;
  const written: string[] = [];
  const write = async (name: string, data: string | Uint8Array): Promise<void> => {
    ctx.signal?.throwIfAborted();
    const file = path.join(job.outDir, name);
    await writeFileAtomic(file, data);
    written.push(file);
    ctx.onProgress?.({ stage: 'render', done: written.length, total, detail: name });
  };
  await write('results.json', renderResultsJson(result));
  await write('controls.csv', renderControlsCsv(result));

  // The run's own settings are the defaults: re-rendering a stored run gives the same bytes.
  const settings = result.settings;
  const freshnessDays = job.freshnessDays ?? settings?.freshnessDays ?? DEFAULT_FRESHNESS_DAYS;
  const records = evidence ?? (await evidenceOf(ctx, result, freshnessDays));
  ctx.signal?.throwIfAborted();
  const model = buildReportModel(result, records, {
    generatedAt: job.generatedAt ?? result.assessedAt,
    organisation: result.organisation,
    accountNames: job.accountNames ?? settings?.accountNames ?? {},
    fairnessThresholds: job.fairness ?? settings?.fairness ?? { defaults: mergeThresholds(), bySubject: {} },
    freshnessDays,
  });
  await write('report-model.json', renderReportModelJson(model));
  await write('pack.html', renderHtml(model));
  await write('pack.pdf', await renderPdf(model));
  return { files: written };
}

export function renderReportModelJson(model: ReportModel): string {
  return JSON.stringify(model, null, 2) + '\n';
}

/**
 * The evidence of the assessment's period (`loadEvidence`); when the assessment recorded the ids it read, cut to
 * exactly those, fetching by id any the period query did not return. A recorded id missing from the store is an
 * error: the pack would not describe the evidence its results rest on.
 */
async function evidenceOf(ctx: PipelineContext, result: AssessmentResult, freshnessDays: number): Promise<EvidenceRecord[]> {
  const loaded = await loadEvidence(ctx.store, { period: result.period, assessedAt: result.assessedAt, freshnessDays });
  const ids = (result.evidence as { readonly ids?: readonly string[] }).ids;
  if (!ids) return loaded;
  const byId = new Map(loaded.map((r) => [r.item.id, r]));
  const out: EvidenceRecord[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (r) {
      out.push(r);
      continue;
    }
    const item = await ctx.store.getItem(id);
    if (item) out.push({ item, content: await readContent(ctx.store, item) });
    else missing.push(id);
  }
  if (missing.length > 0) {
    throw new Error(`run ${result.runId}: ${missing.length} evidence item(s) the assessment used are not in the store (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`);
  }
  return out.sort((a, b) => (a.item.id < b.item.id ? -1 : 1));
}
