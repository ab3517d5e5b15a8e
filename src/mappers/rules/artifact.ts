import type { EvidenceView } from '../evidence-view.js';
import { OutcomeBuilder, listSome } from '../outcome.js';
import type { RuleParams } from '../rule-kinds.js';
import type { RuleOutcome } from '../types.js';

const MONTH_MS = 30.44 * 86_400_000;

export function artifactReportAvailable(p: RuleParams<'artifact_report_available'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['artifact.report']));
  const wanted = p.match.map((m) => m.toLowerCase());
  const reports = ev.state('artifact.report').filter((r) => {
    const hay = `${r.content.name} ${r.content.series ?? ''}`.toLowerCase();
    return wanted.some((w) => hay.includes(w));
  });
  const { assessed } = ev.periodBounds;
  for (const r of reports) {
    const end = r.content.periodEnd ? Date.parse(r.content.periodEnd) : NaN;
    const ageMonths = Number.isNaN(end) ? null : (assessed - end) / MONTH_MS;
    const period = r.content.periodStart && r.content.periodEnd ? ` covering ${r.content.periodStart.slice(0, 10)} to ${r.content.periodEnd.slice(0, 10)}` : '';
    if (ageMonths === null) out.gap(`AWS Artifact report "${r.content.name}" has no period end`, r.item);
    else if (ageMonths > p.maxAgeMonths) out.gap(`AWS Artifact report "${r.content.name}"${period} is older than ${p.maxAgeMonths} months`, r.item);
    else out.ok(`inherited from AWS: "${r.content.name}"${period}${r.content.documentSha256 ? ' (document attached)' : ''}`, r.item);
  }
  if (reports.length === 0) out.gap(`no AWS Artifact report matching ${listSome(p.match)} was collected`);
  return out.finish();
}
