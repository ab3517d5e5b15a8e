import type { ContentOf } from '../../evidence/content.js';
import type { EvidenceItem } from '../../evidence/model.js';
import { decodeMetricValue, evaluateMetric } from '../../fairness/thresholds.js';
import type { MetricThreshold } from '../../mappers/types.js';
import { redactText } from '../../privacy/redact.js';
import { scrubRawMatches } from '../../privacy/guardrail.js';
import { splitAiCallKey } from './aws.js';
import { byString, formatNumber, observedEnd, plural, ref, sectionHead } from './common.js';
import type { BuildContext, StateRec } from './context.js';
import {
  LINEAGE_STAGES,
  type CoverageRow,
  type EvidenceRef,
  type FairnessMetricRow,
  type FairnessReportView,
  type FairnessSection,
  type FairnessVerdict,
  type InventorySection,
  type InvocationSample,
  type InvocationsSection,
  type LineageGraph,
  type LineageNode,
  type LineageSection,
  type Location,
  type ModelCardView,
  type ModelCardsSection,
  type Tone,
} from './types.js';

/** Shared, computed once per build: which card belongs to which package, anchors of cards. */
export interface AiIndex {
  readonly cardAnchors: ReadonlyMap<string, string>;
}

function tail(arn: string): string {
  const m = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:[^/]+\/(.+)$/.exec(arn);
  return m?.[1] ?? arn;
}

function packageName(p: ContentOf<'sagemaker.model_package'>): string {
  return p.groupName ? `${p.groupName}${p.version !== null ? ` v${p.version}` : ''}` : tail(p.arn);
}

function approvalTone(s: string | null): Tone {
  return s === 'Approved' ? 'good' : s === 'Rejected' ? 'bad' : 'warn';
}

function sameAccount(a: EvidenceItem, b: EvidenceItem): boolean {
  return a.account === b.account;
}

// 7 AI system inventory ----------------------------------------------------------------------------------------

