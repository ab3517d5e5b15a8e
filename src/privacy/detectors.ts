import { isIPv6 } from 'node:net';
import {
  codiceFiscaleValid,
  dutchBsnValid,
  finnishHetuValid,
  frenchNirValid,
  IBAN_LENGTHS,
  ibanValid,
  luhnValid,
  ninoValid,
  peselValid,
  spanishIdValid,
  ssnValid,
  swedishPersonnummerValid,
} from './checksums.js';
import type { Detection, PiiType } from './types.js';

/**
 * Regex + validator detectors. Every regex here is written so that the engine cannot backtrack more than a
 * bounded amount per start position: character classes of adjacent pieces are disjoint or separated by a
 * literal, repetition counts are bounded where pieces could be split several ways, and a negative lookbehind
 * makes a match start only at the beginning of a token (so a 1 MB run of `a`s or digits is scanned once, not
 * once per position). Validation (checksums, number plans, context words) happens in code, not in the regex.
 */

type Span = readonly [start: number, end: number];

/** Higher wins when two candidates overlap. */
const PRIORITY: Readonly<Record<PiiType, number>> = {
  GUARDRAIL_MATCH: 0, // never produced by a detector; see redact.ts
  BEARER_TOKEN: 10,
  AWS_SECRET_KEY: 9,
  AWS_ACCESS_KEY: 8,
  EMAIL: 7,
  IBAN: 6,
  CREDIT_CARD: 5,
  US_SSN: 4,
  NATIONAL_ID: 3,
  IP_ADDRESS: 2,
  PHONE: 1,
};

/** Numeric-looking types that must not fire inside ARNs, UUIDs, timestamps, model ids or version strings. */
const GATED: ReadonlySet<PiiType> = new Set(['PHONE', 'US_SSN', 'NATIONAL_ID', 'CREDIT_CARD', 'IBAN', 'IP_ADDRESS']);

function* each(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) re.lastIndex++;
    yield m;
  }
}

/** True when `re` matches within the `before` characters preceding `start` (context words). */
function contextBefore(text: string, start: number, re: RegExp, before: number): boolean {
  return re.test(text.slice(Math.max(0, start - before), start));
}

const digitsOf = (s: string): string => s.replace(/\D/g, '');

/**
 * A label right before the value: `SSN: `, `Social Security Number `, `"ssn": "`, `soc. sec. no. `, `BSN is `.
 * Only label words and punctuation may stand between the keyword and the value, so a keyword earlier in the
 * sentence ("not a valid SSN. Employee ID 272066276") does not count.
 */
function labelContext(keywords: string): RegExp {
  return new RegExp(
    `(?:${keywords})(?:[\\s_-]*(?:number|nummer|numer|num|no|nr|#)\\.?)?['"]?\\s*(?:is|was|[:=#-])?\\s*['"]?$`,
    'i',
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Protected spans: things that look numeric but are not personal data.

const PROTECTED: readonly RegExp[] = [
  // ARNs, including the account id and the whole resource part.
  /\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s"'<>,;)}\]]*/g,
  // UUIDs (request ids, KMS key ids, ...).
  /(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])/g,
  // ISO 8601 dates and timestamps (also the space-separated nanosecond form some log pipelines emit).
  /(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)/g,
  /(?<!\d)\d{8}T\d{6}(?:Z|[+-]\d{4})?(?!\d)/g,
  // Times of day.
  /(?<![\d:])\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?![\d:])/g,
  // Bedrock / SageMaker JumpStart model ids, optionally with a cross-region inference prefix.
  /(?<![\w.-])(?:[a-z]{2,4}\.)?(?:anthropic|amazon|meta|cohere|ai21|mistral|stability|deepseek|writer|openai|qwen|twelvelabs|luma)\.[A-Za-z0-9._:-]+/g,
  /(?<![\w.-])[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*-v\d+(?::\d+)?(?![\w])/g,
  // Version strings: v1.2.3, version 10.0.0.1, 1.2.3-beta.1
  /(?<![\w.])v\d+(?:\.\d+)+(?:-[0-9A-Za-z.]+)?/gi,
  /\b(?:version|ver\.?)\s*[:=]?\s*\d+(?:\.\d+)+/gi,
  /(?<![\w.])\d+\.\d+\.\d+-[0-9A-Za-z][0-9A-Za-z.]*/g,
];

/** IBAN-shaped strings, valid or not: their digit groups are not cards, phones or ids (IBAN itself is exempt). */
const IBAN_SHAPED_RE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g;

function ibanShapedSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of each(IBAN_SHAPED_RE, text)) {
    if (IBAN_LENGTHS[m[0].slice(0, 2)] !== undefined) spans.push([m.index, m.index + m[0].length]);
  }
  return mergeSpans(spans);
}

function protectedSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const re of PROTECTED) for (const m of each(re, text)) spans.push([m.index, m.index + m[0].length]);
  return mergeSpans(spans);
}

function mergeSpans(spans: Span[]): Span[] {
  spans.sort((a, b) => a[0] - b[0]);
  // Merge so that binary search over starts is enough.
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

function overlapsAny(spans: readonly Span[], start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  // Find the last span with span.start < end.
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]![0] < end) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return idx >= 0 && spans[idx]![1] > start;
}

// ---------------------------------------------------------------------------------------------------------------
// Detectors. Each pushes candidates; overlaps are resolved afterwards.

type Sink = (type: PiiType, start: number, end: number) => void;

const EMAIL_RE =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

function detectEmails(text: string, push: Sink): void {
  for (const m of each(EMAIL_RE, text)) {
    let start = m.index;
    while (text[start] === '.') start++;
    if (text[start] === '@') continue;
    push('EMAIL', start, m.index + m[0].length);
  }
}

// Phone numbers ---------------------------------------------------------------------------------------------
// International: "+" country code then groups separated by one space/dot/dash, optional "(0)" or "(area)".
const PHONE_INTL_RE = /(?<![\w+])\+[1-9]\d{0,14}(?:[ .-]?\(\d{1,4}\)[ .-]?\d{1,8}|[ .-]\d{1,8}){0,6}(?!\w)(?![.-]\d)/g;
// North American national formats: (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671, 1-800-555-0199.
const PHONE_US_RE =
  /(?<![\w+./-])(?<!\d[ ./-])(?:1[ .-])?(?:\((\d{3})\) ?|(\d{3})[ .-])(\d{3})[ .-]\d{4}(?!\w)(?![.-]\d)/g;
// European national formats with trunk prefix 0: 020 7946 0958, 030/1234567, 01 42 68 53 00, 06-12345678.
const PHONE_EU_RE =
  /(?<![\w+./-])(?<!\d[ ./-])(?:\(0\d{1,4}\) ?|0\d{1,4}[ ./-])\d{2,8}(?:[ ./-]\d{2,8}){0,4}(?!\w)(?![./-]\d)/g;
// Unformatted 10/11-digit numbers, accepted only after a phone context word.
const PHONE_BARE_RE = /(?<![\w+./-])(?<!\d[ ./-])\d{10,11}(?!\w)(?![./-]\d)/g;
const PHONE_CONTEXT = labelContext(
  'phone|\\btel|telephone|mobile|\\bcell|\\bcall(?: me)?(?: on| at)?|\\bsms|whats ?app|\\bfax|contact',
);

/** `dd.mm.yyyy`-like start; four-plus groups with one consistent separator are phone numbers (FR dotted). */
function looksLikeDate(candidate: string, groups: readonly string[]): boolean {
  if (groups.length < 3) return false;
  const seps = candidate.match(/[ ./-]/g) ?? [];
  if (groups.length > 3 && seps.every((c) => c === seps[0])) return false;
  const [a, b, c] = groups.map(Number) as [number, number, number];
  const third = groups[2]!;
  if (third.length !== 2 && third.length !== 4) return false;
  const dm = (d: number, mo: number): boolean => d >= 1 && d <= 31 && mo >= 1 && mo <= 12;
  return (dm(a, b) || dm(b, a)) && c >= 0;
}

