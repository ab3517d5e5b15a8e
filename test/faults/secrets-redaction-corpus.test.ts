// The redaction of invocation-log samples on the labelled PII corpus (test/fixtures/privacy, 360 records): the
// same evaluation as test/privacy/corpus.test.ts (evaluateCorpus over detectPii), its figures recorded for
// docs/reliability.md. A missed card number, SSN, AWS key or email would be copied into a summary: those count as
// leaks, and must be zero.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, type CorpusRecord } from '../../scripts/generate-pii-corpus.js';
import { evaluateCorpus } from '../../src/privacy/evaluate.js';
import type { PiiType } from '../../src/privacy/redact.js';
import { recordOutcome } from './outcomes.js';

const STRICT: readonly PiiType[] = ['CREDIT_CARD', 'US_SSN', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'EMAIL'];
const pct = (x: number | null | undefined): number => (x === null || x === undefined ? -1 : Math.round(x * 1000) / 10);

describe('PII redaction corpus', () => {
  it('recall and precision per type, recorded', () => {
    const records = readFileSync(corpusPath(), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as CorpusRecord);
    const ev = evaluateCorpus(records);
    expect(records.length).toBeGreaterThanOrEqual(300);
    for (const t of STRICT) expect(ev.perType[t]?.recall, t).toBe(1);
    for (const [t, m] of Object.entries(ev.perType)) expect(m.recall ?? 0, t).toBeGreaterThanOrEqual(0.95);
    expect(ev.overall.precision).toBeGreaterThanOrEqual(0.95);
    const strictMissed = STRICT.reduce((n, t) => n + (ev.perType[t]?.falseNegatives ?? 0), 0);
    const extra: Record<string, number> = {
      records: ev.records,
      'labelled entities': ev.overall.gold,
      'true positives': ev.overall.truePositives,
      'false negatives': ev.overall.falseNegatives,
      'false positives': ev.overall.falsePositives,
      'recall %': pct(ev.overall.recall),
      'precision %': pct(ev.overall.precision),
    };
    for (const [t, m] of Object.entries(ev.perType).sort())
      extra[`${t} recall/precision %`] =
        pct(m.recall) === pct(m.precision) ? pct(m.recall) : pct(m.recall) * 1000 + pct(m.precision);
    recordOutcome({
      id: 'privacy/redaction-corpus',
      group: 'Privacy and secrets',
      scenario: `detectPii (the redaction of invocation-log samples) over the labelled corpus of ${ev.records} records: emails, phones, SSNs, national ids, Luhn card numbers, IBANs, IP addresses, AWS access and secret keys, bearer tokens, and hard negatives.`,
      expected:
        'Recall 100 % for card numbers, SSNs, AWS keys and emails, at least 95 % for every type; precision at least 95 %.',
      runs: ev.records,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: strictMissed,
      extra,
    });
  });
});