export function buildInventory(ctx: BuildContext, cardAnchors: ReadonlyMap<string, string>): InventorySection {
  const head = sectionHead(
    'inventory',
    'The AI systems found in scope: SageMaker models, endpoints, registered model packages and model cards, Bedrock foundation models in use and Bedrock guardrails, per account and region.',
  );
  const endpoints = ctx.state('sagemaker.endpoint');
  const packages = ctx.state('sagemaker.model_package');
  const cards = ctx.state('sagemaker.model_card');
  const guardrails = ctx.state('bedrock.guardrail');
  const summaries = ctx.during('bedrock.invocation_summary');

  const models: InventorySection['models'][number][] = [];
  const seen = new Set<string>();
  for (const e of endpoints) {
    for (const m of e.content.modelNames) {
      const loc = ctx.locate.of(e.item);
      const k = `${loc.label}|sagemaker|${m}`;
      if (seen.has(k)) continue;
      seen.add(k);
      models.push({ location: loc, name: m, platform: 'SageMaker', detail: `served by endpoint ${e.content.name}` });
    }
  }
  const bedrock = new Map<string, { location: Location; modelId: string; invocations: number }>();
  for (const s of summaries) {
    const loc = ctx.locate.of(s.item);
    for (const [k, v] of Object.entries(s.content.byIdentityModel)) {
      const modelId = modelOfKey(k);
      const key = `${loc.label}|${modelId}`;
      const b = bedrock.get(key) ?? { location: loc, modelId, invocations: 0 };
      b.invocations += v.invocations;
      bedrock.set(key, b);
    }
  }
  for (const b of bedrock.values()) models.push({ location: b.location, name: b.modelId, platform: 'Bedrock', detail: `${plural(b.invocations, 'logged invocation')} in the period` });
  models.sort(byString((m) => `${m.location.label}|${m.platform}|${m.name}`));

  type Counts = { location: Location; models: number; endpoints: number; modelPackages: number; modelCards: number; guardrails: number; bedrockModels: number };
  const locs = new Map<string, Counts>();
  const row = (where: { account: string; region: string }): Counts => {
    const location = ctx.locate.of(where);
    let r = locs.get(location.label);
    if (!r) locs.set(location.label, (r = { location, models: 0, endpoints: 0, modelPackages: 0, modelCards: 0, guardrails: 0, bedrockModels: 0 }));
    return r;
  };
  for (const pair of ctx.view.pairs) row(pair);
  for (const e of endpoints) row(e.item).endpoints += 1;
  for (const m of models) {
    if (m.platform === 'Bedrock') row(m.location).bedrockModels += 1;
    else row(m.location).models += 1;
  }
  for (const p of packages) row(p.item).modelPackages += 1;
  for (const c of cards) row(c.item).modelCards += 1;
  for (const g of guardrails) row(g.item).guardrails += 1;

  return {
    ...head,
    byLocation: [...locs.values()].sort(byString((l) => l.location.label)),
    models,
    endpoints: endpoints.map((e) => ({
      location: ctx.locate.of(e.item),
      name: e.content.name,
      status: e.content.status ?? 'not reported',
      encryption: e.content.kmsKeyId ?? 'no customer KMS key',
      dataCapture: e.content.dataCaptureEnabled === null ? 'not reported' : e.content.dataCaptureEnabled ? 'enabled' : 'disabled',
      models: e.content.modelNames.join(', ') || 'none reported',
      packages: e.content.modelPackageArns.map(tail).join(', ') || 'none reported',
      evidence: ref(e.item),
    })),
    modelPackages: packages.map((p) => ({
      location: ctx.locate.of(p.item),
      name: packageName(p.content),
      arn: p.content.arn,
      approvalStatus: p.content.approvalStatus ?? 'not reported',
      tone: approvalTone(p.content.approvalStatus),
      approvedBy: p.content.approvedBy ?? 'not recorded',
      created: p.content.creationTime ?? 'not reported',
      modelCard: p.content.modelCardName ?? 'none',
      biasReports: p.content.biasReportUris.length,
      evidence: ref(p.item),
    })),
    modelCards: cards.map((c) => ({
      location: ctx.locate.of(c.item),
      name: c.content.name,
      anchor: cardAnchors.get(c.item.id)!,
      status: c.content.status,
      riskRating: c.content.riskRating ?? 'not stated',
      model: c.content.modelName ?? c.content.modelId ?? 'not stated',
      evidence: ref(c.item),
    })),
    guardrails: guardrails.map((g) => ({
      location: ctx.locate.of(g.item),
      name: g.content.name,
      id: g.content.guardrailId,
      version: g.content.version ?? 'not reported',
      status: g.content.status ?? 'not reported',
      piiEntities: g.content.piiEntities.map((p) => `${p.type}: ${p.action}`).join(', ') || 'none',
      contentFilters: g.content.contentFilters.map((f) => `${f.type} (${f.inputStrength ?? '-'}/${f.outputStrength ?? '-'})`).join(', ') || 'none',
      regexCount: g.content.regexCount,
      encryption: g.content.kmsKeyArn ?? 'AWS owned key',
      evidence: ref(g.item),
    })),
  };
}

function modelOfKey(key: string): string {
  // `identityArn|modelId|operation`: the identity may hold `|`, the model id and operation do not.
  const last = key.lastIndexOf('|');
  const mid = key.lastIndexOf('|', last - 1);
  return mid < 0 ? key : key.slice(mid + 1, last);
}

// 8 Model cards ------------------------------------------------------------------------------------------------

export function cardAnchorsOf(ctx: BuildContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of ctx.state('sagemaker.model_card')) out.set(c.item.id, ctx.anchors.take('card', `${c.content.name}-${c.item.account}-${c.item.region}`));
  return out;
}

