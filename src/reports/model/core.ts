import { COLLECTORS } from '../../collectors/catalog.js';
import type { EvidenceItem, SourceRef } from '../../evidence/model.js';
import type { ControlResult } from '../../mappers/types.js';
import type { FrameworkAssessment } from '../../pipeline/assess-stage.js';
import {
  STATUS_LABELS,
  STATUS_ORDER,
  byString,
  evidenceAnchor,
  observedEnd,
  observedStart,
  observedText,
  plural,
  ref,
  sectionHead,
} from './common.js';
import type { BuildContext } from './context.js';
import type {
  AcceptedRiskView,
  CollectionProblem,
  CollectorRun,
  ControlRow,
  ControlsSection,
  CoverSection,
  EvidenceIndexRow,
  EvidenceIndexSection,
  Finding,
  FrameworkMatrix,
  FrameworkSummary,
  FreshnessRow,
  InventoryCountRow,
  ScopeSection,
} from './types.js';

/** Findings listed per framework in the executive summary (the control matrix has them all). */
export const TOP_FINDINGS = 8;

export function buildCover(ctx: BuildContext): CoverSection {
  const a = ctx.assessment;
  const accounts = (a.scope.accounts.length > 0 ? a.scope.accounts : ctx.view.accounts).map((id) => ({
    id,
    name: ctx.locate.accountName(id),
    label: ctx.locate.accountLabel(id),
  }));
  const regions = a.scope.regions.length > 0 ? [...a.scope.regions] : [...ctx.view.regions];
  const lastDay = new Date(Date.parse(a.period.end) - 86_400_000).toISOString().slice(0, 10);
  const periodText = `${a.period.label} (${a.period.start.slice(0, 10)} to ${lastDay}, UTC)`;
  const frameworks = a.frameworks.map((f) => ({ id: f.id, name: f.name, version: f.version, publisher: f.publisher, sha256: f.sha256 }));
  const generatorText = `${a.generator.name} ${a.generator.version}`;
  return {
    title: 'AI workload audit evidence pack',
    organisation: ctx.opts.organisation,
    frameworks,
    period: { label: a.period.label, start: a.period.start, end: a.period.end, text: periodText },
    accounts,
    regions,
    generatedAt: ctx.opts.generatedAt,
    assessedAt: a.assessedAt,
    packId: a.packId,
    runId: a.runId,
    generator: { ...a.generator, text: generatorText },
    evidenceItems: ctx.records.length,
    facts: [
      { label: 'Organisation', value: ctx.opts.organisation },
      { label: 'Frameworks', value: frameworks.map((f) => `${f.name} (${f.version})`).join('; ') || 'none' },
      { label: 'Period', value: periodText },
      { label: 'Accounts', value: accounts.map((x) => x.label).join(', ') || 'all accounts in the evidence' },
      { label: 'Regions', value: regions.join(', ') || 'all regions in the evidence' },
      { label: 'Assessed at', value: a.assessedAt },
      { label: 'Generated at', value: ctx.opts.generatedAt },
      { label: 'Pack id', value: a.packId },
      { label: 'Run id', value: a.runId },
      { label: 'Generator', value: generatorText },
      { label: 'Evidence items', value: String(ctx.records.length) },
    ],
  };
}

const COUNT_NOUNS = { satisfied: 'satisfied', exception: 'exceptions', gap: 'gaps', manual: 'manual', not_applicable: 'n/a' } as const;

export function frameworkSummary(f: FrameworkAssessment, anchor: string): FrameworkSummary {
  const counts = STATUS_ORDER.map((status) => ({ status, label: STATUS_LABELS[status], count: f.counts[status] }));
  const text = counts.map((c) => `${c.count} ${COUNT_NOUNS[c.status]}`).join(' · ') + (f.counts.acceptedRisk > 0 ? ` · ${f.counts.acceptedRisk} with accepted risk` : '');
  return { id: f.id, name: f.name, anchor, total: f.counts.total, counts, acceptedRisks: f.counts.acceptedRisk, text };
}

