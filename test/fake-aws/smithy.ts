/**
 * The official Smithy JSON AST models (aws/api-models-aws, copied under `../shared/realdata/api-models-aws/`)
 * as the fake AWS server's contract: operations, HTTP bindings, paginators, and a serializer + validator that
 * turn AWS CLI JSON (what the export directory holds) into the exact wire JSON of the protocol and check every
 * request and response against the operation's input and output shapes.
 *
 * Extends the checks of `test/fixtures/sagemaker/smithy.ts` (member names, required members, JSON types, enums)
 * with the wire rules of awsJson1_1 / restJson1: timestamps as epoch seconds unless the shape says `date-time`,
 * `jsonName` in restJson1 bodies, members bound to HTTP headers/query/labels kept out of the body, sparse
 * collections, unions, and length/range/pattern constraints.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_MODELS_DIR } from '../fixtures/smithy.js';

export { API_MODELS_DIR };

export type Protocol = 'awsJson1_1' | 'restJson1' | 'awsQuery';

interface Member {
  target: string;
  traits?: Record<string, unknown>;
}
export interface Shape {
  type: string;
  members?: Record<string, Member>;
  member?: Member;
  key?: Member;
  value?: Member;
  input?: { target: string };
  output?: { target: string };
  errors?: { target: string }[];
  operations?: { target: string }[];
  resources?: { target: string }[];
  traits?: Record<string, unknown>;
}

/** Models the fake serves, keyed by the SigV4 signing name that the SDK puts into the credential scope. */
export const MODELS = {
  // CloudTrail's botocore/CLI prefix is the long one; SDK v3 sends the service shape name. AWS accepts both.
  cloudtrail: {
    file: 'cloudtrail/service/2013-11-01/cloudtrail-2013-11-01.json',
    targetPrefixes: ['com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101', 'CloudTrail_20131101'],
  },
  config: {
    file: 'config-service/service/2014-11-12/config-service-2014-11-12.json',
    targetPrefixes: ['StarlingDoveService'],
  },
  sagemaker: { file: 'sagemaker/service/2017-07-24/sagemaker-2017-07-24.json', targetPrefixes: ['SageMaker'] },
  logs: {
    file: 'cloudwatch-logs/service/2014-03-28/cloudwatch-logs-2014-03-28.json',
    targetPrefixes: ['Logs_20140328'],
  },
  bedrock: { file: 'bedrock/service/2023-04-20/bedrock-2023-04-20.json', targetPrefixes: [] },
  artifact: { file: 'artifact/service/2018-05-10/artifact-2018-05-10.json', targetPrefixes: [] },
  sts: { file: 'sts/service/2011-06-15/sts-2011-06-15.json', targetPrefixes: [] },
} as const;
export type ModelledService = keyof typeof MODELS;

export interface HttpBinding {
  readonly method: string;
  readonly uri: string;
  readonly code: number;
}

export interface Paginated {
  readonly inputToken: string;
  readonly outputToken: string;
  readonly items?: string;
  readonly pageSize?: string;
}

export interface Operation {
  readonly name: string;
  readonly id: string;
  readonly input: string | null;
  readonly output: string | null;
  readonly http: HttpBinding | null;
  readonly paginated: Paginated | null;
}

export class ServiceModel {
  readonly shapes: Record<string, Shape>;
  readonly protocol: Protocol;
  readonly signingName: string;
  /** awsJson1_1: the accepted `X-Amz-Target` prefixes (before `.Operation`). */
  readonly targetPrefixes: readonly string[];
  readonly operations = new Map<string, Operation>();

  constructor(
    readonly key: ModelledService,
    doc: { shapes: Record<string, Shape> },
  ) {
    this.shapes = doc.shapes;
    const [serviceId, service] = Object.entries(this.shapes).find(([, s]) => s.type === 'service')!;
    const traits = service.traits ?? {};
    this.protocol =
      'aws.protocols#awsJson1_1' in traits
        ? 'awsJson1_1'
        : 'aws.protocols#restJson1' in traits
          ? 'restJson1'
          : 'awsQuery';
    this.signingName = (traits['aws.auth#sigv4'] as { name: string }).name;
    this.targetPrefixes = MODELS[key].targetPrefixes;
    const servicePaginated = traits['smithy.api#paginated'] as Partial<Paginated> | undefined;
    for (const opId of this.operationIds(serviceId)) {
      const op = this.shapes[opId]!;
      const name = opId.slice(opId.indexOf('#') + 1);
      const p = op.traits?.['smithy.api#paginated'] as Partial<Paginated> | undefined;
      const paginated = p ? ({ ...servicePaginated, ...p } as Paginated) : null;
      this.operations.set(name, {
        name,
        id: opId,
        input: op.input && op.input.target !== 'smithy.api#Unit' ? op.input.target : null,
        output: op.output && op.output.target !== 'smithy.api#Unit' ? op.output.target : null,
        http: (op.traits?.['smithy.api#http'] as HttpBinding | undefined) ?? null,
        paginated: paginated?.inputToken && paginated.outputToken ? paginated : null,
      });
    }
  }