export function buildModelCards(ctx: BuildContext, cardAnchors: ReadonlyMap<string, string>): ModelCardsSection {
  const head = sectionHead(
    'model-cards',
    'Every SageMaker model card as last observed: intended use, risk rating, status, the approver of the registered model package, evaluation metrics, caveats, and any problem validating the card against the model-card schema.',
  );
  const packages = ctx.state('sagemaker.model_package');
  const cards: ModelCardView[] = ctx.state('sagemaker.model_card').map((c) => {
    const card = c.content;
    const pkg =
      packages.find((p) => sameAccount(p.item, c.item) && card.modelPackageArn !== null && p.content.arn.toLowerCase() === card.modelPackageArn.toLowerCase()) ??
      packages.find((p) => sameAccount(p.item, c.item) && p.content.modelCardName === card.name) ??
      null;
    const field = (label: string, v: string | null): ModelCardView['fields'][number] => ({ label, value: v ?? 'not stated', missing: v === null || v.trim() === '' });
    return {
      anchor: cardAnchors.get(c.item.id)!,
      location: ctx.locate.of(c.item),
      name: card.name,
      arn: card.arn,
      version: card.version === null ? 'not reported' : String(card.version),
      status: card.status,
      statusTone: card.status === 'Approved' ? 'good' : card.status === 'Archived' ? 'neutral' : 'warn',
      riskRating: card.riskRating ?? 'not stated',
      riskTone: card.riskRating === 'High' ? 'bad' : card.riskRating === 'Medium' ? 'warn' : card.riskRating === 'Low' ? 'good' : 'warn',
      model: card.modelName ?? card.modelId ?? 'not stated',
      approval: pkg
        ? {
            status: pkg.content.approvalStatus ?? 'not reported',
            approvedBy: pkg.content.approvedBy ?? 'not recorded',
            description: pkg.content.approvalDescription,
            packageArn: pkg.content.arn,
            tone: approvalTone(pkg.content.approvalStatus),
          }
        : null,
      fields: [
        field('Description', card.description),
        field('Intended uses', card.intendedUses),
        field('Risk explanation', card.riskExplanation),
        field('Problem type', card.problemType),
        field('Training observations', card.trainingObservations),
        field('Ethical considerations', card.ethicalConsiderations),
        field('Caveats and recommendations', card.caveatsAndRecommendations),
      ],
      evaluationMetrics: card.evaluationMetrics.map((m) => ({
        evaluation: m.evaluation,
        group: m.group,
        name: m.name,
        value: typeof m.value === 'number' ? formatNumber(m.value) : String(m.value),
      })),
      schemaErrors: [...card.schemaErrors],
      lastModified: `${card.lastModifiedTime ?? 'not reported'}${card.lastModifiedBy ? ` by ${card.lastModifiedBy}` : ''}`,
      evidence: ref(c.item),
    };
  });
  return { ...head, cards };
}

// 9 Fairness ---------------------------------------------------------------------------------------------------

export function bandText(t: MetricThreshold): string {
  if (t.min !== undefined && t.max !== undefined) return `[${formatNumber(t.min)}, ${formatNumber(t.max)}]`;
  if (t.min !== undefined) return `≥ ${formatNumber(t.min)}`;
  if (t.max !== undefined) return `≤ ${formatNumber(t.max)}`;
  return 'no bound';
}

const VERDICT_LABELS: Readonly<Record<FairnessVerdict, string>> = {
  within: 'within',
  outside: 'outside',
  not_computed: 'not computed',
  no_threshold: 'no threshold',
};
const VERDICT_TONES: Readonly<Record<FairnessVerdict, Tone>> = { within: 'good', outside: 'bad', not_computed: 'warn', no_threshold: 'neutral' };

