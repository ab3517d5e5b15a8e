import type { EvidenceView, Rec } from '../evidence-view.js';
import { OutcomeBuilder, where } from '../outcome.js';
import type { RuleParams } from '../rule-kinds.js';
import type { RuleOutcome } from '../types.js';

/** When no SageMaker resource of a kind exists anywhere the collector looked, the rule does not apply. */
function sageMakerAbsent(ev: EvidenceView, out: OutcomeBuilder, kinds: readonly string[], what: string): RuleOutcome | null {
  const inventories = ev.pairs.map((p) => ev.inventory('sagemaker', p.account, p.region));
  const missing = ev.pairs.filter((_, i) => inventories[i] === null);
  const total = inventories.reduce((n, inv) => n + kinds.reduce((m, k) => m + (inv?.content.counts[k] ?? 0), 0), 0);
  if (total > 0) return null;
  if (missing.length > 0) {
    for (const m of missing) out.gap(`SageMaker was not collected in ${m.account}/${m.region}`);
    return out.finish();
  }
  return out.notApplicable(`no ${what} exist in any account/region in scope`, ...inventories.filter((i) => i !== null).map((i) => i.item)).finish();
}

/**
 * The lineage graph of an endpoint. SageMaker tracks an endpoint in lineage as a context named after it
 * (`context/<endpoint-name>`, sometimes with a generated suffix), not under the endpoint ARN itself.
 */
