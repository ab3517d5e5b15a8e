import { collected, type Observation } from '../../evidence/observation.js';
import { InvalidTimeError, toIsoInstant } from '../../util/time.js';
import { NormalizeError, asRecord, optString, requireString, type NormalizeMeta } from '../types.js';
import { configBase } from './common.js';

/**
 * A configuration item in either shape AWS uses: the delivery/notification shape (`configurationItemVersion`,
 * `ARN`, `awsAccountId`, `configuration` as an object) or the API shape (`version`, `arn`, `accountId`,
 * `configuration` as a JSON string).
 */
export function normalizeConfigurationItem(ci: unknown, meta: NormalizeMeta, where: string): Observation<'config.configuration_item'> {
  const input = meta.sources[0]?.type === 'file' ? meta.sources[0].path : 'configuration item';
  const rec = asRecord(ci, input, where);
  const resourceType = requireString(rec, 'resourceType', input, where);
  const resourceId = requireString(rec, 'resourceId', input, where);
  let captureTime: string;
  try {
    captureTime = toIsoInstant(rec['configurationItemCaptureTime']);
  } catch (err) {
    if (err instanceof InvalidTimeError) throw new NormalizeError(input, `${where}.configurationItemCaptureTime is ${err.message}`, 'InvalidTime');
    throw err;
  }
  const arn = optString(rec, 'ARN') ?? optString(rec, 'arn');
  return collected(configBase('config.configuration_item', arn ?? `${resourceType}/${resourceId}`, meta, captureTime), {
    resourceType,
    resourceId,
    resourceName: optString(rec, 'resourceName'),
    arn,
    captureTime,
    status: optString(rec, 'configurationItemStatus'),
    configuration: parseMaybeJson(rec['configuration'], input, `${where}.configuration`),
    supplementaryConfiguration: parseSupplementary(rec['supplementaryConfiguration'], input, where),
    tags: tagsOf(rec['tags']),
  });
}

function parseMaybeJson(value: unknown, input: string, where: string): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new NormalizeError(input, `${where} is a string but not valid JSON`, 'InvalidJson');
  }
}

/** Supplementary values are often JSON strings (S3 ACLs, bucket policies); leave a value as-is if it is not JSON. */
function parseSupplementary(value: unknown, _input: string, _where: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && /^[[{]/.test(v.trim())) {
      try {
        out[k] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // kept verbatim: a supplementary value that looks like JSON but is not is still evidence
      }
    }
    out[k] = v;
  }
  return out;
}

function tagsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const t of value) {
      const key = (t as Record<string, unknown> | null)?.['key'] ?? (t as Record<string, unknown> | null)?.['Key'];
      const val = (t as Record<string, unknown> | null)?.['value'] ?? (t as Record<string, unknown> | null)?.['Value'];
      if (typeof key === 'string') out[key] = typeof val === 'string' ? val : '';
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