export function buildFairness(ctx: BuildContext): FairnessSection {
  const head = sectionHead(
    'fairness',
    'Bias metrics per model, facet and metric, from SageMaker Clarify reports or computed by auditpack from labelled predictions, each against its threshold: a model’s own threshold where one is configured, else the default. A metric whose value could not be computed is never a pass.',
  );
  const { defaults, bySubject } = ctx.opts.fairnessThresholds;
  const thresholds: FairnessSection['thresholds'][number][] = Object.keys(defaults)
    .sort()
    .map((metric) => ({ metric, scope: 'default (all models)', band: bandText(defaults[metric]!) }));
  for (const subject of Object.keys(bySubject).sort()) {
    for (const metric of Object.keys(bySubject[subject]!).sort()) thresholds.push({ metric, scope: `model ${subject}`, band: bandText(bySubject[subject]![metric]!) });
  }

  const reports: FairnessReportView[] = ctx.state('clarify.bias_report').map((r) => {
    const rep = r.content;
    const counts = { within: 0, outside: 0, notComputed: 0, noThreshold: 0 };
    const metrics: FairnessMetricRow[] = rep.metrics.map((m) => {
      const own = bySubject[rep.subject]?.[m.name];
      const t = own ?? defaults[m.name];
      const value = decodeMetricValue(m.value, m.error);
      let verdict: FairnessVerdict;
      if (value === null || Number.isNaN(value)) verdict = 'not_computed';
      else if (!t || (t.min === undefined && t.max === undefined)) verdict = 'no_threshold';
      else verdict = evaluateMetric(m.name, value, { [m.name]: t }).verdict;
      if (verdict === 'within') counts.within += 1;
      else if (verdict === 'outside') counts.outside += 1;
      else if (verdict === 'not_computed') counts.notComputed += 1;
      else counts.noThreshold += 1;
      const nonFinite = m.value === null && value !== null;
      return {
        stage: m.stage === 'pre_training' ? 'pre-training' : 'post-training',
        facet: `${m.facet} = ${m.facetValue}`,
        name: m.name,
        value: value === null ? 'not computed' : formatNumber(value),
        threshold: t ? bandText(t) : 'none',
        thresholdSource: own ? `model ${rep.subject}` : t ? 'default' : 'none',
        verdict,
        verdictLabel: VERDICT_LABELS[verdict],
        tone: VERDICT_TONES[verdict],
        note: nonFinite ? null : m.error,
      };
    });
    const anchor = ctx.anchors.take('fair', `${rep.subject}-${r.item.account}-${r.item.region}`);
    return {
      anchor,
      subject: rep.subject,
      location: ctx.locate.of(r.item),
      origin: rep.origin,
      originLabel: rep.origin === 'clarify' ? 'SageMaker Clarify report' : 'computed by auditpack from labelled predictions',
      label: rep.label ? `${rep.label}${rep.labelValueOrThreshold ? ` = ${rep.labelValueOrThreshold}` : ''}` : 'not stated',
      counts,
      text: `${counts.within} within, ${counts.outside} outside, ${counts.notComputed} not computed${counts.noThreshold ? `, ${counts.noThreshold} without threshold` : ''}`,
      metrics,
      observedAt: observedEnd(r.item),
      evidence: ref(r.item),
    };
  });

  const covered = new Set(reports.map((r) => r.subject.toLowerCase()));
  const modelsWithoutReport = ctx
    .state('sagemaker.model_package')
    .filter((p) => p.content.approvalStatus === 'Approved' && p.content.groupName && !covered.has(p.content.groupName.toLowerCase()))
    .map((p) => ({ location: ctx.locate.of(p.item), name: p.content.groupName!, evidence: ref(p.item) }));
  return { ...head, thresholds, reports, modelsWithoutReport };
}

// 10 Lineage ---------------------------------------------------------------------------------------------------

const STAGE_COL: Readonly<Record<string, number>> = Object.fromEntries(LINEAGE_STAGES.map((s, i) => [s, i]));
const STAGE_LABELS: Readonly<Record<string, string>> = {
  Dataset: 'Dataset',
  ProcessingJob: 'Processing job',
  TrainingJob: 'Training job',
  Model: 'Model',
  ModelPackage: 'Model package',
  Endpoint: 'Endpoint',
};

