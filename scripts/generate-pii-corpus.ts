/**
 * Generates the labelled PII corpus used to evaluate src/privacy (test/fixtures/privacy/pii-corpus.jsonl).
 *
 *   npx tsx scripts/generate-pii-corpus.ts
 *
 * Deterministic: a seeded PRNG drives every choice, so the committed file must always equal the output of
 * `serializeCorpus(generateCorpus())` (a test checks this). Every value is synthetic: names come from short
 * lists, numbers are random with their check digits computed here (independently of src/privacy's validators),
 * and reserved/fictional ranges are used where they exist (NANP 555-01xx, Ofcom drama numbers, RFC 5737 and
 * RFC 3849 documentation addresses, `example` domains); card, IBAN and national-id numbers are random.
 * Records mix realistic prompt/response texts (support chat, HR, clinical notes, code, logs, finance) with hard
 * negatives: ARNs, UUIDs, timestamps, versions, account ids, Luhn-failing order numbers, mod-97-failing
 * IBAN-like strings, model ids, 9-digit numbers that are not SSNs, commit hashes, MAC addresses, dates.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PiiType } from '../src/privacy/types.js';

export interface CorpusEntity {
  type: PiiType;
  start: number;
  end: number;
}

export interface CorpusRecord {
  id: string;
  text: string;
  entities: CorpusEntity[];
}

export const CORPUS_SEED = 20240515;
export const CORPUS_SIZE = 360;
export const CORPUS_RELATIVE_PATH = 'test/fixtures/privacy/pii-corpus.jsonl';

// ---------------------------------------------------------------------------------------------------------------
// PRNG and text builder

class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32 */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  digits(n: number): string {
    return this.chars('0123456789', n);
  }

  pad(n: number, width: number): string {
    return String(n).padStart(width, '0');
  }
}

/** An entity to place in a template. */
interface Ent {
  readonly type: PiiType;
  readonly value: string;
}

type Part = string | Ent | null | undefined | false;

class Doc {
  text = '';
  readonly entities: CorpusEntity[] = [];

  add(...parts: Part[]): this {
    for (const p of parts) {
      if (p === null || p === undefined || p === false) continue;
      if (typeof p === 'string') this.text += p;
      else {
        const start = this.text.length;
        this.text += p.value;
        this.entities.push({ type: p.type, start, end: this.text.length });
      }
    }
    return this;
  }
}

const e = (type: PiiType, value: string): Ent => ({ type, value });

// ---------------------------------------------------------------------------------------------------------------
// Check digits (independent re-implementations, so a bug in src/privacy/checksums.ts cannot hide itself)

function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function ibanNumeric(s: string): bigint {
  let out = '';
  for (const ch of s) out += /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
  return BigInt(out);
}

function ibanWithCheck(country: string, bban: string): string {
  const check = 98n - (ibanNumeric(`${bban}${country}00`) % 97n);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

const groupsOf4 = (s: string): string => s.replace(/(.{4})(?=.)/g, '$1 ');

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

// prettier-ignore
const FIRST = ['Jane', 'John', 'Maria', 'Ahmed', 'Wei', 'Priya', 'Lucas', 'Sofia', 'Olu', 'Hannah', 'José', 'Zoë',
  'Björn', 'Søren', 'Łukasz', 'Aoife', 'Mateo', 'Chloé', 'Kenji', 'Fatima', 'Noah', 'Emma', 'Liam', 'Ana'];
// prettier-ignore
const LAST = ['Doe', 'Smith', 'García', 'Müller', 'Nguyen', 'Patel', 'Rossi', 'Kowalski', 'O’Brien', 'Johansson',
  'Dubois', 'Okafor', 'Tanaka', 'Silva', 'Novak', 'Virtanen', 'de Vries', 'Fernández', 'Brown', 'Wilson'];
// prettier-ignore
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'acme-corp.example', 'contoso.example',
  'fabrikam.example', 'northwind.example', 'hospital.example.org', 'uni.example.net'];
// prettier-ignore
const MODEL_IDS = ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'amazon.titan-text-express-v1', 'amazon.nova-pro-v1:0',
  'meta.llama3-1-70b-instruct-v1:0', 'mistral.mistral-large-2402-v1:0', 'cohere.command-r-plus-v1:0',
  'amazon.titan-embed-text-v2:0', 'eu.amazon.nova-lite-v1:0', 'ai21.jamba-1-5-large-v1:0'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ca-central-1'];
const ROLES = ['BedrockInvoker', 'DataScience', 'support-bot-role', 'AuditReadOnly', 'ml-pipeline', 'Admin'];
const PRODUCTS = [
  'wireless headphones',
  'standing desk',
  'espresso machine',
  'running shoes',
  'laptop sleeve',
  'smart thermostat',
  'yoga mat',
  'e-reader',
];

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ø/g, 'o')
    .replace(/[^A-Za-z]/g, '');
}

interface Person {
  first: string;
  last: string;
  full: string;
}