function detectPhones(text: string, push: Sink): void {
  for (const m of each(PHONE_INTL_RE, text)) {
    const n = digitsOf(m[0].replace('(0)', '')).length;
    if (n >= 8 && n <= 15) push('PHONE', m.index, m.index + m[0].length);
  }
  for (const m of each(PHONE_US_RE, text)) {
    const area = m[1] ?? m[2]!;
    const exchange = m[3]!;
    if (area[0]! >= '2' && exchange[0]! >= '2') push('PHONE', m.index, m.index + m[0].length);
  }
  for (const m of each(PHONE_EU_RE, text)) {
    const groups = m[0].split(/[ ./()-]+/).filter((g) => g.length > 0);
    const n = digitsOf(m[0]).length;
    if (n < 9 || n > 13) continue;
    if (/[./-]/.test(m[0]) && looksLikeDate(m[0], groups)) continue;
    if (/^\d{3}-\d{2}-\d{4}$/.test(m[0])) continue; // SSN-shaped (possibly an invalid SSN), not a phone
    if (/^\d{5}-\d{4}$/.test(m[0])) continue; // US ZIP+4
    push('PHONE', m.index, m.index + m[0].length);
  }
  for (const m of each(PHONE_BARE_RE, text)) {
    if (!contextBefore(text, m.index, PHONE_CONTEXT, 32)) continue;
    const d = m[0];
    const nanp = (s: string): boolean => s.length === 10 && s[0]! >= '2' && s[3]! >= '2';
    if (nanp(d) || (d.length === 11 && d[0] === '1' && nanp(d.slice(1))) || d[0] === '0') {
      push('PHONE', m.index, m.index + d.length);
    }
  }
}

// US SSN ---------------------------------------------------------------------------------------------------------
const SSN_DASHED_RE = /(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])/g;
const SSN_LOOSE_RE = /(?<![\w-])(?<!\d )(?:\d{3} \d{2} \d{4}|\d{9})(?![\w-])(?! \d)/g;
/** A label immediately before the number: "SSN: ", "Social Security Number ", "soc. sec. no. ", "SSN is ". */
const SSN_CONTEXT = labelContext(
  '\\bssn|\\bss#?|social[\\s_-]+security|\\bsoc\\.?[\\s_-]*sec\\.?|\\bitin|\\btaxpayer[\\s_-]+id',
);

function detectSsns(text: string, push: Sink): void {
  for (const m of each(SSN_DASHED_RE, text)) {
    if (ssnValid(digitsOf(m[0]))) push('US_SSN', m.index, m.index + m[0].length);
  }
  for (const m of each(SSN_LOOSE_RE, text)) {
    if (ssnValid(digitsOf(m[0])) && contextBefore(text, m.index, SSN_CONTEXT, 40)) {
      push('US_SSN', m.index, m.index + m[0].length);
    }
  }
}

// National ids -------------------------------------------------------------------------------------------------
const NINO_RE = /(?<![A-Za-z0-9])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;
const ES_ID_RE = /(?<![A-Za-z0-9-])(?:\d{8}|[XYZ]-?\d{7})-?[A-Z](?![A-Za-z0-9])/gi;
const FR_NIR_RE = /(?<![\w-])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\w-])/g;
const IT_CF_RE =
  /(?<![A-Za-z0-9])[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![A-Za-z0-9])/gi;
