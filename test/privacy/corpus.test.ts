import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, generateCorpus, serializeCorpus } from '../../scripts/generate-pii-corpus.js';
import type { CorpusRecord } from '../../scripts/generate-pii-corpus.js';
import { evaluateCorpus } from '../../src/privacy/evaluate.js';
import { detectPii } from '../../src/privacy/redact.js';
import type { Detection, PiiType } from '../../src/privacy/redact.js';

const committed = readFileSync(corpusPath(), 'utf8');
const records = committed
  .split('\n')
  .filter((l) => l.length > 0)
  .map((l) => JSON.parse(l) as CorpusRecord);

describe('PII corpus fixture', () => {
  it('equals the generator output (regenerate with `npx tsx scripts/generate-pii-corpus.ts`)', () => {
    expect(serializeCorpus(generateCorpus())).toBe(committed);
  });

  it('is large enough, small enough, and well-formed', () => {
    expect(records.length).toBeGreaterThanOrEqual(300);
    expect(Buffer.byteLength(committed)).toBeLessThan(300 * 1024);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    for (const r of records) {
      expect(Object.keys(r)).toEqual(['id', 'text', 'entities']);
      let prevEnd = 0;
      for (const e of r.entities) {
        expect(e.start).toBeGreaterThanOrEqual(prevEnd);
        expect(e.end).toBeGreaterThan(e.start);
        expect(e.end).toBeLessThanOrEqual(r.text.length);
        expect(r.text.slice(e.start, e.end).trim()).toBe(r.text.slice(e.start, e.end));
        prevEnd = e.end;
      }
    }
  });

  it('covers every detector type and includes hard negatives', () => {
    const types = new Set(records.flatMap((r) => r.entities.map((e) => e.type)));
    const expected: PiiType[] = [
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
    ];
    for (const t of expected) expect(types, t).toContain(t);
    const all = records.map((r) => r.text).join('\n');
    expect(all).toMatch(/arn:aws:[a-z]+:[a-z0-9-]*:\d{12}:/); // ARN with account id
    expect(all).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/); // UUID
    expect(all).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/); // ISO timestamp
    expect(all).toMatch(/anthropic\.claude-3-haiku-20240307-v1:0/); // model id
    expect(all).toMatch(/Reference [A-Z]{2}\d{2}/); // IBAN-like, failing mod 97
    expect(all).toMatch(/Order number \d{4}/); // Luhn-failing order number
    expect(records.filter((r) => r.entities.length === 0).length).toBeGreaterThanOrEqual(20);
  });
});

describe('detector quality on the corpus', () => {
  const evaluation = evaluateCorpus(records);

  it('meets the recall and precision targets', () => {
    const strict: PiiType[] = ['CREDIT_CARD', 'US_SSN', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'EMAIL'];
    for (const [type, m] of Object.entries(evaluation.perType)) {
      expect(m.gold, `${type} has labelled examples`).toBeGreaterThan(0);
      const min = strict.includes(type as PiiType) ? 1 : 0.95;
      expect(m.recall, `${type} recall`).toBeGreaterThanOrEqual(min);
    }
    for (const t of strict) expect(evaluation.perType[t]?.recall, t).toBe(1);
    expect(evaluation.overall.precision).toBeGreaterThanOrEqual(0.95);
    // Printed so the figures show up in CI logs next to the assertion.
    const rows = Object.entries(evaluation.perType).map(
      ([t, m]) =>
        `${t.padEnd(15)} recall ${m.recall?.toFixed(3)} precision ${m.precision?.toFixed(3)} (gold ${m.gold}, found ${m.predicted})`,
    );
    console.log(`PII corpus evaluation (${evaluation.records} records)\n${rows.join('\n')}`);
  });

  it('reports errors by position only, and counts consistently', () => {
    const o = evaluation.overall;
    expect(o.truePositives + o.falseNegatives).toBe(o.gold);
    expect(o.truePositives + o.falsePositives).toBe(o.predicted);
    expect(evaluation.errors.length).toBe(o.falseNegatives + o.falsePositives);
    for (const e of evaluation.errors)
      expect(Object.keys(e).sort()).toEqual(['end', 'kind', 'recordId', 'start', 'type']);
  });
});

describe('evaluateCorpus scoring', () => {
  const rec = { id: 'r1', text: 'x'.repeat(100), entities: [{ type: 'EMAIL' as const, start: 10, end: 30 }] };
  const run = (found: Detection[]) => evaluateCorpus([rec], () => found);

  it('accepts exact spans and overlaps of at least 90%', () => {
    expect(run([{ type: 'EMAIL', start: 10, end: 30 }]).perType.EMAIL).toMatchObject({ recall: 1, precision: 1 });
    expect(run([{ type: 'EMAIL', start: 10, end: 32 }]).perType.EMAIL).toMatchObject({ recall: 1, precision: 1 }); // 20/22
    expect(run([{ type: 'EMAIL', start: 12, end: 30 }]).perType.EMAIL).toMatchObject({ recall: 1 }); // 18/20
  });

  it('rejects small overlaps, wrong types, and double matches', () => {
    expect(run([{ type: 'EMAIL', start: 13, end: 30 }]).perType.EMAIL).toMatchObject({ recall: 0, precision: 0 });
    const wrongType = run([{ type: 'PHONE', start: 10, end: 30 }]);
    expect(wrongType.perType.EMAIL).toMatchObject({ recall: 0, precision: null });
    expect(wrongType.perType.PHONE).toMatchObject({ recall: null, precision: 0 });
    const twice = run([
      { type: 'EMAIL', start: 10, end: 30 },
      { type: 'EMAIL', start: 10, end: 31 },
    ]);
    expect(twice.perType.EMAIL).toMatchObject({ truePositives: 1, falsePositives: 1, precision: 0.5 });
  });

  it('defaults to detectPii', () => {
    const text = 'mail jane@example.com';
    const ev = evaluateCorpus([{ id: 'a', text, entities: detectPii(text) }]);
    expect(ev.overall).toMatchObject({ recall: 1, precision: 1, gold: 1 });
  });
});
