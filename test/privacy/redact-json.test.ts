import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { redactJson } from '../../src/privacy/redact.js';

type Json = Record<string, unknown>;

/** Two real Bedrock ModelInvocationLog records (panther-labs/panther-analysis test events, Apache-2.0). */
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/privacy/bedrock-invocation-logs.json', import.meta.url)), 'utf8'),
) as { logs: Json[] };
const byOperation = (op: string): Json => fixture.logs.find((l) => l['operation'] === op)!;
const invokeLog = byOperation('InvokeModel');
const converseLog = byOperation('Converse');

const PII = {
  email: 'jane.roe@example.com',
  email2: 'j.roe+billing@example.org',
  name: 'Jane Roe',
  ssn: '123-45-6789',
  card: '4111 1111 1111 1111',
  phone: '+44 20 7946 0958',
  iban: 'GB82 WEST 1234 5698 7654 32',
  ip: '203.0.113.42',
  accessKey: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  customRegex: 'ACCT-99812',
  customWord: 'Project Falcon',
  profanity: 'darnit',
  address: '221B Baker Street',
} as const;

const clone = <T>(v: T): T => structuredClone(v);

function piiEntry(type: string, match: string, action = 'ANONYMIZED'): Json {
  return { type, match, action, detected: true };
}

/** The InvokeModel record with PII in the prompt, system prompt and completion, and a full guardrail trace. */
function invokeWithPii(): Json {
  const log = clone(invokeLog);
  const input = log['input'] as Json;
  const body = input['inputBodyJson'] as Json;
  body['system'] = `You are a support bot. Use ${PII.accessKey} / ${PII.secretKey} to call the billing API.`;
  body['messages'] = [
    {
      role: 'user',
      content: `Hi, I'm ${PII.name} (${PII.email}), SSN ${PII.ssn}. Charge card ${PII.card}; refund to ${PII.iban}. I live at ${PII.address}. My account ${PII.customRegex} is for ${PII.customWord}, ${PII.profanity}!`,
    },
  ];
  const outBody = (log['output'] as Json)['outputBodyJson'] as Json;
  outBody['content'] = [{ type: 'text', text: `Sure ${PII.name}, I will call you at ${PII.phone} from ${PII.ip}.` }];
  const trace = outBody['amazon-bedrock-trace'] as Json;
  const guardrail = trace['guardrail'] as Json;
  const input0 = (guardrail['input'] as Json)['h28wrktbwagn'] as Json;
  input0['sensitiveInformationPolicy'] = {
    piiEntities: [
      piiEntry('EMAIL', PII.email),
      piiEntry('NAME', PII.name),
      piiEntry('US_SOCIAL_SECURITY_NUMBER', PII.ssn, 'BLOCKED'),
      piiEntry('ADDRESS', PII.address),
    ],
    regexes: [
      { name: 'account-number', regex: 'ACCT-\\d{5}', match: PII.customRegex, action: 'ANONYMIZED', detected: true },
    ],
  };
  input0['wordPolicy'] = {
    customWords: [{ match: PII.customWord, action: 'BLOCKED', detected: true }],
    managedWordLists: [{ match: PII.profanity, type: 'PROFANITY', action: 'BLOCKED', detected: true }],
  };
  // The shape given in the task brief, for the output assessment.
  guardrail['output'] = [
    { h28wrktbwagn: { sensitiveInformationPolicy: { piiEntities: [piiEntry('PHONE', PII.phone)] } } },
  ];
  return log;
}

