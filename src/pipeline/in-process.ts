import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { parseAcceptedRisks } from '../mappers/accepted-risks.js';
import type { AcceptedRisk } from '../mappers/types.js';
import { mergeThresholds } from '../fairness/thresholds.js';
import { assessStage, type AssessJob, type AssessmentResult } from './assess-stage.js';
import { collectStage, type CollectResult } from './collect-stage.js';
import type { PipelineContext } from './context.js';
import { renderStage, type RenderResult } from './render-stage.js';
import { bundleStage } from './bundle-stage.js';
import type { BundleResult } from '../bundle/build.js';
import { resolveSignerConfig, type SignerConfig } from '../signing/config.js';

export interface PackRequest {
  readonly runId: string;
  readonly source?: string;
  readonly frameworks: readonly string[];
  readonly period: string;
  readonly assessedAt: string;
  readonly outDir: string;
  /** Where to write the signed bundle; no bundle without it (and a signer). */
  readonly bundlePath?: string;
  /** Overrides the config's signer (the demo signs with development keys). */
  readonly signer?: SignerConfig;
}

export interface PackOutcome {
  readonly collect: CollectResult | null;
  readonly assessment: AssessmentResult;
  readonly render: RenderResult;
  readonly bundle: BundleResult | null;
}

/** Builds the assess job from the config: the part of the config an assessment depends on, nothing more. */
export function assessJobFrom(loaded: LoadedConfig, req: Omit<PackRequest, 'outDir' | 'source'>): AssessJob {
  const c = loaded.config;
  let acceptedRisks: AcceptedRisk[] = [];
  if (c.exceptions) {
    const file = path.resolve(loaded.baseDir, c.exceptions);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`exceptions file ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    acceptedRisks = parseAcceptedRisks(text, file);
  }
  return {
    runId: req.runId,
    organisation: c.organisation.name,
    frameworks: req.frameworks,
    period: req.period,
    assessedAt: req.assessedAt,
    scope: { accounts: c.scope.accounts.map((a) => a.id), regions: c.scope.regions },
    freshnessDays: c.assessment.freshnessDays,
    fairness: fairnessThresholds(c.fairness),
    acceptedRisks,
    accountNames: Object.fromEntries(c.scope.accounts.filter((a) => a.name).map((a) => [a.id, a.name!])),
  };
}

/** Bound-by-bound merges: config thresholds over the built-in defaults, per-model ones over those. */
export function fairnessThresholds(f: LoadedConfig['config']['fairness']): AssessJob['fairness'] {
  const defaults = mergeThresholds(f.thresholds);
  const bySubject: Record<string, ReturnType<typeof mergeThresholds>> = {};
  for (const [model, overrides] of Object.entries(f.models)) bySubject[model] = mergeThresholds(overrides, defaults);
  return { defaults, bySubject };
}

/**
 * The embedded default: every stage in this process, one after another, on the local store. Queue workers
 * (issue 6) call the same stage handlers with the same job payloads.
 */
export async function runPackInProcess(ctx: PipelineContext, loaded: LoadedConfig, req: PackRequest): Promise<PackOutcome> {
  const collect = req.source ? await collectStage(ctx, { runId: req.runId, source: { type: 'export-dir', path: req.source } }) : null;
  const job = assessJobFrom(loaded, req);
  const assessment = await assessStage(ctx, job);
  const render = await renderStage(ctx, { runId: req.runId, outDir: req.outDir }, assessment);
  const signer = req.signer ?? (loaded.config.signing ? resolveSignerConfig(loaded.config.signing, loaded.baseDir) : undefined);
  const bundle = req.bundlePath && signer ? await bundleStage(ctx, { runId: req.runId, outDir: req.outDir, bundlePath: req.bundlePath, signer }) : null;
  return { collect, assessment, render, bundle };
}
