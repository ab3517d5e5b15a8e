import type { Control, Framework } from '../frameworks/schema.js';
import { EvidenceView } from './evidence-view.js';
import { RULE_KINDS, isRuleKind, type RuleKindId, type RuleParams } from './rule-kinds.js';
import { RULE_EVALUATORS } from './rules/index.js';
import type { AcceptedRisk, AssessOptions, ControlResult, ControlStatus, EvidenceRecord, ExpectationResult, RuleOutcome } from './types.js';

/**
 * The mapper: `(framework, evidence, accepted risks, options) → one result per control`, always, in the
 * framework's order. Pure: no I/O, no clock (assessedAt comes in the options).
 */
export function assessFramework(
  framework: Framework,
  evidence: readonly EvidenceRecord[],
  acceptedRisks: readonly AcceptedRisk[],
  options: AssessOptions,
): ControlResult[] {
  const view = new EvidenceView(evidence, options);
  const cache = new Map<string, RuleOutcome>();
  return framework.controls.map((control) => assessControl(framework.id, control, view, acceptedRisks, options, cache));
}

function assessControl(
  frameworkId: string,
  control: Control,
  view: EvidenceView,
  risks: readonly AcceptedRisk[],
  options: AssessOptions,
  cache: Map<string, RuleOutcome>,
): ControlResult {
  const expectations: ExpectationResult[] = control.evidence.map((e) => {
    if (!isRuleKind(e.rule)) return { rule: e.rule, title: e.rule, status: 'gap', reasons: [`unknown rule kind ${e.rule}`], evidenceIds: [] };
    const key = `${e.rule}:${JSON.stringify(e.params)}`;
    let outcome = cache.get(key);
    if (!outcome) {
      outcome = evaluate(e.rule, e.params, view);
      cache.set(key, outcome);
    }
    return { rule: e.rule, title: RULE_KINDS[e.rule].title, ...outcome };
  });

  const statuses = expectations.map((x) => x.status);
  let status: ControlStatus;
  const reasons: string[] = [];
  if (control.automation === 'none') {
    status = 'manual';
  } else if (statuses.includes('exception')) status = 'exception';
  else if (statuses.includes('gap')) status = 'gap';
  else if (statuses.every((s) => s === 'not_applicable')) status = 'not_applicable';
  else if (control.automation === 'partial') {
    status = 'manual';
    reasons.push('automated evidence is satisfactory; the rest of this control needs the attestation requested below');
  } else status = 'satisfied';
  // Reasons of the expectations that decided the status come first, so the first reason explains the status.
  const rank = { exception: 0, gap: 1, satisfied: 2, not_applicable: 3 } as const;
  for (const x of [...expectations].sort((a, b) => rank[a.status] - rank[b.status])) for (const r of x.reasons) reasons.push(`[${x.rule}] ${r}`);

  const applicable = risks.filter((r) => (r.framework === null || r.framework === frameworkId) && r.control === control.id);
  let acceptedRisk: AcceptedRisk | null = null;
  for (const r of applicable) {
    if (Date.parse(r.expires) <= Date.parse(options.assessedAt)) reasons.push(`accepted risk ${r.id} expired on ${r.expires.slice(0, 10)} and is not applied`);
    else if (status === 'exception' || status === 'gap') acceptedRisk = r;
    else reasons.push(`accepted risk ${r.id} is recorded but the control shows no exception or gap`);
  }
  if (acceptedRisk) {
    reasons.unshift(`accepted risk ${acceptedRisk.id} (owner ${acceptedRisk.owner}, approved by ${acceptedRisk.approver}, expires ${acceptedRisk.expires.slice(0, 10)}): ${acceptedRisk.rationale}`);
  }

  return {
    framework: frameworkId,
    control: control.id,
    title: control.title,
    section: control.section,
    automation: control.automation,
    status,
    reasons,
    evidenceIds: [...new Set(expectations.flatMap((x) => x.evidenceIds))].sort(),
    expectations,
    manualRequest: control.manual?.request ?? null,
    acceptedRisk,
  };
}

function evaluate<R extends RuleKindId>(rule: R, rawParams: Record<string, unknown>, view: EvidenceView): RuleOutcome {
  // Params were validated when the framework was loaded; parsing again applies defaults.
  const params = RULE_KINDS[rule].params.parse(rawParams) as RuleParams<R>;
  const evaluator = RULE_EVALUATORS[rule] as (p: RuleParams<R>, ev: EvidenceView) => RuleOutcome;
  return evaluator(params, view);
}

export interface StatusCounts {
  satisfied: number;
  exception: number;
  gap: number;
  manual: number;
  not_applicable: number;
  /** Controls with an exception or gap covered by an active accepted risk (counted apart, never as a pass). */
  acceptedRisk: number;
  total: number;
}

export function countStatuses(results: readonly ControlResult[]): StatusCounts {
  const c: StatusCounts = { satisfied: 0, exception: 0, gap: 0, manual: 0, not_applicable: 0, acceptedRisk: 0, total: results.length };
  for (const r of results) {
    c[r.status] += 1;
    if (r.acceptedRisk) c.acceptedRisk += 1;
  }
  return c;
}