  /** Operations bound to the service directly or through its resources (recursively). */
  private operationIds(id: string, seen = new Set<string>()): string[] {
    if (seen.has(id)) return [];
    seen.add(id);
    const s = this.shapes[id];
    if (!s) return [];
    const out: string[] = [];
    for (const key of ['operations', 'collectionOperations'] as const) {
      for (const o of (s as unknown as Record<string, { target: string }[] | undefined>)[key] ?? []) out.push(o.target);
    }
    for (const key of ['create', 'put', 'read', 'update', 'delete', 'list'] as const) {
      const ref = (s as unknown as Record<string, { target: string } | undefined>)[key];
      if (ref) out.push(ref.target);
    }
    for (const r of s.resources ?? []) out.push(...this.operationIds(r.target, seen));
    return out;
  }

  operation(name: string): Operation {
    const op = this.operations.get(name);
    if (!op) throw new Error(`${this.key}: no operation ${name} in the model`);
    return op;
  }

  shape(id: string): Shape | undefined {
    return this.shapes[id];
  }

  /** The members of a structure shape. */
  members(id: string): Record<string, Member> {
    return this.shapes[id]?.members ?? {};
  }

  /** Wire name of a structure member in a JSON body (restJson1 honours `jsonName`, awsJson1_1 does not). */
  wireName(name: string, m: Member): string {
    return this.protocol === 'restJson1' ? ((m.traits?.['smithy.api#jsonName'] as string | undefined) ?? name) : name;
  }

  /** Whether a member is bound to the HTTP message outside the JSON body (restJson1 only). */
  isHttpBound(m: Member): boolean {
    if (this.protocol !== 'restJson1') return false;
    const t = m.traits ?? {};
    return [
      'smithy.api#httpHeader',
      'smithy.api#httpLabel',
      'smithy.api#httpQuery',
      'smithy.api#httpQueryParams',
      'smithy.api#httpPrefixHeaders',
      'smithy.api#httpResponseCode',
      'smithy.api#httpPayload',
    ].some((k) => k in t);
  }

  /** The timestamp format on the wire for a member/shape: `date-time`, `epoch-seconds` or `http-date`. */
  timestampFormat(m: Member | undefined, target: string): string {
    return (
      (m?.traits?.['smithy.api#timestampFormat'] as string | undefined) ??
      (this.shapes[target]?.traits?.['smithy.api#timestampFormat'] as string | undefined) ??
      (this.protocol === 'awsQuery' ? 'date-time' : 'epoch-seconds')
    );
  }
}

const cache = new Map<ModelledService, ServiceModel>();

export function modelsAvailable(): boolean {
  return Object.values(MODELS).every((m) => existsSync(join(API_MODELS_DIR, m.file)));
}

export function model(key: ModelledService): ServiceModel {
  let m = cache.get(key);
  if (!m) {
    m = new ServiceModel(
      key,
      JSON.parse(readFileSync(join(API_MODELS_DIR, MODELS[key].file), 'utf8')) as { shapes: Record<string, Shape> },
    );
    cache.set(key, m);
  }
  return m;
}

const PRELUDE: Record<string, string> = {
  'smithy.api#String': 'string',
  'smithy.api#Boolean': 'boolean',
  'smithy.api#PrimitiveBoolean': 'boolean',
  'smithy.api#Byte': 'byte',
  'smithy.api#PrimitiveByte': 'byte',
  'smithy.api#Short': 'short',
  'smithy.api#PrimitiveShort': 'short',
  'smithy.api#Integer': 'integer',
  'smithy.api#PrimitiveInteger': 'integer',
  'smithy.api#Long': 'long',
  'smithy.api#PrimitiveLong': 'long',
  'smithy.api#Float': 'float',
  'smithy.api#PrimitiveFloat': 'float',
  'smithy.api#Double': 'double',
  'smithy.api#PrimitiveDouble': 'double',
  'smithy.api#BigInteger': 'bigInteger',
  'smithy.api#BigDecimal': 'bigDecimal',
  'smithy.api#Timestamp': 'timestamp',
  'smithy.api#Document': 'document',
  'smithy.api#Blob': 'blob',
};

