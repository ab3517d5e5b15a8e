import type { ContentOf } from '../evidence/content.js';
import type { Observation } from '../evidence/observation.js';
import { collected } from '../evidence/observation.js';
import type { NormalizeMeta } from './types.js';
import { NormalizeError, describe } from './types.js';
// The strict member helpers live with the SageMaker normalizers; they are service-neutral.
import {
  baseOf,
  inputOf,
  obj,
  optBoolStrict,
  optEnum,
  optList,
  optObj,
  optStr,
  optTime,
  reqStr,
} from './sagemaker/common.js';
import type { Obj } from './sagemaker/common.js';

export type BedrockLoggingConfigContent = ContentOf<'bedrock.logging_config'>;
export type BedrockGuardrailContent = ContentOf<'bedrock.guardrail'>;

/**
 * The resource of a `bedrock.logging_config` item. Model-invocation logging is a per-account, per-region setting
 * with no ARN; account and region are on the item already.
 */
export const LOGGING_CONFIG_RESOURCE = 'bedrock:model-invocation-logging-configuration';

/**
 * Smithy `com.amazonaws.bedrock#GuardrailSensitiveInformationAction` plus `NONE` (newer API versions, which
 * also add `inputAction`/`outputAction` next to `action`).
 */
export const GUARDRAIL_PII_ACTIONS = ['BLOCK', 'ANONYMIZE', 'NONE'] as const;
/** Smithy `com.amazonaws.bedrock#GuardrailFilterStrength`. */
export const GUARDRAIL_FILTER_STRENGTHS = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;

/**
 * `aws bedrock get-model-invocation-logging-configuration` / `GetModelInvocationLoggingConfigurationCommand` →
 * one `bedrock.logging_config`. `{}` (what the API returns when logging was never configured or was deleted) and a
 * null `loggingConfig` mean logging is off; otherwise it is on when a CloudWatch Logs or S3 destination exists.
 */
export function normalizeLoggingConfig(response: unknown, meta: NormalizeMeta): Observation<'bedrock.logging_config'> {
  const input = inputOf(meta, 'bedrock:GetModelInvocationLoggingConfiguration');
  const r = obj(response, input, 'GetModelInvocationLoggingConfiguration response');
  const lc = optObj(r, 'loggingConfig', input, '');
  const base = baseOf(meta, 'bedrock', 'bedrock.logging_config', LOGGING_CONFIG_RESOURCE);
  if (!lc) {
    return collected(base, {
      enabled: false,
      cloudWatch: null,
      s3: null,
      textDataDeliveryEnabled: null,
      imageDataDeliveryEnabled: null,
      embeddingDataDeliveryEnabled: null,
      videoDataDeliveryEnabled: null,
    });
  }
  const p = 'loggingConfig.';
  const cw = optObj(lc, 'cloudWatchConfig', input, p);
  let cloudWatch: BedrockLoggingConfigContent['cloudWatch'] = null;
  if (cw) {
    const cp = `${p}cloudWatchConfig.`;
    cloudWatch = { logGroupName: reqStr(cw, 'logGroupName', input, cp), roleArn: optStr(cw, 'roleArn', input, cp) };
    const large = optObj(cw, 'largeDataDeliveryS3Config', input, cp);
    if (large) reqStr(large, 'bucketName', input, `${cp}largeDataDeliveryS3Config.`);
  }
  const s3c = optObj(lc, 's3Config', input, p);
  const s3 = s3c
    ? {
        bucketName: reqStr(s3c, 'bucketName', input, `${p}s3Config.`),
        keyPrefix: optStr(s3c, 'keyPrefix', input, `${p}s3Config.`),
      }
    : null;
  return collected(base, {
    enabled: cloudWatch !== null || s3 !== null,
    cloudWatch,
    s3,
    textDataDeliveryEnabled: optBoolStrict(lc, 'textDataDeliveryEnabled', input, p),
    imageDataDeliveryEnabled: optBoolStrict(lc, 'imageDataDeliveryEnabled', input, p),
    embeddingDataDeliveryEnabled: optBoolStrict(lc, 'embeddingDataDeliveryEnabled', input, p),
    videoDataDeliveryEnabled: optBoolStrict(lc, 'videoDataDeliveryEnabled', input, p),
  });
}

