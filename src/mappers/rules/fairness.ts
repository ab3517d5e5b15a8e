import type { EvidenceView } from '../evidence-view.js';
import { OutcomeBuilder, listSome, where } from '../outcome.js';
import type { RuleParams } from '../rule-kinds.js';
import type { MetricThreshold, RuleOutcome } from '../types.js';
import { decodeMetricValue } from '../../fairness/thresholds.js';

export function thresholdFor(ev: EvidenceView, subject: string, metric: string): MetricThreshold | undefined {
  const f = ev.options.fairness;
  return f.bySubject[subject]?.[metric] ?? f.defaults[metric];
}

function describeBound(t: MetricThreshold): string {
  if (t.min !== undefined && t.max !== undefined) return `[${t.min}, ${t.max}]`;
  if (t.min !== undefined) return `>= ${t.min}`;
  return `<= ${t.max}`;
}

export function fairnessWithinBounds(p: RuleParams<'fairness_within_bounds'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['clarify.bias_report']));
  const reports = ev.state('clarify.bias_report');
  const stages = new Set<string>(p.stages);
  for (const r of reports) {
    const outside: string[] = [];
    let checked = 0;
    for (const m of r.content.metrics) {
      if (!stages.has(m.stage)) continue;
      const t = thresholdFor(ev, r.content.subject, m.name);
      // ±Infinity cannot be stored as JSON; it is kept as null with a marker, and is outside any bound.
      const value = decodeMetricValue(m.value, m.error);
      if (!t || value === null || Number.isNaN(value)) continue;
      checked += 1;
      if ((t.min !== undefined && value < t.min) || (t.max !== undefined && value > t.max)) {
        outside.push(`${m.name} for ${m.facet}=${m.facetValue} is ${round(value)} (threshold ${describeBound(t)})`);
      }
    }
    const origin = r.content.origin === 'clarify' ? 'SageMaker Clarify report' : 'auditpack computed from labelled predictions';
    if (outside.length > 0) out.exception(`model ${r.content.subject} (${where(r.item)}, ${origin}): ${outside.length} metric(s) outside thresholds: ${listSome(outside, 4)}`, r.item);
    else if (checked === 0) out.gap(`model ${r.content.subject} (${where(r.item)}): no metric with a threshold could be evaluated`, r.item);
    else out.ok(`model ${r.content.subject}: ${checked} bias metric(s) within thresholds (${origin})`, r.item);
  }
  const covered = new Set(reports.map((r) => r.content.subject.toLowerCase()));
  const packages = ev.state('sagemaker.model_package').filter((x) => x.content.approvalStatus === 'Approved' && x.content.groupName);
  for (const pkg of packages) {
    if (!covered.has(pkg.content.groupName!.toLowerCase())) out.gap(`approved model ${pkg.content.groupName} has no bias report`, pkg.item);
  }
  if (reports.length === 0 && packages.length === 0) {
    const inventories = ev.pairs.map((x) => ev.inventory('sagemaker', x.account, x.region));
    const models = inventories.reduce((n, i) => n + (i?.content.counts['sagemaker.model_package'] ?? 0) + (i?.content.counts['sagemaker.endpoint'] ?? 0), 0);
    if (models === 0 && inventories.every((i) => i !== null)) out.notApplicable('no models in scope');
    else out.gap('no bias report (Clarify analysis.json or labelled predictions) for any model in scope');
  }
  return out.finish();
}

function round(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}