export function buildControls(ctx: BuildContext): ControlsSection {
  const head = sectionHead(
    'controls',
    'Every control of every framework, in the framework’s order, with its status, the reasons the mapper gave, the evidence it used and any accepted risk. Unknown is never a pass: missing, stale or failed evidence is a gap.',
  );
  const frameworks: FrameworkMatrix[] = ctx.assessment.frameworks.map((f, i) => {
    const anchor = ctx.anchors.take('fw', f.id);
    return {
      id: f.id,
      anchor,
      number: `${head.number}.${i + 1}`,
      title: `${f.name}`,
      name: f.name,
      version: f.version,
      publisher: f.publisher,
      sha256: f.sha256,
      summary: frameworkSummary(f, anchor),
      controls: f.results.map((r) => controlRow(ctx, f.id, r)),
    };
  });
  return { ...head, frameworks };
}

function controlRow(ctx: BuildContext, framework: string, r: ControlResult): ControlRow {
  const risk = r.acceptedRisk;
  return {
    control: r.control,
    anchor: ctx.anchors.take(`ctl-${framework}`, r.control),
    section: r.section,
    title: r.title,
    automation: r.automation,
    status: r.status,
    statusLabel: STATUS_LABELS[r.status],
    reasons: [...r.reasons],
    expectations: r.expectations.map((e) => ({ rule: e.rule, title: e.title, status: e.status, statusLabel: STATUS_LABELS[e.status] })),
    evidence: r.evidenceIds.map((id) => ref({ id })),
    acceptedRisk: risk
      ? {
          id: risk.id,
          owner: risk.owner,
          approver: risk.approver,
          expires: risk.expires.slice(0, 10),
          rationale: risk.rationale,
          text: `${risk.id}: owner ${risk.owner}, approved by ${risk.approver}, expires ${risk.expires.slice(0, 10)}`,
        }
      : null,
    manualRequest: r.manualRequest,
  };
}

/** The reason that explains a finding: the first reason of an expectation with the control's own status. */
function findingReason(r: ControlResult): string {
  const x = r.expectations.find((e) => e.status === r.status && e.reasons.length > 0);
  if (x) return `[${x.rule}] ${x.reasons[0]!}`;
  return r.reasons.find((s) => !s.startsWith('accepted risk')) ?? r.reasons[0] ?? '';
}

