import { loadFramework } from '../frameworks/load.js';
import { assessFramework, countStatuses, type StatusCounts } from '../mappers/assess.js';
import type { AcceptedRisk, ControlResult, MetricThreshold, Scope } from '../mappers/types.js';
import { canonicalJson, sha256Hex } from '../util/canonical-json.js';
import { parsePeriod, type Period } from '../util/time.js';
import type { PipelineContext } from './context.js';
import { loadEvidence } from './evidence-loader.js';

export interface AssessJob {
  readonly runId: string;
  readonly organisation: string;
  readonly frameworks: readonly string[];
  readonly period: string;
  readonly assessedAt: string;
  readonly scope: Scope;
  readonly freshnessDays: number;
  readonly fairness: {
    readonly defaults: Readonly<Record<string, MetricThreshold>>;
    readonly bySubject: Readonly<Record<string, Readonly<Record<string, MetricThreshold>>>>;
  };
  readonly acceptedRisks: readonly AcceptedRisk[];
  /** Display names of accounts, carried through to the rendered pack. */
  readonly accountNames?: Readonly<Record<string, string>>;
}

export interface FrameworkAssessment {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly publisher: string;
  readonly sha256: string;
  readonly counts: StatusCounts;
  readonly results: readonly ControlResult[];
}

export interface EvidenceTally {
  readonly total: number;
  /** Every evidence item the assessment read, sorted: exactly what a bundle of this pack must contain. */
  readonly ids: readonly string[];
  readonly byKind: Record<string, { collected: number; error: number; not_applicable: number }>;
}

export interface AssessmentResult {
  readonly runId: string;
  /** Derived from the inputs: the same evidence, frameworks, period and time give the same pack id. */
  readonly packId: string;
  readonly organisation: string;
  readonly assessedAt: string;
  readonly period: Period;
  readonly scope: Scope;
  readonly generator: { readonly name: string; readonly version: string };
  readonly frameworks: readonly FrameworkAssessment[];
  readonly evidence: EvidenceTally;
  readonly acceptedRisks: readonly AcceptedRisk[];
  /** What the assessment was configured with, so a render from the stored run alone gives the same pack. */
  readonly settings?: {
    readonly freshnessDays: number;
    readonly fairness: AssessJob['fairness'];
    readonly accountNames: Readonly<Record<string, string>>;
  };
}

export async function assessStage(ctx: PipelineContext, job: AssessJob): Promise<AssessmentResult> {
  const period = parsePeriod(job.period);
  const loaded = job.frameworks.map((id) => loadFramework(id, ctx.frameworksDir));
  ctx.onProgress?.({ stage: 'assess', done: 0, total: loaded.length, detail: 'loading evidence' });
  const evidence = await loadEvidence(ctx.store, { period, assessedAt: job.assessedAt, freshnessDays: job.freshnessDays });
  const options = { assessedAt: job.assessedAt, period, scope: job.scope, freshnessDays: job.freshnessDays, fairness: job.fairness };
  const frameworks: FrameworkAssessment[] = loaded.map((lf, i) => {
    ctx.signal?.throwIfAborted();
    ctx.onProgress?.({ stage: 'assess', done: i, total: loaded.length, detail: lf.framework.id });
    const results = assessFramework(lf.framework, evidence, job.acceptedRisks, options);
    const f = lf.framework;
    return { id: f.id, name: f.name, version: f.version, publisher: f.publisher, sha256: lf.sha256, counts: countStatuses(results), results };
  });
  ctx.onProgress?.({ stage: 'assess', done: loaded.length, total: loaded.length, detail: 'done' });

  const byKind: EvidenceTally['byKind'] = {};
  for (const r of evidence) {
    const t = (byKind[r.item.kind] ??= { collected: 0, error: 0, not_applicable: 0 });
    t[r.item.status.state] += 1;
  }
  const packId = `pack-${sha256Hex(
    canonicalJson({
      organisation: job.organisation,
      frameworks: frameworks.map((f) => [f.id, f.sha256]),
      period: period.label,
      assessedAt: job.assessedAt,
      scope: job.scope,
      evidence: evidence.map((e) => e.item.id),
      acceptedRisks: job.acceptedRisks.map((r) => r.id),
    }),
  ).slice(0, 24)}`;
  const result: AssessmentResult = {
    runId: job.runId,
    packId,
    organisation: job.organisation,
    assessedAt: job.assessedAt,
    period,
    scope: job.scope,
    generator: ctx.generator,
    frameworks,
    evidence: { total: evidence.length, ids: evidence.map((e) => e.item.id), byKind },
    acceptedRisks: job.acceptedRisks,
    settings: { freshnessDays: job.freshnessDays, fairness: job.fairness, accountNames: job.accountNames ?? {} },
  };
  await ctx.store.putState(`runs/${job.runId}/assessment`, result);
  return result;
}
