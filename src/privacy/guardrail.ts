/**
 * Bedrock guardrail traces. A guardrail assessment lists what it found as entries such as
 * `sensitiveInformationPolicy.piiEntities[] = {type, match, action, detected}` (also `regexes[]`,
 * `wordPolicy.customWords[]`, `wordPolicy.managedWordLists[]`), where `match` is the raw matched text.
 * The trace sits under `amazon-bedrock-trace.guardrail` (InvokeModel) or `trace.guardrail` (Converse).
 */

/** Keys whose subtree is (part of) a guardrail trace. */
const GUARDRAIL_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  'amazon-bedrock-trace',
  'trace',
  'guardrail',
  'inputAssessment',
  'outputAssessments',
  'assessments',
  'sensitiveInformationPolicy',
  'wordPolicy',
  'piiEntities',
  'regexes',
  'customWords',
  'managedWordLists',
]);

export function isGuardrailContextKey(key: string): boolean {
  return GUARDRAIL_CONTEXT_KEYS.has(key);
}

/** A `match` key inside a guardrail trace, or beside the `action`/`detected` flags of a guardrail entry. */
export function isGuardrailMatch(key: string, owner: Record<string, unknown>, inGuardrail: boolean): boolean {
  if (key !== 'match') return false;
  return inGuardrail || 'action' in owner || 'detected' in owner;
}

/** Parses `s` when it is a serialized JSON object or array; undefined otherwise. */
export function parseJsonContainer(s: string): unknown {
  const t = s.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return undefined;
  try {
    const parsed: unknown = JSON.parse(s);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `"match": "..."` inside text that is not parseable JSON (truncated bodies, where the value may be cut off at
 * the end of the text), also when the JSON was serialized twice (`\"match\": \"...\"`). Linear: the value
 * body alternates over disjoint classes.
 */
const RAW_MATCH_RE =
  /("match"\s*:\s*)"((?:[^"\\]|\\.)*)(?:"|\\?$)|(\\"match\\"\s*:\s*)\\"((?:[^"\\]|\\[^"])*)(?:\\"|\\?$)/g;

function unescapeJsonString(body: string): string {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return body;
  }
}

/** Replaces raw `"match": "..."` pairs in unparseable JSON text; returns the new text and how many were replaced. */
export function scrubRawMatches(text: string): { text: string; count: number } {
  if (!text.includes('match')) return { text, count: 0 };
  let count = 0;
  const out = text.replace(RAW_MATCH_RE, (_all, key: string | undefined, _v, escKey: string | undefined) => {
    count++;
    return key !== undefined ? `${key}"[GUARDRAIL_MATCH]"` : `${escKey}\\"[GUARDRAIL_MATCH]\\"`;
  });
  return { text: out, count };
}

function rawMatches(text: string, out: Set<string>): void {
  if (!text.includes('match')) return;
  for (const m of text.matchAll(RAW_MATCH_RE)) {
    if (m[2] !== undefined) out.add(unescapeJsonString(m[2]));
    else if (m[4] !== undefined) out.add(unescapeJsonString(unescapeJsonString(m[4].replace(/\\"/g, '"'))));
  }
}

/** Every raw `match` string of guardrail entries in `value` (also inside serialized-JSON strings). */
export function collectGuardrailMatches(value: unknown, maxEmbedded: number): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown, inGuardrail: boolean, embedded: number): void => {
    if (typeof v === 'string') {
      const parsed = embedded < maxEmbedded ? parseJsonContainer(v) : undefined;
      if (parsed !== undefined) visit(parsed, inGuardrail, embedded + 1);
      else rawMatches(v, out);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x, inGuardrail, embedded);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const obj = v as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const child = obj[key];
      if (isGuardrailMatch(key, obj, inGuardrail)) collectStrings(child, out);
      else visit(child, inGuardrail || isGuardrailContextKey(key), embedded);
    }
  };
  visit(value, false, 0);
  return out;
}

function collectStrings(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') out.add(v);
  else if (typeof v === 'number' || typeof v === 'boolean') out.add(String(v));
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) collectStrings(x, out);
}
