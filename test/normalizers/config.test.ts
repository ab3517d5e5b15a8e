import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeConfigurationItem } from '../../src/normalizers/config/configuration-item.js';
import { normalizeRecorders } from '../../src/normalizers/config/recorder.js';
import { normalizeComplianceDetails, normalizeConformancePack, normalizeRuleCompliance } from '../../src/normalizers/config/rules.js';
import { CONTENT_SCHEMAS } from '../../src/evidence/content.js';

const meta = { account: '111122223333', region: 'eu-west-1', observedAt: '2026-11-01T06:00:00.000Z', sources: [{ type: 'file' as const, path: 'cli/x.json', sha256: 'a'.repeat(64) }], raw: null };
const rdk = (f: string) => readFileSync(`test/fixtures/realdata/aws-config-rdk/${f}`, 'utf8');

describe('AWS Config normalizers', () => {
  it('reads real configuration items in both shapes (rdk examples)', () => {
    const kms = normalizeConfigurationItem(JSON.parse(rdk('AWS_KMS_Key.json')), meta, 'item');
    expect(kms.content).toMatchObject({ resourceType: 'AWS::KMS::Key', resourceId: 'test', arn: 'arn:aws:kms:us-east-1:123456789012:key/test' });
    expect(kms.observedAt).toEqual({ type: 'instant', at: '2021-09-29T23:33:38.881Z' });
    const s3 = normalizeConfigurationItem(JSON.parse(rdk('AWS_S3_Bucket.json')), meta, 'item');
    expect(s3.content!.resourceType).toBe('AWS::S3::Bucket');
    for (const o of [kms, s3]) CONTENT_SCHEMAS['config.configuration_item'].parse(o.content);
    for (const ci of JSON.parse(rdk('AWS_LAMBDA_FUNCTION.json')) as unknown[]) normalizeConfigurationItem(ci, meta, 'item');
  });

  it('the upstream-invalid rdk files are not JSON (negative fixtures stay negative)', () => {
    expect(() => JSON.parse(rdk('AWS_EC2_NetworkInterface.json')) as unknown).toThrow();
    expect(() => JSON.parse(rdk('AWS_SSM_ManagedInstanceInventory_Linux.json')) as unknown).toThrow();
  });

  it('parses configuration given as a JSON string (API shape) and rejects a broken one', () => {
    const base = { resourceType: 'AWS::S3::Bucket', resourceId: 'b', configurationItemCaptureTime: '2026-10-31T00:00:00Z' };
    expect(normalizeConfigurationItem({ ...base, configuration: '{"a":1}' }, meta, 'configurationItems[3]').content!.configuration).toEqual({ a: 1 });
    expect(() => normalizeConfigurationItem({ ...base, configuration: '{"a":' }, meta, 'configurationItems[3]')).toThrow(/cli\/x\.json: configurationItems\[3\]\.configuration is a string but not valid JSON/);
    expect(() => normalizeConfigurationItem({ ...base, configurationItemCaptureTime: '31/10/2026' }, meta, 'configurationItems[3]')).toThrow(/configurationItemCaptureTime is not an ISO-8601/);
  });

  it('joins rule metadata into rule compliance', () => {
    const obs = normalizeRuleCompliance(
      { ComplianceByConfigRules: [{ ConfigRuleName: 'iam-user-mfa-enabled', Compliance: { ComplianceType: 'NON_COMPLIANT', ComplianceContributorCount: { CappedCount: 2, CapExceeded: false } } }, { ConfigRuleName: 'custom' }] },
      { ConfigRules: [{ ConfigRuleName: 'iam-user-mfa-enabled', ConfigRuleArn: 'arn:aws:config:eu-west-1:111122223333:config-rule/config-rule-1', Source: { Owner: 'AWS', SourceIdentifier: 'IAM_USER_MFA_ENABLED' } }] },
      meta,
    );
    expect(obs[0]!.content).toMatchObject({ sourceIdentifier: 'IAM_USER_MFA_ENABLED', compliance: 'NON_COMPLIANT', nonCompliantResourceCount: 2 });
    expect(obs[1]!.content).toMatchObject({ compliance: 'INSUFFICIENT_DATA', sourceIdentifier: null });
    expect(() => normalizeRuleCompliance({ ComplianceByConfigRules: [{ ConfigRuleName: 'x', Compliance: { ComplianceType: 'MAYBE' } }] }, undefined, meta)).toThrow(
      /ComplianceByConfigRules\[0\]\.Compliance\.ComplianceType must be one of COMPLIANT\|NON_COMPLIANT\|NOT_APPLICABLE\|INSUFFICIENT_DATA, got "MAYBE"/,
    );
  });

  it('reads per-resource results, conformance packs and recorders', () => {
    const details = normalizeComplianceDetails(
      { EvaluationResults: [{ EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'r', ResourceType: 'AWS::IAM::User', ResourceId: 'legacy-etl' } }, ComplianceType: 'NON_COMPLIANT', ResultRecordedTime: '2026-10-30T01:02:03.000Z', Annotation: 'no MFA' }] },
      meta,
    );
    expect(details[0]!.content).toMatchObject({ resourceId: 'legacy-etl', annotation: 'no MFA' });
    expect(normalizeConformancePack({ ConformancePackName: 'p', ConformancePackRuleComplianceList: [{ ConfigRuleName: 'r', ComplianceType: 'COMPLIANT', Controls: ['164.312(b)'] }] }, meta).content!.rules[0]!.controls).toEqual(['164.312(b)']);
    const rec = normalizeRecorders({ ConfigurationRecordersStatus: [{ name: 'default', recording: true, lastStatus: 'SUCCESS' }] }, { ConfigurationRecorders: [{ name: 'default', recordingGroup: { allSupported: true, includeGlobalResourceTypes: false } }] }, meta);
    expect(rec[0]!.content).toEqual({ name: 'default', recording: true, lastStatus: 'SUCCESS', allSupported: true, includeGlobalResourceTypes: false });
  });
});
