import type { ContentOf } from '../evidence/content.js';
import { detectPii, redactText } from '../privacy/redact.js';
import { InvalidTimeError, toIsoInstant } from '../util/time.js';
import { NormalizeError, describe } from './types.js';

type Summary = ContentOf<'bedrock.invocation_summary'>;
type Sample = Summary['samples'][number];

const MAX_SAMPLES = 4;
const SAMPLE_CHARS = 400;
/** Redact over a wide window before cutting the sample, so no entity is cut in half and missed. */
const REDACT_WINDOW = 64 * 1024;
/** Keys under which Bedrock model request/response bodies carry human text (Converse, Anthropic, Titan, Llama). */
const TEXT_KEYS = new Set(['text', 'inputText', 'prompt', 'completion', 'outputText', 'generation', 'content', 'system']);
/** Guardrail traces hold the raw matched PII in `match`: they are read for counts only, never copied. */
const TRACE_KEYS = new Set(['amazon-bedrock-trace', 'trace', 'guardrail']);

interface ParsedRecord {
  readonly timestamp: string;
  readonly requestId: string;
  readonly identityArn: string | null;
  readonly modelId: string;
  readonly operation: string;
  readonly errorCode: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly inputText: string;
  readonly outputText: string;
  readonly guardrailAction: string | null;
  readonly guardrailPiiTypes: readonly string[];
  /** Values a guardrail matched (names, addresses, custom words): used only to blank them out of samples. */
  readonly guardrailMatches: readonly { type: string; match: string }[];
}

/**
 * Aggregates the `ModelInvocationLog` records of one delivered log file. Raw prompts never reach the content:
 * only counts and a few samples with every detected PII entity replaced by its type.
 */
export class InvocationAggregator {
  private readonly seen = new Set<string>();
  private records = 0;
  private errors = 0;
  private guardrailInterventions = 0;
  private piiUnguardedRecords = 0;
  private readonly byIdentityModel = new Map<string, { invocations: number; inputTokens: number; outputTokens: number }>();
  private readonly pii = new Map<string, number>();
  private readonly samplesWithPii: ParsedRecord[] = [];
  private readonly samplesPlain: ParsedRecord[] = [];
  /** Every value a guardrail matched in this file: blanked out of all samples, not only the record it came from. */
  private readonly matched = new Map<string, string>();

  constructor(readonly day: string) {}

  /** Validates and counts one record; throws NormalizeError naming `input` when the record is malformed. */
  add(record: unknown, input: string): void {
    const r = parseRecord(record, input);
    if (this.seen.has(r.requestId)) return;
    this.seen.add(r.requestId);
    this.records += 1;
    if (r.errorCode) this.errors += 1;
    const key = `${r.identityArn ?? 'unknown'}|${r.modelId}|${r.operation}`;
    const agg = this.byIdentityModel.get(key) ?? { invocations: 0, inputTokens: 0, outputTokens: 0 };
    agg.invocations += 1;
    agg.inputTokens += r.inputTokens;
    agg.outputTokens += r.outputTokens;
    this.byIdentityModel.set(key, agg);

    const guarded = r.guardrailAction !== null && r.guardrailAction !== 'NONE';
    if (guarded) this.guardrailInterventions += 1;
    const found = detectPii(`${r.inputText}\n${r.outputText}`);
    for (const d of found) this.pii.set(d.type, (this.pii.get(d.type) ?? 0) + 1);
    for (const t of r.guardrailPiiTypes) this.pii.set(`GUARDRAIL_${t}`, (this.pii.get(`GUARDRAIL_${t}`) ?? 0) + 1);
    const hasPii = found.length > 0 || r.guardrailPiiTypes.length > 0;
    if (hasPii && !guarded) this.piiUnguardedRecords += 1;

    for (const m of r.guardrailMatches) this.matched.set(m.match, m.type);
    const bucket = hasPii ? this.samplesWithPii : this.samplesPlain;
    if (bucket.length < MAX_SAMPLES / 2) bucket.push({ ...r, inputText: r.inputText.slice(0, REDACT_WINDOW), outputText: r.outputText.slice(0, REDACT_WINDOW) });
  }

  get count(): number {
    return this.records;
  }

  result(): Summary {
    const byIdentityModel: Summary['byIdentityModel'] = {};
    for (const k of [...this.byIdentityModel.keys()].sort()) byIdentityModel[k] = { ...this.byIdentityModel.get(k)! };
    const piiDetections: Record<string, number> = {};
    for (const k of [...this.pii.keys()].sort()) piiDetections[k] = this.pii.get(k)!;
    return {
      day: this.day,
      records: this.records,
      errors: this.errors,
      byIdentityModel,
      guardrailInterventions: this.guardrailInterventions,
      piiDetections,
      piiUnguardedRecords: this.piiUnguardedRecords,
      samples: [...this.samplesWithPii, ...this.samplesPlain].map((r) => sampleOf(r, [...this.matched].map(([match, type]) => ({ match, type })))),
    };
  }
}

/**
 * A guardrail can match personal data no detector of ours knows (a name, an address, a custom word). Those
 * values are blanked out before the generic detectors run, so they never reach a stored sample.
 */
function withoutGuardrailMatches(text: string, matches: ParsedRecord['guardrailMatches']): string {
  let out = text;
  for (const m of [...matches].sort((a, b) => b.match.length - a.match.length)) {
    if (m.match.length >= 2) out = out.split(m.match).join(`[${m.type}]`);
  }
  return out;
}