function person(r: Rng): Person {
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  return { first, last, full: `${first} ${last}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Positive value generators

function email(r: Rng, p: Person): string {
  const f = ascii(p.first).toLowerCase();
  const l = ascii(p.last).toLowerCase();
  const d = r.pick(DOMAINS);
  switch (r.int(0, 6)) {
    case 0:
      return `${f}.${l}@${d}`;
    case 1:
      return `${f[0]}${l}@${d}`;
    case 2:
      return `${f}${l}${r.int(1, 99)}@${d}`;
    case 3:
      return `${f}.${l}+${r.pick(['orders', 'bedrock', 'test', 'hr'])}@${d}`;
    case 4:
      return `${f}_${l}@${r.pick(['eu', 'us', 'corp'])}.${d}`;
    case 5:
      return `${ascii(p.first)}.${ascii(p.last)}@${d.toUpperCase()}`;
    default:
      return `${l}.${f}@${d}`;
  }
}

/** North American numbers in the 555-01xx range reserved for fiction. */
function nanp(r: Rng): [string, string, string] {
  return [`${r.int(2, 9)}${r.digits(2)}`, '555', `01${r.digits(2)}`];
}

function phone(r: Rng): string {
  const [a, x, l] = nanp(r);
  switch (r.int(0, 21)) {
    case 0:
      return `(${a}) ${x}-${l}`;
    case 1:
      return `${a}-${x}-${l}`;
    case 2:
      return `${a}.${x}.${l}`;
    case 3:
      return `+1 ${a} ${x} ${l}`;
    case 4:
      return `+1-${a}-${x}-${l}`;
    case 5:
      return `+1${a}${x}${l}`;
    case 6:
      return `1-800-${x}-${l}`;
    case 7:
      return `+1 (${a}) ${x}-${l}`;
    case 8:
      return `+44 20 7946 0${r.digits(3)}`;
    case 9:
      return `020 7946 0${r.digits(3)}`;
    case 10:
      return `+44 7700 900${r.digits(3)}`;
    case 11:
      return `07700 900${r.digits(3)}`;
    case 12:
      return `+49 30 ${r.int(1, 9)}${r.digits(7)}`;
    case 13:
      return `030 ${r.int(1, 9)}${r.digits(7)}`;
    case 14:
      return `0151 ${r.int(1, 9)}${r.digits(7)}`;
    case 15:
      return `+33 ${r.int(1, 9)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`;
    case 16:
      return `0${r.int(1, 9)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`;
    case 17:
      return `0${r.int(1, 9)}.${r.digits(2)}.${r.digits(2)}.${r.digits(2)}.${r.digits(2)}`;
    case 18:
      return `+31 6 ${r.int(1, 9)}${r.digits(7)}`;
    case 19:
      return `06-${r.int(1, 9)}${r.digits(7)}`;
    case 20:
      return `+34 6${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`;
    default:
      return `+353 1 ${r.int(2, 9)}${r.digits(2)} ${r.digits(4)}`;
  }
}

function ssnDigits(r: Rng): string {
  let area: number;
  do area = r.int(1, 899);
  while (area === 666);
  return `${r.pad(area, 3)}${r.pad(r.int(1, 99), 2)}${r.pad(r.int(1, 9999), 4)}`;
}

const dashedSsn = (d: string): string => `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`;

function card(r: Rng): string {
  const kind = r.int(0, 6);
  let prefix: string;
  let length: number;
  switch (kind) {
    case 0:
    case 1:
      prefix = '4';
      length = 16;
      break;
    case 2:
      prefix = String(r.int(51, 55));
      length = 16;
      break;
    case 3:
      prefix = String(r.int(2221, 2720));
      length = 16;
      break;
    case 4:
      prefix = r.pick(['34', '37']);
      length = 15;
      break;
    case 5:
      prefix = r.pick(['6011', '65']);
      length = 16;
      break;
    default:
      prefix = '62';
      length = 19;
  }
  const payload = prefix + r.digits(length - prefix.length - 1);
  const number = payload + luhnCheckDigit(payload);
  if (length === 15) {
    const sep = r.pick([' ', '-', '']);
    return `${number.slice(0, 4)}${sep}${number.slice(4, 10)}${sep}${number.slice(10)}`;
  }
  switch (r.int(0, 3)) {
    case 0:
      return number;
    case 1:
      return number.replace(/(\d{4})(?=\d)/g, '$1-');
    default:
      return groupsOf4(number);
  }
}

const IBAN_FORMATS: readonly [string, (r: Rng) => string][] = [
  ['DE', (r) => r.digits(18)],
  ['GB', (r) => r.pick(['NWBK', 'BARC', 'HBUK', 'LOYD', 'MIDL']) + r.digits(14)],
  ['FR', (r) => r.digits(10) + r.chars('0123456789ABCDEFGHJK', 11) + r.digits(2)],
  ['NL', (r) => r.pick(['ABNA', 'INGB', 'RABO', 'TRIO']) + r.digits(10)],
  ['ES', (r) => r.digits(20)],
  ['IT', (r) => r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1) + r.digits(10) + r.chars('0123456789ABCDEFGHIJ', 12)],
  ['BE', (r) => r.digits(12)],
  ['CH', (r) => r.digits(5) + r.chars('0123456789ABCDEF', 12)],
  ['AT', (r) => r.digits(16)],
  ['IE', (r) => r.pick(['AIBK', 'BOFI']) + r.digits(14)],
  ['PL', (r) => r.digits(24)],
  ['NO', (r) => r.digits(11)],
];

function ibanCompact(r: Rng): string {
  const [country, bban] = r.pick(IBAN_FORMATS);
  return ibanWithCheck(country, bban(r));
}

function iban(r: Rng): string {
  const compact = ibanCompact(r);
  return r.chance(0.6) ? groupsOf4(compact) : compact;
}

function ipv4(r: Rng): string {
  switch (r.int(0, 4)) {
    case 0:
      return `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
    case 1:
      return `192.168.${r.int(0, 255)}.${r.int(1, 254)}`;
    case 2:
      return `172.${r.int(16, 31)}.${r.int(0, 255)}.${r.int(1, 254)}`;
    case 3:
      return `203.0.113.${r.int(1, 254)}`;
    default:
      return `${r.pick(['192.0.2', '198.51.100'])}.${r.int(1, 254)}`;
  }
}

function ipv6(r: Rng): string {
  const h = (): string => r.int(1, 0xffff).toString(16);
  switch (r.int(0, 4)) {
    case 0:
      return `2001:db8:${h()}:${h()}::${h()}`;
    case 1:
      return `2001:0db8:${r.chars('0123456789abcdef', 4)}:0000:0000:${r.chars('0123456789abcdef', 4)}:0370:7334`;
    case 2:
      return `fe80::${h()}:${h()}:${h()}:${h()}`;
    case 3:
      return `2001:db8::${r.int(1, 99)}`;
    default:
      return `::ffff:${ipv4(r)}`;
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function accessKey(r: Rng): string {
  return `${r.chance(0.7) ? 'AKIA' : 'ASIA'}${r.chars(BASE32, 16)}`;
}

function secretKey(r: Rng): string {
  for (;;) {
    const s = r.chars(B64, 40);
    if (/[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9/+]/.test(s)) return s;
  }
}

function sessionToken(r: Rng): string {
  return `IQoJb3JpZ2luX2Vj${r.chars(B64, r.int(180, 260))}`;
}

function opaqueToken(r: Rng): string {
  for (;;) {
    const s = r.chars(`${ALNUM}-._`, r.int(24, 48));
    if (/\d/.test(s) && /[A-Za-z]/.test(s) && /[A-Za-z0-9]$/.test(s)) return s;
  }
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function jwt(r: Rng, p: Person): string {
  const header = b64url(JSON.stringify({ alg: r.pick(['HS256', 'RS256']), typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({ sub: r.digits(10), name: ascii(p.first), iat: 1715700000 + r.int(0, 99999), scope: 'read' }),
  );
  return `${header}.${payload}.${r.chars(`${ALNUM}-_`, 43)}`;
}

function githubToken(r: Rng): string {
  return `ghp_${r.chars(ALNUM, 36)}`;
}

// National ids -----------------------------------------------------------------------------------------------------

function nino(r: Rng): string {
  const first = 'ABCEGHJKLMNOPRSTWXYZ';
  const second = 'ABCEGHJKLMNPRSTWXYZ';
  let prefix: string;
  do prefix = r.chars(first, 1) + r.chars(second, 1);
  while (['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(prefix));
  const d = r.digits(6);
  const suffix = r.chars('ABCD', 1);
  return r.chance(0.5)
    ? `${prefix} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${suffix}`
    : `${prefix}${d}${suffix}`;
}

function spanishId(r: Rng): string {
  const letters = 'TRWAGMYFPDXBNJZSQVHLCKE';
  if (r.chance(0.6)) {
    const n = r.digits(8);
    return `${n}${letters[Number(n) % 23]}`;
  }
  const lead = r.int(0, 2);
  const n = r.digits(7);
  return `${'XYZ'[lead]}${n}${letters[Number(`${lead}${n}`) % 23]}`;
}

function frenchNir(r: Rng): string {
  const body = `${r.int(1, 2)}${r.digits(2)}${r.pad(r.int(1, 12), 2)}${r.pad(r.int(1, 95), 2)}${r.digits(3)}${r.digits(3)}`;
  const key = r.pad(97 - Number(BigInt(body) % 97n), 2);
  if (r.chance(0.5)) return body + key;
  return `${body[0]} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10)} ${key}`;
}

const CF_ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

function codiceFiscale(r: Rng): string {
  const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const body =
    r.chars('BCDFGHLMNPRSTVZ', 6) +
    r.digits(2) +
    r.chars('ABCDEHLMPRST', 1) +
    r.pad(r.int(1, 71), 2) +
    r.chars('ABCDEFGHILMZ', 1) +
    r.digits(3);
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = body[i]!;
    const v = /\d/.test(ch) ? Number(ch) : upper.indexOf(ch);
    sum += i % 2 === 0 ? CF_ODD_VALUES[v]! : v;
  }
  return body + upper[sum % 26]!;
}

function finnishHetu(r: Rng): string {
  const dd = r.pad(r.int(1, 28), 2);
  const mm = r.pad(r.int(1, 12), 2);
  const yy = r.digits(2);
  const nnn = r.pad(r.int(2, 899), 3);
  const check = '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(`${dd}${mm}${yy}${nnn}`) % 31]!;
  return `${dd}${mm}${yy}${r.pick(['-', 'A', '-'])}${nnn}${check}`;
}

function swedishPnr(r: Rng): string {
  const base = `${r.digits(2)}${r.pad(r.int(1, 12), 2)}${r.pad(r.int(1, 28), 2)}${r.digits(3)}`;
  const ten = base + luhnCheckDigit(base);
  const dashed = `${ten.slice(0, 6)}-${ten.slice(6)}`;
  return r.chance(0.3) ? `19${dashed}` : dashed;
}

function dutchBsn(r: Rng): string {
  for (;;) {
    const d = r.digits(8);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (9 - i) * Number(d[i]);
    const check = sum % 11;
    if (check <= 9 && d !== '00000000') return `${d}${check}`;
  }
}

function pesel(r: Rng): string {
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  const body = `${r.digits(2)}${r.pad(r.int(1, 12) + r.pick([0, 20]), 2)}${r.pad(r.int(1, 28), 2)}${r.digits(4)}`;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += w[i]! * Number(body[i]);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Hard-negative generators (values that must NOT be detected)

function accountId(r: Rng): string {
  return `${r.int(1, 9)}${r.digits(11)}`;
}

function uuid(r: Rng): string {
  const h = (n: number): string => r.chars('0123456789abcdef', n);
  return `${h(8)}-${h(4)}-4${h(3)}-${r.pick(['8', '9', 'a', 'b'])}${h(3)}-${h(12)}`;
}

function isoTimestamp(r: Rng): string {
  const date = `20${r.int(23, 25)}-${r.pad(r.int(1, 12), 2)}-${r.pad(r.int(1, 28), 2)}`;
  const time = `${r.pad(r.int(0, 23), 2)}:${r.pad(r.int(0, 59), 2)}:${r.pad(r.int(0, 59), 2)}`;
  switch (r.int(0, 3)) {
    case 0:
      return `${date}T${time}Z`;
    case 1:
      return `${date}T${time}.${r.digits(3)}Z`;
    case 2:
      return `${date} ${time}.${r.digits(9)}`;
    default:
      return `${date}T${time}+0${r.int(1, 2)}:00`;
  }
}

function arn(r: Rng, acct = accountId(r)): string {
  const region = r.pick(REGIONS);
  switch (r.int(0, 6)) {
    case 0:
      return `arn:aws:iam::${acct}:role/${r.pick(ROLES)}`;
    case 1:
      return `arn:aws:sts::${acct}:assumed-role/${r.pick(ROLES)}/session-${r.digits(10)}`;
    case 2:
      return `arn:aws:bedrock:${region}:${acct}:guardrail/${r.chars('abcdefghijklmnopqrstuvwxyz0123456789', 12)}`;
    case 3:
      return `arn:aws:bedrock:${region}::foundation-model/${r.pick(MODEL_IDS)}`;
    case 4:
      return `arn:aws:lambda:${region}:${acct}:function:invoke-${r.pick(['summarizer', 'router', 'pii-check'])}`;
    case 5:
      return `arn:aws:kms:${region}:${acct}:key/${uuid(r)}`;
    default:
      return `arn:aws:logs:${region}:${acct}:log-group:/aws/bedrock/modelinvocations:*`;
  }
}

function version(r: Rng): string {
  switch (r.int(0, 5)) {
    case 0:
      return `v${r.int(1, 20)}.${r.int(0, 30)}.${r.int(0, 99)}`;
    case 1:
      return `${r.int(1, 9)}.${r.int(0, 40)}.${r.int(0, 200)}`;
    case 2:
      return `${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}-beta.${r.int(1, 9)}`;
    case 3:
      return `10.0.${r.int(19041, 22631)}.${r.int(100, 4000)}`;
    case 4:
      return `1.${r.int(30, 40)}.${r.int(1, 99)}`;
    default:
      return `${r.int(100, 130)}.0.${r.int(6000, 6999)}.${r.int(10, 199)}`;
  }
}

/** A 16-digit number in card layout whose Luhn check fails. */
function luhnFailingOrder(r: Rng): string {
  const payload = r.pick(['4', '5', '6']) + r.digits(14);
  const good = Number(luhnCheckDigit(payload));
  const number = payload + String((good + r.int(1, 9)) % 10);
  return r.chance(0.5) ? groupsOf4(number) : number;
}

/** An IBAN-shaped string whose mod-97 check fails. */
function badIban(r: Rng): string {
  const valid = ibanCompact(r);
  const check = Number(valid.slice(2, 4));
  const wrong = r.pad(((check + r.int(1, 90) - 2) % 97) + 2, 2);
  const bad = valid.slice(0, 2) + (wrong === valid.slice(2, 4) ? r.pad((check % 97) + 1, 2) : wrong) + valid.slice(4);
  return r.chance(0.5) ? groupsOf4(bad) : bad;
}

/** A 9-digit number that is not an SSN (no SSN context, or an invalid SSN area). */
function nineDigitNonSsn(r: Rng): string {
  return `${r.int(1, 9)}${r.digits(8)}`;
}

function invalidSsn(r: Rng): string {
  switch (r.int(0, 3)) {
    case 0:
      return `666-${r.pad(r.int(1, 99), 2)}-${r.pad(r.int(1, 9999), 4)}`;
    case 1:
      return `9${r.digits(2)}-${r.pad(r.int(1, 99), 2)}-${r.pad(r.int(1, 9999), 4)}`;
    case 2:
      return `000-${r.pad(r.int(1, 99), 2)}-${r.pad(r.int(1, 9999), 4)}`;
    default:
      return `${r.pad(r.int(1, 665), 3)}-00-${r.pad(r.int(1, 9999), 4)}`;
  }
}

function commitSha(r: Rng): string {
  return r.chars('0123456789abcdef', 40);
}

function mac(r: Rng): string {
  return Array.from({ length: 6 }, () => r.chars('0123456789abcdef', 2)).join(':');
}

function usDate(r: Rng): string {
  return `${r.pad(r.int(1, 12), 2)}/${r.pad(r.int(1, 28), 2)}/${r.int(1940, 2024)}`;
}

function euDate(r: Rng): string {
  return `${r.pad(r.int(1, 28), 2)}.${r.pad(r.int(1, 12), 2)}.${r.int(1940, 2024)}`;
}

function money(r: Rng): string {
  return `${r.pick(['$', '€', '£'])}${r.int(1, 9)},${r.digits(3)}.${r.digits(2)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Templates. Each returns one record's text with its entities.

type Template = (r: Rng) => Doc;

const supportChat: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  d.add(
    `User: Hi, this is ${p.full}. My order #${r.digits(8)} for the ${r.pick(PRODUCTS)} still hasn't arrived (placed ${usDate(r)}). `,
    `You can reach me at `,
    e('EMAIL', email(r, p)),
    r.pick([' or on ', ', phone ', ' / mobile: ']),
    e('PHONE', phone(r)),
    '.\n',
  );
  if (r.chance(0.5))
    d.add(
      'I paid with my card ',
      e('CREDIT_CARD', card(r)),
      ` (exp ${r.pad(r.int(1, 12), 2)}/${r.int(26, 31)}), total ${money(r)}.\n`,
    );
  else d.add(`Tracking number ${nineDigitNonSsn(r)}${r.digits(3)}, order reference ${luhnFailingOrder(r)}.\n`);
  d.add(
    `Assistant: Thanks ${p.first}, I'm sorry for the delay. I've opened ticket ${r.pick(['CS', 'SUP', 'T'])}-${r.int(10000, 99999)} `,
    `(request id ${uuid(r)}) and a colleague will call you back within 24 hours.`,
  );
  return d;
};

const supportRefund: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  d.add(
    `Customer message (${isoTimestamp(r)}):\n"Hello, I returned the ${r.pick(PRODUCTS)} on ${euDate(r)}. `,
    `Please refund ${money(r)} to my account `,
    e('IBAN', iban(r)),
    ` (BIC ${r.pick(['DEUTDEFF', 'NWBKGB2L', 'BNPAFRPP', 'INGBNL2A'])}). My invoice reference is ${badIban(r)}.`,
  );
  if (r.chance(0.5)) d.add(' Questions? ', e('EMAIL', email(r, p)), '"\n');
  else d.add(' Call me at ', e('PHONE', phone(r)), '"\n');
  d.add(`Agent note: refund approved by ${r.pick(ROLES)}; case ${uuid(r)}.`);
  return d;
};

const hrOnboarding: Template = (r) => {
  const p = person(r);
  const ssn = ssnDigits(r);
  const ssnForm = r.int(0, 2);
  const d = new Doc();
  d.add(`Summarize this onboarding form for HR:\nEmployee: ${p.full}\nStart date: ${isoTimestamp(r).slice(0, 10)}\n`);
  if (ssnForm === 0) d.add('SSN: ', e('US_SSN', dashedSsn(ssn)), '\n');
  else if (ssnForm === 1) d.add('Social Security Number: ', e('US_SSN', ssn), '\n');
  else d.add('SSN ', e('US_SSN', `${ssn.slice(0, 3)} ${ssn.slice(3, 5)} ${ssn.slice(5)}`), '\n');
  d.add(
    `Employee ID: ${nineDigitNonSsn(r)}\nDate of birth: ${usDate(r)}\n`,
    'Work email: ',
    e('EMAIL', email(r, p)),
    '\n',
  );
  d.add('Mobile: ', e('PHONE', phone(r)), '\n');
  if (r.chance(0.5)) d.add('Direct deposit IBAN: ', e('IBAN', iban(r)), '\n');
  else d.add(`Direct deposit: routing ${r.pick(['021000021', '011401533', '091000019'])}, account ${r.digits(10)}\n`);
  d.add(`Salary band: L${r.int(3, 8)}, ${money(r)} per month. Manager approval ${uuid(r)}.`);
  return d;
};

const hrUk: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  d.add(
    `Draft a payroll letter to ${p.full}. Their National Insurance number is `,
    e('NATIONAL_ID', nino(r)),
    `, payroll number ${r.digits(7)}, and they can be reached on `,
    e('PHONE', r.pick([`+44 7700 900${r.digits(3)}`, `07700 900${r.digits(3)}`, `020 7946 0${r.digits(3)}`])),
    ' or ',
    e('EMAIL', email(r, p)),
    `. Tax code 1257L, effective ${euDate(r)}.`,
  );
  return d;
};

const hrEu: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  d.add(`Translate and summarize the personnel file of ${p.full}.\n`);
  const kinds = r.int(1, 3);
  for (let i = 0; i < kinds; i++) {
    switch (r.int(0, 7)) {
      case 0:
        d.add('DNI/NIE: ', e('NATIONAL_ID', spanishId(r)), '\n');
        break;
      case 1:
        d.add('Numéro de sécurité sociale : ', e('NATIONAL_ID', frenchNir(r)), '\n');
        break;
      case 2:
        d.add('Codice fiscale: ', e('NATIONAL_ID', codiceFiscale(r)), '\n');
        break;
      case 3:
        d.add('Henkilötunnus: ', e('NATIONAL_ID', finnishHetu(r)), '\n');
        break;
      case 4:
        d.add('Personnummer: ', e('NATIONAL_ID', swedishPnr(r)), '\n');
        break;
      case 5:
        d.add('BSN: ', e('NATIONAL_ID', dutchBsn(r)), '\n');
        break;
      case 6:
        d.add('PESEL: ', e('NATIONAL_ID', pesel(r)), '\n');
        break;
      default:
        d.add('UK NINO: ', e('NATIONAL_ID', nino(r)), '\n');
    }
  }
  d.add('Bank: ', e('IBAN', iban(r)), '\n');
  if (r.chance(0.6)) d.add('Tel.: ', e('PHONE', phone(r)), '\n');
  d.add(`Contract version ${version(r)}, signed ${euDate(r)}, record ${uuid(r)}.`);
  return d;
};

const clinicalNote: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  d.add(
    `Rewrite this clinical note in plain language.\nPt: ${p.full}, DOB ${usDate(r)}, MRN ${r.digits(r.pick([8, 9, 10]))}.\n`,
    `Seen ${isoTimestamp(r)} for follow-up of type 2 diabetes (ICD-10 E11.9). BP ${r.int(100, 150)}/${r.int(60, 95)}, HR ${r.int(55, 100)}. `,
    `A1c ${r.int(5, 9)}.${r.int(0, 9)}%. Metformin ${r.pick(['500', '850', '1000'])} mg BID.\n`,
  );
  if (r.chance(0.6)) d.add('Insurance: Medicare, SSN ', e('US_SSN', dashedSsn(ssnDigits(r))), '.\n');
  else d.add(`Insurance member ID ${r.chars('ABCDEFGHJKLMNPRSTUVWXYZ', 3)}${r.digits(9)}, group ${r.digits(6)}.\n`);
  d.add('Emergency contact: ', e('PHONE', phone(r)), `; patient portal login `, e('EMAIL', email(r, p)), '.\n');
  d.add(`Next visit in ${r.int(2, 12)} weeks. Lab order ${r.digits(9)} sent to room ${r.int(100, 499)}.`);
  return d;
};

const codeCredentials: Template = (r) => {
  const d = new Doc();
  const ak = accessKey(r);
  const sk = secretKey(r);
  switch (r.int(0, 5)) {
    case 0:
      d.add(
        'Why does this fail with AccessDenied?\n```ini\n[default]\naws_access_key_id = ',
        e('AWS_ACCESS_KEY', ak),
        '\naws_secret_access_key = ',
        e('AWS_SECRET_KEY', sk),
        `\nregion = ${r.pick(REGIONS)}\n\`\`\`\nI'm calling ${r.pick(MODEL_IDS)} from boto3 ${version(r)}.`,
      );
      break;
    case 1:
      d.add(
        "Fix this Python:\n```python\nimport boto3\nclient = boto3.client(\n    'bedrock-runtime',\n    aws_access_key_id='",
        e('AWS_ACCESS_KEY', ak),
        "',\n    aws_secret_access_key='",
        e('AWS_SECRET_KEY', sk),
        `',\n    region_name='${r.pick(REGIONS)}',\n)\nresp = client.converse(modelId='${r.pick(MODEL_IDS)}', messages=msgs)\n\`\`\``,
      );
      break;
    case 2: {
      const tok = sessionToken(r);
      d.add(
        `Here is the output of sts assume-role for ${arn(r)}:\n{\n  "Credentials": {\n    "AccessKeyId": "`,
        e('AWS_ACCESS_KEY', `ASIA${ak.slice(4)}`),
        '",\n    "SecretAccessKey": "',
        e('AWS_SECRET_KEY', sk),
        '",\n    "SessionToken": "',
        e('AWS_SECRET_KEY', tok),
        `",\n    "Expiration": "${isoTimestamp(r)}"\n  }\n}`,
      );
      break;
    }
    case 3:
      d.add(
        '```bash\nexport AWS_ACCESS_KEY_ID=',
        e('AWS_ACCESS_KEY', ak),
        '\nexport AWS_SECRET_ACCESS_KEY=',
        e('AWS_SECRET_KEY', sk),
        `\nexport AWS_DEFAULT_REGION=${r.pick(REGIONS)}\naws bedrock list-foundation-models\n\`\`\`\nWhy do I get ExpiredToken at ${isoTimestamp(r)}?`,
      );
      break;
    case 4:
      d.add(
        `Rotate these leaked credentials (found in commit ${commitSha(r)}):\n`,
        e('AWS_ACCESS_KEY', ak),
        ',',
        e('AWS_SECRET_KEY', sk),
        `\nOwner: ${arn(r)}`,
      );
      break;
    default:
      d.add(
        `const cfg = {\n  region: '${r.pick(REGIONS)}',\n  credentials: {\n    accessKeyId: '`,
        e('AWS_ACCESS_KEY', ak),
        "',\n    secretAccessKey: '",
        e('AWS_SECRET_KEY', sk),
        `',\n  },\n};\n// sdk ${version(r)}, build ${commitSha(r).slice(0, 12)}`,
      );
  }
  return d;
};

const apiTokens: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  switch (r.int(0, 3)) {
    case 0:
      d.add(
        `This curl returns 401, why?\ncurl -s https://api.example.com/v2/orders -H 'Authorization: Bearer `,
        e('BEARER_TOKEN', opaqueToken(r)),
        `' -H 'X-Request-Id: ${uuid(r)}'`,
      );
      break;
    case 1:
      d.add(
        `Decode this JWT for me: `,
        e('BEARER_TOKEN', jwt(r, p)),
        ` — it was issued to ${p.first} at ${isoTimestamp(r)}.`,
      );
      break;
    case 2:
      d.add(
        `GET /api/v1/users/me HTTP/1.1\nHost: api.example.com\nAuthorization: Bearer `,
        e('BEARER_TOKEN', jwt(r, p)),
        `\nUser-Agent: python-requests/${version(r)}\nX-Forwarded-For: `,
        e('IP_ADDRESS', ipv4(r)),
      );
      break;
    default:
      d.add(
        `My CI uses GITHUB_TOKEN=`,
        e('BEARER_TOKEN', githubToken(r)),
        ` and the docs say to use "Authorization: Bearer <token>" with Bearer authentication. Build ${version(r)} still fails.`,
      );
  }
  return d;
};

const appLog: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  const lines = r.int(2, 4);
  for (let i = 0; i < lines; i++) {
    const ts = isoTimestamp(r);
    switch (r.int(0, 4)) {
      case 0:
        d.add(
          `${ts} INFO request_id=${uuid(r)} user=`,
          e('EMAIL', email(r, p)),
          ' client_ip=',
          e('IP_ADDRESS', ipv4(r)),
          ` latency_ms=${r.int(20, 3000)}\n`,
        );
        break;
      case 1:
        d.add(
          `${ts} WARN login failed for `,
          e('EMAIL', email(r, p)),
          ' from ',
          e('IP_ADDRESS', ipv6(r)),
          ` (attempt ${r.int(2, 9)})\n`,
        );
        break;
      case 2:
        d.add(`${ts} DEBUG invoke model=${r.pick(MODEL_IDS)} principal=${arn(r)} tokens=${r.int(10, 4000)}\n`);
        break;
      case 3:
        d.add(
          e('IP_ADDRESS', ipv4(r)),
          ` - - [${r.pad(r.int(1, 28), 2)}/May/2025:${r.pad(r.int(0, 23), 2)}:${r.pad(r.int(0, 59), 2)}:${r.pad(r.int(0, 59), 2)} +0000] "POST /v1/chat HTTP/1.1" ${r.pick([200, 201, 429, 500])} ${r.int(100, 99999)} "-" "Mozilla/5.0 Chrome/${version(r)}"\n`,
        );
        break;
      default:
        d.add(
          `${ts} INFO host ${mac(r)} leased `,
          e('IP_ADDRESS', ipv4(r)),
          ` for ${r.int(600, 86400)}s, agent ${version(r)}\n`,
        );
    }
  }
  d.add('Explain what happened.');
  return d;
};

const bedrockPrompt: Template = (r) => {
  const p = person(r);
  const acct = accountId(r);
  const d = new Doc();
  d.add(
    `You are an assistant for account ${acct}. Model: ${r.pick(MODEL_IDS)}. Guardrail: ${arn(r, acct)}.\n`,
    `Caller: arn:aws:sts::${acct}:assumed-role/${r.pick(ROLES)}/`,
    e('EMAIL', email(r, p)),
    `\nRequest ${uuid(r)} at ${isoTimestamp(r)}.\n`,
  );
  switch (r.int(0, 2)) {
    case 0:
      d.add(
        `Question: my colleague ${p.first} gave me their SSN `,
        e('US_SSN', dashedSsn(ssnDigits(r))),
        ', can you file the form?',
      );
      break;
    case 1:
      d.add(`Question: what does error ValidationException mean for inference profile ${arn(r, acct)}?`);
      break;
    default:
      d.add(
        'Question: please email the summary to ',
        e('EMAIL', email(r, person(r))),
        ` and cc account ${accountId(r)}.`,
      );
  }
  return d;
};

const financeInvoice: Template = (r) => {
  const d = new Doc();
  d.add(
    `Extract the fields from this invoice.\nInvoice INV-${r.int(2023, 2025)}-${r.digits(5)}, issued ${euDate(r)}\n`,
    `Amount due: ${money(r)} (VAT ${r.int(5, 25)}%)\n`,
    'Pay to: ',
    e('IBAN', iban(r)),
    '\n',
    `Customer reference: ${badIban(r)}\nOrder no.: ${luhnFailingOrder(r)}\n`,
  );
  if (r.chance(0.5)) d.add('Paid by card ', e('CREDIT_CARD', card(r)), `, auth code ${r.digits(6)}.\n`);
  else d.add(`Paid by card ending in ${r.digits(4)}, auth code ${r.digits(6)}.\n`);
  d.add(`Questions: `, e('EMAIL', email(r, person(r))), '.');
  return d;
};

const travelBooking: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  d.add(
    `Booking ${r.chars('ABCDEFGHJKLMNPQRSTUVWXYZ', 6)} for ${p.full}: flight ${r.pick(['LH', 'BA', 'AF', 'UA'])}${r.int(100, 9999)} on ${euDate(r)} `,
    `${r.pad(r.int(0, 23), 2)}:${r.pad(r.int(0, 59), 2)}, seat ${r.int(1, 40)}${r.pick(['A', 'C', 'F'])}.\n`,
    'Passenger phone ',
    e('PHONE', phone(r)),
    ', email ',
    e('EMAIL', email(r, p)),
    '.\nCard on file: ',
    e('CREDIT_CARD', card(r)),
    `. Loyalty number ${r.digits(10)}.`,
  );
  return d;
};

const cloudTrailJson: Template = (r) => {
  const p = person(r);
  const acct = accountId(r);
  const d = new Doc();
  d.add(
    `Is this CloudTrail event suspicious?\n{"eventVersion":"1.09","eventTime":"${isoTimestamp(r)}","eventSource":"bedrock.amazonaws.com",`,
    `"eventName":"InvokeModel","awsRegion":"${r.pick(REGIONS)}","sourceIPAddress":"`,
    e('IP_ADDRESS', r.chance(0.7) ? ipv4(r) : ipv6(r)),
    `","userAgent":"aws-cli/${version(r)}","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::${acct}:assumed-role/${r.pick(ROLES)}/`,
    e('EMAIL', email(r, p)),
    `","accountId":"${acct}","accessKeyId":"`,
    e('AWS_ACCESS_KEY', `ASIA${r.chars(BASE32, 16)}`),
    `"},"requestID":"${uuid(r)}","eventID":"${uuid(r)}","recipientAccountId":"${acct}"}`,
  );
  return d;
};

const pureNegatives: Template = (r) => {
  const d = new Doc();
  const acct = accountId(r);
  const pieces = [
    `Deployed ${arn(r, acct)} with model ${r.pick(MODEL_IDS)} at ${isoTimestamp(r)}.`,
    `Request ids: ${uuid(r)}, ${uuid(r)}.`,
    `Upgraded the SDK from ${version(r)} to ${version(r)}; Python ${r.int(3, 3)}.${r.int(8, 12)}.${r.int(0, 15)}.`,
    `Account ${acct} owns log group ${arn(r, acct)}.`,
    `Order number ${luhnFailingOrder(r)} was shipped on ${usDate(r)}.`,
    `Reference ${badIban(r)} is not a valid bank account.`,
    `Tracking ${nineDigitNonSsn(r)} and routing ${r.pick(['021000021', '011401533', '091000019'])}.`,
    `Form lists SSN ${invalidSsn(r)}, which is not a valid SSN.`,
    `Commit ${commitSha(r)} fixed the build at ${r.pad(r.int(0, 23), 2)}:${r.pad(r.int(0, 59), 2)}:${r.pad(r.int(0, 59), 2)}.`,
    `Device ${mac(r)} reported ${r.int(10, 99)}.${r.int(0, 9)}% CPU and ${money(r)} of spend.`,
    `Use std::vector and Foo::bar(); epoch ${1715000000 + r.int(0, 999999)} (${1715000000000 + r.int(0, 999999999)} ms).`,
    `The doc mentions Bearer authentication and the header "Authorization: Bearer $TOKEN".`,
    `ISBN 978-${r.int(0, 1)}-${r.digits(3)}-${r.digits(5)}-${r.int(0, 9)}, ZIP ${r.digits(5)}-${r.digits(4)}, port ${r.int(1024, 65535)}.`,
    `Chrome/${version(r)} on Windows ${version(r)}; firmware v${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 9)}.`,
    `Date ${euDate(r)} ${r.pad(r.int(0, 23), 2)}:${r.pad(r.int(0, 59), 2)}, invoice ${r.int(2023, 2025)}-${r.digits(6)}.`,
    `Guardrail ${r.chars('abcdefghijklmnopqrstuvwxyz0123456789', 12)} version ${r.int(1, 9)} blocked ${r.int(1, 99)} prompts.`,
    `Employee ID ${nineDigitNonSsn(r)}, cost center ${r.digits(4)}, ticket ${r.digits(9)}.`,
    `Model ${r.pick(MODEL_IDS)} returned ${r.int(100, 4096)} tokens in ${r.int(100, 9000)} ms.`,
  ];
  const n = r.int(3, 6);
  const used = new Set<number>();
  for (let i = 0; i < n; i++) {
    let k: number;
    do k = r.int(0, pieces.length - 1);
    while (used.has(k));
    used.add(k);
    d.add(pieces[k], ' ');
  }
  d.text = d.text.trimEnd();
  return d;
};

const responseWithPii: Template = (r) => {
  const p = person(r);
  const d = new Doc();
  d.add(
    `Assistant: Here is the customer record you asked for.\n- Name: ${p.full}\n- Email: `,
    e('EMAIL', email(r, p)),
    '\n- Phone: ',
    e('PHONE', phone(r)),
    `\n- Last login: ${isoTimestamp(r)} from `,
    e('IP_ADDRESS', r.chance(0.5) ? ipv4(r) : ipv6(r)),
    `\n- Account: ${accountId(r)}\n`,
  );
  if (r.chance(0.5)) d.add('- Card: ', e('CREDIT_CARD', card(r)), '\n');
  if (r.chance(0.5)) d.add('- SSN: ', e('US_SSN', dashedSsn(ssnDigits(r))), '\n');
  d.add(`Note: record ${uuid(r)}, schema ${version(r)}.`);
  return d;
};

const TEMPLATES: readonly [Template, number][] = [
  [supportChat, 3],
  [supportRefund, 2],
  [hrOnboarding, 2],
  [hrUk, 1],
  [hrEu, 3],
  [clinicalNote, 2],
  [codeCredentials, 3],
  [apiTokens, 3],
  [appLog, 2],
  [bedrockPrompt, 2],
  [financeInvoice, 2],
  [travelBooking, 1],
  [cloudTrailJson, 1],
  [pureNegatives, 3],
  [responseWithPii, 2],
];

// ---------------------------------------------------------------------------------------------------------------

export function generateCorpus(seed: number = CORPUS_SEED, size: number = CORPUS_SIZE): CorpusRecord[] {
  const r = new Rng(seed);
  const weighted: Template[] = [];
  for (const [t, w] of TEMPLATES) for (let i = 0; i < w; i++) weighted.push(t);
  const records: CorpusRecord[] = [];
  for (let i = 0; i < size; i++) {
    // Cycle through the templates first so that every one appears, then pick by weight.
    const template = i < TEMPLATES.length ? TEMPLATES[i]![0] : r.pick(weighted);
    const d = template(r);
    records.push({ id: `pii-${String(i + 1).padStart(4, '0')}`, text: d.text, entities: d.entities });
  }
  return records;
}

export function serializeCorpus(records: readonly CorpusRecord[]): string {
  return records.map((rec) => JSON.stringify({ id: rec.id, text: rec.text, entities: rec.entities })).join('\n') + '\n';
}

export function corpusPath(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', CORPUS_RELATIVE_PATH);
}

function main(): void {
  const out = corpusPath();
  const records = generateCorpus();
  const body = serializeCorpus(records);
  writeFileSync(out, body, 'utf8');
  const entities = records.reduce((n, rec) => n + rec.entities.length, 0);
  process.stdout.write(
    `wrote ${records.length} records, ${entities} entities, ${Buffer.byteLength(body)} bytes to ${out}\n`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
