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
        value: String(m.value),
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

function sameBand(a: MetricThreshold | undefined, b: MetricThreshold | undefined): boolean {
  return a?.min === b?.min && a?.max === b?.max && (a === undefined) === (b === undefined);
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
  // Per-model thresholds arrive merged over the defaults (`fairnessThresholds` in the pipeline): list the differences.
  for (const subject of Object.keys(bySubject).sort()) {
    for (const metric of Object.keys(bySubject[subject]!).sort()) {
      const t = bySubject[subject]![metric]!;
      if (!sameBand(t, defaults[metric])) thresholds.push({ metric, scope: `model ${subject}`, band: bandText(t) });
    }
  }

  const reports: FairnessReportView[] = ctx.state('clarify.bias_report').map((r) => {
    const rep = r.content;
    const counts = { within: 0, outside: 0, notComputed: 0, noThreshold: 0 };
    const metrics: FairnessMetricRow[] = rep.metrics.map((m) => {
      const own = bySubject[rep.subject]?.[m.name];
      const t = own ?? defaults[m.name];
      const ownDiffers = own !== undefined && !sameBand(own, defaults[m.name]);
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
        thresholdSource: ownDiffers ? `model ${rep.subject}` : t ? 'default' : 'none',
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

const STAGE_RANK: Readonly<Record<string, number>> = Object.fromEntries(LINEAGE_STAGES.map((s, i) => [s, i]));
const STAGE_LABELS: Readonly<Record<string, string>> = {
  Dataset: 'Dataset',
  ProcessingJob: 'Processing job',
  TrainingJob: 'Training job',
  Model: 'Model',
  ModelPackage: 'Model package',
  Endpoint: 'Endpoint',
};

/** A short name for a vertex: the last two segments of its URI (`credit/train`, `3/model.tar.gz`), else its ARN's. */
function vertexLabel(v: { arn: string; uri: string | null }): string {
  if (v.uri) {
    const parts = v.uri
      .replace(/^[a-z0-9]+:\/\//i, '')
      .split('/')
      .filter(Boolean);
    // A registry host (ECR `123.dkr.ecr….amazonaws.com/repo:tag`) says less than the repository and tag.
    if (parts.length > 1 && parts[0]!.includes('.') && parts.length === 2) return parts[1]!;
    if (parts.length > 1) return parts.slice(-2).join('/');
    if (parts.length === 1) return parts[0]!;
  }
  return tail(v.arn);
}

interface GraphInput {
  readonly title: string;
  readonly item: EvidenceItem;
  readonly lineage: StateRec<'sagemaker.lineage'> | null;
  readonly endpoint: StateRec<'sagemaker.endpoint'> | null;
}

interface GNode {
  key: string;
  stage: string | null;
  type: string;
  label: string;
  detail: string | null;
  arn: string | null;
  missing: boolean;
  col: number;
  row: number;
}

/**
 * The lineage of one endpoint as a layered graph, left to right: each vertex sits one column right of its
 * furthest upstream vertex (longest path), so data flows left to right even when a processing job produces a
 * dataset that feeds training. Stages the lineage lacks become dashed placeholder nodes spliced into the chain
 * between the nearest stages that are present.
 */
function lineageGraph(ctx: BuildContext, g: GraphInput): LineageGraph {
  const nodes = new Map<string, GNode>();
  const edges: { from: string; to: string; label: string | null; missing: boolean }[] = [];
  const l = g.lineage?.content;
  if (l) {
    for (const v of l.vertices) {
      if (nodes.has(v.arn)) continue;
      const stage = v.type === 'Other' ? null : v.type;
      nodes.set(v.arn, {
        key: v.arn,
        stage,
        type: stage ? STAGE_LABELS[stage]! : (v.awsType ?? 'Other'),
        label: vertexLabel(v),
        detail: v.uri,
        arn: v.arn,
        missing: false,
        col: 0,
        row: 0,
      });
    }
    const seen = new Set<string>();
    for (const e of l.edges) {
      const k = `${e.source}|${e.destination}`;
      if (seen.has(k) || !nodes.has(e.source) || !nodes.has(e.destination) || e.source === e.destination) continue;
      seen.add(k);
      edges.push({ from: e.source, to: e.destination, label: e.association, missing: false });
    }
  }
  const ep = g.endpoint?.content;
  if (ep && ![...nodes.values()].some((n) => n.stage === 'Endpoint')) {
    nodes.set(ep.arn, { key: ep.arn, stage: 'Endpoint', type: 'Endpoint', label: ep.name, detail: ep.arn, arn: ep.arn, missing: false, col: 0, row: 0 });
    for (const p of ep.modelPackageArns) {
      const pk = [...nodes.values()].find((n) => n.arn?.toLowerCase() === p.toLowerCase());
      if (pk) edges.push({ from: pk.key, to: ep.arn, label: 'deployed', missing: false });
    }
  }

  // Placeholders for absent stages, linked from the nearest earlier stage and to the nearest later one.
  const missing: string[] = [];
  const present = (rank: number): GNode[] => [...nodes.values()].filter((n) => n.stage !== null && STAGE_RANK[n.stage] === rank).sort(byString((n) => n.label));
  const absent = LINEAGE_STAGES.filter((s) => present(STAGE_RANK[s]!).length === 0);
  for (const stage of absent) {
    const r = STAGE_RANK[stage]!;
    const key = `missing:${stage}`;
    const name = STAGE_LABELS[stage]!.toLowerCase();
    if (l && (stage !== 'Dataset' || l.reachesDataset)) missing.push(`no ${name} in the lineage`);
    nodes.set(key, { key, stage, type: STAGE_LABELS[stage]!, label: `no ${name}`, detail: null, arn: null, missing: true, col: 0, row: 0 });
    for (let p = r - 1; p >= 0; p--) {
      const prev = present(p);
      if (prev.length === 0) continue;
      edges.push({ from: prev[prev.length - 1]!.key, to: key, label: null, missing: true });
      break;
    }
    for (let n = r + 1; n < LINEAGE_STAGES.length; n++) {
      if (absent.includes(LINEAGE_STAGES[n]!)) break;
      const next = present(n);
      if (next.length === 0) continue;
      edges.push({ from: key, to: next[0]!.key, label: null, missing: true });
      break;
    }
  }
  const reaches = l ? l.reachesDataset : false;
  if (!l) missing.splice(0, missing.length, 'no lineage evidence for this endpoint');
  else if (!reaches) missing.unshift('no dataset is reachable upstream: the model cannot be traced to its training data');

  // Longest-path layering (Kahn); vertices on a cycle go one column right of everything placed.
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const n of nodes.keys()) {
    preds.set(n, []);
    succs.set(n, []);
  }
  for (const e of edges) {
    preds.get(e.to)!.push(e.from);
    succs.get(e.from)!.push(e.to);
  }
  const indeg = new Map([...nodes.keys()].map((k) => [k, preds.get(k)!.length]));
  const queue = [...nodes.keys()].filter((k) => indeg.get(k) === 0).sort();
  const placed = new Set<string>();
  while (queue.length > 0) {
    const k = queue.shift()!;
    placed.add(k);
    const n = nodes.get(k)!;
    for (const s of succs.get(k)!) {
      const m = nodes.get(s)!;
      m.col = Math.max(m.col, n.col + 1);
      indeg.set(s, indeg.get(s)! - 1);
      if (indeg.get(s) === 0) queue.push(s);
    }
  }
  const maxPlaced = Math.max(0, ...[...placed].map((k) => nodes.get(k)!.col));
  for (const n of nodes.values()) if (!placed.has(n.key)) n.col = maxPlaced + 1;
  // Sources sit right before their first consumer (an image used by training is drawn next to the training job).
  for (const n of [...nodes.values()].sort((a, b) => b.col - a.col)) {
    if (preds.get(n.key)!.length > 0) continue;
    const next = succs.get(n.key)!.map((s) => nodes.get(s)!.col);
    if (next.length > 0) n.col = Math.max(n.col, Math.min(...next) - 1);
  }
  const columns = Math.max(...[...nodes.values()].map((n) => n.col)) + 1;

  // Rows: by the mean row of the upstream vertices (fewer crossings), then by label.
  let rows = 1;
  for (let c = 0; c < columns; c++) {
    const col = [...nodes.values()].filter((n) => n.col === c);
    const weight = (n: GNode): number => {
      const up = preds.get(n.key)!.map((p) => nodes.get(p)!).filter((p) => p.col < c);
      return up.length === 0 ? Number.MAX_SAFE_INTEGER : up.reduce((s, p) => s + p.row, 0) / up.length;
    };
    col
      .map((n) => ({ n, w: weight(n) }))
      .sort((a, b) => a.w - b.w || byString<{ n: GNode }>((x) => `${x.n.missing ? 1 : 0}|${x.n.label}|${x.n.key}`)(a, b))
      .forEach((x, i) => (x.n.row = i));
    rows = Math.max(rows, col.length);
  }

  const laid: LineageNode[] = [...nodes.values()]
    .sort((a, b) => a.col - b.col || a.row - b.row)
    .map((n) => ({ key: n.key, type: n.type, label: n.label, detail: n.detail, arn: n.arn, col: n.col, row: n.row, missing: n.missing }));
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
    columns,
    rows,
    nodes: laid,
    edges,
    datasets,
    evidence: g.lineage ? ref(g.lineage.item) : null,
  };
}

/** The lineage of an endpoint, matched the way the mapper matches it (its ARN, or its lineage context's name). */
function endpointLineage(
  endpoint: StateRec<'sagemaker.endpoint'>,
  lineages: readonly StateRec<'sagemaker.lineage'>[],
): StateRec<'sagemaker.lineage'> | null {
  const arn = endpoint.content.arn.toLowerCase();
  const name = endpoint.content.name.toLowerCase();
  const suffixed = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-z-]*endpoint$`);
  const here = lineages.filter((l) => l.item.account === endpoint.item.account && l.item.region === endpoint.item.region);
  const segment = (a: string): string => a.toLowerCase().slice(a.lastIndexOf('/') + 1);
  const startType = (l: StateRec<'sagemaker.lineage'>): string | undefined => l.content.vertices.find((v) => v.arn === l.content.startArn)?.type;
  const pkgs = new Set(endpoint.content.modelPackageArns.map((a) => a.toLowerCase()));
  return (
    here.find((l) => l.content.startArn.toLowerCase() === arn) ??
    here.find((l) => startType(l) === 'Endpoint' && segment(l.content.startArn) === name) ??
    here.find((l) => startType(l) === 'Endpoint' && suffixed.test(segment(l.content.startArn))) ??
    here.find((l) => pkgs.has(l.content.startArn.toLowerCase())) ??
    null
  );
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
    const lin = endpointLineage(e, lineages);
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
const WITHHELD_ACTED = '[withheld: a guardrail acted on this record]';
const WITHHELD_DAY = '[withheld: a guardrail matched personal data in this day’s records]';

/**
 * Sample text for the pack. The normalizer replaced every entity our detectors know with `[TYPE]`; this runs the
 * detectors again (defence in depth) and removes any raw guardrail `"match"` pair. A guardrail also matches what no
 * detector knows (names, addresses, custom words), and its matched values are not in the evidence, so they cannot
 * be removed here: the text of a record a guardrail acted on, and of every record of a day on which a guardrail
 * matched personal data, is withheld entirely.
 */
export function safeSampleText(text: string, guardrailAction: string | null, guardrailMatchedThatDay: boolean): string {
  if (guardrailAction !== null && guardrailAction !== 'NONE') return WITHHELD_ACTED;
  if (guardrailMatchedThatDay) return WITHHELD_DAY;
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
    const guardedDay = Object.entries(c.piiDetections).some(([k, n]) => k.startsWith('GUARDRAIL_') && n > 0);
    for (const x of c.samples) {
      const withheld = guardedDay || (x.guardrailAction !== null && x.guardrailAction !== 'NONE');
      samples.push({
        time: x.timestamp,
        location: l.location,
        requestId: x.requestId,
        identity: x.identityArn ?? 'unknown',
        modelId: x.modelId,
        operation: x.operation,
        input: safeSampleText(x.inputText, x.guardrailAction, guardedDay),
        output: safeSampleText(x.outputText, x.guardrailAction, guardedDay),
        withheld,
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
  // Samples with readable text first, then those withheld; shown in time order.
  samples.sort((a, b) => Number(a.withheld) - Number(b.withheld) || byString<InvocationSample>((x) => `${x.time}|${x.requestId}`)(a, b));
  const shown = samples.slice(0, MAX_SAMPLES).sort(byString((x) => `${x.time}|${x.requestId}`));
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
    samples: shown,
    samplesAvailable: samples.length,
  };
}