/**
 * The action a guardrail takes on a PII entity in prompts: `inputAction` when the (newer) API returns it, else
 * `action`; `NONE` when input evaluation is switched off (`inputEnabled: false`).
 */
function piiActionOf(e: Obj, input: string, path: string): string {
  const inputAction = optEnum(e, 'inputAction', GUARDRAIL_PII_ACTIONS, input, path);
  const action = optEnum(e, 'action', GUARDRAIL_PII_ACTIONS, input, path);
  if (optBoolStrict(e, 'inputEnabled', input, path) === false) return 'NONE';
  const chosen = inputAction ?? action;
  if (chosen === null) {
    throw new NormalizeError(
      input,
      `${path}action is required and must be one of ${GUARDRAIL_PII_ACTIONS.join('|')}, got ${describe(e['action'])}`,
      'MissingField',
    );
  }
  return chosen;
}

/**
 * `aws bedrock get-guardrail --guardrail-identifier <id>` / `GetGuardrailCommand` → one `bedrock.guardrail`:
 * PII entities with their input action, number of regex filters, content filters (strength `NONE` for a direction
 * whose evaluation is switched off) and the customer KMS key.
 */
export function normalizeGuardrail(response: unknown, meta: NormalizeMeta): Observation<'bedrock.guardrail'> {
  const input = inputOf(meta, 'bedrock:GetGuardrail');
  const r = obj(response, input, 'GetGuardrail response');
  const guardrailId = reqStr(r, 'guardrailId', input, '');
  const name = reqStr(r, 'name', input, '');
  const arn = optStr(r, 'guardrailArn', input, '');
  optTime(r, 'createdAt', input, '');
  optTime(r, 'updatedAt', input, '');

  const sip = optObj(r, 'sensitiveInformationPolicy', input, '');
  const piiEntities: BedrockGuardrailContent['piiEntities'] = [];
  let regexCount = 0;
  if (sip) {
    for (const [i, raw] of optList(sip, 'piiEntities', input, 'sensitiveInformationPolicy.').entries()) {
      const path = `sensitiveInformationPolicy.piiEntities[${i}]`;
      const e = obj(raw, input, path);
      piiEntities.push({ type: reqStr(e, 'type', input, `${path}.`), action: piiActionOf(e, input, `${path}.`) });
    }
    const regexes = optList(sip, 'regexes', input, 'sensitiveInformationPolicy.');
    regexes.forEach((raw, i) => obj(raw, input, `sensitiveInformationPolicy.regexes[${i}]`));
    regexCount = regexes.length;
  }

  const cp = optObj(r, 'contentPolicy', input, '');
  const contentFilters: BedrockGuardrailContent['contentFilters'] = [];
  if (cp) {
    for (const [i, raw] of optList(cp, 'filters', input, 'contentPolicy.').entries()) {
      const path = `contentPolicy.filters[${i}].`;
      const f = obj(raw, input, path.slice(0, -1));
      const inputStrength = optEnum(f, 'inputStrength', GUARDRAIL_FILTER_STRENGTHS, input, path);
      const outputStrength = optEnum(f, 'outputStrength', GUARDRAIL_FILTER_STRENGTHS, input, path);
      contentFilters.push({
        type: reqStr(f, 'type', input, path),
        inputStrength: optBoolStrict(f, 'inputEnabled', input, path) === false ? 'NONE' : inputStrength,
        outputStrength: optBoolStrict(f, 'outputEnabled', input, path) === false ? 'NONE' : outputStrength,
      });
    }
  }

  const content: BedrockGuardrailContent = {
    guardrailId,
    name,
    arn,
    version: optStr(r, 'version', input, ''),
    status: optStr(r, 'status', input, ''),
    piiEntities,
    regexCount,
    contentFilters,
    kmsKeyArn: optStr(r, 'kmsKeyArn', input, ''),
  };
  return collected(baseOf(meta, 'bedrock', 'bedrock.guardrail', arn ?? guardrailId), content);
}
