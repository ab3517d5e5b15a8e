import type { EvidenceKind } from '../../evidence/kinds.js';
import type { Observation } from '../../evidence/observation.js';
import { InvalidTimeError, toIsoInstant } from '../../util/time.js';
import type { NormalizeMeta } from '../types.js';
import { NormalizeError, describe } from '../types.js';

/**
 * Strict shape helpers shared by the SageMaker, Artifact and Bedrock configuration normalizers. They differ from
 * `optString`/`optBool` in `../types.ts` in one way: a member that is present with the wrong JSON type is an error
 * (the payload is not what AWS sends), not "absent". Every error names the JSON path of the member.
 */

/** The input named in a NormalizeError: the export-relative file path, or `service:Operation` for live calls. */
export function inputOf(meta: NormalizeMeta, fallback: string): string {
  const src = meta.sources[0];
  if (!src) return fallback;
  return src.type === 'file' ? src.path : src.operation;
}

/** Everything of an observation except status and content, from meta. */
export function baseOf<K extends EvidenceKind>(
  meta: NormalizeMeta,
  collector: string,
  kind: K,
  resource: string | null,
  region: string = meta.region,
): Omit<Observation<K>, 'status' | 'content'> {
  return {
    collector,
    kind,
    account: meta.account,
    region,
    resource,
    observedAt: { type: 'instant', at: meta.observedAt },
    sources: meta.sources,
    raw: meta.raw,
  };
}

export type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/** `value` must be a JSON object; `path` names it in the error. */
export function obj(value: unknown, input: string, path: string): Obj {
  if (!isObj(value))
    throw new NormalizeError(input, `${path} must be a JSON object, got ${describe(value)}`, 'UnknownShape');
  return value;
}

/** An optional object member: undefined/null → null, wrong type → error. */
export function optObj(o: Obj, key: string, input: string, path: string): Obj | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  return obj(v, input, `${path}${key}`);
}

/** An optional list member: undefined/null → [], wrong type → error. */
export function optList(o: Obj, key: string, input: string, path: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw new NormalizeError(input, `${path}${key} must be an array, got ${describe(v)}`, 'UnknownShape');
  return v;
}

/** A required, non-empty string member. */
export function reqStr(o: Obj, key: string, input: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new NormalizeError(
      input,
      `${path}${key} is required and must be a non-empty string, got ${describe(v)}`,
      'MissingField',
    );
  }
  return v;
}

/** An optional string member: absent/null/empty → null, wrong type → error. */
export function optStr(o: Obj, key: string, input: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string')
    throw new NormalizeError(input, `${path}${key} must be a string, got ${describe(v)}`, 'UnknownShape');
  return v.length > 0 ? v : null;
}

export function optBoolStrict(o: Obj, key: string, input: string, path: string): boolean | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean')
    throw new NormalizeError(input, `${path}${key} must be a boolean, got ${describe(v)}`, 'UnknownShape');
  return v;
}

export function optInt(o: Obj, key: string, input: string, path: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new NormalizeError(
      input,
      `${path}${key} must be an integer, got ${typeof v === 'number' ? String(v) : describe(v)}`,
      'UnknownShape',
    );
  }
  return v;
}

/** A closed AWS enum: absent → null (unless required), any other value → error listing the allowed values. */
export function optEnum<const T extends readonly string[]>(
  o: Obj,
  key: string,
  allowed: T,
  input: string,
  path: string,
): T[number] | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new NormalizeError(
      input,
      `${path}${key} must be one of ${allowed.join('|')}, got ${describe(v)}`,
      'InvalidValue',
    );
  }
  return v;
}

export function reqEnum<const T extends readonly string[]>(
  o: Obj,
  key: string,
  allowed: T,
  input: string,
  path: string,
): T[number] {
  const v = optEnum(o, key, allowed, input, path);
  if (v === null) {
    throw new NormalizeError(
      input,
      `${path}${key} is required and must be one of ${allowed.join('|')}, got ${describe(o[key])}`,
      'MissingField',
    );
  }
  return v;
}

/**
 * An optional timestamp member. Accepts what the AWS CLI prints (ISO-8601 with a zone, or epoch seconds) and what
 * the SDK v3 returns (Date); anything else is an InvalidTime error.
 */
export function optTime(o: Obj, key: string, input: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  try {
    return toIsoInstant(v);
  } catch (err) {
    if (err instanceof InvalidTimeError)
      throw new NormalizeError(input, `${path}${key} is ${err.message}`, 'InvalidTime');
    throw err;
  }
}

export function reqTime(o: Obj, key: string, input: string, path: string): string {
  const v = optTime(o, key, input, path);
  if (v === null)
    throw new NormalizeError(
      input,
      `${path}${key} is required and must be a timestamp, got ${describe(o[key])}`,
      'MissingField',
    );
  return v;
}

// C0 controls (U+0000-U+001F) except TAB (U+0009) and LF (U+000A).
// eslint-disable-next-line no-control-regex
const C0_EXCEPT_TAB_LF = /[\u0000-\u0008\u000B-\u001F]/g;

/**
 * Free text from a customer-authored document (model card, descriptions). Kept verbatim — markup included; escaping
 * is the renderer's job — except NUL and the other C0 control characters (TAB and LF survive; CR is removed, so CRLF
 * becomes LF), which have no place in an audit report and break some viewers.
 */
export function cleanText(value: string): string {
  return value.replace(C0_EXCEPT_TAB_LF, '');
}

/** `cleanText` for an optional value; empty after cleaning → null. */
export function cleanOpt(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const s = cleanText(value);
  return s.length > 0 ? s : null;
}

/** The display name of a SageMaker `UserContext`: profile name, else IAM identity ARN, else profile ARN. */
export function userOf(
  o: Obj,
  key: string,
  input: string,
  path: string,
): { name: string | null; iamArn: string | null } {
  const u = optObj(o, key, input, path);
  if (!u) return { name: null, iamArn: null };
  const p = `${path}${key}.`;
  const iam = optObj(u, 'IamIdentity', input, p);
  const iamArn = iam ? optStr(iam, 'Arn', input, `${p}IamIdentity.`) : null;
  const profileName = optStr(u, 'UserProfileName', input, p);
  const profileArn = optStr(u, 'UserProfileArn', input, p);
  return { name: profileName ?? iamArn ?? profileArn, iamArn };
}
