import { describe, expect, it } from 'vitest';
import {
  codiceFiscaleValid,
  dutchBsnValid,
  finnishHetuValid,
  frenchNirValid,
  ibanValid,
  luhnValid,
  ninoValid,
  peselValid,
  spanishIdValid,
  ssnValid,
  swedishPersonnummerValid,
} from '../../src/privacy/checksums.js';
import { detectPii, redactText } from '../../src/privacy/redact.js';
import type { PiiType } from '../../src/privacy/redact.js';

/** What detectPii found, as [type, matched text] pairs. */
function found(text: string): [PiiType, string][] {
  return detectPii(text).map((d) => [d.type, text.slice(d.start, d.end)]);
}

/** Positive cases: [input, type, the exact substring that must be detected]. */
type Positive = [input: string, type: PiiType, match: string];

function positives(type: PiiType, cases: [input: string, match: string][]): Positive[] {
  return cases.map(([input, match]) => [input, type, match]);
}

function expectDetected([input, type, match]: Positive): void {
  expect(found(input)).toContainEqual([type, match]);
}

function expectNothingOf(type: PiiType, input: string): void {
  expect(found(input).filter(([t]) => t === type)).toEqual([]);
}

describe('check-digit validators (published examples)', () => {
  it.each([
    ['4111111111111111', true],
    ['5555555555554444', true],
    ['378282246310005', true],
    ['6011111111111117', true],
    ['30569309025904', true],
    ['4111111111111112', false],
    ['12a4', false],
  ])('luhn %s -> %s', (s, ok) => expect(luhnValid(s)).toBe(ok));

  it.each([
    ['GB82WEST12345698765432', true],
    ['DE89370400440532013000', true],
    ['FR1420041010050500013M02606', true],
    ['NL91ABNA0417164300', true],
    ['IT60X0542811101000000123456', true],
    ['NO9386011117947', true],
    ['GB82WEST12345698765433', false],
    ['DE89370400440532013', false], // wrong length for DE
    ['XX89370400440532013000', false], // unknown country
  ])('iban %s -> %s', (s, ok) => expect(ibanValid(s)).toBe(ok));

  it.each([
    ['078051120', true],
    ['123456789', true],
    ['000123456', false],
    ['666123456', false],
    ['912345678', false],
    ['123004567', false],
    ['123450000', false],
  ])('ssn %s -> %s', (s, ok) => expect(ssnValid(s)).toBe(ok));

  it('national id validators', () => {
    expect(ninoValid('AB123456C')).toBe(true);
    expect(ninoValid('QQ123456C')).toBe(false); // Q is not a valid first letter
    expect(ninoValid('GB123456A')).toBe(false); // excluded prefix
    expect(ninoValid('AB123456E')).toBe(false); // suffix must be A-D
    expect(spanishIdValid('12345678Z')).toBe(true);
    expect(spanishIdValid('12345678A')).toBe(false);
    expect(spanishIdValid('X1234567L')).toBe(true);
    expect(codiceFiscaleValid('RSSMRA85T10A562S')).toBe(true);
    expect(codiceFiscaleValid('RSSMRA85T10A562T')).toBe(false);
    expect(finnishHetuValid('131052-308T')).toBe(true);
    expect(finnishHetuValid('131052-308A')).toBe(false);
    expect(frenchNirValid('255081416802538')).toBe(true);
    expect(frenchNirValid('255081416802539')).toBe(false);
    expect(swedishPersonnummerValid('8112289874')).toBe(true);
    expect(swedishPersonnummerValid('8112289875')).toBe(false);
    expect(dutchBsnValid('111222333')).toBe(true);
    expect(dutchBsnValid('123456789')).toBe(false);
    expect(peselValid('44051401359')).toBe(true);
    expect(peselValid('44051401358')).toBe(false);
  });
});

