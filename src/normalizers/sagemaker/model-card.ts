import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ContentOf } from '../../evidence/content.js';
import { MODEL_CARD_STATUSES } from '../../evidence/content.js';
import type { Observation } from '../../evidence/observation.js';
import { collected } from '../../evidence/observation.js';
import type { NormalizeMeta } from '../types.js';
import { NormalizeError, describe } from '../types.js';
import {
  baseOf,
  cleanOpt,
  cleanText,
  inputOf,
  obj,
  optInt,
  optObj,
  optStr,
  optTime,
  reqEnum,
  reqStr,
  userOf,
} from './common.js';
import type { Obj } from './common.js';
import upstreamSchema from './model-card-schema.json' with { type: 'json' };

export type ModelCardContent = ContentOf<'sagemaker.model_card'>;

const RISK_RATINGS = ['High', 'Medium', 'Low', 'Unknown'] as const;
/** At most this many schema problems are listed; a hostile card could otherwise produce thousands. */
const MAX_SCHEMA_ERRORS = 50;
const MAX_ERROR_LENGTH = 300;

/**
 * Properties of the full model-card schema (what `DescribeModelCard` returns) that the upstream file — the
 * model-package card schema — lacks. Added in memory only; see ATTRIBUTION.md. Types only, no invented limits.
 */
const FULL_CARD_ADDITIONS = {
  modelOverview: {
    model_id: { description: 'SageMaker model ARN or non-SageMaker model id', type: 'string' },
    model_name: { description: 'Name of the model', type: 'string' },
    model_version: { description: 'Version of the model', type: 'number' },
    inference_environment: {
      type: 'object',
      additionalProperties: false,
      properties: { container_image: { type: 'array', items: { type: 'string' } } },
    },
  },
  modelPackageDetails: {
    description: 'Details of the model package version the card describes',
    type: 'object',
    additionalProperties: false,
    properties: {
      model_package_name: { type: 'string' },
      model_package_arn: { type: 'string' },
      model_package_description: { type: 'string' },
      model_package_group_name: { type: 'string' },
      model_package_status: { type: 'string' },
      model_package_version: { type: 'number' },
      model_approval_status: { type: 'string' },
      approval_description: { type: 'string' },
      domain: { type: 'string' },
      task: { type: 'string' },
      created_by: {
        type: 'object',
        additionalProperties: false,
        properties: { user_profile_name: { type: 'string' } },
      },
      source_algorithms: { $ref: '#/definitions/source_algorithms' },
      inference_specification: { $ref: '#/definitions/inference_specification' },
    },
  },
} as const;

let validator: ValidateFunction | null = null;

/** Compiled once per process; compiling is deterministic and has no side effects outside this module. */
function contentValidator(): ValidateFunction {
  if (validator) return validator;
  // Deep copy: the imported JSON module object is shared and must not be mutated.
  const schema = JSON.parse(JSON.stringify(upstreamSchema)) as Obj & {
    properties: Obj & { model_overview: { properties: Obj } };
  };
  // Upstream `$id` is the draft-07 meta-schema's own id, which ajv refuses to register a second time.
  delete schema['$id'];
  Object.assign(schema.properties.model_overview.properties, FULL_CARD_ADDITIONS.modelOverview);
  schema.properties['model_package_details'] = FULL_CARD_ADDITIONS.modelPackageDetails;
  // strict:false — upstream uses `version`, `maxContains`, `minContains` and non-keyword `function`/`notes`.
  const ajv = new Ajv({ strict: false, allErrors: true });
  validator = ajv.compile(schema);
  return validator;
}

/** Human-readable schema problems with JSON-pointer paths, in ajv's (deterministic) order. */
export function modelCardSchemaErrors(content: unknown): string[] {
  const validate = contentValidator();
  if (validate(content)) return [];
  const errors = validate.errors ?? [];
  // An item that matches none of an `anyOf` (a metric that is neither simple, graph, bar chart nor matrix) yields one
  // error per branch; report the anyOf failure once instead of every branch's complaint.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  const outerAnyOf = anyOfPaths.filter((p) => !anyOfPaths.some((q) => q !== p && isUnder(p, q)));
  const lines: string[] = [];
  for (const e of errors) {
    const covered = outerAnyOf.some((p) => isUnder(e.instancePath, p));
    if (covered && !(e.keyword === 'anyOf' && outerAnyOf.includes(e.instancePath))) continue;
    const line = formatError(e);
    if (!lines.includes(line)) lines.push(line);
  }
  if (lines.length > MAX_SCHEMA_ERRORS) {
    const more = lines.length - MAX_SCHEMA_ERRORS;
    return [...lines.slice(0, MAX_SCHEMA_ERRORS), `… and ${more} more schema problem${more === 1 ? '' : 's'}`];
  }
  return lines;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

function formatError(e: ErrorObject): string {
  const at = e.instancePath === '' ? '/' : e.instancePath;
  let text: string;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      text = `${at} must not have property "${String(params['additionalProperty'])}"`;
      break;
    case 'enum':
      text = `${at} must be one of ${(params['allowedValues'] as unknown[]).map(String).join('|')}`;
      break;
    case 'anyOf':
      text = `${at} does not match any allowed form`;
      break;
    default:
      text = `${at} ${e.message ?? e.keyword}`;
  }
  const clean = cleanText(text);
  return clean.length > MAX_ERROR_LENGTH ? clean.slice(0, MAX_ERROR_LENGTH) + '…' : clean;
}