function vertexLabel(v: { arn: string; type: string; uri: string | null }): { label: string; detail: string | null } {
  if (v.type === 'Dataset') {
    const src = v.uri ?? v.arn;
    const parts = src.replace(/\/+$/, '').split('/');
    return { label: parts[parts.length - 1] || src, detail: v.uri ?? null };
  }
  return { label: tail(v.arn), detail: v.uri };
}

interface GraphInput {
  readonly title: string;
  readonly item: EvidenceItem;
  readonly lineage: StateRec<'sagemaker.lineage'> | null;
  readonly endpoint: StateRec<'sagemaker.endpoint'> | null;
}

function lineageGraph(ctx: BuildContext, g: GraphInput): LineageGraph {
  type MNode = { key: string; type: string; label: string; detail: string | null; arn: string | null; col: number; missing: boolean };
  const nodes = new Map<string, MNode>();
  const edges: { from: string; to: string; label: string | null; missing: boolean }[] = [];
  const l = g.lineage?.content;
  if (l) {
    for (const v of l.vertices) {
      if (nodes.has(v.arn)) continue;
      const { label, detail } = vertexLabel(v);
      nodes.set(v.arn, { key: v.arn, type: v.type, label, detail, arn: v.arn, col: STAGE_COL[v.type] ?? -1, missing: false });
    }
    for (const e of l.edges) if (nodes.has(e.source) && nodes.has(e.destination)) edges.push({ from: e.source, to: e.destination, label: e.association, missing: false });
  }
  const ep = g.endpoint?.content;
  if (ep && !nodes.has(ep.arn) && ![...nodes.values()].some((n) => n.type === 'Endpoint' && n.arn?.toLowerCase() === ep.arn.toLowerCase())) {
    nodes.set(ep.arn, { key: ep.arn, type: 'Endpoint', label: ep.name, detail: null, arn: ep.arn, col: 5, missing: false });
    for (const p of ep.modelPackageArns) {
      const pk = [...nodes.values()].find((n) => n.arn?.toLowerCase() === p.toLowerCase());
      if (pk) edges.push({ from: pk.key, to: ep.arn, label: 'deployed', missing: false });
    }
  }
  // `Other` vertices sit one column before their first known successor (else after their predecessor, else first).
  for (const n of nodes.values()) {
    if (n.col >= 0) continue;
    const succ = edges.filter((e) => e.from === n.key).map((e) => nodes.get(e.to)!.col).filter((c) => c >= 0);
    const pred = edges.filter((e) => e.to === n.key).map((e) => nodes.get(e.from)!.col).filter((c) => c >= 0);
    n.col = succ.length > 0 ? Math.max(0, Math.min(...succ) - 1) : pred.length > 0 ? Math.min(5, Math.max(...pred) + 1) : 0;
  }
  const missing: string[] = [];
  for (const stage of LINEAGE_STAGES) {
    const col = STAGE_COL[stage]!;
    if ([...nodes.values()].some((n) => n.col === col && n.type === stage)) continue;
    const key = `missing:${stage}`;
    missing.push(`no ${STAGE_LABELS[stage]!.toLowerCase()} in the lineage`);
    if (![...nodes.values()].some((n) => n.col === col)) nodes.set(key, { key, type: stage, label: `no ${STAGE_LABELS[stage]!.toLowerCase()}`, detail: null, arn: null, col, missing: true });
  }
  // Dashed links through the placeholders, so the chain reads left to right.
  for (let c = 0; c < LINEAGE_STAGES.length - 1; c++) {
    const left = [...nodes.values()].filter((n) => n.col === c);
    const right = [...nodes.values()].filter((n) => n.col === c + 1);
    if (left.length === 0 || right.length === 0) continue;
    if (!left.some((n) => n.missing) && !right.some((n) => n.missing)) continue;
    edges.push({ from: left.sort(byString((n) => n.label))[0]!.key, to: right.sort(byString((n) => n.label))[0]!.key, label: null, missing: true });
  }
  const reaches = l ? l.reachesDataset : false;
  if (!l) missing.unshift('no lineage evidence for this endpoint');
  else if (!reaches) missing.unshift('no dataset is reachable upstream: the model cannot be traced to its training data');

  // Rows within each column, by label.
  const laid: LineageNode[] = [];
  let rows = 1;
  for (let c = 0; c < LINEAGE_STAGES.length; c++) {
    const col = [...nodes.values()].filter((n) => n.col === c).sort(byString((n) => `${n.missing ? 1 : 0}|${n.label}|${n.key}`));
    rows = Math.max(rows, col.length);
    col.forEach((n, row) => laid.push({ key: n.key, type: STAGE_LABELS[n.type] ?? n.type, label: n.label, detail: n.detail, arn: n.arn, col: c, row, missing: n.missing }));
  }
  const datasets = (l?.vertices ?? [])
    .filter((v) => v.type === 'Dataset')
    .map((v) => ({ arn: v.arn, uri: v.uri ?? 'not recorded', sha256: v.sha256 ?? 'not recorded' }));
  const tone: Tone = !l || !reaches ? 'bad' : missing.length > 0 ? 'warn' : 'good';
  return {
    anchor: ctx.anchors.take('lin', `${g.title}-${g.item.account}-${g.item.region}`),
    title: g.title,
    location: ctx.locate.of(g.item),
    startArn: l?.startArn ?? ep?.arn ?? '',
    reachesDataset: reaches,
    tone,
    verdict: !l ? 'no lineage evidence' : !reaches ? 'dataset not reachable' : missing.length > 0 ? 'traceable, with stages missing' : 'complete',
    missing,
    columns: LINEAGE_STAGES.map((s) => STAGE_LABELS[s]!),
    rows,
    nodes: laid,
    edges,
    datasets,
    evidence: g.lineage ? ref(g.lineage.item) : null,
  };
}

