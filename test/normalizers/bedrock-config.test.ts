import { describe, expect, it } from 'vitest';
import {
  LOGGING_CONFIG_RESOURCE,
  normalizeGuardrail,
  normalizeLoggingConfig,
} from '../../src/normalizers/bedrock-config.js';
import {
  apiMeta,
  fileMeta,
  fixture,
  normalizeError,
  OBSERVED_AT,
  toEpoch,
  toSdk,
  validContent,
} from '../fixtures/sagemaker/helpers.js';
import { outputMembersOf, outputProblems, smithyAvailable } from '../fixtures/smithy.js';

const LOG_FILE = 'bedrock-config/get-model-invocation-logging-configuration.json';
const LOG_OFF_FILE = 'bedrock-config/get-model-invocation-logging-configuration.disabled.json';
const GR_FILE = 'bedrock-config/get-guardrail.gr7abc123def.json';
const GR_ARN = 'arn:aws:bedrock:us-east-1:111122223333:guardrail/gr7abc123def';
const logCli = () => fixture(LOG_FILE);
const grCli = () => fixture(GR_FILE);
const logMeta = () => fileMeta('bedrock/get-model-invocation-logging-configuration.json');
const grMeta = () => fileMeta('bedrock/get-guardrail.gr7abc123def.json');
const loggingConfig = (r: Record<string, unknown>) => r['loggingConfig'] as Record<string, unknown>;

const OFF = {
  enabled: false,
  cloudWatch: null,
  s3: null,
  textDataDeliveryEnabled: null,
  imageDataDeliveryEnabled: null,
  embeddingDataDeliveryEnabled: null,
  videoDataDeliveryEnabled: null,
};

describe('normalizeLoggingConfig', () => {
  it('normalizes a configuration with CloudWatch Logs and S3 destinations', () => {
    const obs = normalizeLoggingConfig(logCli(), logMeta());
    expect(obs).toMatchObject({
      collector: 'bedrock',
      kind: 'bedrock.logging_config',
      account: '111122223333',
      region: 'us-east-1',
      resource: LOGGING_CONFIG_RESOURCE,
      observedAt: { type: 'instant', at: OBSERVED_AT },
      status: { state: 'collected' },
    });
    validContent(obs);
    expect(obs.content).toEqual({
      enabled: true,
      cloudWatch: {
        logGroupName: '/aws/bedrock/modelinvocations',
        roleArn: 'arn:aws:iam::111122223333:role/BedrockInvocationLogging',
      },
      s3: { bucketName: 'bedrock-invocation-logs-111122223333', keyPrefix: 'invocations' },
      textDataDeliveryEnabled: true,
      imageDataDeliveryEnabled: false,
      embeddingDataDeliveryEnabled: false,
      videoDataDeliveryEnabled: false,
    });
  });

  it('gives identical content for the SDK v3 response', () => {
    expect(
      normalizeLoggingConfig(toSdk(logCli(), []), apiMeta('bedrock:GetModelInvocationLoggingConfiguration')).content,
    ).toEqual(normalizeLoggingConfig(logCli(), logMeta()).content);
  });

  it('reads {} (the API answer when logging is off) and a null or destination-less loggingConfig as disabled', () => {
    const off = normalizeLoggingConfig(fixture(LOG_OFF_FILE), logMeta());
    validContent(off);
    expect(off.content).toEqual(OFF);
    expect(normalizeLoggingConfig({ loggingConfig: null }, logMeta()).content).toEqual(OFF);
    expect(
      normalizeLoggingConfig(toSdk({}, []), apiMeta('bedrock:GetModelInvocationLoggingConfiguration')).content,
    ).toEqual(OFF);
    const noDest = normalizeLoggingConfig({ loggingConfig: { textDataDeliveryEnabled: true } }, logMeta()).content!;
    expect(noDest).toEqual({ ...OFF, textDataDeliveryEnabled: true });
  });

  it('is enabled with a single destination', () => {
    const r = logCli();
    delete loggingConfig(r)['cloudWatchConfig'];
    delete (loggingConfig(r)['s3Config'] as Record<string, unknown>)['keyPrefix'];
    expect(normalizeLoggingConfig(r, logMeta()).content).toMatchObject({
      enabled: true,
      cloudWatch: null,
      s3: { bucketName: 'bedrock-invocation-logs-111122223333', keyPrefix: null },
    });
  });

  it('rejects malformed configurations', () => {
    const noGroup = logCli();
    delete (loggingConfig(noGroup)['cloudWatchConfig'] as Record<string, unknown>)['logGroupName'];
    const e1 = normalizeError(() => normalizeLoggingConfig(noGroup, logMeta()));
    expect([e1.input, e1.problem, e1.code]).toEqual([
      'cli/111122223333/us-east-1/bedrock/get-model-invocation-logging-configuration.json',
      'loggingConfig.cloudWatchConfig.logGroupName is required and must be a non-empty string, got undefined',
      'MissingField',
    ]);
    const noBucket = logCli();
    loggingConfig(noBucket)['s3Config'] = {};
    expect(normalizeError(() => normalizeLoggingConfig(noBucket, logMeta())).problem).toBe(
      'loggingConfig.s3Config.bucketName is required and must be a non-empty string, got undefined',
    );
    expect(normalizeError(() => normalizeLoggingConfig({ loggingConfig: 'on' }, logMeta())).problem).toBe(
      'loggingConfig must be a JSON object, got "on"',
    );
    const flag = logCli();
    loggingConfig(flag)['textDataDeliveryEnabled'] = 'yes';
    expect(normalizeError(() => normalizeLoggingConfig(flag, logMeta())).problem).toBe(
      'loggingConfig.textDataDeliveryEnabled must be a boolean, got "yes"',
    );
    expect(normalizeError(() => normalizeLoggingConfig('', logMeta())).problem).toBe(
      'GetModelInvocationLoggingConfiguration response must be a JSON object, got ""',
    );
  });
});