/** Reads `root.a.b` from parsed card content; anything that is not a plain object along the way → undefined. */
function at(root: unknown, ...keys: string[]): unknown {
  let v = root;
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Obj)[k];
  }
  return v;
}

function flattenMetrics(content: unknown): ModelCardContent['evaluationMetrics'] {
  const out: ModelCardContent['evaluationMetrics'] = [];
  const evaluations = at(content, 'evaluation_details');
  if (!Array.isArray(evaluations)) return out;
  evaluations.forEach((evaluation, i) => {
    const evalName = cleanOpt(at(evaluation, 'name')) ?? `evaluation_details[${i}]`;
    const groups = at(evaluation, 'metric_groups');
    if (!Array.isArray(groups)) return;
    groups.forEach((group, j) => {
      const groupName = cleanOpt(at(group, 'name')) ?? `metric_groups[${j}]`;
      const data = at(group, 'metric_data');
      if (!Array.isArray(data)) return;
      for (const metric of data) {
        const name = cleanOpt(at(metric, 'name'));
        const value = at(metric, 'value');
        if (name === null) continue;
        if (typeof value === 'number' && Number.isFinite(value))
          out.push({ evaluation: evalName, group: groupName, name, value });
        else if (typeof value === 'boolean') out.push({ evaluation: evalName, group: groupName, name, value });
        else if (typeof value === 'string')
          out.push({ evaluation: evalName, group: groupName, name, value: cleanText(value) });
        // Graphs, bar charts and matrices are not scalar: they stay in the raw card only.
      }
    });
  });
  return out;
}

/**
 * `aws sagemaker describe-model-card` / `DescribeModelCardCommand` → one `sagemaker.model_card` observation.
 *
 * Wrong shape, missing name/status/content, unknown status, bad timestamps or `Content` that is not JSON throw
 * NormalizeError. `Content` that is JSON but violates the model-card schema does not: the card is collected and the
 * problems are listed in `schemaErrors`. Card text is kept verbatim (markup included) minus C0 control characters.
 */
export function normalizeModelCard(response: unknown, meta: NormalizeMeta): Observation<'sagemaker.model_card'> {
  const input = inputOf(meta, 'sagemaker:DescribeModelCard');
  const r = obj(response, input, 'DescribeModelCard response');
  const name = reqStr(r, 'ModelCardName', input, '');
  const arn = optStr(r, 'ModelCardArn', input, '');
  const status = reqEnum(r, 'ModelCardStatus', MODEL_CARD_STATUSES, input, '');
  const version = optInt(r, 'ModelCardVersion', input, '');
  optTime(r, 'CreationTime', input, '');
  const lastModifiedTime = optTime(r, 'LastModifiedTime', input, '');
  const createdBy = userOf(r, 'CreatedBy', input, '').name;
  const lastModifiedBy = userOf(r, 'LastModifiedBy', input, '').name;
  optObj(r, 'SecurityConfig', input, '');

  const raw = r['Content'];
  if (typeof raw !== 'string') {
    throw new NormalizeError(
      input,
      `Content is required and must be a string holding the card's JSON, got ${describe(raw)}`,
      'MissingField',
    );
  }
  let content: unknown;
  try {
    content = JSON.parse(raw) as unknown;
  } catch {
    throw new NormalizeError(
      input,
      'Content is not valid JSON (it must hold the model card content as a JSON document)',
      'MalformedInput',
    );
  }

  const text = (...keys: string[]): string | null => cleanOpt(at(content, ...keys));
  const risk = at(content, 'intended_uses', 'risk_rating');
  const modelId = text('model_overview', 'model_id');
  const packageArn =
    text('model_package_details', 'model_package_arn') ??
    (modelId !== null && modelId.includes(':model-package/') ? modelId : null);

  const card: ModelCardContent = {
    name,
    arn,
    version,
    status,
    createdBy,
    lastModifiedBy,
    lastModifiedTime,
    schemaErrors: modelCardSchemaErrors(content),
    modelId,
    modelName: text('model_overview', 'model_name'),
    description: text('model_overview', 'model_description'),
    intendedUses: text('intended_uses', 'intended_uses') ?? text('intended_uses', 'purpose_of_model'),
    riskRating:
      typeof risk === 'string' && (RISK_RATINGS as readonly string[]).includes(risk)
        ? (risk as (typeof RISK_RATINGS)[number])
        : null,
    riskExplanation: text('intended_uses', 'explanations_for_risk_rating'),
    problemType: text('model_overview', 'problem_type'),
    trainingObservations: text('training_details', 'training_observations'),
    ethicalConsiderations: text('additional_information', 'ethical_considerations'),
    caveatsAndRecommendations: text('additional_information', 'caveats_and_recommendations'),
    evaluationMetrics: flattenMetrics(content),
    modelPackageArn: packageArn,
  };
  return collected(baseOf(meta, 'sagemaker', 'sagemaker.model_card', arn ?? `model-card/${name}`), card);
}