export function typeOf(m: ServiceModel, target: string): string | undefined {
  return m.shapes[target]?.type ?? PRELUDE[target];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function show(v: unknown): string {
  return (JSON.stringify(v) ?? String(v)).slice(0, 80);
}

function enumValues(m: ServiceModel, target: string): string[] | null {
  const s = m.shapes[target];
  if (!s) return null;
  if (s.type === 'enum') return Object.values(s.members ?? {}).map((x) => x.traits?.['smithy.api#enumValue'] as string);
  const legacy = s.traits?.['smithy.api#enum'] as { value: string }[] | undefined;
  return legacy ? legacy.map((e) => e.value) : null;
}

/** Parses a time as the AWS CLI prints it (ISO 8601 with any fraction or offset), epoch seconds, or a Date. */
export function timeMs(v: unknown): number | null {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(v.trim());
  if (!m) return null;
  const ms = m[2] ? Number(`0${m[2]}`.slice(0, 5)) * 1000 : 0;
  const base = Date.parse(`${m[1]}${m[3] && m[3].toUpperCase() !== 'Z' ? m[3] : 'Z'}`);
  return Number.isNaN(base) ? null : base + Math.round(ms);
}

function formatTime(ms: number, format: string): number | string {
  if (format === 'epoch-seconds') return ms / 1000;
  if (format === 'http-date') return new Date(ms).toUTCString();
  return new Date(ms).toISOString();
}

export interface Encoded {
  /** The JSON body value (wire member names, wire timestamp format). */
  readonly body: unknown;
  /** restJson1 members bound to response headers. */
  readonly headers: Record<string, string>;
  readonly problems: string[];
}

/**
 * Serializes `value` (AWS CLI JSON or an SDK-like object, keyed by member names) as the body of shape `target`
 * in the service's protocol, collecting every place where it does not fit the shape.
 */
export function encode(m: ServiceModel, target: string, value: unknown): Encoded {
  const problems: string[] = [];
  const headers: Record<string, string> = {};
  const body = enc(m, target, undefined, value, '$', problems, headers, true);
  return { body, headers, problems };
}

function enc(
  m: ServiceModel,
  target: string,
  member: Member | undefined,
  value: unknown,
  path: string,
  problems: string[],
  headers: Record<string, string>,
  top = false,
): unknown {
  const type = typeOf(m, target);
  const fail = (what: string): unknown => {
    problems.push(`${path}: expected ${what} (${target}), got ${show(value)}`);
    return value;
  };
  switch (type) {
    case undefined:
      problems.push(`${path}: unknown shape ${target}`);
      return value;
    case 'structure': {
      if (!isObject(value)) return fail('an object');
      const members = m.members(target);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const mm = members[k];
        if (!mm) {
          problems.push(`${path}.${k}: not a member of ${target}`);
          continue;
        }
        if (v === null || v === undefined) continue;
        if (top && mm.traits?.['smithy.api#httpHeader'] !== undefined) {
          headers[mm.traits['smithy.api#httpHeader'] as string] = typeof v === 'string' ? v : JSON.stringify(v);
          continue;
        }
        if (m.isHttpBound(mm)) continue;
        out[m.wireName(k, mm)] = enc(m, mm.target, mm, v, `${path}.${k}`, problems, headers);
      }
      for (const [k, mm] of Object.entries(members)) {
        if (mm.traits?.['smithy.api#required'] !== undefined && (value[k] === undefined || value[k] === null))
          problems.push(`${path}.${k}: required member missing`);
      }
      return out;
    }
    case 'union': {
      if (!isObject(value)) return fail('an object with exactly one member');
      const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
      if (entries.length !== 1) return fail('an object with exactly one member');
      const [k, v] = entries[0]!;
      const mm = m.members(target)[k];
      if (!mm) {
        problems.push(`${path}.${k}: not a member of union ${target}`);
        return value;
      }
      return { [m.wireName(k, mm)]: enc(m, mm.target, mm, v, `${path}.${k}`, problems, headers) };
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) return fail('an array');
      const shape = m.shape(target)!;
      const sparse = shape.traits?.['smithy.api#sparse'] !== undefined;
      return value.map((v, i) => {
        if (v === null) {
          if (!sparse) problems.push(`${path}[${i}]: null in a non-sparse list ${target}`);
          return null;
        }
        return enc(m, shape.member!.target, shape.member, v, `${path}[${i}]`, problems, headers);
      });
    }
    case 'map': {
      if (!isObject(value)) return fail('an object');
      const shape = m.shape(target)!;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        out[k] = v === null ? null : enc(m, shape.value!.target, shape.value, v, `${path}.${k}`, problems, headers);
      return out;
    }
    case 'timestamp': {
      const ms = timeMs(value);
      if (ms === null) return fail('a timestamp');
      return formatTime(ms, m.timestampFormat(member, target));
    }
    case 'blob':
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      return typeof value === 'string' ? value : fail('a base64 string');
    default:
      problems.push(...check(m, target, member, value, path, 'value'));
      return value;
  }
}