describe('normalizeGuardrail', () => {
  it('normalizes the CLI output of get-guardrail', () => {
    const obs = normalizeGuardrail(grCli(), grMeta());
    expect(obs).toMatchObject({ collector: 'bedrock', kind: 'bedrock.guardrail', resource: GR_ARN });
    validContent(obs);
    expect(obs.content).toEqual({
      guardrailId: 'gr7abc123def',
      name: 'customer-support-guardrail',
      arn: GR_ARN,
      version: 'DRAFT',
      status: 'READY',
      piiEntities: [
        { type: 'EMAIL', action: 'ANONYMIZE' },
        { type: 'PHONE', action: 'ANONYMIZE' },
        { type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' },
        { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' },
      ],
      regexCount: 1,
      contentFilters: [
        { type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' },
        { type: 'INSULTS', inputStrength: 'MEDIUM', outputStrength: 'MEDIUM' },
        { type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' },
      ],
      kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
  });

  it('gives identical content for the SDK v3 response and epoch-second times', () => {
    const fromCli = normalizeGuardrail(grCli(), grMeta()).content;
    const sdk = toSdk(grCli(), ['createdAt', 'updatedAt']);
    expect(sdk['createdAt']).toBeInstanceOf(Date);
    expect(normalizeGuardrail(sdk, apiMeta('bedrock:GetGuardrail')).content).toEqual(fromCli);
    expect(normalizeGuardrail(toEpoch(grCli(), ['createdAt', 'updatedAt']), grMeta()).content).toEqual(fromCli);
  });

  it('prefers the newer inputAction over action, and reports NONE where input evaluation is off', () => {
    const r = grCli();
    (r['sensitiveInformationPolicy'] as Record<string, unknown>)['piiEntities'] = [
      {
        type: 'EMAIL',
        action: 'ANONYMIZE',
        inputAction: 'BLOCK',
        outputAction: 'ANONYMIZE',
        inputEnabled: true,
        outputEnabled: true,
      },
      { type: 'NAME', action: 'BLOCK', inputAction: 'NONE', outputAction: 'BLOCK' },
      { type: 'PHONE', action: 'BLOCK', inputEnabled: false },
      { type: 'ADDRESS', inputAction: 'ANONYMIZE' },
    ];
    (r['contentPolicy'] as Record<string, unknown>)['filters'] = [
      { type: 'VIOLENCE', inputStrength: 'HIGH', outputStrength: 'LOW', inputEnabled: false, outputEnabled: true },
    ];
    const c = normalizeGuardrail(r, grMeta()).content!;
    expect(c.piiEntities).toEqual([
      { type: 'EMAIL', action: 'BLOCK' },
      { type: 'NAME', action: 'NONE' },
      { type: 'PHONE', action: 'NONE' },
      { type: 'ADDRESS', action: 'ANONYMIZE' },
    ]);
    expect(c.contentFilters).toEqual([{ type: 'VIOLENCE', inputStrength: 'NONE', outputStrength: 'LOW' }]);
  });

  it('handles a guardrail without sensitive-information or content policy and without a customer key', () => {
    const r = grCli();
    for (const k of ['sensitiveInformationPolicy', 'contentPolicy', 'kmsKeyArn', 'guardrailArn']) delete r[k];
    const obs = normalizeGuardrail(r, grMeta());
    validContent(obs);
    expect(obs.resource).toBe('gr7abc123def');
    expect(obs.content).toMatchObject({
      arn: null,
      piiEntities: [],
      regexCount: 0,
      contentFilters: [],
      kmsKeyArn: null,
    });
  });

  it('rejects missing required members, unknown actions and strengths, and bad times', () => {
    for (const key of ['guardrailId', 'name']) {
      const r = grCli();
      delete r[key];
      expect(normalizeError(() => normalizeGuardrail(r, grMeta())).problem).toBe(
        `${key} is required and must be a non-empty string, got undefined`,
      );
    }
    const noAction = grCli();
    (noAction['sensitiveInformationPolicy'] as Record<string, unknown>)['piiEntities'] = [{ type: 'EMAIL' }];
    const e1 = normalizeError(() => normalizeGuardrail(noAction, grMeta()));
    expect([e1.problem, e1.code]).toEqual([
      'sensitiveInformationPolicy.piiEntities[0].action is required and must be one of BLOCK|ANONYMIZE|NONE, got undefined',
      'MissingField',
    ]);
    const badAction = grCli();
    (badAction['sensitiveInformationPolicy'] as Record<string, unknown>)['piiEntities'] = [
      { type: 'EMAIL', action: 'MASK' },
    ];
    const e2 = normalizeError(() => normalizeGuardrail(badAction, grMeta()));
    expect([e2.problem, e2.code]).toEqual([
      'sensitiveInformationPolicy.piiEntities[0].action must be one of BLOCK|ANONYMIZE|NONE, got "MASK"',
      'InvalidValue',
    ]);
    const badStrength = grCli();
    (badStrength['contentPolicy'] as Record<string, unknown>)['filters'] = [
      { type: 'HATE', inputStrength: 'EXTREME', outputStrength: 'HIGH' },
    ];
    expect(normalizeError(() => normalizeGuardrail(badStrength, grMeta())).problem).toBe(
      'contentPolicy.filters[0].inputStrength must be one of NONE|LOW|MEDIUM|HIGH, got "EXTREME"',
    );
    const e3 = normalizeError(() =>
      normalizeGuardrail({ ...grCli(), updatedAt: 'Mon, 10 Feb 2025 08:45:33 GMT' }, grMeta()),
    );
    expect([e3.problem, e3.code]).toEqual([
      'updatedAt is not an ISO-8601 instant with a time zone: "Mon, 10 Feb 2025 08:45:33 GMT"',
      'InvalidTime',
    ]);
    expect(
      normalizeError(() => normalizeGuardrail({ ...grCli(), sensitiveInformationPolicy: { regexes: [1] } }, grMeta()))
        .problem,
    ).toBe('sensitiveInformationPolicy.regexes[0] must be a JSON object, got number');
  });
});

describe.skipIf(!smithyAvailable())('Bedrock configuration fixtures vs the Smithy model', () => {
  it('use only members of the output shapes, with the right types', () => {
    for (const [operation, file] of [
      ['GetModelInvocationLoggingConfiguration', LOG_FILE],
      ['GetModelInvocationLoggingConfiguration', LOG_OFF_FILE],
      ['GetGuardrail', GR_FILE],
    ] as const) {
      const members = outputMembersOf('bedrock', operation);
      for (const key of Object.keys(fixture(file))) expect(members).toContain(key);
      expect(outputProblems('bedrock', operation, fixture(file))).toEqual([]);
    }
  });
});