function endpointLineage(ev: EvidenceView, endpoint: Rec<'sagemaker.endpoint'>): Rec<'sagemaker.lineage'> | undefined {
  const arn = endpoint.content.arn.toLowerCase();
  const name = endpoint.content.name.toLowerCase();
  const suffixed = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-z-]*endpoint$`);
  const candidates = ev.state('sagemaker.lineage').filter((l) => l.item.account === endpoint.item.account && l.item.region === endpoint.item.region);
  const segment = (a: string): string => a.toLowerCase().slice(a.lastIndexOf('/') + 1);
  const startType = (l: Rec<'sagemaker.lineage'>): string | undefined => l.content.vertices.find((v) => v.arn === l.content.startArn)?.type;
  return (
    candidates.find((l) => l.content.startArn.toLowerCase() === arn) ??
    candidates.find((l) => startType(l) === 'Endpoint' && segment(l.content.startArn) === name) ??
    candidates.find((l) => startType(l) === 'Endpoint' && suffixed.test(segment(l.content.startArn)))
  );
}

export function modelCardsApproved(p: RuleParams<'model_cards_approved'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['sagemaker.model_card', 'sagemaker.model_package']));
  const cards = ev.state('sagemaker.model_card');
  const packages = ev.state('sagemaker.model_package');
  if (cards.length === 0 && packages.length === 0) {
    const absent = sageMakerAbsent(ev, out, ['sagemaker.model_card', 'sagemaker.model_package'], 'model cards or model packages');
    if (absent) return absent;
  }
  for (const c of cards) {
    const card = c.content;
    const problems: string[] = [];
    if (card.status !== 'Approved') problems.push(`status is ${card.status}`);
    if (p.requireIntendedUse && !card.intendedUses) problems.push('no intended use');
    if (p.requireRiskRating && (!card.riskRating || card.riskRating === 'Unknown')) problems.push(`risk rating is ${card.riskRating ?? 'missing'}`);
    if (card.schemaErrors.length > 0) problems.push(`content violates the model-card schema (${card.schemaErrors.length} problem(s))`);
    if (problems.length > 0) out.exception(`model card ${card.name} (${where(c.item)}): ${problems.join('; ')}`, c.item);
    else out.ok(`model card ${card.name} is Approved with intended use and risk rating ${card.riskRating}`, c.item);
  }
  for (const pkg of packages.filter((x) => x.content.approvalStatus === 'Approved')) {
    const group = pkg.content.groupName?.toLowerCase();
    const card = cards.find(
      (c) =>
        (c.content.modelPackageArn !== null && c.content.modelPackageArn === pkg.content.arn) ||
        (pkg.content.modelCardName !== null && c.content.name === pkg.content.modelCardName) ||
        (group !== undefined && c.content.name.toLowerCase().startsWith(group)),
    );
    if (!card) out.exception(`approved model package ${pkg.content.arn} has no model card`, pkg.item);
    else out.use(pkg.item);
  }
  return out.finish();
}

export function deployedModelsApproved(_p: RuleParams<'deployed_models_approved'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['sagemaker.endpoint', 'sagemaker.model_package']));
  const endpoints = ev.state('sagemaker.endpoint');
  if (endpoints.length === 0) {
    const absent = sageMakerAbsent(ev, out, ['sagemaker.endpoint'], 'SageMaker endpoints');
    if (absent) return absent;
  }
  const packages = ev.state('sagemaker.model_package');
  for (const e of endpoints) {
    const lineage = endpointLineage(ev, e);
    const arns = new Set(e.content.modelPackageArns.map((a) => a.toLowerCase()));
    for (const v of lineage?.content.vertices ?? []) if (v.type === 'ModelPackage') arns.add(v.arn.toLowerCase());
    if (arns.size === 0) {
      out.gap(`endpoint ${e.content.name} (${where(e.item)}) cannot be traced to a model package`, e.item, ...(lineage ? [lineage.item] : []));
      continue;
    }
    for (const arn of arns) {
      const pkg = packages.find((p) => p.content.arn.toLowerCase() === arn);
      if (!pkg) out.gap(`endpoint ${e.content.name} serves model package ${arn}, which was not collected`, e.item);
      else if (pkg.content.approvalStatus === 'Approved') {
        out.ok(`endpoint ${e.content.name} serves ${pkg.content.arn}, approved${pkg.content.approvedBy ? ` by ${pkg.content.approvedBy}` : ''}`, e.item, pkg.item);
      } else out.exception(`endpoint ${e.content.name} (${where(e.item)}) serves model package ${pkg.content.arn} whose status is ${pkg.content.approvalStatus ?? 'unknown'}`, e.item, pkg.item);
      if (lineage) out.use(lineage.item);
    }
  }
  return out.finish();
}

export function lineageComplete(_p: RuleParams<'lineage_complete'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['sagemaker.lineage', 'sagemaker.endpoint']));
  const endpoints = ev.state('sagemaker.endpoint');
  if (endpoints.length === 0) {
    const absent = sageMakerAbsent(ev, out, ['sagemaker.endpoint'], 'deployed models (endpoints)');
    if (absent) return absent;
  }
  for (const e of endpoints) {
    const lineage = endpointLineage(ev, e);
    if (!lineage) out.gap(`no lineage evidence for endpoint ${e.content.name} (${where(e.item)})`, e.item);
    else if (!lineage.content.reachesDataset) out.exception(`endpoint ${e.content.name} (${where(e.item)}) has no traceable training dataset`, e.item, lineage.item);
    else {
      const datasets = lineage.content.vertices.filter((v) => v.type === 'Dataset').map((v) => v.uri ?? v.arn);
      out.ok(`endpoint ${e.content.name} traces back to ${datasets.join(', ')}`, e.item, lineage.item);
    }
  }
  return out.finish();
}

export function endpointsEncrypted(p: RuleParams<'endpoints_encrypted'>, ev: EvidenceView): RuleOutcome {
  const out = new OutcomeBuilder().collectionErrors(ev.gaps(['sagemaker.endpoint']));
  const endpoints = ev.state('sagemaker.endpoint');
  if (endpoints.length === 0) {
    const absent = sageMakerAbsent(ev, out, ['sagemaker.endpoint'], 'SageMaker endpoints');
    if (absent) return absent;
  }
  for (const e of endpoints) {
    const c = e.content;
    if (c.kmsKeyId === null) out.exception(`endpoint ${c.name} (${where(e.item)}) has no KMS key on its endpoint configuration`, e.item);
    else if (p.requireDataCapture && c.dataCaptureEnabled !== true) {
      if (c.dataCaptureEnabled === null) out.gap(`endpoint ${c.name}: data capture setting unknown`, e.item);
      else out.exception(`endpoint ${c.name} (${where(e.item)}) does not capture inference data`, e.item);
    } else out.ok(`endpoint ${c.name} encrypts with ${c.kmsKeyId}${c.dataCaptureEnabled ? ' and captures data' : ''}`, e.item);
  }
  return out.finish();
}
