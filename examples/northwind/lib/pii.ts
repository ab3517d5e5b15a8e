/**
 * Fictional personal data with valid check digits: emails on reserved domains, 555-01xx phone numbers, Luhn-valid
 * card numbers, well-formed US SSNs and IBANs with a correct ISO 7064 mod-97 check.
 */
import type { Rng } from './rng.js';

export type PiiType =
  'EMAIL' | 'PHONE' | 'CREDIT_DEBIT_CARD_NUMBER' | 'US_SOCIAL_SECURITY_NUMBER' | 'INTERNATIONAL_BANK_ACCOUNT_NUMBER';

const FIRST = [
  'maria',
  'john',
  'aisha',
  'tomas',
  'mei',
  'oliver',
  'fatima',
  'lukas',
  'sofia',
  'kwame',
  'elena',
  'ravi',
];
const LAST = [
  'gonzalez',
  'smith',
  'rahman',
  'novak',
  'chen',
  'brown',
  'haddad',
  'schmidt',
  'rossi',
  'mensah',
  'petrova',
  'iyer',
];
const DOMAINS = ['example.com', 'example.org', 'example.net'];

export function email(rng: Rng): string {
  return `${rng.pick(FIRST)}.${rng.pick(LAST)}@${rng.pick(DOMAINS)}`;
}

/** North-American numbers in the 555-0100..0199 range reserved for fiction. */
export function phone(rng: Rng): string {
  const area = rng.pick(['415', '212', '617', '303', '206']);
  const line = `01${rng.digits(2)}`;
  return rng.chance(0.5) ? `+1 ${area}-555-${line}` : `(${area}) 555-${line}`;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A 16-digit Visa-style number with a valid Luhn check digit, printed in groups of four. */
export function cardNumber(rng: Rng): string {
  const body = `4${rng.digits(14)}`;
  let check = 0;
  for (; check < 10; check++) if (luhnValid(`${body}${check}`)) break;
  const n = `${body}${check}`;
  return n.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** A US SSN that passes the SSA structural rules (area not 000/666/9xx, group not 00, serial not 0000). */
export function ssn(rng: Rng): string {
  let area = 0;
  do area = rng.int(1, 899);
  while (area === 666);
  const group = rng.int(1, 99);
  const serial = rng.int(1, 9999);
  return `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
}

export function ibanValid(iban: string): boolean {
  const s = iban.replace(/\s+/g, '');
  const rearranged = `${s.slice(4)}${s.slice(0, 4)}`;
  let rem = 0;
  for (const ch of rearranged) {
    const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem === 1;
}

/** A UK IBAN (GBkk BBBB SSSS SSAA AAAA AA) with correct check digits, printed in groups of four. */
export function iban(rng: Rng): string {
  const bban = `NWBK${rng.digits(6)}${rng.digits(8)}`;
  for (let k = 2; k <= 98; k++) {
    const candidate = `GB${String(k).padStart(2, '0')}${bban}`;
    if (ibanValid(candidate)) return candidate.replace(/(.{4})(?=.)/g, '$1 ');
  }
  throw new Error('no IBAN check digits found');
}
