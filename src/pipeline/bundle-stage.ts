import path from 'node:path';
import { buildBundle, type BundleResult } from '../bundle/build.js';
import { loadSigner, type SignerConfig } from '../signing/config.js';
import type { AssessmentResult } from './assess-stage.js';
import type { PipelineContext } from './context.js';

export interface BundleJob {
  readonly runId: string;
  /** Where the render stage wrote pack.pdf, pack.html and report-model.json. */
  readonly outDir: string;
  readonly bundlePath: string;
  /** File paths absolute (see `resolveSignerConfig`). */
  readonly signer: SignerConfig;
  /** Override the rendered file names inside outDir. */
  readonly report?: { readonly pdf?: string; readonly html?: string; readonly model?: string };
}

export const RENDERED_FILES = { pdf: 'pack.pdf', html: 'pack.html', model: 'report-model.json' } as const;

/**
 * Reads a finished assessment (by run id) and the files the render stage wrote, and writes the signed evidence
 * bundle. Thin job payload: everything else comes from the store and outDir.
 */
export async function bundleStage(ctx: PipelineContext, job: BundleJob): Promise<BundleResult> {
  const assessment = (await ctx.store.getState(`runs/${job.runId}/assessment`)) as AssessmentResult | undefined;
  if (!assessment) throw new Error(`run ${job.runId} has no assessment to bundle`);
  ctx.onProgress?.({ stage: 'bundle', done: 0, total: 1, detail: 'loading the signing key' });
  const signer = await loadSigner(job.signer);
  const rendered = (k: keyof typeof RENDERED_FILES): string => path.resolve(job.outDir, job.report?.[k] ?? RENDERED_FILES[k]);
  const result = await buildBundle({
    assessment,
    store: ctx.store,
    report: { pdf: rendered('pdf'), html: rendered('html'), model: rendered('model') },
    frameworkFiles: Object.fromEntries(assessment.frameworks.map((f) => [f.id, path.join(ctx.frameworksDir, `${f.id}.yaml`)])),
    signer,
    pdf: job.signer.pdf,
    bundlePath: path.resolve(job.bundlePath),
    now: ctx.now,
    signal: ctx.signal,
    onProgress: (done, total, detail) => ctx.onProgress?.({ stage: 'bundle', done, total, detail }),
  });
  await ctx.store.putState(`runs/${job.runId}/bundle`, { finishedAt: ctx.now().toISOString(), signer: signer.description, ...result });
  return result;
}
