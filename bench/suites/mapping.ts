/**
 * Mapping CloudTrail events to controls: the compiled event-rule index (src/normalizers/cloudtrail/event-rules.ts,
 * as used by classifyEvent and ControlEventMapper) against the linear scan of the same rules, at 200 and at 1,000
 * rules. The rules are the ones the frameworks generate (no_sensitive_changes → category rules per control) padded
 * with seeded synthetic per-operation rules of the same shapes (exact names, name prefixes, any-name with
 * exceptions, a request-parameter condition); the events are a seeded mix of reads, AI invocations, sensitive
 * changes and other writes.
 */
import { listFrameworkIds, loadFramework } from '../../src/frameworks/load.js';
import { controlEventRules, ControlEventMapper, type ControlRef } from '../../src/mappers/event-controls.js';
import { CATEGORY_RULES, type EventCategory } from '../../src/normalizers/cloudtrail/classify.js';
import type { EventFacts, EventRule } from '../../src/normalizers/cloudtrail/event-rules.js';
import { EventRuleIndex } from '../../src/normalizers/cloudtrail/event-rules.js';
import { pick, seededRandom, timeSync } from '../lib/seed-random.js';
import { ratio, type Benchmark, type BenchContext, type BenchResult, type Measurement } from '../lib/types.js';