/**
 * Every problem of a wire value against shape `target`: unknown member names, missing required members, JSON
 * types, enum values, constraints, and timestamps in the protocol's format. `where` is `body` for a whole JSON
 * body (http-bound members must be absent) or `value` for an inner value.
 */
export function check(
  m: ServiceModel,
  target: string,
  member: Member | undefined,
  value: unknown,
  path = '$',
  where: 'body' | 'value' = 'body',
  ignoreRequired: ReadonlySet<string> = new Set(),
): string[] {
  const type = typeOf(m, target);
  const fail = (what: string): string[] => [`${path}: expected ${what} (${target}), got ${show(value)}`];
  const traits = { ...(m.shape(target)?.traits ?? {}), ...(member?.traits ?? {}) };
  switch (type) {
    case undefined:
      return [`${path}: unknown shape ${target}`];
    case 'structure': {
      if (!isObject(value)) return fail('an object');
      const problems: string[] = [];
      const members = m.members(target);
      const byWire = new Map(
        Object.entries(members)
          .filter(([, mm]) => !(where === 'body' && m.isHttpBound(mm)))
          .map(([k, mm]) => [m.wireName(k, mm), [k, mm] as const]),
      );
      for (const [k, v] of Object.entries(value)) {
        const entry = byWire.get(k);
        if (!entry) {
          problems.push(`${path}.${k}: not a ${where === 'body' ? 'body ' : ''}member of ${target}`);
          continue;
        }
        if (v === null) continue;
        problems.push(...check(m, entry[1].target, entry[1], v, `${path}.${k}`, 'value'));
      }
      for (const [k, mm] of Object.entries(members)) {
        if (mm.traits?.['smithy.api#required'] === undefined || ignoreRequired.has(k)) continue;
        if (where === 'body' && m.isHttpBound(mm)) continue;
        const w = m.wireName(k, mm);
        if (value[w] === undefined || value[w] === null) problems.push(`${path}.${w}: required member missing`);
      }
      return problems;
    }
    case 'union': {
      if (!isObject(value) || Object.keys(value).length !== 1) return fail('an object with exactly one member');
      const [k, v] = Object.entries(value)[0]!;
      const entry = Object.entries(m.members(target)).find(([n, mm]) => m.wireName(n, mm) === k);
      return entry
        ? check(m, entry[1].target, entry[1], v, `${path}.${k}`, 'value')
        : [`${path}.${k}: not a member of union ${target}`];
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) return fail('an array');
      const shape = m.shape(target)!;
      const sparse = shape.traits?.['smithy.api#sparse'] !== undefined;
      const problems = lengthProblems(traits, value.length, path);
      value.forEach((v, i) => {
        if (v === null) {
          if (!sparse) problems.push(`${path}[${i}]: null in a non-sparse list`);
        } else problems.push(...check(m, shape.member!.target, shape.member, v, `${path}[${i}]`, 'value'));
      });
      return problems;
    }
    case 'map': {
      if (!isObject(value)) return fail('an object');
      const shape = m.shape(target)!;
      const problems = lengthProblems(traits, Object.keys(value).length, path);
      for (const [k, v] of Object.entries(value)) {
        problems.push(...check(m, shape.key!.target, shape.key, k, `${path}{${k}}`, 'value'));
        if (v !== null) problems.push(...check(m, shape.value!.target, shape.value, v, `${path}.${k}`, 'value'));
      }
      return problems;
    }
    case 'enum': {
      const allowed = enumValues(m, target)!;
      return typeof value === 'string' && allowed.includes(value) ? [] : fail(`one of ${allowed.join('|')}`);
    }
    case 'string': {
      if (typeof value !== 'string') return fail('a string');
      const allowed = enumValues(m, target);
      if (allowed && !allowed.includes(value)) return fail(`one of ${allowed.join('|')}`);
      const problems = lengthProblems(traits, [...value].length, path);
      const pattern = traits['smithy.api#pattern'] as string | undefined;
      if (pattern && !safeRegExp(pattern).test(value))
        problems.push(`${path}: ${CONSTRAINT}${show(value)} does not match the pattern ${pattern} of ${target}`);
      return problems;
    }
    case 'blob':
      return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? [] : fail('a base64 string');
    case 'boolean':
      return typeof value === 'boolean' ? [] : fail('a boolean');
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
    case 'intEnum':
    case 'bigInteger':
      return typeof value === 'number' && Number.isInteger(value)
        ? rangeProblems(traits, value, path)
        : fail('an integer');
    case 'float':
    case 'double':
    case 'bigDecimal':
      return typeof value === 'number' ? rangeProblems(traits, value, path) : fail('a number');
    case 'timestamp': {
      const format = m.timestampFormat(member, target);
      if (format === 'epoch-seconds') return typeof value === 'number' ? [] : fail('epoch seconds (a JSON number)');
      if (format === 'date-time')
        return typeof value === 'string' && timeMs(value) !== null ? [] : fail('an RFC 3339 date-time string');
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? [] : fail('an HTTP date');
    }
    case 'document':
      return [];
    default:
      return [`${path}: unsupported Smithy type ${type} (${target})`];
  }
}

