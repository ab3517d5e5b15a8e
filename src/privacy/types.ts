/** Kinds of sensitive values the privacy layer finds. `GUARDRAIL_MATCH` is produced by `redactJson` only. */
export type PiiType =
  | 'EMAIL'
  | 'PHONE'
  | 'US_SSN'
  | 'NATIONAL_ID'
  | 'CREDIT_CARD'
  | 'IBAN'
  | 'IP_ADDRESS'
  | 'AWS_ACCESS_KEY'
  | 'AWS_SECRET_KEY'
  | 'BEARER_TOKEN'
  | 'GUARDRAIL_MATCH';

/** A detected entity: `text.slice(start, end)` (UTF-16 code-unit offsets, end exclusive). */
export interface Detection {
  type: PiiType;
  start: number;
  end: number;
}

export const PII_TYPES: readonly PiiType[] = [
  'EMAIL',
  'PHONE',
  'US_SSN',
  'NATIONAL_ID',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'BEARER_TOKEN',
  'GUARDRAIL_MATCH',
];
