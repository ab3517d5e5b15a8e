import { describe, expect, it } from 'vitest';
import { normalizeEndpoint } from '../../src/normalizers/sagemaker/endpoint.js';
import {
  apiMeta,
  fileMeta,
  fixture,
  normalizeError,
  toEpoch,
  toSdk,
  validContent,
} from '../fixtures/sagemaker/helpers.js';
import { outputMembersOf, outputProblems, smithyAvailable } from '../fixtures/smithy.js';

const EP_FILE = 'sagemaker/describe-endpoint.churn-endpoint.json';
const CFG_FILE = 'sagemaker/describe-endpoint-config.churn-endpoint-config-2025-01-21.json';
const TIME_KEYS = ['CreationTime', 'LastModifiedTime', 'ResolutionTime', 'StartTime'];
const ARN = 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/churn-endpoint';
const PKG = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/churn-model-group/3';
const CONFIG_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const ep = () => fixture(EP_FILE);
const cfg = () => fixture(CFG_FILE);
const meta = () => fileMeta(EP_FILE, 'us-east-1', [CFG_FILE]);

describe('normalizeEndpoint', () => {
  it('joins describe-endpoint and describe-endpoint-config', () => {
    const obs = normalizeEndpoint(ep(), cfg(), meta(), { 'churn-xgb-2025-01-14': PKG });
    expect(obs).toMatchObject({ collector: 'sagemaker', kind: 'sagemaker.endpoint', resource: ARN });
    expect(obs.sources).toHaveLength(2);
    validContent(obs);
    expect(obs.content).toEqual({
      name: 'churn-endpoint',
      arn: ARN,
      status: 'InService',
      configName: 'churn-endpoint-config-2025-01-21',
      kmsKeyId: CONFIG_KEY,
      dataCaptureEnabled: true,
      modelNames: ['churn-xgb-2025-01-14'],
      modelPackageArns: [PKG],
    });
  });

  it('accepts the model-package map as a Map, and leaves models without a package out', () => {
    const c = normalizeEndpoint(ep(), cfg(), meta(), new Map([['other-model', PKG]])).content!;
    expect(c.modelPackageArns).toEqual([]);
    expect(
      normalizeEndpoint(ep(), cfg(), meta(), new Map([['churn-xgb-2025-01-14', PKG]])).content!.modelPackageArns,
    ).toEqual([PKG]);
    expect(normalizeEndpoint(ep(), cfg(), meta()).content!.modelPackageArns).toEqual([]);
  });

  it('gives identical content for SDK v3 responses and CLI v1 epoch seconds', () => {
    const fromCli = normalizeEndpoint(ep(), cfg(), meta(), { 'churn-xgb-2025-01-14': PKG }).content;
    const sdkEp = toSdk(ep(), TIME_KEYS);
    expect(sdkEp['CreationTime']).toBeInstanceOf(Date);
    expect(
      normalizeEndpoint(sdkEp, toSdk(cfg(), TIME_KEYS), apiMeta('sagemaker:DescribeEndpoint'), {
        'churn-xgb-2025-01-14': PKG,
      }).content,
    ).toEqual(fromCli);
    expect(
      normalizeEndpoint(toEpoch(ep(), TIME_KEYS), toEpoch(cfg(), TIME_KEYS), meta(), { 'churn-xgb-2025-01-14': PKG })
        .content,
    ).toEqual(fromCli);
  });

  it('without the config: no key, no models, capture from the endpoint or unknown', () => {
    const c = normalizeEndpoint(ep(), null, fileMeta(EP_FILE)).content!;
    expect(c).toMatchObject({
      kmsKeyId: null,
      modelNames: [],
      modelPackageArns: [],
      dataCaptureEnabled: true,
      configName: 'churn-endpoint-config-2025-01-21',
    });
    const noCapture = ep();
    delete noCapture['DataCaptureConfig'];
    expect(normalizeEndpoint(noCapture, null, fileMeta(EP_FILE)).content!.dataCaptureEnabled).toBeNull();
  });

  it('takes data capture from the config when the endpoint does not report it', () => {
    const noCapture = ep();
    delete noCapture['DataCaptureConfig'];
    expect(normalizeEndpoint(noCapture, cfg(), meta()).content!.dataCaptureEnabled).toBe(true);
    const c = cfg();
    (c['DataCaptureConfig'] as Record<string, unknown>)['EnableCapture'] = false;
    expect(normalizeEndpoint(noCapture, c, meta()).content!.dataCaptureEnabled).toBe(false);
    delete (c['DataCaptureConfig'] as Record<string, unknown>)['EnableCapture'];
    expect(normalizeEndpoint(noCapture, c, meta()).content!.dataCaptureEnabled).toBe(true); // defaults to enabled
    delete c['DataCaptureConfig'];
    expect(normalizeEndpoint(noCapture, c, meta()).content!.dataCaptureEnabled).toBe(false);
    // The endpoint's live state wins over the config.
    const stopped = ep();
    (stopped['DataCaptureConfig'] as Record<string, unknown>)['EnableCapture'] = false;
    expect(normalizeEndpoint(stopped, cfg(), meta()).content!.dataCaptureEnabled).toBe(false);
  });

  it('lists production and shadow variant models once each, and no key when the config has none', () => {
    const c = cfg();
    (c['ProductionVariants'] as unknown[]).push(
      { VariantName: 'B', ModelName: 'churn-xgb-2025-01-14' },
      { VariantName: 'C', ModelName: 'churn-lgbm' },
    );
    c['ShadowProductionVariants'] = [{ VariantName: 'Shadow', ModelName: 'churn-xgb-candidate' }];
    delete c['KmsKeyId'];
    const content = normalizeEndpoint(ep(), c, meta()).content!;
    expect(content.modelNames).toEqual(['churn-xgb-2025-01-14', 'churn-lgbm', 'churn-xgb-candidate']);
    expect(content.kmsKeyId).toBeNull();
  });

  it('rejects a config of another endpoint, naming the config file', () => {
    const err = normalizeError(() => normalizeEndpoint(ep(), { ...cfg(), EndpointConfigName: 'other-config' }, meta()));
    expect(err.input).toBe(`cli/111122223333/us-east-1/${CFG_FILE}`);
    expect(err.problem).toBe(
      'EndpointConfigName is "other-config" but endpoint churn-endpoint uses "churn-endpoint-config-2025-01-21"',
    );
  });

  it('rejects missing required members, bad times and malformed variants', () => {
    const noArn = ep();
    delete noArn['EndpointArn'];
    const e1 = normalizeError(() => normalizeEndpoint(noArn, null, meta()));
    expect([e1.input, e1.problem, e1.code]).toEqual([
      `cli/111122223333/us-east-1/${EP_FILE}`,
      'EndpointArn is required and must be a non-empty string, got undefined',
      'MissingField',
    ]);
    expect(
      normalizeError(() => normalizeEndpoint({ ...ep(), LastModifiedTime: '21/01/2025 09:19' }, null, meta())).problem,
    ).toBe('LastModifiedTime is not an ISO-8601 instant with a time zone: "21/01/2025 09:19"');
    expect(
      normalizeError(() =>
        normalizeEndpoint(ep(), { ...cfg(), ProductionVariants: [{ VariantName: 'A', ModelName: 7 }] }, meta()),
      ).problem,
    ).toBe('ProductionVariants[0].ModelName must be a string, got number');
    expect(normalizeError(() => normalizeEndpoint(ep(), 'churn-endpoint-config', meta())).problem).toBe(
      'DescribeEndpointConfig response must be a JSON object, got "churn-endpoint-config"',
    );
    const badCapture = ep();
    (badCapture['DataCaptureConfig'] as Record<string, unknown>)['EnableCapture'] = 'true';
    expect(normalizeError(() => normalizeEndpoint(badCapture, null, meta())).problem).toBe(
      'DataCaptureConfig.EnableCapture must be a boolean, got "true"',
    );
  });
});

describe.skipIf(!smithyAvailable())('describe-endpoint(-config) fixtures vs the Smithy model', () => {
  it('uses only members of DescribeEndpointOutput / DescribeEndpointConfigOutput, with the right types', () => {
    const epMembers = outputMembersOf('sagemaker', 'DescribeEndpoint');
    for (const key of Object.keys(ep())) expect(epMembers).toContain(key);
    const cfgMembers = outputMembersOf('sagemaker', 'DescribeEndpointConfig');
    for (const key of Object.keys(cfg())) expect(cfgMembers).toContain(key);
    expect(outputProblems('sagemaker', 'DescribeEndpoint', ep())).toEqual([]);
    expect(outputProblems('sagemaker', 'DescribeEndpointConfig', cfg())).toEqual([]);
  });
});