const FI_HETU_RE = /(?<![\w-])\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y](?![\w-])/g;
const SE_PNR_RE = /(?<![\w-])(?:\d{2})?\d{6}[-+]\d{4}(?![\w-])/g;
const NL_BSN_RE = /(?<![\w.-])\d{4}\.?\d{2}\.?\d{3}(?![\w-])(?!\.\d)/g;
const NL_BSN_CONTEXT = labelContext('\\bbsn|burgerservicenummer|\\bsofi(?:nummer)?');
const PL_PESEL_RE = /(?<![\w-])\d{11}(?![\w-])/g;
const PL_PESEL_CONTEXT = labelContext('\\bpesel');

function detectNationalIds(text: string, push: Sink): void {
  const strip = (s: string): string => s.replace(/[\s.-]/g, '').toUpperCase();
  for (const m of each(NINO_RE, text)) if (ninoValid(strip(m[0]))) push('NATIONAL_ID', m.index, m.index + m[0].length);
  for (const m of each(ES_ID_RE, text)) {
    if (spanishIdValid(strip(m[0]))) push('NATIONAL_ID', m.index, m.index + m[0].length);
  }
  for (const m of each(FR_NIR_RE, text)) {
    if (frenchNirValid(strip(m[0]))) push('NATIONAL_ID', m.index, m.index + m[0].length);
  }
  for (const m of each(IT_CF_RE, text)) {
    if (codiceFiscaleValid(strip(m[0]))) push('NATIONAL_ID', m.index, m.index + m[0].length);
  }
  for (const m of each(FI_HETU_RE, text)) {
    if (finnishHetuValid(m[0])) push('NATIONAL_ID', m.index, m.index + m[0].length);
  }
  for (const m of each(SE_PNR_RE, text)) {
    if (swedishPersonnummerValid(digitsOf(m[0]).slice(-10))) push('NATIONAL_ID', m.index, m.index + m[0].length);
  }
  for (const m of each(NL_BSN_RE, text)) {
    if (dutchBsnValid(digitsOf(m[0])) && contextBefore(text, m.index, NL_BSN_CONTEXT, 40)) {
      push('NATIONAL_ID', m.index, m.index + m[0].length);
    }
  }
  for (const m of each(PL_PESEL_RE, text)) {
    if (peselValid(m[0]) && contextBefore(text, m.index, PL_PESEL_CONTEXT, 40)) {
      push('NATIONAL_ID', m.index, m.index + m[0].length);
    }
  }
}

// Payment cards ------------------------------------------------------------------------------------------------
// A run of digit groups separated by single spaces or dashes; card numbers are looked for at group boundaries.
const DIGIT_RUN_RE = /(?<![\w.+])\d+(?:[ -]\d+)*/g;

function cardLayoutOk(lengths: readonly number[]): boolean {
  if (lengths.length === 1) return true;
  const key = lengths.join('-');
  if (key === '4-6-5' || key === '4-6-4') return true; // Amex, Diners
  if (lengths.length < 4) return false;
  for (let i = 0; i < lengths.length - 1; i++) if (lengths[i] !== 4) return false;
  const last = lengths[lengths.length - 1]!;
  return last >= 1 && last <= 4;
}

/** Issuer prefixes (IIN ranges) plausible for each card-number length. */
function issuerOk(d: string): boolean {
  switch (d.length) {
    case 13:
      return d[0] === '4';
    case 14:
      return /^3[0689]/.test(d);
    case 15:
      return /^3[47]/.test(d);
    case 16:
      return /^(?:4|5[1-5]|2[2-7]|6|35)/.test(d);
    default:
      return /^(?:4|5|6|35)/.test(d);
  }
}

