/**
 * Unicode bidirectional controls (embeddings, overrides, isolates) reorder the text around them when displayed: an
 * evidence string such as a resource name holding U+202E can make "exe.txt" read as "txt.exe" in the pack, so an
 * auditor would see something other than what was collected (the "Trojan Source" class of spoofing). The pack shows
 * them as visible code points instead; the raw evidence in the bundle keeps the original bytes.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
const HAS_BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

export function visibleBidi(s: string): string {
  return s.replace(BIDI_CONTROLS, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase()}]`);
}

/** Every string in a JSON-shaped value with its bidi controls made visible (the same object when there are none). */
export function withVisibleBidi<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'string') return HAS_BIDI_CONTROL.test(v) ? visibleBidi(v) : v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const w = walk(v[i]);
      if (w !== v[i]) (out ??= v.slice())[i] = w;
    }
    return out ?? v;
  }
  if (v !== null && typeof v === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const w = walk(x);
      if (w !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = w;
    }
    return out ?? v;
  }
  return v;
}
