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

/** Every raw `match` string of guardrail entries in `value` (also inside serialized-JSON strings). */
export function collectGuardrailMatches(value: unknown, maxEmbedded: number): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown, inGuardrail: boolean, embedded: number): void => {
    if (typeof v === 'string') {
      if (embedded < maxEmbedded) {
        const parsed = parseJsonContainer(v);
        if (parsed !== undefined) visit(parsed, inGuardrail, embedded + 1);
      }
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
