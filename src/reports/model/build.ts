import { withVisibleBidi } from './display-text.js';
import type { EvidenceRecord } from '../../mappers/types.js';
import type { AssessmentResult } from '../../pipeline/assess-stage.js';
import { buildFairness, buildInventory, buildInvocations, buildLineage, buildModelCards, cardAnchorsOf } from './ai.js';
import { buildCloudTrail, buildConfig, buildInherited } from './aws.js';
import { SECTIONS, plural, sectionHead } from './common.js';
import { BuildContext, type ReportOptions } from './context.js';
import { acceptedRisks, buildControls, buildCover, buildEvidenceIndex, buildScope, findings } from './core.js';
import { REPORT_MODEL_SCHEMA, REPORT_MODEL_VERSION, type Highlight, type ReportModel, type TocEntry } from './types.js';

/**
 * Builds the report model from a finished assessment and the evidence it read. Pure: no I/O, no clock (the
 * generation time comes in `opts`), so the same inputs always give the same model.
 */
export function buildReportModel(assessment: AssessmentResult, evidence: readonly EvidenceRecord[], opts: ReportOptions): ReportModel {
  const ctx = new BuildContext(assessment, evidence, opts);
  const cover = buildCover(ctx);
  const scope = buildScope(ctx);
  const controls = buildControls(ctx);
  const cloudtrail = buildCloudTrail(ctx);
  const config = buildConfig(ctx);
  const cardAnchors = cardAnchorsOf(ctx);
  const inventory = buildInventory(ctx, cardAnchors);
  const modelCards = buildModelCards(ctx, cardAnchors);
  const fairness = buildFairness(ctx);
  const lineage = buildLineage(ctx);
  const invocations = buildInvocations(ctx);
  const inherited = buildInherited(ctx);
  const evidenceIndex = buildEvidenceIndex(ctx);

  const { top, total } = findings(ctx, controls);
  const anchorOf = (id: string): string => `sec-${id}`;
  const errors = scope.problems.filter((p) => p.state === 'error').length;
  const failedChanges = cloudtrail.sensitiveChanges.filter((c) => c.failed).length;
  const nonCompliantRules = config.rules.filter((r) => r.compliance === 'NON_COMPLIANT').length;
  const cardsNotApproved = modelCards.cards.filter((c) => c.status !== 'Approved').length;
  const cardsInvalid = modelCards.cards.filter((c) => c.schemaErrors.length > 0).length;
  const outside = fairness.reports.reduce((n, r) => n + r.counts.outside, 0);
  const notComputed = fairness.reports.reduce((n, r) => n + r.counts.notComputed, 0);
  const untraceable = lineage.graphs.filter((g) => !g.reachesDataset).length;
  const unlogged = invocations.coverage.filter((c) => c.tone === 'bad').length;
  const highlights: Highlight[] = [
    { label: 'Collection errors', value: String(errors), tone: errors > 0 ? 'bad' : 'good', anchor: anchorOf('scope') },
    {
      label: `Sensitive changes in the period${failedChanges ? ` (${failedChanges} failed)` : ''}`,
      value: String(cloudtrail.sensitiveChanges.length),
      tone: cloudtrail.sensitiveChanges.length > 0 ? 'warn' : 'good',
      anchor: anchorOf('cloudtrail'),
    },
    { label: 'Non-compliant Config rules', value: String(nonCompliantRules), tone: nonCompliantRules > 0 ? 'bad' : 'good', anchor: anchorOf('config') },
    {
      label: `Model cards not approved, of ${modelCards.cards.length} (${cardsInvalid} failing the schema)`,
      value: String(cardsNotApproved),
      tone: cardsNotApproved + cardsInvalid > 0 ? 'warn' : modelCards.cards.length > 0 ? 'good' : 'neutral',
      anchor: anchorOf('model-cards'),
    },
    {
      label: `Bias metrics outside thresholds${notComputed ? ` (${notComputed} not computed)` : ''}`,
      value: String(outside),
      tone: outside > 0 ? 'bad' : notComputed > 0 ? 'warn' : fairness.reports.length > 0 ? 'good' : 'neutral',
      anchor: anchorOf('fairness'),
    },
    {
      label: `Endpoints not traceable to a dataset, of ${lineage.graphs.length}`,
      value: String(untraceable),
      tone: untraceable > 0 ? 'bad' : lineage.graphs.length > 0 ? 'good' : 'neutral',
      anchor: anchorOf('lineage'),
    },
    { label: 'Regions with unlogged AI invocations', value: String(unlogged), tone: unlogged > 0 ? 'bad' : 'good', anchor: anchorOf('invocations') },
    {
      label: `PII detections in invocation logs${invocations.totals.piiUnguardedRecords ? ` (${plural(invocations.totals.piiUnguardedRecords, 'record')} unguarded)` : ''}`,
      value: String(invocations.totals.piiDetections),
      tone: invocations.totals.piiUnguardedRecords > 0 ? 'bad' : invocations.totals.piiDetections > 0 ? 'warn' : 'good',
      anchor: anchorOf('invocations'),
    },
  ];

  const summaryHead = sectionHead(
    'summary',
    `${assessment.organisation}, period ${assessment.period.label}: the status of every control per framework, the headline findings of the AI sections, and the open exceptions and gaps (the control matrix lists them all).`,
  );
  const summary = {
    ...summaryHead,
    frameworks: controls.frameworks.map((f) => f.summary),
    highlights,
    topFindings: top,
    findingsTotal: total,
    findingsShown: top.length,
    acceptedRisks: acceptedRisks(ctx),
  };

  const toc: TocEntry[] = [];
  for (const [i, s] of SECTIONS.entries()) {
    const number = String(i + 1);
    toc.push({ id: s.id, anchor: `sec-${s.id}`, number, title: s.title, level: 1 });
    if (s.id === 'controls') for (const f of controls.frameworks) toc.push({ id: `fw:${f.id}`, anchor: f.anchor, number: f.number, title: f.title, level: 2 });
  }

  return withVisibleBidi({
    schema: REPORT_MODEL_SCHEMA,
    version: REPORT_MODEL_VERSION,
    packId: assessment.packId,
    runId: assessment.runId,
    toc,
    cover,
    summary,
    scope,
    controls,
    cloudtrail,
    config,
    inventory,
    modelCards,
    fairness,
    lineage,
    invocations,
    inherited,
    evidence: evidenceIndex,
  });
}
