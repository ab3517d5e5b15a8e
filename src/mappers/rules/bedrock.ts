import type { EvidenceView } from '../evidence-view.js';
import { OutcomeBuilder, where } from '../outcome.js';
import type { RuleParams } from '../rule-kinds.js';
import type { RuleOutcome } from '../types.js';

const INVOKE = /\|bedrock(?:-runtime)?\.amazonaws\.com\|(InvokeModel|InvokeModelWithResponseStream|Converse|ConverseStream)$/;

/** Account/region pairs where Bedrock models were invoked in the period, from invocation logs or CloudTrail. */
export function invocationRegions(ev: EvidenceView): Map<string, { account: string; region: string; count: number; source: string }> {
  const out = new Map<string, { account: string; region: string; count: number; source: string }>();
  const add = (account: string, region: string, count: number, source: string): void => {
    const key = `${account}/${region}`;
    const prev = out.get(key);
    if (!prev || prev.count < count) out.set(key, { account, region, count, source });
  };
  const logs = new Map<string, number>();
  for (const s of ev.during('bedrock.invocation_summary')) {
    const key = `${s.item.account}|${s.item.region}`;
    logs.set(key, (logs.get(key) ?? 0) + s.content.records);
  }
  for (const [key, n] of logs) if (n > 0) add(key.split('|')[0]!, key.split('|')[1]!, n, 'invocation logs');
  const trail = new Map<string, number>();
  for (const a of ev.during('cloudtrail.activity')) {
    const n = Object.entries(a.content.aiCalls).reduce((sum, [k, v]) => sum + (INVOKE.test(k) ? v : 0), 0);
    if (n > 0) trail.set(`${a.item.account}|${a.item.region}`, (trail.get(`${a.item.account}|${a.item.region}`) ?? 0) + n);
  }
  for (const [key, n] of trail) add(key.split('|')[0]!, key.split('|')[1]!, n, 'CloudTrail');
  return out;
}

export function invocationLoggingEnabled(p: RuleParams<'invocation_logging_enabled'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['bedrock.logging_config']));
  const configs = ev.state('bedrock.logging_config');
  const used = invocationRegions(ev);
  if (used.size === 0) {
    if (ev.during('cloudtrail.activity').length > 0) return out.notApplicable(`no Bedrock model invocations observed in ${ev.periodLabel}`).finish();
    return out.gap('no CloudTrail activity or invocation logs to tell whether Bedrock models are invoked').finish();
  }
  for (const u of [...used.values()].sort((a, b) => (`${a.account}/${a.region}` < `${b.account}/${b.region}` ? -1 : 1))) {
    const cfg = configs.find((c) => c.item.account === u.account && c.item.region === u.region);
    const seen = `${u.count} invocation(s) seen in ${u.source}`;
    if (!cfg) out.gap(`invocation logging configuration of ${u.account}/${u.region} was not collected (${seen})`);
    else if (!cfg.content.enabled) out.exception(`model invocation logging is OFF in ${where(cfg.item)} where models are invoked (${seen})`, cfg.item);
    else if (p.requireTextDelivery && cfg.content.textDataDeliveryEnabled !== true) {
      out.exception(`model invocation logging in ${where(cfg.item)} does not deliver text data`, cfg.item);
    } else {
      const dest = [cfg.content.cloudWatch ? `CloudWatch Logs ${cfg.content.cloudWatch.logGroupName}` : null, cfg.content.s3 ? `s3://${cfg.content.s3.bucketName}` : null]
        .filter(Boolean)
        .join(' and ');
      out.ok(`model invocation logging is on in ${where(cfg.item)} to ${dest} (${seen})`, cfg.item);
    }
  }
  return out.finish();
}

export function guardrailsPiiConfigured(_p: RuleParams<'guardrails_pii_configured'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['bedrock.guardrail']));
  const guardrails = ev.state('bedrock.guardrail');
  const used = invocationRegions(ev);
  if (used.size === 0) {
    if (ev.during('cloudtrail.activity').length > 0) return out.notApplicable(`no Bedrock model invocations observed in ${ev.periodLabel}`).finish();
    return out.gap('no evidence to tell whether Bedrock models are invoked').finish();
  }
  for (const u of used.values()) {
    const here = guardrails.filter((g) => g.item.account === u.account && g.item.region === u.region);
    const withPii = here.filter((g) => g.content.piiEntities.some((e) => e.action === 'BLOCK' || e.action === 'ANONYMIZE'));
    if (withPii.length > 0) {
      out.ok(`${u.account}/${u.region}: guardrail ${withPii.map((g) => g.content.name).join(', ')} filters ${withPii[0]!.content.piiEntities.length} PII entity types`, ...withPii.map((g) => g.item));
    } else if (here.length > 0) {
      out.exception(`${u.account}/${u.region}: guardrails ${here.map((g) => g.content.name).join(', ')} have no PII filter that blocks or anonymizes`, ...here.map((g) => g.item));
    } else {
      const inv = ev.inventory('bedrock', u.account, u.region);
      if (inv) out.exception(`${u.account}/${u.region}: models are invoked but no Bedrock guardrail exists`, inv.item);
      else out.gap(`${u.account}/${u.region}: Bedrock guardrails were not collected`);
    }
  }
  return out.finish();
}

export function invocationPiiGuarded(_p: RuleParams<'invocation_pii_guarded'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['bedrock.invocation_summary']));
  const summaries = ev.during('bedrock.invocation_summary');
  const byPair = new Map<string, { unguarded: number; records: number; ids: { id: string }[] }>();
  for (const s of summaries) {
    const key = where(s.item);
    const agg = byPair.get(key) ?? { unguarded: 0, records: 0, ids: [] };
    agg.unguarded += s.content.piiUnguardedRecords;
    agg.records += s.content.records;
    if (s.content.piiUnguardedRecords > 0) agg.ids.push(s.item);
    byPair.set(key, agg);
  }
  if (byPair.size === 0) {
    if (invocationRegions(ev).size === 0 && ev.during('cloudtrail.activity').length > 0) return out.notApplicable('no Bedrock model invocations observed').finish();
    return out.gap(`no Bedrock invocation logs for ${ev.periodLabel}: whether prompts with personal data were guarded cannot be shown`).finish();
  }
  for (const [pair, agg] of [...byPair].sort()) {
    if (agg.unguarded > 0) out.exception(`${pair}: ${agg.unguarded} of ${agg.records} invocation(s) carried personal data with no guardrail intervention`, ...agg.ids);
    else out.ok(`${pair}: no personal data passed unguarded in ${agg.records} logged invocation(s)`);
  }
  for (const s of summaries) out.use(s.item);
  return out.finish();
}