/**
 * Marks problems with `@length`, `@range` or `@pattern` constraints. AWS enforces them on input; on output they
 * document what AWS sends but clients do not enforce them, so the server can treat them as warnings there.
 */
export const CONSTRAINT = 'constraint: ';

export function isConstraintProblem(p: string): boolean {
  return p.includes(`: ${CONSTRAINT}`);
}

function lengthProblems(traits: Record<string, unknown>, n: number, path: string): string[] {
  const len = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
  if (!len) return [];
  if (len.min !== undefined && n < len.min) return [`${path}: ${CONSTRAINT}length ${n} < min ${len.min}`];
  if (len.max !== undefined && n > len.max) return [`${path}: ${CONSTRAINT}length ${n} > max ${len.max}`];
  return [];
}

function rangeProblems(traits: Record<string, unknown>, n: number, path: string): string[] {
  const range = traits['smithy.api#range'] as { min?: number; max?: number } | undefined;
  if (!range) return [];
  if (range.min !== undefined && n < range.min) return [`${path}: ${CONSTRAINT}${n} < min ${range.min}`];
  if (range.max !== undefined && n > range.max) return [`${path}: ${CONSTRAINT}${n} > max ${range.max}`];
  return [];
}

const regexCache = new Map<string, RegExp>();
/** Smithy patterns are ECMA 262 without anchors implied; some AWS ones use `\p{}`, so compile with `u` when possible. */
function safeRegExp(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      try {
        re = new RegExp(pattern);
      } catch {
        re = /[\s\S]*/;
      }
    }
    regexCache.set(pattern, re);
  }
  return re;
}

/** Problems of a whole output body of `operation` as sent on the wire. */
export function outputProblems(m: ServiceModel, operation: string, body: unknown): string[] {
  const op = m.operation(operation);
  if (!op.output)
    return isObject(body) && Object.keys(body).length === 0 ? [] : [`$: ${operation} has no output, got ${show(body)}`];
  return check(m, op.output, undefined, body, '$', 'body').map((p) => `${m.key}:${operation} output ${p}`);
}

/** Problems of a request input (already decoded into wire names; http-bound members merged in by member name). */
export function inputProblems(
  m: ServiceModel,
  operation: string,
  input: Record<string, unknown>,
  where: 'body' | 'value' = 'body',
): string[] {
  const op = m.operation(operation);
  if (!op.input) return [];
  return check(m, op.input, undefined, input, '$', where).map((p) => `${m.key}:${operation} input ${p}`);
}