const SEED = 7_001;
const SERVICES = [
  'ec2', 's3', 'iam', 'kms', 'sts', 'lambda', 'dynamodb', 'rds', 'logs', 'cloudtrail', 'config', 'sagemaker', 'bedrock', 'bedrock-runtime',
  'bedrock-agent', 'ecr', 'ecs', 'eks', 'sns', 'sqs', 'secretsmanager', 'ssm', 'cloudwatch', 'events', 'glue', 'athena', 'kinesis',
  'elasticloadbalancing', 'autoscaling', 'route53', 'cloudformation', 'organizations', 'guardduty', 'securityhub', 'macie2', 'backup',
  'elasticfilesystem', 'apigateway', 'states', 'comprehend',
].map((s) => `${s}.amazonaws.com`);
const VERBS = ['Create', 'Delete', 'Update', 'Put', 'Describe', 'List', 'Get', 'Attach', 'Detach', 'Start', 'Stop', 'Modify', 'Tag', 'Untag', 'Enable', 'Disable'];
const NOUNS = [
  'Bucket', 'Policy', 'Key', 'Trail', 'Role', 'User', 'Group', 'Instance', 'Volume', 'Snapshot', 'Function', 'Table', 'Cluster', 'Endpoint',
  'Model', 'Guardrail', 'Secret', 'Parameter', 'Rule', 'Topic', 'Queue', 'Stack', 'Alarm', 'Job', 'Pipeline', 'Repository', 'Image',
  'LogGroup', 'Recorder', 'ConformancePack', 'Grant', 'Alias', 'Subnet', 'SecurityGroup', 'Vpc', 'LoadBalancer', 'Certificate',
];
const CATEGORIES: readonly EventCategory[] = ['logging_change', 'guardrail_change', 'key_change', 'iam_change', 'config_change', 'ai'];
const HOT_READS: readonly EventFacts[] = [
  { eventSource: 's3.amazonaws.com', eventName: 'GetObject', readOnly: true, requestParameters: { bucketName: 'data' } },
  { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', readOnly: true, requestParameters: { roleArn: 'arn:aws:iam::1:role/x' } },
  { eventSource: 'bedrock-runtime.amazonaws.com', eventName: 'InvokeModel', readOnly: true, requestParameters: { modelId: 'm' } },
  { eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', readOnly: true, requestParameters: null },
  { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true, requestParameters: {} },
];

function operation(r: () => number): { eventSource: string; eventName: string } {
  return { eventSource: pick(r, SERVICES), eventName: `${pick(r, VERBS)}${pick(r, NOUNS)}` };
}

/** The frameworks' rules, then seeded synthetic per-operation rules up to `count`. */
function ruleSet(count: number): EventRule<ControlRef>[] {
  const real = controlEventRules(listFrameworkIds().map((id) => loadFramework(id).framework));
  const rules = real.slice(0, count);
  const r = seededRandom(SEED + count);
  for (let i = rules.length; i < count; i++) {
    const op = operation(r);
    const value: ControlRef = { framework: 'synthetic', control: `SYN-${i}`, category: pick(r, CATEGORIES) };
    const shape = r();
    if (shape < 0.85) rules.push({ sources: [op.eventSource], names: [op.eventName, `${pick(r, VERBS)}${pick(r, NOUNS)}`], value });
    else if (shape < 0.93) rules.push({ sources: [op.eventSource], prefixes: [pick(r, VERBS) + pick(r, NOUNS).slice(0, 3)], notReadOnly: true, value });
    else if (shape < 0.97) rules.push({ sources: [op.eventSource], exceptPrefixes: ['Describe', 'List', 'Get'], notReadOnly: true, value });
    else rules.push({ sources: [op.eventSource], names: [op.eventName], param: { key: 'status', equals: 'Approved' }, value });
  }
  return rules;
}

function eventMix(count: number): EventFacts[] {
  const r = seededRandom(SEED);
  const sensitive = CATEGORY_RULES.flatMap((rule) => rule.sources.flatMap((s) => (rule.names ?? rule.prefixes?.map((p) => `${p}Thing`) ?? ['CreateModel']).map((n) => ({ s, n }))));
  const out: EventFacts[] = new Array<EventFacts>(count);
  for (let i = 0; i < count; i++) {
    const x = r();
    if (x < 0.55) out[i] = pick(r, HOT_READS);
    else if (x < 0.65) {
      const { s, n } = pick(r, sensitive);
      out[i] = { eventSource: s, eventName: n, readOnly: false, requestParameters: { status: r() < 0.5 ? 'Approved' : 'Pending' } };
    } else {
      const op = operation(r);
      out[i] = { ...op, readOnly: op.eventName.startsWith('Describe') || op.eventName.startsWith('List') || op.eventName.startsWith('Get'), requestParameters: { status: 'Approved' } };
    }
  }
  return out;
}

function runIndexed(mapper: ControlEventMapper, events: readonly EventFacts[]): number {
  let hits = 0;
  for (const ev of events) hits += mapper.controlsFor(ev).length;
  return hits;
}

function runLinear(index: EventRuleIndex<ControlRef>, events: readonly EventFacts[]): number {
  let hits = 0;
  for (const ev of events) hits += index.matchLinear(ev).length;
  return hits;
}

function run(ctx: BenchContext): Promise<BenchResult> {
  const eventCount = ctx.size === 'l' ? 1_000_000 : 50_000;
  const linearCount = ctx.size === 'l' ? 200_000 : 10_000;
  const events = eventMix(eventCount);
  const linearEvents = events.slice(0, linearCount);
  const measurements: Measurement[] = [];
  const eps: Record<string, number> = {};
  for (const ruleCount of [200, 1000]) {
    const rules = ruleSet(ruleCount);
    const mapper = new ControlEventMapper(rules);
    const index = new EventRuleIndex(rules);
    // Warm both paths up (JIT), and check they agree on the events the linear scan will see.
    const check = linearEvents.slice(0, Math.min(5_000, linearCount));
    for (const ev of check) {
      const a = JSON.stringify(mapper.controlsFor(ev));
      const b = JSON.stringify(index.matchLinear(ev));
      if (a !== b) throw new Error(`indexed and linear matching disagree on ${JSON.stringify(ev)}: ${a} vs ${b}`);
    }
    runIndexed(mapper, events.slice(0, 100_000));
    const indexed = timeSync(() => runIndexed(mapper, events));
    const linear = timeSync(() => runLinear(index, linearEvents));
    const indexedOnLinear = runIndexed(mapper, linearEvents);
    if (indexedOnLinear !== linear.value) throw new Error(`indexed found ${indexedOnLinear} control hits, linear ${linear.value}`);
    ctx.log(`${ruleCount} rules: indexed ${Math.round(eventCount / indexed.seconds)} events/s (${indexed.value} hits), linear ${Math.round(linearCount / linear.seconds)} events/s`);
    measurements.push({ name: `indexed, ${ruleCount} rules (${indexed.value} control hits)`, seconds: indexed.seconds, events: eventCount });
    measurements.push({ name: `linear scan, ${ruleCount} rules`, seconds: linear.seconds, events: linearCount });
    eps[`indexed${ruleCount}`] = eventCount / indexed.seconds;
    eps[`work${ruleCount}`] = (eventCount + indexed.value) / indexed.seconds;
    eps[`linear${ruleCount}`] = linearCount / linear.seconds;
  }
  const i1000 = eps['indexed1000'] ?? 0;
  return Promise.resolve({
    id: 'mapping',
    title: 'Mapping CloudTrail events to controls (compiled rule index vs linear scan)',
    input: `${eventCount.toLocaleString('en-US')} seeded events (seed ${SEED}; ${linearCount.toLocaleString('en-US')} for the linear scan), rules from soc2/hipaa/gdpr padded with seeded synthetic rules to 200 and 1,000`,
    measurements,
    ratios: [
      ratio('indexed events/s at 1,000 rules / 1,000,000', i1000 / 1e6, '>= 1'),
      ratio('indexed (events + control hits)/s: 1,000 rules / 200 rules (flat)', (eps['work1000'] ?? 0) / (eps['work200'] ?? 1), '>= 0.8'),
      ratio('indexed / linear scan, 1,000 rules', i1000 / (eps['linear1000'] ?? 1), '>= 5'),
    ],
    notes: [
      'Flatness counts control hits as work: the 1,000-rule set maps more events to more controls (each hit is a result to return), so events/s alone would charge the index for the larger answer.',
      'The linear scan checks every rule for every event (the reference a unit test compares the index with); the index checks only the rules filed under the event’s source and name.',
    ],
  });
}

export const mappingBenchmark: Benchmark = {
  id: 'mapping',
  title: 'Mapping CloudTrail events to controls: events/s with 200 and 1,000 rules',
  run,
};