function sampleOf(r: ParsedRecord, matches: ParsedRecord['guardrailMatches']): Sample {
  return {
    timestamp: r.timestamp,
    requestId: r.requestId,
    identityArn: r.identityArn,
    modelId: r.modelId,
    operation: r.operation,
    inputText: redactText(withoutGuardrailMatches(r.inputText, matches)).text.slice(0, SAMPLE_CHARS),
    outputText: redactText(withoutGuardrailMatches(r.outputText, matches)).text.slice(0, SAMPLE_CHARS),
    guardrailAction: r.guardrailAction,
  };
}

function parseRecord(record: unknown, input: string): ParsedRecord {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new NormalizeError(input, `record must be a JSON object, got ${describe(record)}`, 'UnknownShape');
  }
  const r = record as Record<string, unknown>;
  if (r['schemaType'] !== 'ModelInvocationLog') {
    throw new NormalizeError(input, `schemaType must be "ModelInvocationLog", got ${describe(r['schemaType'])}`, 'UnknownShape');
  }
  const str = (key: string): string => {
    const v = r[key];
    if (typeof v !== 'string' || v.length === 0) {
      throw new NormalizeError(input, `${key} is required and must be a non-empty string, got ${describe(v)}`, 'MissingField');
    }
    return v;
  };
  let timestamp: string;
  try {
    timestamp = toIsoInstant(r['timestamp']);
  } catch (err) {
    if (err instanceof InvalidTimeError) throw new NormalizeError(input, `timestamp is ${err.message}`, 'InvalidTime');
    throw err;
  }
  const identity = r['identity'] as Record<string, unknown> | undefined;
  const inputPart = (r['input'] ?? {}) as Record<string, unknown>;
  const outputPart = (r['output'] ?? {}) as Record<string, unknown>;
  const outputBody = outputPart['outputBodyJson'];
  const { action, piiTypes, matches } = guardrailOf(outputBody, r);
  return {
    timestamp,
    requestId: str('requestId'),
    identityArn: typeof identity?.['arn'] === 'string' ? identity['arn'] : null,
    modelId: str('modelId'),
    operation: str('operation'),
    errorCode: typeof r['errorCode'] === 'string' ? r['errorCode'] : null,
    inputTokens: tokenCount(inputPart['inputTokenCount']),
    outputTokens: tokenCount(outputPart['outputTokenCount']),
    inputText: textOf(inputPart['inputBodyJson']),
    outputText: textOf(outputBody),
    guardrailAction: action,
    guardrailPiiTypes: piiTypes,
    guardrailMatches: matches,
  };
}

function tokenCount(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}

/** Concatenates the human text of a request or response body, skipping guardrail traces. */
export function textOf(body: unknown, depth = 0): string {
  if (depth > 32 || body === null || body === undefined) return '';
  if (typeof body === 'string') return body;
  const parts: string[] = [];
  if (Array.isArray(body)) {
    for (const v of body) {
      const t = textOf(v, depth + 1);
      if (t) parts.push(t);
    }
  } else if (typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (TRACE_KEYS.has(k)) continue;
      if (TEXT_KEYS.has(k) && typeof v === 'string') parts.push(v);
      else if (typeof v === 'object') {
        const t = textOf(v, depth + 1);
        if (t) parts.push(t);
      }
    }
  }
  return parts.join('\n');
}

/** Reads the guardrail outcome and the PII entity types it matched (never the matched values). */
function guardrailOf(
  outputBody: unknown,
  record: Record<string, unknown>,
): { action: string | null; piiTypes: string[]; matches: { type: string; match: string }[] } {
  const body = (outputBody ?? {}) as Record<string, unknown>;
  let action: string | null = null;
  if (typeof body['amazon-bedrock-guardrailAction'] === 'string') action = body['amazon-bedrock-guardrailAction'];
  if (body['stopReason'] === 'guardrail_intervened') action = 'INTERVENED';
  const piiTypes: string[] = [];
  const matches: { type: string; match: string }[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 32 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (Array.isArray(o['piiEntities'])) {
      for (const e of o['piiEntities']) {
        const t = (e as Record<string, unknown> | null)?.['type'];
        const a = (e as Record<string, unknown> | null)?.['action'];
        if (typeof t === 'string') piiTypes.push(t);
        const m = (e as Record<string, unknown> | null)?.['match'];
        if (typeof m === 'string') matches.push({ type: typeof t === 'string' ? t : 'PII', match: m });
        if ((a === 'ANONYMIZED' || a === 'BLOCKED') && action === null) action = a;
      }
    }
    // Regex and custom-word matches carry raw text too.
    for (const key of ['regexes', 'customWords', 'managedWordLists']) {
      const list = o[key];
      if (!Array.isArray(list)) continue;
      for (const e of list) {
        const m = (e as Record<string, unknown> | null)?.['match'];
        const n = (e as Record<string, unknown> | null)?.['name'] ?? (e as Record<string, unknown> | null)?.['type'];
        if (typeof m === 'string') matches.push({ type: typeof n === 'string' ? n.toUpperCase() : 'MATCH', match: m });
      }
    }
    for (const x of Object.values(o)) visit(x, depth + 1);
  };
  visit(body['amazon-bedrock-trace'] ?? body['trace'], 0);
  visit(record['guardrail'], 0);
  return { action, piiTypes, matches };
}