describe('EMAIL', () => {
  it.each(
    positives('EMAIL', [
      ['contact jane.doe@example.com today', 'jane.doe@example.com'],
      ['<user+tag@sub.example.co.uk>', 'user+tag@sub.example.co.uk'],
      ['UPPER.CASE@EXAMPLE.ORG.', 'UPPER.CASE@EXAMPLE.ORG'],
      ['"email":"o_brien99@mail.example.net"', 'o_brien99@mail.example.net'],
      ['arn:aws:sts::123456789012:assumed-role/Admin/jane@example.com', 'jane@example.com'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'npm i @types/node',
    'pinned vitest@4.1.12',
    'ssh user@localhost',
    'a@b',
    'decorator @app.route("/")',
    'a@a@a@a@a',
  ])('not in %s', (s) => expectNothingOf('EMAIL', s));
});

describe('PHONE', () => {
  it.each(
    positives('PHONE', [
      ['call +1 (415) 555-2671 now', '+1 (415) 555-2671'],
      ['(415) 555-2671', '(415) 555-2671'],
      ['at 415-555-2671.', '415-555-2671'],
      ['415.555.2671', '415.555.2671'],
      ['E.164: +14155552671', '+14155552671'],
      ['1-800-555-0199', '1-800-555-0199'],
      ['UK +44 20 7946 0958', '+44 20 7946 0958'],
      ['UK 020 7946 0958', '020 7946 0958'],
      ['mobile 07700 900123', '07700 900123'],
      ['+44 (0)20 7946 0958', '+44 (0)20 7946 0958'],
      ['DE +49 30 12345678', '+49 30 12345678'],
      ['DE 030/1234567', '030/1234567'],
      ['FR +33 1 42 68 53 00', '+33 1 42 68 53 00'],
      ['FR 01 42 68 53 00', '01 42 68 53 00'],
      ['FR 01.42.68.53.00', '01.42.68.53.00'],
      ['NL 06-12345678', '06-12345678'],
      ['phone: 4155552671', '4155552671'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'count 12345 and 4155552671 rows', // bare digits without a phone context word
    '2024-05-15',
    '2025-05-15 14:17:22.000000000',
    '15.03.2024',
    '03/15/2024',
    'on 01/02/2024 12:30',
    'version 1.2.3',
    'v1.2.3',
    'epoch 1715782642',
    'account 123456789012',
    'arn:aws:iam::123456789012:role/Admin',
    '192.168.1.1',
    'ZIP 94103-1234 and 01234-5678',
    'ISBN 978-3-16-148410-0',
    '$1,234.56',
    '100-200-3000', // NANP area codes never start with 1
    'SSN 123-45-6789',
    'bad SSN 000-12-3456',
    'anthropic.claude-3-haiku-20240307-v1:0',
    'request bb98d9a8-bd9a-47ca-976b-f165ef1f8b67',
    '+100 points',
  ])('not in %s', (s) => expectNothingOf('PHONE', s));
});

describe('US_SSN', () => {
  it.each(
    positives('US_SSN', [
      ['SSN 123-45-6789', '123-45-6789'],
      ['her number is 078-05-1120.', '078-05-1120'],
      ['SSN: 123456789', '123456789'],
      ['Social Security Number: 123 45 6789', '123 45 6789'],
      ['soc. sec. no. 234567890', '234567890'],
      ['"ssn":"345678901"', '345678901'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'SSN 000-12-3456',
    'SSN 666-12-3456',
    'SSN 912-34-5678',
    'SSN 123-00-4567',
    'SSN 123-45-0000',
    'tracking 123456789',
    'ticket 123 45 6789',
    'invalid SSN. Employee ID 272066276',
    'routing 021000021',
    'order 1234-56-7890',
  ])('not in %s', (s) => expectNothingOf('US_SSN', s));
});

describe('NATIONAL_ID', () => {
  it.each(
    positives('NATIONAL_ID', [
      ['NI number AB123456C.', 'AB123456C'],
      ['NINO: AB 12 34 56 C', 'AB 12 34 56 C'],
      ['DNI 12345678Z', '12345678Z'],
      ['NIE X1234567L', 'X1234567L'],
      ['NIR 2 55 08 14 168 025 38', '2 55 08 14 168 025 38'],
      ['NIR 255081416802538', '255081416802538'],
      ['codice fiscale RSSMRA85T10A562S', 'RSSMRA85T10A562S'],
      ['HETU 131052-308T', '131052-308T'],
      ['personnummer 811228-9874', '811228-9874'],
      ['personnummer 19811228-9874', '19811228-9874'],
      ['BSN: 111222333', '111222333'],
      ['PESEL 44051401359', '44051401359'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'QQ123456C',
    'GB123456A',
    'DNI 12345678A',
    'CF RSSMRA85T10A562T',
    'HETU 131052-308A',
    'NIR 2 55 08 14 168 025 39',
    'personnummer 811228-9875',
    'ticket 111222333', // valid BSN checksum, but no BSN context
    'order 44051401359', // valid PESEL checksum, but no PESEL context
    'BSN: 123456789', // fails the elfproef
  ])('not in %s', (s) => expectNothingOf('NATIONAL_ID', s));
});

describe('CREDIT_CARD', () => {
  it.each(
    positives('CREDIT_CARD', [
      ['visa 4111 1111 1111 1111 exp 05/27', '4111 1111 1111 1111'],
      ['mc 5555-5555-5555-4444', '5555-5555-5555-4444'],
      ['amex 3782 822463 10005', '3782 822463 10005'],
      ['amex 378282246310005', '378282246310005'],
      ['discover 6011111111111117.', '6011111111111117'],
      ['mc2 2223 0031 2200 3222', '2223 0031 2200 3222'],
      ['jcb 3530111333300000', '3530111333300000'],
      ['visa13 4222222222222', '4222222222222'],
      ['"pan":"4111111111111111"', '4111111111111111'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'order 4111 1111 1111 1112', // fails Luhn
    '1234 5678 9012 3456',
    '0000 0000 0000 0000',
    'epoch ms 1715782642123',
    'acct 4111111111111111000', // longer digit run
    'IBAN-like AT64 4125 7404 2819 6433', // Luhn-valid digits inside an IBAN-shaped string
    'PL35 4739 2381 4111 8579 5402 0319',
    'account 123456789012',
    'card ending in 4242',
  ])('not in %s', (s) => expectNothingOf('CREDIT_CARD', s));
});

describe('IBAN', () => {
  it.each(
    positives('IBAN', [
      ['IBAN GB82 WEST 1234 5698 7654 32.', 'GB82 WEST 1234 5698 7654 32'],
      ['DE89370400440532013000', 'DE89370400440532013000'],
      ['FR14 2004 1010 0505 0001 3M02 606 EUR', 'FR14 2004 1010 0505 0001 3M02 606'],
      ['pay NL91ABNA0417164300 today', 'NL91ABNA0417164300'],
      ['BE68 5390 0754 7034', 'BE68 5390 0754 7034'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'GB82 WEST 1234 5698 7654 33',
    'DE89 3704 0044 0532 0130 01',
    'XX89 3704 0044 0532 0130 00',
    'de89370400440532013000',
    'SKU AB12 CDEF GHIJ',
  ])('not in %s', (s) => expectNothingOf('IBAN', s));
});

describe('IP_ADDRESS', () => {
  it.each(
    positives('IP_ADDRESS', [
      ['from 192.168.0.1.', '192.168.0.1'],
      ['http://10.0.0.255:8080/x', '10.0.0.255'],
      ['client_ip=203.0.113.7', '203.0.113.7'],
      ['2001:db8::1', '2001:db8::1'],
      ['fe80::1ff:fe23:4567:890a%eth0', 'fe80::1ff:fe23:4567:890a'],
      ['::ffff:192.0.2.128', '::ffff:192.0.2.128'],
      ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'version 1.2.3',
    'v1.2.3.4',
    'version 10.0.0.1',
    'Windows 10.0.19045.3803',
    '256.1.1.1',
    '1.2.3.4.5',
    '01.02.03.04',
    'anthropic.claude-3-haiku-20240307-v1:0',
    'at 12:30:45',
    'mac 00:1a:2b:3c:4d:5e',
    'std::vector<int>',
    'arn:aws:s3:::bucket/key',
    'arn:aws:iam::123456789012:root',
    'xs[::2]',
    'Chrome/120.0.6099.109',
  ])('not in %s', (s) => expectNothingOf('IP_ADDRESS', s));
});

describe('AWS_ACCESS_KEY and AWS_SECRET_KEY', () => {
  it.each(
    positives('AWS_ACCESS_KEY', [
      ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
      ['"AccessKeyId": "ASIAY34FZKBOKMUTVV7A"', 'ASIAY34FZKBOKMUTVV7A'],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each(['AKIAIOSFODNN7EXAMPL', 'AKIAIOSFODNN7EXAMPLEX', 'akiaiosfodnn7example', 'user id AIDAJQABLZS4A3QDU576'])(
    'no access key in %s',
    (s) => expectNothingOf('AWS_ACCESS_KEY', s),
  );

  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  it.each(
    positives('AWS_SECRET_KEY', [
      [`aws_secret_access_key = ${secret}`, secret],
      [`"SecretAccessKey": "${secret}"`, secret],
      [`export AWS_SECRET_ACCESS_KEY=${secret}`, secret],
      [`AKIAIOSFODNN7EXAMPLE,${secret}`, secret],
      [`${secret} AKIAIOSFODNN7EXAMPLE`, secret],
      [
        `"SessionToken": "IQoJb3JpZ2luX2VjEJr${'A1b2C3d4/+'.repeat(15)}"`,
        `IQoJb3JpZ2luX2VjEJr${'A1b2C3d4/+'.repeat(15)}`,
      ],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    `random text ${secret} with no context`,
    'aws_secret_access_key = 3f2a9c0d1e4b5a6978877665544332211aabbccd', // lowercase hex (commit-hash-like)
    `secret ${'a'.repeat(40)}`,
    `commit 3f2a9c0d1e4b5a6978877665544332211aabbccd`,
  ])('no secret in %s', (s) => expectNothingOf('AWS_SECRET_KEY', s));
});

describe('BEARER_TOKEN', () => {
  const jwt =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  it.each(
    positives('BEARER_TOKEN', [
      ['Authorization: Bearer abc123def456ghi789', 'abc123def456ghi789'],
      ['bearer mF_9.B5f-4.1JqM', 'mF_9.B5f-4.1JqM'],
      [`Authorization: Bearer ${jwt}`, jwt],
      [`token=${jwt}&x=1`, jwt],
      [`GITHUB_TOKEN=ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`, `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`],
    ]),
  )('%s', (...c) => expectDetected(c));

  it.each([
    'use Bearer authentication.',
    'Authorization: Bearer <token>',
    'Authorization: Bearer ${TOKEN}',
    'Bearer YOUR_TOKEN_HERE',
    'header eyJhbGciOiJIUzI1NiJ9 only',
    'scikit-learn sk-learn-is-not-a-key-at-all',
  ])('not in %s', (s) => expectNothingOf('BEARER_TOKEN', s));
});

describe('things that must never be redacted', () => {
  it.each([
    'arn:aws:bedrock:us-east-1:123456789012:guardrail/h28wrktbwagn',
    'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
    'arn:aws:sts::111111111111:assumed-role/role_details/suspicious.user',
    'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'bb98d9a8-bd9a-47ca-976b-f165ef1f8b67',
    'anthropic.claude-3-haiku-20240307-v1:0',
    'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    'amazon.titan-embed-text-v2:0',
    '2025-05-15 14:17:22.000000000',
    '2025-05-15T14:17:22.123Z',
    '2024-03-15T14:22:05+02:00',
    '20240307T141722Z',
    'boto3 1.34.56, v2.14.3, 1.2.3-beta.1',
    'accountId 111111111111',
  ])('%s', (s) => {
    expect(detectPii(s)).toEqual([]);
    expect(redactText(s).text).toBe(s);
  });
});

describe('detectPii / redactText', () => {
  const text =
    'Hi, I am Jane (jane@example.com, +44 20 7946 0958). SSN 123-45-6789, card 4111 1111 1111 1111, ' +
    'IBAN GB82 WEST 1234 5698 7654 32, from 10.1.2.3 using AKIAIOSFODNN7EXAMPLE. Request ' +
    'bb98d9a8-bd9a-47ca-976b-f165ef1f8b67 on anthropic.claude-3-haiku-20240307-v1:0 at 2025-05-15T14:17:22Z.';

  it('returns sorted, non-overlapping detections', () => {
    const d = detectPii(text);
    for (let i = 1; i < d.length; i++) expect(d[i]!.start).toBeGreaterThanOrEqual(d[i - 1]!.end);
    expect(d.map((x) => x.type)).toEqual([
      'EMAIL',
      'PHONE',
      'US_SSN',
      'CREDIT_CARD',
      'IBAN',
      'IP_ADDRESS',
      'AWS_ACCESS_KEY',
    ]);
  });

  it('replaces each entity with [TYPE] and counts them', () => {
    const r = redactText(text);
    expect(r.text).toBe(
      'Hi, I am Jane ([EMAIL], [PHONE]). SSN [US_SSN], card [CREDIT_CARD], IBAN [IBAN], from [IP_ADDRESS] using ' +
        '[AWS_ACCESS_KEY]. Request bb98d9a8-bd9a-47ca-976b-f165ef1f8b67 on anthropic.claude-3-haiku-20240307-v1:0 at ' +
        '2025-05-15T14:17:22Z.',
    );
    expect(r.detections).toEqual({
      EMAIL: 1,
      PHONE: 1,
      US_SSN: 1,
      CREDIT_CARD: 1,
      IBAN: 1,
      IP_ADDRESS: 1,
      AWS_ACCESS_KEY: 1,
    });
  });

  it('handles empty and entity-free text', () => {
    expect(detectPii('')).toEqual([]);
    expect(redactText('nothing to see here')).toEqual({ text: 'nothing to see here', detections: {} });
  });

  it('prefers the stronger type when candidates overlap', () => {
    // The digits of the IBAN alone would be a phone-like run; the access key contains no email, etc.
    expect(found('x DE89 3704 0044 0532 0130 00 y')).toEqual([['IBAN', 'DE89 3704 0044 0532 0130 00']]);
    expect(found('Bearer AKIAIOSFODNN7EXAMPLE')).toEqual([['BEARER_TOKEN', 'AKIAIOSFODNN7EXAMPLE']]);
  });
});
