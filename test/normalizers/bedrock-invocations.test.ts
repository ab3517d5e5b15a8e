import { describe, expect, it } from 'vitest';
import { InvocationAggregator } from '../../src/normalizers/bedrock-invocations.js';
import { CONTENT_SCHEMAS } from '../../src/evidence/content.js';

const record = (requestId: string, text: string, trace?: unknown) => ({
  schemaType: 'ModelInvocationLog',
  schemaVersion: '1.0',
  timestamp: '2026-10-05T10:00:00Z',
  accountId: '111122223333',
  identity: { arn: 'arn:aws:sts::111122223333:assumed-role/App/x' },
  region: 'eu-west-1',
  requestId,
  operation: 'Converse',
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  input: { inputContentType: 'application/json', inputBodyJson: { messages: [{ role: 'user', content: [{ text }] }] }, inputTokenCount: 12 },
  output: {
    outputContentType: 'application/json',
    outputBodyJson: { output: { message: { content: [{ text: 'Noted.' }] } }, ...(trace ? { stopReason: 'guardrail_intervened', trace } : {}) },
    outputTokenCount: 2,
  },
});

describe('InvocationAggregator', () => {
  it('blanks out values a guardrail matched (names, addresses, custom words) before storing a sample', () => {
    const agg = new InvocationAggregator('2026-10-05');
    const trace = {
      guardrail: {
        inputAssessment: {
          g1: {
            sensitiveInformationPolicy: {
              piiEntities: [
                { type: 'NAME', match: 'Jane Roe', action: 'ANONYMIZED', detected: true },
                { type: 'ADDRESS', match: '12 Elm Street', action: 'ANONYMIZED', detected: true },
              ],
              regexes: [{ name: 'policy-number', match: 'PN-99812', action: 'ANONYMIZED' }],
            },
          },
        },
      },
    };
    agg.add(record('r1', 'I am Jane Roe of 12 Elm Street, policy PN-99812, mail jane@example.org'), 'file line 1');
    agg.add(record('r2', 'I am Jane Roe of 12 Elm Street, policy PN-99812, mail jane@example.org', trace), 'file line 2');
    const out = agg.result();
    CONTENT_SCHEMAS['bedrock.invocation_summary'].parse(out);
    const text = JSON.stringify(out);
    // Known from the guardrail's matches on r2, blanked out of r1's sample too.
    for (const secret of ['Jane Roe', '12 Elm Street', 'PN-99812', 'jane@example.org']) expect(text).not.toContain(secret);
    const guarded = out.samples.find((s) => s.requestId === 'r2')!;
    expect(guarded.inputText).toBe('I am [NAME] of [ADDRESS], policy [POLICY-NUMBER], mail [EMAIL]');
    expect(guarded.guardrailAction).toBe('INTERVENED');
    expect(out.piiDetections).toMatchObject({ EMAIL: 2, GUARDRAIL_NAME: 1, GUARDRAIL_ADDRESS: 1 });
    // r1 had no guardrail: its email is detected and counted as unguarded personal data.
    expect(out.piiUnguardedRecords).toBe(1);
  });

  it('counts a duplicated record (same request id) once and names a malformed one', () => {
    const agg = new InvocationAggregator('2026-10-05');
    agg.add(record('r1', 'hello'), 'f');
    agg.add(record('r1', 'hello'), 'f');
    expect(agg.result().records).toBe(1);
    expect(() => agg.add({ ...record('r3', 'x'), timestamp: '2026-10-05 10:00:00' }, 'f line 9')).toThrow(/^f line 9: timestamp is not an ISO-8601 instant/);
    expect(() => agg.add({ ...record('r4', 'x'), schemaType: 'Other' }, 'f line 10')).toThrow(/schemaType must be "ModelInvocationLog"/);
  });
});