export function findings(ctx: BuildContext, controls: ControlsSection): { top: Finding[]; total: number } {
  const top: Finding[] = [];
  let total = 0;
  for (const f of ctx.assessment.frameworks) {
    const matrix = controls.frameworks.find((m) => m.id === f.id)!;
    const rank = (r: ControlResult): number => (r.status === 'exception' ? 0 : 1) + (r.acceptedRisk ? 2 : 0);
    const open = f.results
      .map((r, i) => ({ r, row: matrix.controls[i]! }))
      .filter((x) => x.r.status === 'exception' || x.r.status === 'gap');
    total += open.length;
    const sorted = open.map((x, i) => ({ ...x, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i);
    for (const { r, row } of sorted.slice(0, TOP_FINDINGS)) {
      top.push({
        framework: f.id,
        frameworkName: f.name,
        control: r.control,
        anchor: row.anchor,
        title: r.title,
        status: r.status,
        statusLabel: STATUS_LABELS[r.status],
        reason: findingReason(r),
        acceptedRisk: r.acceptedRisk ? r.acceptedRisk.id : null,
      });
    }
  }
  return { top, total };
}

export function acceptedRisks(ctx: BuildContext): AcceptedRiskView[] {
  const at = Date.parse(ctx.assessment.assessedAt);
  return ctx.assessment.acceptedRisks.map((r) => ({
    id: r.id,
    framework: r.framework,
    control: r.control,
    owner: r.owner,
    approver: r.approver,
    rationale: r.rationale,
    expires: r.expires.slice(0, 10),
    expired: Date.parse(r.expires) <= at,
  }));
}

// Scope and method ---------------------------------------------------------------------------------------------

const METHOD = [
  'Evidence was collected by the collectors listed below, from live AWS APIs or from an export directory of AWS log files and AWS CLI outputs. Every item records its source (the API operation and request id, or the file path and the file’s SHA-256), who collected it and when, and is stored content-addressed: its id is the SHA-256 of the observation.',
  'The mapper applies each framework control’s evidence expectations to the evidence of the accounts and regions in scope. State (a trail’s settings, a rule’s compliance) is taken from the latest observation per resource made no later than the assessment time; state older than the freshness window is stale and counts as a gap. Activity (CloudTrail, invocation logs) is taken from the period.',
  'A collector that could not read something records an error item (a gap, never an empty success); one that found the service absent or not subscribed records a not-applicable item with the reason. Both are listed below.',
];

const STATUS_MEANINGS = {
  satisfied: 'Every automated expectation of the control is met by fresh evidence.',
  exception: 'Evidence shows a non-compliant setting or event.',
  gap: 'Evidence is missing, stale or could not be collected: unknown, so not a pass.',
  manual: 'The control (or part of it) needs a document or attestation from the auditee; the request is listed.',
  not_applicable: 'Evidence proves the control’s subject is absent from the scope (for example no endpoints at all).',
} as const;

export function buildScope(ctx: BuildContext): ScopeSection {
  const head = sectionHead(
    'scope',
    'What was collected, from where, and how it was assessed; what could not be collected and why; and how recent the evidence is.',
  );
  const cover = buildCover(ctx);
  const records = ctx.records;
  const ids = [...new Set<string>([...COLLECTORS.map((c) => c.id), ...records.map((r) => r.item.collector)])];
  const inventories = ctx.state('inventory');

  const collectors: CollectorRun[] = ids.map((id) => {
    const decl = COLLECTORS.find((c) => c.id === id);
    const mine = records.filter((r) => r.item.collector === id).map((r) => r.item);
    const items = { collected: 0, error: 0, notApplicable: 0 };
    for (const it of mine) {
      if (it.status.state === 'collected') items.collected += 1;
      else if (it.status.state === 'error') items.error += 1;
      else items.notApplicable += 1;
    }
    const inv = inventories.filter((r) => r.content.collector === id).map((r) => r.item);
    const ranFrom = inv.length > 0 ? inv : mine;
    const ranIn = [...new Set(ranFrom.map((it) => ctx.locate.of(it).label))].sort();
    const kindCounts = new Map<string, number>();
    for (const it of mine) if (it.status.state === 'collected' && it.kind !== 'inventory') kindCounts.set(it.kind, (kindCounts.get(it.kind) ?? 0) + 1);
    const collected = mine.filter((it) => it.status.state === 'collected');
    const starts = collected.map(observedStart).sort();
    const ends = collected.map(observedEnd).sort();
    let state: string;
    let tone: CollectorRun['tone'];
    if (mine.length === 0) [state, tone] = ['not run', 'warn'];
    else if (items.error > 0) [state, tone] = ['ran with errors', 'bad'];
    else if (items.collected === 0) [state, tone] = ['not applicable', 'neutral'];
    else [state, tone] = ['ran', 'good'];
    return {
      id,
      title: decl?.title ?? id,
      state,
      tone,
      ranIn,
      items,
      kinds: [...kindCounts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, collected]) => ({ kind, collected })),
      oldestObservation: starts[0] ?? null,
      newestObservation: ends[ends.length - 1] ?? null,
    };
  });

  const inventoryRows: InventoryCountRow[] = inventories.map((r) => {
    const counts = Object.entries(r.content.counts)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([kind, count]) => ({ kind, count }));
    return {
      collector: r.content.collector,
      location: ctx.locate.of(r.item),
      counts,
      text: counts.map((c) => `${c.kind.replace(/^[a-z]+\./, '')} ${c.count}`).join(', ') || 'nothing counted',
      evidence: ref(r.item),
    };
  });
  inventoryRows.sort(byString((r) => `${r.collector}|${r.location.label}`));

  const problems: CollectionProblem[] = records
    .map((r) => r.item)
    .filter((it) => it.status.state !== 'collected')
    .map((it) => {
      const s = it.status;
      return {
        collector: it.collector,
        kind: it.kind,
        location: ctx.locate.of(it),
        state: s.state === 'error' ? ('error' as const) : ('not_applicable' as const),
        stateLabel: s.state === 'error' ? 'error' : 'not applicable',
        code: s.state === 'error' ? s.code : null,
        message: s.state === 'error' ? s.message : s.state === 'not_applicable' ? s.reason : '',
        observed: observedText(it),
        evidence: ref(it),
      };
    })
    .sort(byString((p) => `${p.state}|${p.collector}|${p.kind}|${p.location.label}|${p.observed}|${p.evidence.id}`));

  const fresh = new Map<string, { collector: string; kind: string; items: number; oldest: string; newest: string }>();
  for (const r of records) {
    const it = r.item;
    if (it.status.state !== 'collected') continue;
    const k = `${it.collector}|${it.kind}`;
    const s = observedStart(it);
    const e = observedEnd(it);
    const f = fresh.get(k);
    if (!f) fresh.set(k, { collector: it.collector, kind: it.kind, items: 1, oldest: s, newest: e });
    else {
      f.items += 1;
      if (s < f.oldest) f.oldest = s;
      if (e > f.newest) f.newest = e;
    }
  }
  const freshness: FreshnessRow[] = [...fresh.values()].sort(byString((f) => `${f.collector}|${f.kind}`));
  const outOfScopeItems = records.length - countInScope(ctx);

  return {
    ...head,
    period: cover.period.text,
    accounts: cover.accounts.map((a) => a.label),
    regions: cover.regions,
    method: METHOD,
    statusDefinitions: STATUS_ORDER.map((s) => ({ status: s, label: STATUS_LABELS[s], meaning: STATUS_MEANINGS[s] })),
    collectors,
    inventories: inventoryRows,
    problems,
    freshness,
    outOfScopeItems,
  };
}