/** The Converse record with a `trace.guardrail` assessment (inputAssessment / outputAssessments / modelOutput). */
function converseWithPii(): Json {
  const log = clone(converseLog);
  const body = (log['input'] as Json)['inputBodyJson'] as Json;
  body['messages'] = [
    { role: 'user', content: [{ text: `Email ${PII.email2} the invoice; my bearer token is Bearer ${PII.jwt}` }] },
  ];
  const outBody = (log['output'] as Json)['outputBodyJson'] as Json;
  outBody['stopReason'] = 'guardrail_intervened';
  outBody['trace'] = {
    guardrail: {
      modelOutput: [`{"text":"Sent to ${PII.email2}, ${PII.name}."}`],
      inputAssessment: {
        abc123xyz789: {
          sensitiveInformationPolicy: { piiEntities: [piiEntry('EMAIL', PII.email2), piiEntry('NAME', PII.name)] },
        },
      },
      outputAssessments: {
        abc123xyz789: [{ sensitiveInformationPolicy: { piiEntities: [piiEntry('EMAIL', PII.email2)] } }],
      },
    },
  };
  return log;
}

function expectClean(serialized: string): void {
  for (const [what, value] of Object.entries(PII)) expect(serialized, what).not.toContain(value);
  // Every `match` left in the output is the placeholder.
  expect(serialized).not.toMatch(/"match":(?!"\[GUARDRAIL_MATCH\]")/);
  expect(serialized).not.toMatch(/\\"match\\":(?!\\"\[GUARDRAIL_MATCH\]\\")/);
}

describe('redactJson on Bedrock model-invocation log records', () => {
  it('removes every injected PII string and every guardrail match (InvokeModel, amazon-bedrock-trace)', () => {
    const log = invokeWithPii();
    const before = JSON.stringify(log);
    const { value, detections } = redactJson(log);
    const out = JSON.stringify(value);
    expectClean(out);
    expect(JSON.stringify(log)).toBe(before); // input not mutated

    // Identifiers auditors need are untouched.
    const v = value as Json;
    expect(v['requestId']).toBe(log['requestId']);
    expect(v['modelId']).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(v['timestamp']).toBe(log['timestamp']);
    expect(v['accountId']).toBe('111111111111');
    expect((v['identity'] as Json)['arn']).toBe((log['identity'] as Json)['arn']);
    expect(out).toContain('"amazon-bedrock-guardrailAction":"INTERVENED"');
    expect(out).toContain('"type":"US_SOCIAL_SECURITY_NUMBER"');
    expect(out).toContain('"action":"BLOCKED"');

    // 9 guardrail matches in the trace, plus the name/address/custom words found again in prompt and completion.
    expect(detections.GUARDRAIL_MATCH).toBeGreaterThanOrEqual(9);
    expect(detections).toMatchObject({
      EMAIL: 1,
      US_SSN: 1,
      CREDIT_CARD: 1,
      IBAN: 1,
      PHONE: 1,
      IP_ADDRESS: 1,
      AWS_ACCESS_KEY: 1,
      AWS_SECRET_KEY: 1,
    });
    const msg = ((v['input'] as Json)['inputBodyJson'] as Json)['messages'] as Json[];
    expect(msg[0]!['content']).toBe(
      "Hi, I'm [GUARDRAIL_MATCH] ([EMAIL]), SSN [US_SSN]. Charge card [CREDIT_CARD]; refund to [IBAN]. I live at " +
        '[GUARDRAIL_MATCH]. My account [GUARDRAIL_MATCH] is for [GUARDRAIL_MATCH], [GUARDRAIL_MATCH]!',
    );
  });

  it('removes guardrail matches in Converse traces and inside serialized JSON strings', () => {
    const log = converseWithPii();
    const { value, detections } = redactJson(log);
    const out = JSON.stringify(value);
    expectClean(out);
    expect(detections.GUARDRAIL_MATCH).toBeGreaterThanOrEqual(4);
    expect(detections.BEARER_TOKEN).toBe(1);
    const trace = ((value as Json)['output'] as Json)['outputBodyJson'] as Json;
    const modelOutput = ((trace['trace'] as Json)['guardrail'] as Json)['modelOutput'] as string[];
    expect(JSON.parse(modelOutput[0]!)).toEqual({ text: 'Sent to [EMAIL], [GUARDRAIL_MATCH].' });
  });

  it('handles a batch (array) of records and a stringified trace', () => {
    const stringified = clone(invokeLog);
    const outBody = (stringified['output'] as Json)['outputBodyJson'] as Json;
    outBody['amazon-bedrock-trace'] = JSON.stringify((invokeWithPii()['output'] as Json)['outputBodyJson']);
    const { value } = redactJson([invokeWithPii(), converseWithPii(), stringified]);
    expectClean(JSON.stringify(value));
  });

  it('scrubs match values from truncated (unparseable) serialized traces, also double-encoded ones', () => {
    const truncated = `{"guardrail":{"input":{"x":{"sensitiveInformationPolicy":{"piiEntities":[{"type":"NAME","match":"${PII.name}","action":"ANONYMIZED"},{"type":"ADDRESS","match":"${PII.address}`;
    const doubled = JSON.stringify(`{"piiEntities":[{"match":"${PII.customWord}","action":"BLOCKED"}`);
    const { value, detections } = redactJson({
      body: truncated,
      doubled,
      prompt: `${PII.name} at ${PII.address} on ${PII.customWord}`,
    });
    const out = JSON.stringify(value);
    expect(out).not.toContain(PII.name);
    expect(out).not.toContain(PII.customWord);
    expect(out).not.toContain(PII.address);
    expect((value as Json)['prompt']).toBe('[GUARDRAIL_MATCH] at [GUARDRAIL_MATCH] on [GUARDRAIL_MATCH]');
    expect(detections.GUARDRAIL_MATCH).toBeGreaterThanOrEqual(5);
  });

  it('replaces the values of dropKeys', () => {
    const { value } = redactJson(invokeWithPii(), { dropKeys: ['inputBodyJson', 'content'] });
    const v = value as Json;
    expect((v['input'] as Json)['inputBodyJson']).toBe('[REDACTED]');
    expect(((v['output'] as Json)['outputBodyJson'] as Json)['content']).toBe('[REDACTED]');
    expectClean(JSON.stringify(value));
  });
});

