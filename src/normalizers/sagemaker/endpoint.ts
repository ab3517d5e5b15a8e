import type { ContentOf } from '../../evidence/content.js';
import type { Observation } from '../../evidence/observation.js';
import { collected } from '../../evidence/observation.js';
import type { NormalizeMeta } from '../types.js';
import { NormalizeError } from '../types.js';
import { baseOf, inputOf, obj, optBoolStrict, optList, optObj, optStr, optTime, reqStr } from './common.js';
import type { Obj } from './common.js';

export type EndpointContent = ContentOf<'sagemaker.endpoint'>;

/** Model name → model package ARN, for models created from a registered model package (`DescribeModel` join). */
export type ModelPackageByModel = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function lookup(map: ModelPackageByModel | undefined, key: string): string | undefined {
  if (!map) return undefined;
  if (map instanceof Map) return (map as ReadonlyMap<string, string>).get(key);
  const rec = map as Readonly<Record<string, string>>;
  return Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}

/** Model names of `ProductionVariants` then `ShadowProductionVariants` (shadow variants serve copies of live traffic). */
function modelNamesOf(config: Obj, input: string): string[] {
  const names: string[] = [];
  for (const list of ['ProductionVariants', 'ShadowProductionVariants'] as const) {
    for (const [i, v] of optList(config, list, input, '').entries()) {
      const path = `${list}[${i}]`;
      const name = optStr(obj(v, input, path), 'ModelName', input, `${path}.`);
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/**
 * `describe-endpoint` (+ `describe-endpoint-config` of its `EndpointConfigName`, when available) →
 * one `sagemaker.endpoint`.
 *
 * - `kmsKeyId` comes from the endpoint config (the endpoint itself does not report it); null without a config.
 * - `dataCaptureEnabled`: the endpoint's `DataCaptureConfig.EnableCapture` (the live state), else the config's
 *   (`EnableCapture` defaults to enabled when a `DataCaptureConfig` is given), else false when a config was given
 *   without `DataCaptureConfig`, else null (not known).
 * - `modelNames` need the config; `modelPackageArns` need `modelPackages` (model name → package ARN).
 *
 * Throws NormalizeError when the config is not the endpoint's config.
 */
export function normalizeEndpoint(
  endpointResponse: unknown,
  endpointConfigResponse: unknown,
  meta: NormalizeMeta,
  modelPackages?: ModelPackageByModel,
): Observation<'sagemaker.endpoint'> {
  const input = inputOf(meta, 'sagemaker:DescribeEndpoint');
  const e = obj(endpointResponse, input, 'DescribeEndpoint response');
  const name = reqStr(e, 'EndpointName', input, '');
  const arn = reqStr(e, 'EndpointArn', input, '');
  const configName = optStr(e, 'EndpointConfigName', input, '');
  const status = optStr(e, 'EndpointStatus', input, '');
  optTime(e, 'CreationTime', input, '');
  optTime(e, 'LastModifiedTime', input, '');
  const liveCapture = optObj(e, 'DataCaptureConfig', input, '');
  let dataCaptureEnabled = liveCapture
    ? optBoolStrict(liveCapture, 'EnableCapture', input, 'DataCaptureConfig.')
    : null;

  let kmsKeyId: string | null = null;
  let modelNames: string[] = [];
  let resolvedConfigName = configName;
  if (endpointConfigResponse !== null && endpointConfigResponse !== undefined) {
    const cInput = meta.sources[1] ? inputOf({ ...meta, sources: meta.sources.slice(1) }, input) : input;
    const c = obj(endpointConfigResponse, cInput, 'DescribeEndpointConfig response');
    const cName = reqStr(c, 'EndpointConfigName', cInput, '');
    if (configName !== null && cName !== configName) {
      throw new NormalizeError(
        cInput,
        `EndpointConfigName is "${cName}" but endpoint ${name} uses "${configName}"`,
        'InvalidValue',
      );
    }
    resolvedConfigName = cName;
    optTime(c, 'CreationTime', cInput, '');
    kmsKeyId = optStr(c, 'KmsKeyId', cInput, '');
    modelNames = modelNamesOf(c, cInput);
    if (dataCaptureEnabled === null) {
      const dc = optObj(c, 'DataCaptureConfig', cInput, '');
      dataCaptureEnabled = dc ? (optBoolStrict(dc, 'EnableCapture', cInput, 'DataCaptureConfig.') ?? true) : false;
    }
  }

  const modelPackageArns: string[] = [];
  for (const m of modelNames) {
    const pkg = lookup(modelPackages, m);
    if (pkg && !modelPackageArns.includes(pkg)) modelPackageArns.push(pkg);
  }

  const content: EndpointContent = {
    name,
    arn,
    status,
    configName: resolvedConfigName,
    kmsKeyId,
    dataCaptureEnabled,
    modelNames,
    modelPackageArns,
  };
  return collected(baseOf(meta, 'sagemaker', 'sagemaker.endpoint', arn), content);
}