function countInScope(ctx: BuildContext): number {
  const { accounts, regions } = ctx.assessment.scope;
  return ctx.records.filter(
    (r) => (accounts.length === 0 || accounts.includes(r.item.account)) && (r.item.region === 'global' || regions.length === 0 || regions.includes(r.item.region)),
  ).length;
}

// Evidence index -----------------------------------------------------------------------------------------------

export function sourceText(s: SourceRef): string {
  if (s.type === 'file') return `file ${s.path}${s.locator ? `#${s.locator}` : ''} (file sha256 ${s.sha256})`;
  return `api ${s.operation} (request id ${s.requestId ?? 'not returned'})${s.endpoint ? ` at ${s.endpoint}` : ''}`;
}

function statusText(it: EvidenceItem): { status: EvidenceIndexRow['status']; statusText: string; tone: EvidenceIndexRow['tone'] } {
  const s = it.status;
  if (s.state === 'collected') return { status: 'collected', statusText: 'collected', tone: 'good' };
  if (s.state === 'error') return { status: 'error', statusText: `error ${s.code}: ${s.message}`, tone: 'bad' };
  return { status: 'not_applicable', statusText: `not applicable: ${s.reason}`, tone: 'neutral' };
}

export function buildEvidenceIndex(ctx: BuildContext): EvidenceIndexSection {
  const head = sectionHead(
    'evidence',
    'Every evidence item this pack relies on, with the SHA-256 of its normalized content (and of the raw payload where one is kept), its source and provenance, when it was observed and collected, and its collection status. Control matrix rows link here.',
  );
  const byKind = new Map<string, { kind: string; collected: number; error: number; notApplicable: number }>();
  const items: EvidenceIndexRow[] = [...ctx.records]
    .map((r) => r.item)
    .sort(byString((it) => `${it.kind}|${it.account}|${it.region}|${it.resource ?? ''}|${observedStart(it)}|${it.id}`))
    .map((it) => {
      const k = byKind.get(it.kind) ?? { kind: it.kind, collected: 0, error: 0, notApplicable: 0 };
      if (it.status.state === 'collected') k.collected += 1;
      else if (it.status.state === 'error') k.error += 1;
      else k.notApplicable += 1;
      byKind.set(it.kind, k);
      const caller = it.provenance.callerIdentity;
      return {
        id: it.id,
        anchor: evidenceAnchor(it.id),
        kind: it.kind,
        collector: it.collector,
        location: ctx.locate.of(it),
        resource: it.resource,
        contentSha256: it.content?.sha256 ?? null,
        rawSha256: it.raw?.sha256 ?? null,
        rawSensitive: it.raw?.sensitive ?? false,
        sources: it.provenance.sources.map(sourceText),
        provenance: `${it.collector} collector ${it.provenance.collectorVersion}; caller ${caller ? caller.arn : 'none (read from an export directory)'}`,
        observed: observedText(it),
        collectedAt: it.collectedAt,
        ...statusText(it),
      };
    });
  return {
    ...head,
    intro: `${head.intro} ${plural(items.length, 'item')}.`,
    total: items.length,
    byKind: [...byKind.values()].sort(byString((k) => k.kind)),
    items,
  };
}
