import { describe, expect, it } from 'vitest';
import { detectPii, redactJson, redactText } from '../../src/privacy/redact.js';

/** Deterministic pseudo-random text (mulberry32) so a failure can be reproduced. */
function randomText(length: number, seed: number): string {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789    .,:;-_@+/()=#"\'\n\t';
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(alphabet[Math.floor(next() * alphabet.length)]!);
  return parts.join('');
}

const MB = 1_000_000;

describe('detector performance (completes; no timing assertion)', () => {
  it('handles 1 MB of random text', () => {
    const text = randomText(MB, 42);
    const found = detectPii(text);
    expect(Array.isArray(found)).toBe(true);
    expect(redactText(text).text.length).toBeGreaterThan(0);
  });

  it.each([
    ['long run of digits', '7'.repeat(MB)],
    ['digit groups', '1234 '.repeat(MB / 5)],
    ['dashed digit groups', '12-'.repeat(MB / 3)],
    ['a@a@a@...', 'a@'.repeat(MB / 2)],
    ['a.a@a.a...', 'a.a@a.a'.repeat(MB / 7)],
    ['one long word', 'a'.repeat(MB)],
    ['base64-ish run', 'Ab1/'.repeat(MB / 4)],
    ['colons', ':'.repeat(MB)],
    ['hex and colons', '1:'.repeat(MB / 2)],
    ['dots and digits', '1.'.repeat(MB / 2)],
    ['plus digits', '+1 '.repeat(MB / 3)],
    ['Bearer repeated', 'Bearer '.repeat(MB / 7)],
    ['JWT-like', 'eyJaaaa.'.repeat(MB / 8)],
    ['IBAN prefixes', 'DE89 '.repeat(MB / 5)],
    ['zeros', '0 '.repeat(MB / 2)],
    ['context words', 'SSN secret phone '.repeat(MB / 17)],
  ])('handles %s', (_name, text) => {
    const found = detectPii(text);
    for (let i = 1; i < found.length; i++) expect(found[i]!.start).toBeGreaterThanOrEqual(found[i - 1]!.end);
  });

  it('handles pathological guardrail-match text in redactJson', () => {
    const unterminated = `"match":"${'a\\'.repeat(MB / 2)}`;
    const repeated = '"match":"'.repeat(MB / 9);
    const escaped = '\\"match\\":\\"a'.repeat(MB / 14);
    const { value } = redactJson({ unterminated, repeated, escaped, text: randomText(MB / 4, 7) });
    expect(typeof value).toBe('object');
  });
});
