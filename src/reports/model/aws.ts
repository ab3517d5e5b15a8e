import { byString, complianceTone, observedEnd, plural, ref, sectionHead, toneOf, yesNo } from './common.js';
import type { BuildContext } from './context.js';
import type { AiActivityRow, CloudTrailSection, ConfigRuleRow, ConfigSection, InheritedSection, Location, SensitiveChangeRow, TrailRow } from './types.js';

/** CloudTrail event categories reported as sensitive changes. */
export const SENSITIVE_CATEGORIES = ['logging_change', 'guardrail_change', 'model_approval', 'key_change'] as const;

const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  logging_change: 'logging change',
  guardrail_change: 'guardrail change',
  model_approval: 'model approval',
  key_change: 'key change',
};

/** Splits an `aiCalls` key `principal|eventSource|eventName` (the principal may itself hold `|`). */
export function splitAiCallKey(key: string): { principal: string; eventSource: string; eventName: string } {
  const last = key.lastIndexOf('|');
  const mid = key.lastIndexOf('|', last - 1);
  if (last < 0 || mid < 0) return { principal: key, eventSource: '', eventName: '' };
  return { principal: key.slice(0, mid), eventSource: key.slice(mid + 1, last), eventName: key.slice(last + 1) };
}

export function buildCloudTrail(ctx: BuildContext): CloudTrailSection {
  const head = sectionHead(
    'cloudtrail',
    'Trail settings as last observed, AI-service activity over the period aggregated from every CloudTrail log file, and every sensitive change in the period (logging, guardrails, model approvals, keys), failed attempts included.',
  );
  const trails: TrailRow[] = ctx.state('cloudtrail.trail').map((r) => {
    const t = r.content;
    const settings: TrailRow['settings'] = [
      { label: 'Logging', value: yesNo(t.isLogging, 'on', 'off'), tone: toneOf(t.isLogging) },
      { label: 'Multi-region', value: yesNo(t.isMultiRegion), tone: toneOf(t.isMultiRegion) },
      { label: 'Organization trail', value: yesNo(t.isOrganizationTrail), tone: t.isOrganizationTrail === undefined ? 'warn' : 'neutral' },
      { label: 'Log file validation', value: yesNo(t.logFileValidationEnabled, 'enabled', 'disabled'), tone: toneOf(t.logFileValidationEnabled) },
      {
        label: 'KMS encryption',
        value: t.kmsKeyId ? t.kmsKeyId : t.kmsKeyId === null ? 'none (SSE-S3)' : 'not reported',
        tone: t.kmsKeyId ? 'good' : t.kmsKeyId === null ? 'bad' : 'warn',
      },
      { label: 'S3 bucket', value: t.s3BucketName ?? 'not reported', tone: 'neutral' },
      { label: 'CloudWatch Logs', value: t.cloudWatchLogsLogGroupArn ?? (t.cloudWatchLogsLogGroupArn === null ? 'none' : 'not reported'), tone: 'neutral' },
      { label: 'Management events', value: t.managementEvents ?? 'not reported', tone: t.managementEvents === 'all' ? 'good' : t.managementEvents ? 'warn' : 'warn' },
      {
        label: 'Data events',
        value: t.dataEvents ? [t.dataEvents.s3 ? 'S3' : null, t.dataEvents.lambda ? 'Lambda' : null, ...t.dataEvents.other].filter(Boolean).join(', ') || 'none' : 'not reported',
        tone: 'neutral',
      },
      {
        label: 'Latest delivery',
        value: `${t.latestDeliveryTime ?? 'not reported'}${t.latestDeliveryError ? ` (error: ${t.latestDeliveryError})` : ''}`,
        tone: t.latestDeliveryError ? 'bad' : 'neutral',
      },
    ];
    return {
      location: ctx.locate.of(r.item),
      name: t.name,
      arn: t.arn ?? null,
      settings,
      observedAt: observedEnd(r.item),
      stale: r.stale,
      evidence: ref(r.item),
    };
  });

  const activity = ctx.during('cloudtrail.activity');
  const byLoc = new Map<string, { location: Location; days: Set<string>; totalEvents: number; aiCalls: number }>();
  const ai = new Map<string, { principal: string; eventSource: string; operation: string; calls: number; locations: Set<string> }>();
  let totalEvents = 0;
  let errorEvents = 0;
  let aiCalls = 0;
  const daysAll = new Set<string>();
  for (const r of activity) {
    const loc = ctx.locate.of(r.item);
    const a = r.content;
    const l = byLoc.get(loc.label) ?? { location: loc, days: new Set<string>(), totalEvents: 0, aiCalls: 0 };
    l.days.add(a.day);
    daysAll.add(`${loc.label}|${a.day}`);
    l.totalEvents += a.totalEvents;
    totalEvents += a.totalEvents;
    errorEvents += a.errorEvents;
    for (const [k, n] of Object.entries(a.aiCalls)) {
      l.aiCalls += n;
      aiCalls += n;
      const { principal, eventSource, eventName } = splitAiCallKey(k);
      const row = ai.get(k) ?? { principal, eventSource, operation: eventName, calls: 0, locations: new Set<string>() };
      row.calls += n;
      row.locations.add(loc.label);
      ai.set(k, row);
    }
    byLoc.set(loc.label, l);
  }
  const aiActivity: AiActivityRow[] = [...ai.values()]
    .map((r) => ({ principal: r.principal, eventSource: r.eventSource, operation: r.operation, calls: r.calls, locations: [...r.locations].sort().join(', ') }))
    .sort((a, b) => b.calls - a.calls || byString<AiActivityRow>((x) => `${x.principal}|${x.eventSource}|${x.operation}`)(a, b));

  const sensitive = new Set<string>(SENSITIVE_CATEGORIES);
  const sensitiveChanges: SensitiveChangeRow[] = ctx
    .during('cloudtrail.event')
    .filter((r) => r.content.categories.some((c) => sensitive.has(c)))
    .map((r) => {
      const e = r.content;
      const categories = e.categories.filter((c) => sensitive.has(c));
      const failed = e.errorCode !== null;
      return {
        time: e.eventTime,
        location: ctx.locate.of({ account: r.item.account, region: e.awsRegion || r.item.region }),
        categories,
        categoriesText: categories.map((c) => CATEGORY_LABELS[c] ?? c).join(', '),
        eventSource: e.eventSource,
        eventName: e.eventName,
        principal: e.principal.arn ?? e.principal.issuerArn ?? `type:${e.principal.type}`,
        target: e.target,
        sourceIp: e.sourceIPAddress,
        failed,
        outcome: failed ? `FAILED ${e.errorCode}${e.errorMessage ? `: ${e.errorMessage}` : ''}` : 'succeeded',
        evidence: ref(r.item),
      };
    })
    .sort(byString((x) => `${x.time}|${x.evidence.id}`));

  const failedCount = sensitiveChanges.filter((c) => c.failed).length;
  return {
    ...head,
    intro: `${head.intro} ${plural(sensitiveChanges.length, 'sensitive change')} in the period${failedCount ? `, ${failedCount} of them failed attempts` : ''}.`,
    trails,
    activity: {
      days: daysAll.size,
      totalEvents,
      errorEvents,
      aiCalls,
      byLocation: [...byLoc.values()]
        .sort(byString((l) => l.location.label))
        .map((l) => ({ location: l.location, days: l.days.size, totalEvents: l.totalEvents, aiCalls: l.aiCalls })),
    },
    aiActivity,
    sensitiveChanges,
  };
}