export function buildLineage(ctx: BuildContext): LineageSection {
  const head = sectionHead(
    'lineage',
    'Per endpoint, the SageMaker lineage from training data to deployment: dataset → processing → training → model → model package → endpoint. Stages the lineage does not contain are drawn dashed; an endpoint whose lineage reaches no dataset cannot be traced to its training data.',
  );
  const lineages = ctx.state('sagemaker.lineage');
  const used = new Set<string>();
  const graphs: LineageGraph[] = [];
  for (const e of ctx.state('sagemaker.endpoint')) {
    const arn = e.content.arn.toLowerCase();
    const pkgs = new Set(e.content.modelPackageArns.map((a) => a.toLowerCase()));
    const here = lineages.filter((x) => x.item.account === e.item.account && x.item.region === e.item.region);
    const lin = here.find((x) => x.content.startArn.toLowerCase() === arn) ?? here.find((x) => pkgs.has(x.content.startArn.toLowerCase())) ?? null;
    if (lin) used.add(lin.item.id);
    graphs.push(lineageGraph(ctx, { title: `endpoint ${e.content.name}`, item: e.item, lineage: lin, endpoint: e }));
  }
  for (const x of lineages) {
    if (used.has(x.item.id)) continue;
    graphs.push(lineageGraph(ctx, { title: tail(x.content.startArn), item: x.item, lineage: x, endpoint: null }));
  }
  return { ...head, graphs };
}

// 11 Invocation logs -------------------------------------------------------------------------------------------

const BEDROCK_SOURCES = new Set(['bedrock.amazonaws.com', 'bedrock-runtime.amazonaws.com']);
const BEDROCK_INVOCATIONS = new Set(['InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream']);
/** Samples shown in the pack (the evidence holds a few per day). */
export const MAX_SAMPLES = 6;
const SAMPLE_CHARS = 300;
const WITHHELD = '[withheld: a guardrail acted on this record]';

