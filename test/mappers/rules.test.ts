import { describe, expect, it } from 'vitest';
import { EvidenceView } from '../../src/mappers/evidence-view.js';
import { RULE_KINDS, type RuleKindId } from '../../src/mappers/rule-kinds.js';
import { RULE_EVALUATORS } from '../../src/mappers/rules/index.js';
import type { AssessOptions, EvidenceRecord, RuleStatus } from '../../src/mappers/types.js';
import { DEV, EU, PROD, US, activity, day, errorRec, inventory, octoberDays, options, rec } from '../fixtures/evidence/builders.js';

interface Case {
  name: string;
  rule: RuleKindId;
  params?: Record<string, unknown>;
  records: EvidenceRecord[];
  opts?: Partial<AssessOptions>;
  status: RuleStatus;
  reason?: RegExp;
}

const trail = (over: Record<string, unknown> = {}, w = {}) =>
  rec('cloudtrail.trail', { name: 'org-audit-trail', isMultiRegion: true, logFileValidationEnabled: true, kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k', isLogging: true, ...over }, w);
const rule = (ruleName: string, compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA', w = {}) =>
  rec('config.rule_compliance', { ruleName, ruleArn: null, sourceIdentifier: ruleName.toUpperCase().replace(/-/g, '_'), owner: 'AWS', description: null, compliance, nonCompliantResourceCount: compliance === 'NON_COMPLIANT' ? 1 : 0, capExceeded: false }, { resource: `config-rule/${ruleName}`, ...w });
const fullOctober = (w = {}) => octoberDays().map((d) => activity(d, {}, w));
const event = (eventName: string, categories: ('logging_change' | 'guardrail_change' | 'key_change')[], errorCode: string | null = null, at = '2026-10-21T14:05:00.000Z') =>
  rec('cloudtrail.event', {
    eventId: `e-${eventName}-${errorCode ?? 'ok'}`, eventTime: at, eventSource: 'bedrock.amazonaws.com', eventName, awsRegion: EU, eventType: 'AwsApiCall', readOnly: false,
    principal: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/ariel', accountId: PROD, issuerArn: null },
    sourceIPAddress: null, userAgent: null, errorCode, errorMessage: null, categories, target: null, requestParameters: null,
  }, { at });
const logging = (enabled: boolean, w = {}) =>
  rec('bedrock.logging_config', { enabled, cloudWatch: enabled ? { logGroupName: 'bedrock', roleArn: null } : null, s3: null, textDataDeliveryEnabled: enabled ? true : null, imageDataDeliveryEnabled: null, embeddingDataDeliveryEnabled: null, videoDataDeliveryEnabled: null }, { collector: 'bedrock', ...w });
const invocations = (records: number, unguarded: number, w = {}) =>
  rec('bedrock.invocation_summary', { day: '2026-10-05', records, errors: 0, byIdentityModel: {}, guardrailInterventions: 0, piiDetections: {}, piiUnguardedRecords: unguarded, samples: [] }, { collector: 'bedrock', window: day('2026-10-05'), ...w });
const endpoint = (name: string, kms: string | null, w = {}) =>
  rec('sagemaker.endpoint', { name, arn: `arn:aws:sagemaker:eu-west-1:111122223333:endpoint/${name}`, status: 'InService', configName: `${name}-config`, kmsKeyId: kms, dataCaptureEnabled: true, modelNames: [], modelPackageArns: [] }, w);
const pkgArn = 'arn:aws:sagemaker:eu-west-1:111122223333:model-package/credit-risk/3';
const lineage = (name: string, reaches: boolean) =>
  rec('sagemaker.lineage', {
    startArn: `arn:aws:sagemaker:eu-west-1:111122223333:endpoint/${name}`,
    vertices: [
      { arn: `arn:aws:sagemaker:eu-west-1:111122223333:endpoint/${name}`, type: 'Endpoint', awsType: null, uri: null, sha256: null },
      { arn: pkgArn, type: 'ModelPackage', awsType: null, uri: null, sha256: null },
      ...(reaches ? [{ arn: 'arn:aws:sagemaker:eu-west-1:111122223333:artifact/ds', type: 'Dataset' as const, awsType: 'DataSet', uri: 's3://data/train/', sha256: null }] : []),
    ],
    edges: [],
    reachesDataset: reaches,
  }, { resource: `lineage/${name}` });
const contextLineage = (name: string) =>
  rec('sagemaker.lineage', {
    startArn: `arn:aws:sagemaker:eu-west-1:111122223333:context/${name}`,
    vertices: [
      { arn: `arn:aws:sagemaker:eu-west-1:111122223333:context/${name}`, type: 'Endpoint', awsType: 'Endpoint', uri: null, sha256: null },
      { arn: 'arn:aws:sagemaker:eu-west-1:111122223333:artifact/ds', type: 'Dataset', awsType: 'DataSet', uri: 's3://data/train/', sha256: null },
    ],
    edges: [],
    reachesDataset: true,
  }, { resource: `lineage-context/${name}` });
const approval = rec('cloudtrail.event', {
  eventId: 'e-approve', eventTime: '2026-10-09T10:41:27.000Z', eventSource: 'sagemaker.amazonaws.com', eventName: 'UpdateModelPackage', awsRegion: EU, eventType: 'AwsApiCall', readOnly: false,
  principal: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/MLApprover/dana.kim', accountId: PROD, issuerArn: null },
  sourceIPAddress: null, userAgent: null, errorCode: null, errorMessage: null, categories: ['ai', 'model_approval'], target: 'modelPackageArn=x', requestParameters: null,
}, { at: '2026-10-09T10:41:27.000Z' });
const pkg = (status: 'Approved' | 'PendingManualApproval') =>
  rec('sagemaker.model_package', { arn: pkgArn, groupName: 'credit-risk', version: 3, approvalStatus: status, approvalDescription: null, approvedBy: status === 'Approved' ? 'dana.kim' : null, creationTime: null, modelDataUrl: null, metrics: [], biasReportUris: [], modelCardName: null }, { resource: pkgArn });
const card = (status: 'Approved' | 'Draft', riskRating: 'Medium' | null) =>
  rec('sagemaker.model_card', { name: 'credit-risk-v3', arn: null, version: 1, status, createdBy: null, lastModifiedBy: null, lastModifiedTime: null, schemaErrors: [], modelId: null, modelName: null, description: null, intendedUses: 'credit decisions support', riskRating, riskExplanation: null, problemType: null, trainingObservations: null, ethicalConsiderations: null, caveatsAndRecommendations: null, evaluationMetrics: [], modelPackageArn: pkgArn });
const bias = (di: number) =>
  rec('clarify.bias_report', { subject: 'credit-risk', label: 'fraud', labelValueOrThreshold: '1', origin: 'clarify', metrics: [{ stage: 'post_training', facet: 'gender', facetValue: '1', name: 'DI', value: di, error: null }] });
const report = (name: string, periodEnd: string) =>
  rec('artifact.report', { reportId: 'report-abcdefghijklmnop', name, version: 1, series: 'SOC', category: null, companyName: 'AWS', productName: null, periodStart: '2025-10-01T00:00:00.000Z', periodEnd, state: 'PUBLISHED', description: null, documentSha256: null }, { collector: 'artifact', region: 'global' });

const cases: Case[] = [
  { name: 'trail with every setting', rule: 'cloudtrail_trail', params: { multiRegion: true, logFileValidation: true, kmsEncrypted: true }, records: [trail()], status: 'satisfied' },
  { name: 'trail without validation', rule: 'cloudtrail_trail', params: { logFileValidation: true }, records: [trail({ logFileValidationEnabled: false })], status: 'exception', reason: /lacks log file validation/ },
  { name: 'trail settings unknown', rule: 'cloudtrail_trail', params: { kmsEncrypted: true }, records: [trail({ kmsKeyId: undefined })], status: 'gap', reason: /not known/ },
  { name: 'trail not collected', rule: 'cloudtrail_trail', records: [], status: 'gap', reason: /not collected/ },
  { name: 'no trail, collector ran', rule: 'cloudtrail_trail', records: [inventory('cloudtrail', { 'cloudtrail.trail': 0 })], status: 'exception', reason: /no CloudTrail trail/ },
  { name: 'stale trail evidence', rule: 'cloudtrail_trail', records: [trail({}, { at: '2026-08-01T00:00:00.000Z' })], status: 'gap', reason: /stale/ },
  { name: 'collection error is a gap', rule: 'cloudtrail_trail', records: [trail(), errorRec('cloudtrail.trail', 'AccessDenied', 'cloudtrail:DescribeTrails: denied', { at: '2026-11-01T06:00:00.000Z' })], status: 'gap', reason: /AccessDenied/ },
  { name: 'error superseded by a later success of the same resource', rule: 'cloudtrail_trail', records: [trail({}, { at: '2026-11-01T08:00:00.000Z', resource: 'trail/t' }), errorRec('cloudtrail.trail', 'AccessDenied', 'denied', { at: '2026-11-01T06:00:00.000Z', resource: 'trail/t' })], status: 'satisfied' },
  { name: 'another resource collected in the same run does not hide an error', rule: 'cloudtrail_trail', records: [trail({}, { at: '2026-11-01T08:00:00.000Z', resource: 'trail/a' }), errorRec('cloudtrail.trail', 'AccessDenied', 'denied', { at: '2026-11-01T00:00:00.000Z', resource: 'trail/b' })], status: 'gap', reason: /AccessDenied/ },
  {
    name: 'a failed listing is superseded by a later day\'s inventory that counted the kind',
    rule: 'cloudtrail_trail',
    records: [trail({}, { at: '2026-11-01T08:00:00.000Z' }), errorRec('cloudtrail.trail', 'AccessDenied', 'cloudtrail:DescribeTrails: denied', { at: '2026-10-30T00:00:00.000Z', resource: 'cloudtrail:DescribeTrails', collector: 'cloudtrail' }), inventory('cloudtrail', { 'cloudtrail.trail': 1 }, { collector: 'cloudtrail', at: '2026-11-01T08:00:00.000Z' })],
    status: 'satisfied',
  },
  { name: 'an error older than the freshness window ages out', rule: 'cloudtrail_trail', records: [trail(), errorRec('cloudtrail.trail', 'AccessDenied', 'denied', { at: '2026-08-01T00:00:00.000Z' })], status: 'satisfied' },
  { name: 'every day delivered', rule: 'cloudtrail_delivery_continuous', records: fullOctober(), status: 'satisfied', reason: /31\/31 days/ },
  { name: 'two days missing', rule: 'cloudtrail_delivery_continuous', records: fullOctober().filter((_, i) => i !== 16 && i !== 17), status: 'gap', reason: /missing 2 day\(s\).*2026-10-17, 2026-10-18/ },
  { name: 'a corrupt log file is a gap', rule: 'cloudtrail_delivery_continuous', records: [...fullOctober(), errorRec('cloudtrail.activity', 'CorruptGzip', 'x.json.gz: gzip data is truncated', { window: day('2026-10-09'), resource: 'AWSLogs/bad.json.gz' })], status: 'gap', reason: /CorruptGzip/ },
  { name: 'successful logging deletion', rule: 'no_sensitive_changes', params: { categories: ['logging_change'] }, records: [...fullOctober(), event('DeleteModelInvocationLoggingConfiguration', ['logging_change'])], status: 'exception', reason: /DeleteModelInvocationLoggingConfiguration by arn:aws:sts::111122223333:assumed-role\/Admin\/ariel/ },
  { name: 'failed attempt is only a note', rule: 'no_sensitive_changes', params: { categories: ['logging_change'] }, records: [...fullOctober(), event('StopLogging', ['logging_change'], 'AccessDenied')], status: 'satisfied', reason: /failed with AccessDenied/ },
  { name: 'a model approval is recorded, not an exception', rule: 'no_sensitive_changes', params: { categories: ['model_approval', 'logging_change'] }, records: [...fullOctober(), approval], status: 'satisfied', reason: /approval recorded: sagemaker:UpdateModelPackage .* by arn:aws:sts::111122223333:assumed-role\/MLApprover\/dana\.kim/ },
  { name: 'event of another category ignored', rule: 'no_sensitive_changes', params: { categories: ['key_change'] }, records: [...fullOctober(), event('DeleteGuardrail', ['guardrail_change'])], status: 'satisfied' },
  { name: 'event outside the period ignored', rule: 'no_sensitive_changes', params: { categories: ['logging_change'] }, records: [...fullOctober(), event('StopLogging', ['logging_change'], null, '2026-09-30T23:59:59.000Z')], status: 'satisfied' },
  { name: 'no activity: absence unproven', rule: 'no_sensitive_changes', params: { categories: ['logging_change'] }, records: [], status: 'gap', reason: /absence of changes cannot be shown/ },
  { name: 'invocations with logging on', rule: 'invocation_logging_enabled', records: [invocations(5, 0), logging(true)], status: 'satisfied' },
  { name: 'invocations with logging off', rule: 'invocation_logging_enabled', records: [invocations(5, 0), logging(false)], status: 'exception', reason: /OFF/ },
  { name: 'invocations seen only in CloudTrail, config missing', rule: 'invocation_logging_enabled', records: [activity('2026-10-03', { aiCalls: { 'arn:r|bedrock.amazonaws.com|InvokeModel': 3 } })], status: 'gap', reason: /not collected.*3 invocation/ },
  { name: 'no invocations anywhere', rule: 'invocation_logging_enabled', records: [activity('2026-10-03'), logging(false)], status: 'not_applicable' },
  { name: 'PII passed unguarded', rule: 'invocation_pii_guarded', records: [invocations(10, 3)], status: 'exception', reason: /3 of 10/ },
  { name: 'PII all guarded', rule: 'invocation_pii_guarded', records: [invocations(10, 0)], status: 'satisfied' },
  { name: 'guardrail missing where invoked', rule: 'guardrails_pii_configured', records: [invocations(2, 0), inventory('bedrock', { 'bedrock.guardrail': 0 }, { collector: 'bedrock' })], status: 'exception', reason: /no Bedrock guardrail/ },
  { name: 'guardrail with PII filters', rule: 'guardrails_pii_configured', records: [invocations(2, 0), rec('bedrock.guardrail', { guardrailId: 'g1', name: 'support', arn: null, version: '1', status: 'READY', piiEntities: [{ type: 'EMAIL', action: 'ANONYMIZE' }], regexCount: 0, contentFilters: [], kmsKeyArn: null }, { collector: 'bedrock' })], status: 'satisfied' },
  { name: 'endpoint without KMS', rule: 'endpoints_encrypted', records: [endpoint('churn', null)], status: 'exception', reason: /no KMS key/ },
  { name: 'no endpoints anywhere', rule: 'endpoints_encrypted', records: [inventory('sagemaker', { 'sagemaker.endpoint': 0 })], status: 'not_applicable' },
  { name: 'sagemaker never collected', rule: 'endpoints_encrypted', records: [], status: 'gap', reason: /not collected/ },
  { name: 'lineage reaches dataset', rule: 'lineage_complete', records: [endpoint('credit', 'k'), lineage('credit', true)], status: 'satisfied', reason: /s3:\/\/data\/train/ },
  { name: 'lineage found through the endpoint context', rule: 'lineage_complete', records: [endpoint('credit-risk-prod', 'k'), contextLineage('credit-risk-prod')], status: 'satisfied' },
  { name: 'another endpoint context does not match', rule: 'lineage_complete', records: [endpoint('credit', 'k'), contextLineage('credit-risk-prod')], status: 'gap' },
  { name: 'lineage stops short', rule: 'lineage_complete', records: [endpoint('churn', 'k'), lineage('churn', false)], status: 'exception', reason: /no traceable training dataset/ },
  { name: 'lineage missing', rule: 'lineage_complete', records: [endpoint('churn', 'k')], status: 'gap', reason: /no lineage evidence/ },
  { name: 'deployed package approved', rule: 'deployed_models_approved', records: [endpoint('credit', 'k'), lineage('credit', true), pkg('Approved')], status: 'satisfied', reason: /approved by dana.kim/ },
  { name: 'deployed package pending', rule: 'deployed_models_approved', records: [endpoint('credit', 'k'), lineage('credit', true), pkg('PendingManualApproval')], status: 'exception', reason: /PendingManualApproval/ },
  { name: 'approved card', rule: 'model_cards_approved', records: [card('Approved', 'Medium'), pkg('Approved')], status: 'satisfied' },
  { name: 'draft card without risk rating', rule: 'model_cards_approved', records: [card('Draft', null)], status: 'exception', reason: /status is Draft; risk rating is missing/ },
  { name: 'DI outside four-fifths', rule: 'fairness_within_bounds', records: [bias(0.65)], status: 'exception', reason: /DI for gender=1 is 0.65/ },
  {
    name: 'an infinite ratio (stored as null with a marker) is outside its bound',
    rule: 'fairness_within_bounds',
    records: [rec('clarify.bias_report', { subject: 'credit-risk', label: 'fraud', labelValueOrThreshold: '1', origin: 'native', metrics: [{ stage: 'post_training', facet: 'gender', facetValue: '1', name: 'DI', value: null, error: 'non-finite value: Infinity' }] })],
    status: 'exception',
    reason: /DI for gender=1 is Infinity/,
  },
  { name: 'DI within bounds', rule: 'fairness_within_bounds', records: [bias(0.95)], status: 'satisfied' },
  { name: 'per-model threshold override', rule: 'fairness_within_bounds', records: [bias(0.7)], opts: { fairness: { defaults: { DI: { min: 0.8, max: 1.25 } }, bySubject: { 'credit-risk': { DI: { min: 0.6, max: 1.5 } } } } }, status: 'satisfied' },
  { name: 'approved model without a report', rule: 'fairness_within_bounds', records: [pkg('Approved')], status: 'gap', reason: /has no bias report/ },
  { name: 'config rule compliant', rule: 'config_rules_compliant', params: { rules: ['CLOUD_TRAIL_ENABLED'] }, records: [rule('cloud-trail-enabled', 'COMPLIANT')], status: 'satisfied' },
  { name: 'config rule non-compliant', rule: 'config_rules_compliant', params: { rules: ['IAM_USER_MFA_ENABLED'] }, records: [rule('iam-user-mfa-enabled', 'NON_COMPLIANT')], status: 'exception', reason: /NON_COMPLIANT in 111122223333\/eu-west-1/ },
  { name: 'config rule not deployed', rule: 'config_rules_compliant', params: { rules: ['ENCRYPTED_VOLUMES'] }, records: [rule('cloud-trail-enabled', 'COMPLIANT')], status: 'gap', reason: /none of the expected/ },
  {
    name: 'global rule: no data outside its home region is not a gap',
    rule: 'config_rules_compliant',
    params: { rules: ['IAM_USER_MFA_ENABLED'] },
    records: [rule('iam-user-mfa-enabled', 'COMPLIANT'), rule('iam-user-mfa-enabled', 'INSUFFICIENT_DATA', { region: US })],
    opts: { scope: { accounts: [PROD], regions: [EU, US] } },
    status: 'satisfied',
    reason: /no data in 111122223333\/us-east-1 \(evaluated in another region/,
  },
  { name: 'config rule insufficient data', rule: 'config_rules_compliant', params: { rules: ['CLOUD_TRAIL_ENABLED'] }, records: [rule('cloud-trail-enabled', 'INSUFFICIENT_DATA')], status: 'gap' },
  { name: 'recorder on', rule: 'config_recorder_on', records: [rec('config.recorder', { name: 'default', recording: true, lastStatus: 'SUCCESS', allSupported: true, includeGlobalResourceTypes: true })], status: 'satisfied' },
  { name: 'recorder off', rule: 'config_recorder_on', records: [rec('config.recorder', { name: 'default', recording: false, lastStatus: 'FAILURE', allSupported: true, includeGlobalResourceTypes: true })], status: 'exception' },
  { name: 'current SOC 2 report', rule: 'artifact_report_available', params: { match: ['SOC 2'] }, records: [report('AWS SOC 2 Type 2 Report', '2026-09-30T00:00:00.000Z')], status: 'satisfied', reason: /inherited from AWS/ },
  { name: 'old SOC 2 report', rule: 'artifact_report_available', params: { match: ['SOC 2'] }, records: [report('AWS SOC 2 Type 2 Report', '2024-09-30T00:00:00.000Z')], status: 'gap', reason: /older than 15 months/ },
  { name: 'no matching report', rule: 'artifact_report_available', params: { match: ['ISO 27001'] }, records: [report('AWS SOC 2 Type 2 Report', '2026-09-30T00:00:00.000Z')], status: 'gap' },
  {
    name: 'KMS keys rotate',
    rule: 'resource_configuration',
    params: { resourceType: 'AWS::KMS::Key', path: 'configuration.keyRotationEnabled', equals: true, description: 'key rotation enabled' },
    records: [rec('config.configuration_item', { resourceType: 'AWS::KMS::Key', resourceId: 'k1', resourceName: null, arn: null, captureTime: '2026-10-31T00:00:00.000Z', status: 'OK', configuration: { keyRotationEnabled: false }, supplementaryConfiguration: {}, tags: {} })],
    status: 'exception',
    reason: /key rotation enabled is not met/,
  },
  { name: 'conformance pack non-compliant', rule: 'conformance_pack_compliant', records: [rec('config.conformance_pack', { packName: 'HIPAA', rules: [{ ruleName: 'a', compliance: 'NON_COMPLIANT', controls: [] }, { ruleName: 'b', compliance: 'COMPLIANT', controls: [] }] })], status: 'exception', reason: /1 non-compliant rule/ },
];

describe('rule kinds', () => {
  it.each(cases)('$rule: $name → $status', (c) => {
    const view = new EvidenceView(c.records, options(c.opts));
    const params = RULE_KINDS[c.rule].params.parse(c.params ?? {});
    const evaluate = RULE_EVALUATORS[c.rule] as (p: unknown, v: EvidenceView) => { status: RuleStatus; reasons: readonly string[]; evidenceIds: readonly string[] };
    const out = evaluate(params, view);
    expect(out.status, out.reasons.join('\n')).toBe(c.status);
    if (c.reason) expect(out.reasons.join('\n')).toMatch(c.reason);
    for (const id of out.evidenceIds) expect(c.records.map((r) => r.item.id)).toContain(id);
  });

  it('every rule kind has at least one case here', () => {
    const covered = new Set(cases.map((c) => c.rule));
    expect(Object.keys(RULE_KINDS).filter((k) => !covered.has(k as RuleKindId))).toEqual([]);
  });

  it('scope: evidence of accounts and regions outside the scope is ignored', () => {
    const view = new EvidenceView([trail({ logFileValidationEnabled: false }, { account: DEV }), trail()], options({ scope: { accounts: [PROD], regions: [EU, US] } }));
    const out = RULE_EVALUATORS.cloudtrail_trail(RULE_KINDS.cloudtrail_trail.params.parse({ logFileValidation: true }), view);
    expect(out.status).toBe('satisfied');
  });
});
