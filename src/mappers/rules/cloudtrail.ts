import type { EvidenceView } from '../evidence-view.js';
import { OutcomeBuilder, listSome, where } from '../outcome.js';
import type { RuleParams } from '../rule-kinds.js';
import type { RuleOutcome } from '../types.js';

export function cloudTrailTrail(p: RuleParams<'cloudtrail_trail'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['cloudtrail.trail']));
  const trails = ev.state('cloudtrail.trail');
  for (const r of ev.stale('cloudtrail.trail')) out.gap(`settings of trail ${r.content.name} (${where(r.item)}) are stale`, r.item);
  const required: [string, (t: (typeof trails)[number]['content']) => boolean | undefined][] = [['logging', (t) => t.isLogging]];
  if (p.multiRegion) required.push(['multi-region', (t) => t.isMultiRegion]);
  if (p.logFileValidation) required.push(['log file validation', (t) => t.logFileValidationEnabled]);
  if (p.kmsEncrypted) required.push(['KMS encryption', (t) => (t.kmsKeyId === undefined ? undefined : t.kmsKeyId !== null)]);
  if (p.cloudWatchLogs) required.push(['CloudWatch Logs delivery', (t) => (t.cloudWatchLogsLogGroupArn === undefined ? undefined : t.cloudWatchLogsLogGroupArn !== null)]);
  if (p.s3DataEvents) required.push(['S3 data events', (t) => t.dataEvents?.s3]);
  const label = required.map(([n]) => n).join(', ');

  const orgTrail = trails.find((t) => t.content.isOrganizationTrail === true && required.every(([, f]) => f(t.content) === true));
  for (const account of ev.accounts) {
    if (orgTrail && orgTrail.item.account !== account) {
      out.ok(`account ${account} is covered by organization trail ${orgTrail.content.name} (${label})`, orgTrail.item);
      continue;
    }
    const mine = trails.filter((t) => t.item.account === account);
    if (mine.length === 0) {
      const inv = ev.regions.map((region) => ev.inventory('cloudtrail', account, region)).find((x) => x !== null);
      if (inv) out.exception(`account ${account} has no CloudTrail trail`, inv.item);
      else out.gap(`CloudTrail trails were not collected for account ${account}`);
      continue;
    }
    const good = mine.find((t) => required.every(([, f]) => f(t.content) === true));
    if (good) {
      out.ok(`trail ${good.content.name} in account ${account} has ${label}`, good.item);
      continue;
    }
    for (const t of mine) {
      const missing = required.filter(([, f]) => f(t.content) === false).map(([n]) => n);
      const unknown = required.filter(([, f]) => f(t.content) === undefined).map(([n]) => n);
      if (missing.length > 0) out.exception(`trail ${t.content.name} in ${where(t.item)} lacks ${missing.join(', ')}`, t.item);
      else out.gap(`trail ${t.content.name} in ${where(t.item)}: ${unknown.join(', ')} not known from the evidence`, t.item);
    }
  }
  return out.finish();
}

export function cloudTrailDeliveryContinuous(p: RuleParams<'cloudtrail_delivery_continuous'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['cloudtrail.activity']));
  const activity = ev.during('cloudtrail.activity');
  const { start, end, assessed } = ev.periodBounds;
  const days: string[] = [];
  for (let t = start; t < Math.min(end, assessed); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  for (const { account, region } of ev.pairs) {
    const here = activity.filter((a) => a.item.account === account && a.item.region === region);
    const covered = new Set(here.map((a) => a.content.day));
    const missing = days.filter((d) => !covered.has(d));
    const events = here.reduce((n, a) => n + a.content.totalEvents, 0);
    out.use(...here.map((a) => a.item));
    if (here.length === 0) out.gap(`no CloudTrail log files for ${account}/${region} in ${ev.periodLabel}`);
    else if (missing.length > p.maxMissingDays) {
      out.gap(`CloudTrail logs for ${account}/${region} are missing ${missing.length} day(s) of ${ev.periodLabel}: ${listSome(missing)}`);
    } else out.ok(`CloudTrail logs delivered for ${days.length - missing.length}/${days.length} days in ${account}/${region} (${here.length} files, ${events} events)`);
  }
  return out.finish();
}

export function noSensitiveChanges(p: RuleParams<'no_sensitive_changes'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['cloudtrail.event', 'cloudtrail.activity']));
  const wanted = new Set<string>(p.categories);
  const events = ev.during('cloudtrail.event').filter((e) => e.content.categories.some((c) => wanted.has(c)));
  const activity = ev.during('cloudtrail.activity');
  for (const e of events) {
    const c = e.content;
    const who = c.principal.arn ?? c.principal.type;
    const what = `${c.eventSource.replace('.amazonaws.com', '')}:${c.eventName}${c.target ? ` (${c.target})` : ''}`;
    if (c.errorCode) out.note(`attempted ${what} by ${who} at ${c.eventTime} failed with ${c.errorCode}`, e.item);
    else if (c.categories.every((cat) => cat === 'model_approval' || !wanted.has(cat))) {
      // An approval is the control working (a recorded decision by a named approver), not an unapproved change.
      out.ok(`approval recorded: ${what} by ${who} at ${c.eventTime}`, e.item);
    } else out.exception(`${what} by ${who} at ${c.eventTime} in ${where(e.item)}`, e.item);
  }
  for (const { account, region } of ev.pairs) {
    if (!activity.some((a) => a.item.account === account && a.item.region === region)) {
      out.gap(`no CloudTrail activity evidence for ${account}/${region} in ${ev.periodLabel}: absence of changes cannot be shown`);
    }
  }
  if (events.every((e) => e.content.errorCode || e.content.categories.includes('model_approval'))) {
    out.ok(`no successful ${listSome(p.categories.filter((c) => c !== 'model_approval'))} events in ${ev.periodLabel}`);
  }
  return out.finish();
}