export function buildConfig(ctx: BuildContext): ConfigSection {
  const head = sectionHead(
    'config',
    'AWS Config recorders, the compliance of every Config rule per account and region, conformance packs and the resources Config found non-compliant, as last observed.',
  );
  const recorders = ctx.state('config.recorder').map((r) => {
    const c = r.content;
    return {
      location: ctx.locate.of(r.item),
      name: c.name,
      recording: c.recording,
      recordingText: c.recording ? 'recording' : 'stopped',
      tone: c.recording ? ('good' as const) : ('bad' as const),
      lastStatus: c.lastStatus ?? 'not reported',
      coverage: c.allSupported === true ? `all supported types${c.includeGlobalResourceTypes ? ' incl. global' : ''}` : c.allSupported === false ? 'selected types' : 'not reported',
      evidence: ref(r.item),
    };
  });
  const rules: ConfigRuleRow[] = ctx
    .state('config.rule_compliance')
    .map((r) => {
      const c = r.content;
      return {
        ruleName: c.ruleName,
        sourceIdentifier: c.sourceIdentifier,
        description: c.description,
        location: ctx.locate.of(r.item),
        compliance: c.compliance,
        tone: complianceTone(c.compliance),
        nonCompliantResources: c.nonCompliantResourceCount === null ? '' : `${c.nonCompliantResourceCount}${c.capExceeded ? '+' : ''}`,
        evidence: ref(r.item),
      };
    })
    .sort(byString((r) => `${r.ruleName}|${r.location.label}|${r.evidence.id}`));
  const counts = new Map<string, number>();
  for (const r of rules) counts.set(r.compliance, (counts.get(r.compliance) ?? 0) + 1);
  const ruleCounts = ['NON_COMPLIANT', 'INSUFFICIENT_DATA', 'COMPLIANT', 'NOT_APPLICABLE']
    .filter((c) => counts.has(c))
    .map((c) => ({ compliance: c, count: counts.get(c)!, tone: complianceTone(c) }));

  const conformancePacks = ctx.state('config.conformance_pack').map((r) => {
    const p = r.content;
    const compliant = p.rules.filter((x) => x.compliance === 'COMPLIANT').length;
    const nonCompliant = p.rules.filter((x) => x.compliance === 'NON_COMPLIANT').length;
    return {
      location: ctx.locate.of(r.item),
      packName: p.packName,
      compliant,
      nonCompliant,
      other: p.rules.length - compliant - nonCompliant,
      rules: p.rules.map((x) => ({ ruleName: x.ruleName, compliance: x.compliance, tone: complianceTone(x.compliance), controls: x.controls.join(', ') })),
      evidence: ref(r.item),
    };
  });
  const nonCompliantResources = ctx
    .state('config.resource_compliance')
    .filter((r) => r.content.compliance === 'NON_COMPLIANT')
    .map((r) => ({
      location: ctx.locate.of(r.item),
      ruleName: r.content.ruleName,
      resourceType: r.content.resourceType,
      resourceId: r.content.resourceId,
      annotation: r.content.annotation,
      recorded: r.content.resultRecordedTime,
      evidence: ref(r.item),
    }))
    .sort(byString((r) => `${r.ruleName}|${r.location.label}|${r.resourceType}|${r.resourceId}`));
  return { ...head, recorders, ruleCounts, rules, conformancePacks, nonCompliantResources };
}

export function buildInherited(ctx: BuildContext): InheritedSection {
  const head = sectionHead(
    'inherited',
    'Controls AWS operates for the services in scope, evidenced by the AWS Artifact reports collected (the PDFs are kept in the evidence store; their SHA-256 is given).',
  );
  const reports = ctx
    .state('artifact.report')
    .map((r) => {
      const a = r.content;
      return {
        name: a.name,
        series: a.series ?? 'not reported',
        category: a.category ?? 'not reported',
        period: a.periodStart || a.periodEnd ? `${a.periodStart?.slice(0, 10) ?? '?'} to ${a.periodEnd?.slice(0, 10) ?? '?'}` : 'not reported',
        version: a.version === null ? 'not reported' : String(a.version),
        state: a.state ?? 'not reported',
        documentSha256: a.documentSha256 ?? 'not downloaded',
        reportId: a.reportId,
        evidence: ref(r.item),
      };
    })
    .sort(byString((r) => `${r.series}|${r.name}|${r.reportId}`));
  return { ...head, reports };
}
