import { collectExportDir, type ExportDirSummary } from '../sources/export-dir/index.js';
import type { PipelineContext } from './context.js';

/** Thin job payload: a reference to where evidence comes from, never evidence itself. */
export interface CollectJob {
  readonly runId: string;
  readonly source: { readonly type: 'export-dir'; readonly path: string };
}

export interface CollectResult {
  readonly runId: string;
  readonly summary: ExportDirSummary;
  readonly failed: boolean;
}

export async function collectStage(ctx: PipelineContext, job: CollectJob): Promise<CollectResult> {
  const summary = await collectExportDir(
    { store: ctx.store, now: ctx.now, collectorVersion: `${ctx.generator.name}/${ctx.generator.version} export-dir`, callerIdentity: ctx.callerIdentity },
    job.source.path,
    {
      signal: ctx.signal,
      onProgress: (p) => ctx.onProgress?.({ stage: 'collect', done: p.done, total: p.total, detail: p.path }),
    },
  );
  const failed = Object.values(summary.byCollector).some((t) => t.errors > 0) || summary.refused.length > 0;
  await ctx.store.putState(`runs/${job.runId}/collect`, { finishedAt: ctx.now().toISOString(), summary });
  return { runId: job.runId, summary, failed };
}
