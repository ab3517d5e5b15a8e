import type { EvidenceView } from '../evidence-view.js';
import { OutcomeBuilder, listSome, where } from '../outcome.js';
import type { RuleParams } from '../rule-kinds.js';
import type { RuleOutcome } from '../types.js';

const norm = (s: string): string => s.toLowerCase().replace(/[_\s]+/g, '-');

export function configRulesCompliant(p: RuleParams<'config_rules_compliant'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['config.rule_compliance', 'config.resource_compliance']));
  const wanted = new Set(p.rules.map(norm));
  const all = ev.state('config.rule_compliance');
  const matched = all.filter((r) => wanted.has(norm(r.content.ruleName)) || (r.content.sourceIdentifier !== null && wanted.has(norm(r.content.sourceIdentifier))));
  const details = ev.state('config.resource_compliance');
  for (const r of ev.stale('config.rule_compliance')) {
    if (wanted.has(norm(r.content.ruleName))) out.gap(`compliance of rule ${r.content.ruleName} in ${where(r.item)} is stale`, r.item);
  }
  for (const r of matched) {
    const c = r.content;
    if (c.compliance === 'NON_COMPLIANT') {
      const bad = details.filter((d) => d.item.account === r.item.account && d.item.region === r.item.region && d.content.ruleName === c.ruleName && d.content.compliance === 'NON_COMPLIANT');
      const count = c.nonCompliantResourceCount ?? bad.length;
      const names = bad.map((d) => `${d.content.resourceType} ${d.content.resourceId}`);
      out.exception(
        `AWS Config rule ${c.ruleName} is NON_COMPLIANT in ${where(r.item)} (${count}${c.capExceeded ? '+' : ''} resource${count === 1 ? '' : 's'}${names.length ? ': ' + listSome(names) : ''})`,
        r.item,
        ...bad.map((d) => d.item),
      );
    } else if (c.compliance === 'INSUFFICIENT_DATA') {
      // Rules on global resources (IAM) are evaluated in one region; elsewhere AWS reports insufficient data.
      const evaluatedElsewhere = matched.some(
        (o) => o !== r && o.item.account === r.item.account && o.content.ruleName === c.ruleName && (o.content.compliance === 'COMPLIANT' || o.content.compliance === 'NON_COMPLIANT'),
      );
      if (evaluatedElsewhere) out.note(`AWS Config rule ${c.ruleName} has no data in ${where(r.item)} (evaluated in another region of the account)`, r.item);
      else out.gap(`AWS Config rule ${c.ruleName} has insufficient data in ${where(r.item)}`, r.item);
    } else {
      out.ok(`AWS Config rule ${c.ruleName} is ${c.compliance} in ${where(r.item)}`, r.item);
    }
  }
  for (const account of ev.accounts) {
    if (!matched.some((r) => r.item.account === account)) {
      out.gap(`none of the expected AWS Config rules (${listSome(p.rules)}) is evaluated in account ${account}`);
    }
  }
  if (p.require === 'all') {
    for (const rule of p.rules) {
      const hit = matched.some((r) => norm(r.content.ruleName) === norm(rule) || (r.content.sourceIdentifier && norm(r.content.sourceIdentifier) === norm(rule)));
      if (!hit) out.gap(`AWS Config rule ${rule} is not deployed in scope`);
    }
  }
  return out.finish();
}

export function configRecorderOn(_p: RuleParams<'config_recorder_on'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['config.recorder']));
  const recorders = ev.state('config.recorder');
  for (const { account, region } of ev.pairs) {
    const here = recorders.filter((r) => r.item.account === account && r.item.region === region);
    if (here.length === 0) {
      const inv = ev.inventory('config', account, region);
      if (inv) out.exception(`no AWS Config configuration recorder in ${account}/${region}`, inv.item);
      else out.gap(`AWS Config was not collected in ${account}/${region}`);
      continue;
    }
    for (const r of here) {
      if (r.content.recording) out.ok(`recorder ${r.content.name} is recording in ${account}/${region}`, r.item);
      else out.exception(`recorder ${r.content.name} is not recording in ${account}/${region} (last status ${r.content.lastStatus ?? 'unknown'})`, r.item);
    }
  }
  return out.finish();
}

export function conformancePackCompliant(p: RuleParams<'conformance_pack_compliant'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['config.conformance_pack']));
  const wanted = p.packs?.map((s) => s.toLowerCase());
  const packs = ev.state('config.conformance_pack').filter((r) => !wanted || wanted.some((w) => r.content.packName.toLowerCase().includes(w)));
  if (packs.length === 0) out.gap(wanted ? `no conformance pack matching ${listSome(p.packs ?? [])} in scope` : 'no conformance pack in scope');
  for (const r of packs) {
    const bad = r.content.rules.filter((x) => x.compliance === 'NON_COMPLIANT').map((x) => x.ruleName);
    const unknown = r.content.rules.filter((x) => x.compliance === 'INSUFFICIENT_DATA').map((x) => x.ruleName);
    if (bad.length > 0) out.exception(`conformance pack ${r.content.packName} in ${where(r.item)}: ${bad.length} non-compliant rule(s): ${listSome(bad)}`, r.item);
    else if (unknown.length > 0) out.gap(`conformance pack ${r.content.packName} in ${where(r.item)}: insufficient data for ${listSome(unknown)}`, r.item);
    else out.ok(`conformance pack ${r.content.packName} in ${where(r.item)}: all ${r.content.rules.length} rules compliant`, r.item);
  }
  return out.finish();
}

export function resourceConfiguration(p: RuleParams<'resource_configuration'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['config.configuration_item']));
  const all = ev.state('config.configuration_item');
  const items = all.filter((r) => r.content.resourceType === p.resourceType && !/Deleted/.test(r.content.status ?? ''));
  if (all.length === 0) return out.gap('no AWS Config configuration items in scope').finish();
  if (items.length === 0) return out.notApplicable(`no ${p.resourceType} resources are recorded in scope`).finish();
  for (const r of items) {
    const value = readPath(r.content, p.path);
    const name = r.content.resourceName ?? r.content.resourceId;
    if (value === undefined || value === null) out.gap(`${p.resourceType} ${name} (${where(r.item)}): ${p.path} is not recorded`, r.item);
    else if (p.equals !== undefined ? value === p.equals : Boolean(value)) out.ok(`${p.resourceType} ${name}: ${p.description}`, r.item);
    else out.exception(`${p.resourceType} ${name} (${where(r.item)}): ${p.description} is not met (${p.path} = ${JSON.stringify(value)})`, r.item);
  }
  return out.finish();
}

function readPath(root: unknown, dotted: string): unknown {
  let cur: unknown = root;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