/**
 * Sample text for the pack. The normalizer already replaced every detected entity with `[TYPE]`; this runs the
 * detectors again (defence in depth) and removes any raw guardrail `"match"` pair. Text of records a guardrail acted
 * on is withheld entirely: the guardrail's matches (names, addresses, custom words) are not known here, so they
 * could not be removed from it.
 */
export function safeSampleText(text: string, guardrailAction: string | null): string {
  if (guardrailAction !== null && guardrailAction !== 'NONE') return WITHHELD;
  const once = redactText(text).text;
  return scrubRawMatches(once).text.slice(0, SAMPLE_CHARS);
}

export function buildInvocations(ctx: BuildContext): InvocationsSection {
  const head = sectionHead(
    'invocations',
    'Bedrock model-invocation logging per account and region against the invocations CloudTrail saw, volumes and tokens by identity and model, guardrail interventions, personal data detected in prompts and completions (counted by entity type), and a few redacted sample records. Raw prompts never leave the evidence store.',
  );
  const configs = ctx.state('bedrock.logging_config');
  const summaries = ctx.during('bedrock.invocation_summary');
  const activity = ctx.during('cloudtrail.activity');

  type Loc = { location: Location; config: (typeof configs)[number] | null; records: number; ct: number; refs: EvidenceRef[] };
  const locs = new Map<string, Loc>();
  const at = (item: { account: string; region: string }): Loc => {
    const location = ctx.locate.of(item);
    let l = locs.get(location.label);
    if (!l) locs.set(location.label, (l = { location, config: null, records: 0, ct: 0, refs: [] }));
    return l;
  };
  for (const c of configs) {
    const l = at(c.item);
    l.config = c;
    l.refs.push(ref(c.item));
  }
  const totals = { records: 0, errors: 0, inputTokens: 0, outputTokens: 0, guardrailInterventions: 0, piiDetections: 0, piiUnguardedRecords: 0, days: 0 };
  const usage = new Map<string, InvocationsSection['usage'][number] & { invocations: number; inputTokens: number; outputTokens: number }>();
  const byModel = new Map<string, { location: Location; modelId: string; invocations: number; inputTokens: number; outputTokens: number }>();
  const guard = new Map<string, { location: Location; interventions: number; piiUnguardedRecords: number }>();
  const pii = new Map<string, number>();
  const samples: InvocationSample[] = [];
  for (const s of summaries) {
    const c = s.content;
    const l = at(s.item);
    l.records += c.records;
    totals.records += c.records;
    totals.errors += c.errors;
    totals.days += 1;
    totals.guardrailInterventions += c.guardrailInterventions;
    totals.piiUnguardedRecords += c.piiUnguardedRecords;
    const g = guard.get(l.location.label) ?? { location: l.location, interventions: 0, piiUnguardedRecords: 0 };
    g.interventions += c.guardrailInterventions;
    g.piiUnguardedRecords += c.piiUnguardedRecords;
    guard.set(l.location.label, g);
    for (const [k, v] of Object.entries(c.byIdentityModel)) {
      const last = k.lastIndexOf('|');
      const mid = k.lastIndexOf('|', last - 1);
      const identity = mid < 0 ? k : k.slice(0, mid);
      const modelId = mid < 0 ? '' : k.slice(mid + 1, last);
      const operation = k.slice(last + 1);
      const u = usage.get(k) ?? { identity, modelId, operation, invocations: 0, inputTokens: 0, outputTokens: 0 };
      u.invocations += v.invocations;
      u.inputTokens += v.inputTokens;
      u.outputTokens += v.outputTokens;
      usage.set(k, u);
      totals.inputTokens += v.inputTokens;
      totals.outputTokens += v.outputTokens;
      const mk = `${l.location.label}|${modelId}`;
      const m = byModel.get(mk) ?? { location: l.location, modelId, invocations: 0, inputTokens: 0, outputTokens: 0 };
      m.invocations += v.invocations;
      m.inputTokens += v.inputTokens;
      m.outputTokens += v.outputTokens;
      byModel.set(mk, m);
    }
    for (const [t, n] of Object.entries(c.piiDetections)) {
      pii.set(t, (pii.get(t) ?? 0) + n);
      totals.piiDetections += n;
    }
    for (const x of c.samples) {
      samples.push({
        time: x.timestamp,
        location: l.location,
        requestId: x.requestId,
        identity: x.identityArn ?? 'unknown',
        modelId: x.modelId,
        operation: x.operation,
        input: safeSampleText(x.inputText, x.guardrailAction),
        output: safeSampleText(x.outputText, x.guardrailAction),
        guardrailAction: x.guardrailAction ?? 'none',
        evidence: ref(s.item),
      });
    }
  }
  for (const a of activity) {
    let n = 0;
    for (const [k, v] of Object.entries(a.content.aiCalls)) {
      const { eventSource, eventName } = splitAiCallKey(k);
      if (BEDROCK_SOURCES.has(eventSource) && BEDROCK_INVOCATIONS.has(eventName)) n += v;
    }
    if (n > 0) {
      const l = at(a.item);
      l.ct += n;
    }
  }

  const coverage: CoverageRow[] = [...locs.values()]
    .sort(byString((l) => l.location.label))
    .map((l) => {
      const cfg = l.config?.content ?? null;
      const enabled = cfg?.enabled ?? null;
      const dest = cfg
        ? [cfg.cloudWatch ? `CloudWatch Logs ${cfg.cloudWatch.logGroupName}` : null, cfg.s3 ? `S3 ${cfg.s3.bucketName}${cfg.s3.keyPrefix ? `/${cfg.s3.keyPrefix}` : ''}` : null]
            .filter(Boolean)
            .join('; ') || 'none'
        : 'not collected';
      const active = l.records > 0 || l.ct > 0;
      let verdict: string;
      let tone: Tone;
      if (enabled === true) {
        if (cfg?.textDataDeliveryEnabled === false) [verdict, tone] = ['logging on, but prompt text is not delivered', 'warn'];
        else if (l.ct > l.records) [verdict, tone] = [`logging on; CloudTrail saw ${l.ct - l.records} more invocations than were logged`, 'warn'];
        else [verdict, tone] = [active ? 'invocations logged' : 'logging on, no invocations', 'good'];
      } else if (enabled === false) {
        if (active) [verdict, tone] = [l.records > 0 ? 'logging is now off; invocations were logged earlier in the period' : 'invocations without logging', 'bad'];
        else [verdict, tone] = ['logging off, no invocations seen', 'warn'];
      } else [verdict, tone] = [active ? 'invocations, logging configuration not collected' : 'no logging configuration collected', active ? 'bad' : 'warn'];
      return {
        location: l.location,
        logging: enabled === null ? 'not collected' : enabled ? 'enabled' : 'disabled',
        destinations: dest,
        loggedRecords: l.records,
        cloudTrailInvocations: l.ct,
        verdict,
        tone,
        evidence: l.refs,
      };
    });
  const loggingAt = new Map(coverage.map((c) => [c.location.label, c.logging]));
  samples.sort(byString((s) => `${s.time}|${s.requestId}`));
  return {
    ...head,
    totals,
    coverage,
    byModel: [...byModel.values()]
      .sort(byString((m) => `${m.location.label}|${m.modelId}`))
      .map((m) => ({ ...m, logged: loggingAt.get(m.location.label) ?? 'not collected' })),
    usage: [...usage.values()].sort((a, b) => b.invocations - a.invocations || byString<{ identity: string; modelId: string; operation: string }>((x) => `${x.identity}|${x.modelId}|${x.operation}`)(a, b)),
    guardrails: [...guard.values()].sort(byString((g) => g.location.label)),
    pii: [...pii.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([entityType, count]) => ({ entityType, count })),
    samples: samples.slice(0, MAX_SAMPLES),
  };
}
