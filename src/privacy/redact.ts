import { findEntities } from './detectors.js';
import {
  collectGuardrailMatches,
  isGuardrailContextKey,
  isGuardrailMatch,
  parseJsonContainer,
  scrubRawMatches,
} from './guardrail.js';
import { Counter, mergeLiteralSpans } from './spans.js';
import type { Detection, PiiType } from './types.js';

export type { Detection, PiiType } from './types.js';

/**
 * Finds personal data and credentials in free text. Returns non-overlapping detections sorted by start
 * (UTF-16 offsets). Which formats each type covers is documented in src/privacy/README.md.
 */
export function detectPii(text: string): Detection[] {
  return findEntities(text);
}

/** Replaces every detected entity with `[TYPE]` and counts the replacements per type. */
export function redactText(text: string): { text: string; detections: Partial<Record<PiiType, number>> } {
  const counter = new Counter();
  return { text: redactString(text, [], counter), detections: counter.result() };
}

const REDACTED_KEY_VALUE = '[REDACTED]';
const GUARDRAIL_PLACEHOLDER = '[GUARDRAIL_MATCH]';
/** Guardrail matches shorter than this are not searched for elsewhere in the record (they would shred text). */
const MIN_LITERAL_LENGTH = 3;
/** Strings holding serialized JSON are parsed and redacted structurally up to this nesting of serializations. */
const MAX_EMBEDDED_DEPTH = 3;

/**
 * Redacts a JSON value (e.g. a Bedrock model-invocation log record) without mutating it:
 * - every string (values and object keys) goes through the detectors and is rewritten like `redactText`;
 * - inside guardrail traces (`amazon-bedrock-trace`, `trace`, `guardrail`, ... or any object carrying
 *   `action`/`detected` beside it), the value of every `match` key is replaced by `[GUARDRAIL_MATCH]` and counted;
 *   those raw matched strings are also searched for in every other string of the value and replaced there too,
 *   so a name the guardrail caught but no detector knows (NAME, ADDRESS, custom words...) does not survive;
 * - the value of every key listed in `opts.dropKeys` is replaced by `[REDACTED]` (not counted);
 * - strings that hold serialized JSON objects/arrays are parsed, redacted the same way and re-serialized; in
 *   strings that are not parseable JSON (e.g. truncated bodies), raw `"match": "..."` pairs are still replaced;
 * - integers of 13+ digits that are valid card numbers become `[CREDIT_CARD]`.
 */
export function redactJson(
  value: unknown,
  opts: { dropKeys?: string[] } = {},
): { value: unknown; detections: Partial<Record<PiiType, number>> } {
  const ctx: WalkContext = {
    dropKeys: new Set(opts.dropKeys ?? []),
    literals: [...collectGuardrailMatches(value, MAX_EMBEDDED_DEPTH)]
      .filter((s) => s.length >= MIN_LITERAL_LENGTH)
      .sort((a, b) => b.length - a.length),
    counter: new Counter(),
  };
  return { value: walk(value, false, 0, ctx), detections: ctx.counter.result() };
}

interface WalkContext {
  readonly dropKeys: ReadonlySet<string>;
  readonly literals: readonly string[];
  readonly counter: Counter;
}

function walk(value: unknown, inGuardrail: boolean, embedded: number, ctx: WalkContext): unknown {
  if (typeof value === 'string') return redactStringValue(value, inGuardrail, embedded, ctx);
  if (typeof value === 'number') return redactNumber(value, ctx);
  if (Array.isArray(value)) return value.map((v) => walk(v, inGuardrail, embedded, ctx));
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      let outValue: unknown;
      if (ctx.dropKeys.has(key)) outValue = REDACTED_KEY_VALUE;
      else if (isGuardrailMatch(key, obj, inGuardrail)) {
        ctx.counter.add('GUARDRAIL_MATCH');
        outValue = GUARDRAIL_PLACEHOLDER;
      } else outValue = walk(v, inGuardrail || isGuardrailContextKey(key), embedded, ctx);
      let outKey = redactString(key, ctx.literals, ctx.counter);
      for (let n = 2; Object.prototype.hasOwnProperty.call(out, outKey); n++) outKey = `${outKey}#${n}`;
      Object.defineProperty(out, outKey, { value: outValue, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function redactStringValue(s: string, inGuardrail: boolean, embedded: number, ctx: WalkContext): string {
  if (embedded < MAX_EMBEDDED_DEPTH) {
    const parsed = parseJsonContainer(s);
    if (parsed !== undefined) return JSON.stringify(walk(parsed, inGuardrail, embedded + 1, ctx));
  }
  const scrubbed = scrubRawMatches(s);
  if (scrubbed.count > 0) ctx.counter.add('GUARDRAIL_MATCH', scrubbed.count);
  return redactString(scrubbed.text, ctx.literals, ctx.counter);
}

function redactNumber(n: number, ctx: WalkContext): number | string {
  if (!Number.isSafeInteger(n) || Math.abs(n) < 1e12) return n;
  const digits = String(Math.abs(n));
  const found = findEntities(digits);
  if (found.some((d) => d.type === 'CREDIT_CARD')) {
    ctx.counter.add('CREDIT_CARD');
    return '[CREDIT_CARD]';
  }
  return n;
}

function redactString(text: string, literals: readonly string[], counter: Counter): string {
  if (text.length === 0) return text;
  const spans = mergeLiteralSpans(text, findEntities(text), literals);
  if (spans.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const d of spans) {
    out += text.slice(pos, d.start) + `[${d.type}]`;
    pos = d.end;
    counter.add(d.type);
  }
  return out + text.slice(pos);
}