function detectCards(text: string, push: Sink): void {
  for (const m of each(DIGIT_RUN_RE, text)) {
    const groups: { start: number; digits: string; sep: string }[] = [];
    for (const g of m[0].matchAll(/\d+/g)) {
      const start = m.index + g.index;
      groups.push({ start, digits: g[0], sep: start > m.index ? text[start - 1]! : '' });
    }
    // A uniform 4-digit grouping that continues past the window is a longer number, not a card inside it.
    const continues = (i: number, j: number): boolean => {
      if (i === j) return false;
      const sep = groups[i + 1]!.sep;
      const before = groups[i - 1];
      const after = groups[j + 1];
      return (
        (before !== undefined && before.digits.length === 4 && groups[i]!.sep === sep) ||
        (after !== undefined && after.digits.length === 4 && after.sep === sep)
      );
    };
    let i = 0;
    while (i < groups.length) {
      let found = -1;
      let digits = '';
      const lengths: number[] = [];
      for (let j = i; j < groups.length; j++) {
        digits += groups[j]!.digits;
        lengths.push(groups[j]!.digits.length);
        if (digits.length > 19) break;
        if (digits.length < 13) continue;
        if (issuerOk(digits) && cardLayoutOk(lengths) && luhnValid(digits) && !continues(i, j)) found = j;
      }
      if (found >= 0) {
        const last = groups[found]!;
        push('CREDIT_CARD', groups[i]!.start, last.start + last.digits.length);
        i = found + 1;
      } else i++;
    }
  }
}

// IBAN ---------------------------------------------------------------------------------------------------------
const IBAN_START_RE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?= ?[A-Z0-9])/g;

function detectIbans(text: string, push: Sink): void {
  const re = IBAN_START_RE;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const length = IBAN_LENGTHS[m[0].slice(0, 2)];
    if (length === undefined) continue;
    let compact = '';
    let pos = m.index;
    while (pos < text.length && compact.length < length) {
      const ch = text[pos]!;
      if (/[A-Z0-9]/.test(ch)) {
        compact += ch;
        pos++;
      } else if (ch === ' ' && /[A-Z0-9]/.test(text[pos + 1] ?? '') && compact.length >= 4) pos++;
      else break;
    }
    if (compact.length !== length || /[A-Za-z0-9]/.test(text[pos] ?? '')) continue;
    if (!ibanValid(compact)) continue;
    push('IBAN', m.index, pos);
    re.lastIndex = pos;
  }
}