describe('redactJson details', () => {
  it('replaces non-string match values and matches beside action/detected outside a named trace', () => {
    const { value, detections } = redactJson({
      assessment: {
        entries: [
          { match: 4111111111111111, action: 'BLOCKED' },
          { match: ['a', { b: 'Jane Roe' }], detected: true },
        ],
      },
    });
    expect(value).toEqual({
      assessment: {
        entries: [
          { match: '[GUARDRAIL_MATCH]', action: 'BLOCKED' },
          { match: '[GUARDRAIL_MATCH]', detected: true },
        ],
      },
    });
    expect(detections).toEqual({ GUARDRAIL_MATCH: 2 });
  });

  it('keeps an ordinary "match" key but still redacts its text', () => {
    const { value } = redactJson({ match: 'final score', other: { match: 'mail jane@example.com' } });
    expect(value).toEqual({ match: 'final score', other: { match: 'mail [EMAIL]' } });
  });

  it('redacts object keys, integers that are card numbers, and leaves other scalars alone', () => {
    const { value, detections } = redactJson({
      'jane@example.com': { pan: 4111111111111111, tokens: 1234567890123, ok: true, n: null, pi: 3.14 },
    });
    expect(value).toEqual({ '[EMAIL]': { pan: '[CREDIT_CARD]', tokens: 1234567890123, ok: true, n: null, pi: 3.14 } });
    expect(detections).toEqual({ EMAIL: 1, CREDIT_CARD: 1 });
  });

  it('keeps keys distinct when two redact to the same text', () => {
    const { value } = redactJson({ 'a@example.com': 1, 'b@example.com': 2 });
    expect(value).toEqual({ '[EMAIL]': 1, '[EMAIL]#2': 2 });
  });

  it('does not let a __proto__ key change the prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "jane@example.com"}}') as unknown;
    const { value } = redactJson(input);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":"[EMAIL]"}}');
  });

  it('passes primitives through', () => {
    expect(redactJson(null)).toEqual({ value: null, detections: {} });
    expect(redactJson(42)).toEqual({ value: 42, detections: {} });
    expect(redactJson('call +14155550123')).toEqual({ value: 'call [PHONE]', detections: { PHONE: 1 } });
  });
});
