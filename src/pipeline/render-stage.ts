import path from 'node:path';
import { renderControlsCsv } from '../reports/csv.js';
import { renderResultsJson } from '../reports/json.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { AssessmentResult } from './assess-stage.js';
import type { PipelineContext } from './context.js';

export interface RenderJob {
  readonly runId: string;
  readonly outDir: string;
}

export interface RenderResult {
  readonly files: readonly string[];
}

/** Renders a finished assessment (read from the store by run id) into files in `outDir`. */
export async function renderStage(ctx: PipelineContext, job: RenderJob, assessment?: AssessmentResult): Promise<RenderResult> {
  const result = assessment ?? ((await ctx.store.getState(`runs/${job.runId}/assessment`)) as AssessmentResult | undefined);
  if (!result) throw new Error(`run ${job.runId} has no assessment to render`);
  const files: [string, string][] = [
    ['results.json', renderResultsJson(result)],
    ['controls.csv', renderControlsCsv(result)],
  ];
  const written: string[] = [];
  for (const [name, data] of files) {
    ctx.signal?.throwIfAborted();
    const file = path.join(job.outDir, name);
    await writeFileAtomic(file, data);
    written.push(file);
    ctx.onProgress?.({ stage: 'render', done: written.length, total: files.length, detail: name });
  }
  return { files: written };
}