// IP addresses -------------------------------------------------------------------------------------------------
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?!\\w)(?!\\.\\d)(?!-[A-Za-z])`, 'g');
const IPV6_RE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])(?!\.\d)/g;
const VERSION_CONTEXT = /\b(?:version|ver\.?|release|build|v)\s*[:=]?\s*$/i;

function detectIps(text: string, push: Sink): void {
  for (const m of each(IPV4_RE, text)) {
    if (contextBefore(text, m.index, VERSION_CONTEXT, 16)) continue;
    push('IP_ADDRESS', m.index, m.index + m[0].length);
  }
  for (const m of each(IPV6_RE, text)) {
    const s = m[0];
    // A decimal digit keeps C++ scopes (abc::def) out; isIPv6 rejects times, MAC addresses and model-id suffixes.
    // Two or more non-empty groups keeps loopback-like "::1" and Python slices ("a[::2]") out.
    const groups = s.split(':').filter((g) => g.length > 0).length;
    if (/\d/.test(s) && groups >= 2 && isIPv6(s)) push('IP_ADDRESS', m.index, m.index + s.length);
  }
}

// AWS credentials ----------------------------------------------------------------------------------------------
const AWS_ACCESS_KEY_RE = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET_RE = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const AWS_SECRET_CONTEXT = /(?:secret[\s_-]*(?:access[\s_-]*)?key|aws[\s_-]*secret|\bsecret\b)[^\n]{0,40}$/i;
const KEY_PAIR_DISTANCE = 100;
// STS session tokens: long base64 after a session-token context word; reported as AWS_SECRET_KEY.
const AWS_SESSION_TOKEN_RE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{100,}={0,2}(?![A-Za-z0-9/+=])/g;
const AWS_SESSION_CONTEXT = /session[\s_-]*token[^\n]{0,12}$/i;

function detectAwsKeys(text: string, push: Sink): void {
  const accessKeys: Span[] = [];
  for (const m of each(AWS_ACCESS_KEY_RE, text)) {
    accessKeys.push([m.index, m.index + m[0].length]);
    push('AWS_ACCESS_KEY', m.index, m.index + m[0].length);
  }
  for (const m of each(AWS_SECRET_RE, text)) {
    const s = m[0];
    if (!/[A-Z]/.test(s) || !/[a-z]/.test(s) || !/[0-9/+]/.test(s)) continue;
    const start = m.index;
    const end = start + s.length;
    const nearKey = accessKeys.some(
      ([ks, ke]) => (ke <= start && start - ke <= KEY_PAIR_DISTANCE) || (ks >= end && ks - end <= KEY_PAIR_DISTANCE),
    );
    if (nearKey || contextBefore(text, start, AWS_SECRET_CONTEXT, 80)) push('AWS_SECRET_KEY', start, end);
  }
  for (const m of each(AWS_SESSION_TOKEN_RE, text)) {
    if (contextBefore(text, m.index, AWS_SESSION_CONTEXT, 40)) push('AWS_SECRET_KEY', m.index, m.index + m[0].length);
  }
}

// Bearer tokens and other well-known API tokens -------------------------------------------------------------
const BEARER_RE = /(?<![A-Za-z0-9])(?:[Bb]earer|BEARER)[ \t]+([A-Za-z0-9\-._~+/]+=*)/g;
const JWT_RE = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const API_TOKEN_RE =
  /(?<![A-Za-z0-9_-])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|xox[abprs]-[A-Za-z0-9-]{10,250}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,250})(?![A-Za-z0-9_-])/g;

function detectTokens(text: string, push: Sink): void {
  for (const m of each(BEARER_RE, text)) {
    let token = m[1]!;
    const start = m.index + m[0].length - token.length;
    token = token.replace(/[.]+$/, '');
    const isJwt = token.startsWith('eyJ');
    if (token.length < 8 || (!isJwt && !(/\d/.test(token) && /[A-Za-z]/.test(token)))) continue;
    push('BEARER_TOKEN', start, start + token.length);
  }
  for (const m of each(JWT_RE, text)) push('BEARER_TOKEN', m.index, m.index + m[0].length);
  for (const m of each(API_TOKEN_RE, text)) {
    if (m[0].startsWith('sk-') && !/\d/.test(m[0])) continue;
    push('BEARER_TOKEN', m.index, m.index + m[0].length);
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface Candidate extends Detection {
  priority: number;
}

/** Runs every detector and resolves overlaps: higher priority first, then the longer span, then the earlier one. */
export function findEntities(text: string): Detection[] {
  if (text.length === 0) return [];
  const candidates: Candidate[] = [];
  let protectedList: Span[] | null = null;
  let ibanShaped: Span[] | null = null;
  const push: Sink = (type, start, end) => {
    if (end <= start) return;
    if (GATED.has(type)) {
      protectedList ??= protectedSpans(text);
      if (overlapsAny(protectedList, start, end)) return;
      if (type !== 'IBAN') {
        ibanShaped ??= ibanShapedSpans(text);
        if (overlapsAny(ibanShaped, start, end)) return;
      }
    }
    candidates.push({ type, start, end, priority: PRIORITY[type] });
  };
  detectTokens(text, push);
  detectAwsKeys(text, push);
  detectEmails(text, push);
  detectIbans(text, push);
  detectCards(text, push);
  detectSsns(text, push);
  detectNationalIds(text, push);
  detectIps(text, push);
  detectPhones(text, push);
  if (candidates.length === 0) return [];

  candidates.sort((a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken = new Uint8Array(text.length);
  const out: Detection[] = [];
  outer: for (const c of candidates) {
    for (let i = c.start; i < c.end; i++) if (taken[i]) continue outer;
    taken.fill(1, c.start, c.end);
    out.push({ type: c.type, start: c.start, end: c.end });
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}
