import { collected, type Observation } from '../../evidence/observation.js';
import { toIsoInstant } from '../../util/time.js';
import { inputName } from '../cloudtrail/trail.js';
import { asArray, asRecord, field, optString, requireString, type NormalizeMeta } from '../types.js';
import { complianceType, configBase } from './common.js';

/** DescribeComplianceByConfigRule, with rule metadata from DescribeConfigRules when available. */
export function normalizeRuleCompliance(
  byRule: unknown,
  rules: unknown,
  meta: NormalizeMeta,
): Observation<'config.rule_compliance'>[] {
  const input = inputName(meta);
  const list = asArray(asRecord(byRule, input, 'DescribeComplianceByConfigRule output')['ComplianceByConfigRules'] ?? [], input, 'ComplianceByConfigRules');
  const definitions = (field(rules, 'ConfigRules') as unknown[] | undefined) ?? [];
  return list.map((entry, i) => {
    const where = `ComplianceByConfigRules[${i}]`;
    const rec = asRecord(entry, input, where);
    const ruleName = requireString(rec, 'ConfigRuleName', input, where);
    const compliance = field(rec, 'Compliance');
    const contributors = field(compliance, 'ComplianceContributorCount');
    const def = definitions.find((d) => field(d, 'ConfigRuleName') === ruleName);
    const owner = field(field(def, 'Source'), 'Owner');
    const sourceId = field(field(def, 'Source'), 'SourceIdentifier');
    const ruleArn = typeof field(def, 'ConfigRuleArn') === 'string' ? (field(def, 'ConfigRuleArn') as string) : null;
    const type = complianceType(field(compliance, 'ComplianceType'), input, `${where}.Compliance.ComplianceType`);
    const capped = field(contributors, 'CappedCount');
    return collected(configBase('config.rule_compliance', ruleArn ?? `config-rule/${ruleName}`, meta), {
      ruleName,
      ruleArn,
      sourceIdentifier: owner === 'AWS' && typeof sourceId === 'string' ? sourceId : null,
      owner: typeof owner === 'string' ? owner : null,
      description: def ? optString(def as Record<string, unknown>, 'Description') : null,
      compliance: type,
      nonCompliantResourceCount: type === 'NON_COMPLIANT' && typeof capped === 'number' ? capped : type === 'COMPLIANT' ? 0 : null,
      capExceeded: field(contributors, 'CapExceeded') === true,
    });
  });
}

/** GetComplianceDetailsByConfigRule: one item per evaluated resource. */
export function normalizeComplianceDetails(details: unknown, meta: NormalizeMeta): Observation<'config.resource_compliance'>[] {
  const input = inputName(meta);
  const list = asArray(asRecord(details, input, 'GetComplianceDetailsByConfigRule output')['EvaluationResults'] ?? [], input, 'EvaluationResults');
  return list.map((entry, i) => {
    const where = `EvaluationResults[${i}]`;
    const rec = asRecord(entry, input, where);
    const qualifier = asRecord(
      field(field(rec, 'EvaluationResultIdentifier'), 'EvaluationResultQualifier'),
      input,
      `${where}.EvaluationResultIdentifier.EvaluationResultQualifier`,
    );
    const ruleName = requireString(qualifier, 'ConfigRuleName', input, `${where}...EvaluationResultQualifier`);
    const resourceType = requireString(qualifier, 'ResourceType', input, `${where}...EvaluationResultQualifier`);
    const resourceId = requireString(qualifier, 'ResourceId', input, `${where}...EvaluationResultQualifier`);
    const recorded = rec['ResultRecordedTime'];
    return collected(configBase('config.resource_compliance', `${resourceType}/${resourceId}#${ruleName}`, meta), {
      ruleName,
      resourceType,
      resourceId,
      compliance: complianceType(rec['ComplianceType'], input, `${where}.ComplianceType`),
      annotation: optString(rec, 'Annotation'),
      resultRecordedTime: recorded === undefined || recorded === null ? null : toIsoInstant(recorded),
    });
  });
}

/** DescribeConformancePackCompliance: one item per pack. */
export function normalizeConformancePack(output: unknown, meta: NormalizeMeta): Observation<'config.conformance_pack'> {
  const input = inputName(meta);
  const rec = asRecord(output, input, 'DescribeConformancePackCompliance output');
  const packName = requireString(rec, 'ConformancePackName', input, 'DescribeConformancePackCompliance output');
  const list = asArray(rec['ConformancePackRuleComplianceList'] ?? [], input, 'ConformancePackRuleComplianceList');
  const rules = list.map((entry, i) => {
    const where = `ConformancePackRuleComplianceList[${i}]`;
    const r = asRecord(entry, input, where);
    const controls = field(r, 'Controls');
    return {
      ruleName: requireString(r, 'ConfigRuleName', input, where),
      compliance: complianceType(r['ComplianceType'], input, `${where}.ComplianceType`),
      controls: Array.isArray(controls) ? controls.filter((c): c is string => typeof c === 'string') : [],
    };
  });
  return collected(configBase('config.conformance_pack', `conformance-pack/${packName}`, meta), { packName, rules });
}
