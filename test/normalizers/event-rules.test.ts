import { describe, expect, it } from 'vitest';
import { CATEGORY_RULES, classifyEvent } from '../../src/normalizers/cloudtrail/classify.js';
import { EventRuleIndex, matchLinear, type EventFacts, type EventRule } from '../../src/normalizers/cloudtrail/event-rules.js';

/** Seeded PRNG (mulberry32): the same rules and events on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A small vocabulary, so that random rules and random events collide often (overlapping names and prefixes).
const SOURCES = ['iam.amazonaws.com', 'kms.amazonaws.com', 's3.amazonaws.com', 'bedrock.amazonaws.com', 'constructor', '__proto__'];
const NAMES = ['Create', 'CreateKey', 'CreateKeyPolicy', 'Delete', 'DeleteKey', 'Get', 'GetKey', 'List', 'Put', 'PutObject', 'X', 'toString', 'hasOwnProperty'];
const PREFIXES = ['', 'C', 'Cr', 'Create', 'CreateKey', 'Del', 'G', 'Put', 'to', 'has'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function some<T>(r: () => number, xs: readonly T[], max: number): T[] {
  const n = Math.floor(r() * (max + 1));
  return Array.from({ length: n }, () => pick(r, xs));
}

function randomRule(r: () => number, value: number): EventRule<number> {
  const sources = [pick(r, SOURCES), ...some(r, SOURCES, 2)];
  const rule: { -readonly [K in keyof EventRule<number>]: EventRule<number>[K] } = { sources, value };
  if (r() < 0.7) rule.names = some(r, NAMES, 3);
  if (r() < 0.35) rule.prefixes = some(r, PREFIXES, 2);
  if (r() < 0.2) rule.exceptNames = some(r, NAMES, 2);
  if (r() < 0.2) rule.exceptPrefixes = some(r, PREFIXES, 2);
  if (r() < 0.2) rule.notReadOnly = true;
  if (r() < 0.15) rule.param = { key: pick(r, ['status', 'name', 'constructor']), equals: pick<string | number | boolean>(r, ['Approved', 1, true]) };
  return rule;
}

function randomEvent(r: () => number): EventFacts {
  const params = [null, 'text', {}, { status: 'Approved' }, { status: 'Pending', name: 1 }, { name: true }, Object.create({ status: 'Approved' }) as object];
  return {
    eventSource: r() < 0.9 ? pick(r, SOURCES) : 'ec2.amazonaws.com',
    eventName: r() < 0.9 ? pick(r, NAMES) : `${pick(r, PREFIXES)}${pick(r, NAMES)}`,
    readOnly: pick(r, [true, false, null]),
    requestParameters: pick(r, params),
  };
}

describe('EventRuleIndex', () => {
  it('gives exactly the linear scan’s results on randomized rules and events', () => {
    const r = rng(20261122);
    let matched = 0;
    for (let round = 0; round < 60; round++) {
      const rules = Array.from({ length: 1 + Math.floor(r() * 80) }, (_, i) => randomRule(r, i));
      const index = new EventRuleIndex(rules);
      for (let k = 0; k < 400; k++) {
        const ev = randomEvent(r);
        const expected = matchLinear(rules, ev);
        expect(index.match(ev), JSON.stringify({ round, ev })).toEqual(expected);
        expect(index.matchLinear(ev)).toEqual(expected);
        matched += expected.length;
      }
    }
    // The vocabulary is small on purpose: make sure the comparison was not vacuous.
    expect(matched).toBeGreaterThan(10_000);
  });

  it('returns the values of matching rules in rule order, including a rule listed by name and by prefix', () => {
    const rules: EventRule<string>[] = [
      { sources: ['iam.amazonaws.com'], prefixes: ['Create'], names: ['CreateUser'], value: 'a' },
      { sources: ['iam.amazonaws.com'], names: ['CreateUser'], value: 'b' },
      { sources: ['iam.amazonaws.com'], exceptPrefixes: ['Get'], notReadOnly: true, value: 'c' },
    ];
    const index = new EventRuleIndex(rules);
    expect(index.match({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', readOnly: false, requestParameters: null })).toEqual(['a', 'b', 'c']);
    expect(index.match({ eventSource: 'iam.amazonaws.com', eventName: 'GetUser', readOnly: false, requestParameters: null })).toEqual([]);
    expect(index.match({ eventSource: 'iam.amazonaws.com', eventName: 'CreateRole', readOnly: true, requestParameters: null })).toEqual(['a']);
  });

  it('rejects a rule without event sources', () => {
    expect(() => new EventRuleIndex([{ sources: [], value: 1 }])).toThrow(/at least one event source/);
  });
});

describe('classifyEvent through the rule index', () => {
  it('keeps the category order and matches the linear scan of the category rules', () => {
    const r = rng(7);
    const sources = [...new Set(CATEGORY_RULES.flatMap((x) => x.sources)), 'ec2.amazonaws.com'];
    const names = [...new Set(CATEGORY_RULES.flatMap((x) => [...(x.names ?? []), ...(x.prefixes ?? []).map((p) => `${p}Thing`)])), 'DescribeThing', 'InvokeModel', 'CreateGuardrail'];
    for (let k = 0; k < 5000; k++) {
      const eventSource = pick(r, sources);
      const eventName = pick(r, names);
      const readOnly = pick(r, [true, false, null]);
      const requestParameters = pick(r, [null, {}, { modelApprovalStatus: 'Approved' }, { modelCardStatus: 'Approved' }]);
      const expected = [...new Set(matchLinear(CATEGORY_RULES, { eventSource, eventName, readOnly, requestParameters }))];
      expect(classifyEvent(eventSource, eventName, readOnly, requestParameters)).toEqual(expected);
    }
    expect(classifyEvent('bedrock.amazonaws.com', 'DeleteGuardrail', false, {})).toEqual(['guardrail_change', 'ai']);
    expect(classifyEvent('sagemaker.amazonaws.com', 'UpdateEndpoint', null, {})).toEqual(['logging_change', 'ai']);
    expect(classifyEvent('iam.amazonaws.com', 'AttachRolePolicy', false, {})).toEqual(['iam_change']);
    expect(classifyEvent('bedrock-runtime.amazonaws.com', 'InvokeModel', false, {})).toEqual([]);
    expect(classifyEvent('constructor', 'includes', false, {})).toEqual([]);
  });
});
