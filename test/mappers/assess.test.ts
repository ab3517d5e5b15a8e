import { describe, expect, it } from 'vitest';
import { assessFramework, countStatuses } from '../../src/mappers/assess.js';
import { parseAcceptedRisks } from '../../src/mappers/accepted-risks.js';
import { Framework } from '../../src/frameworks/schema.js';
import type { AcceptedRisk } from '../../src/mappers/types.js';
import { activity, octoberDays, options, rec } from '../fixtures/evidence/builders.js';

const framework = Framework.parse({
  schema: 'auditpack-framework/1',
  id: 'test',
  name: 'Test framework',
  version: '1',
  publisher: 'auditpack tests',
  source: 'fixture',
  notice: 'fixture text',
  sections: [{ id: 'S', title: 'Section' }],
  controls: [
    { id: 'T1', section: 'S', title: 'Trail', description: 'A trail with validation.', automation: 'full', evidence: [{ rule: 'cloudtrail_trail', params: { logFileValidation: true } }] },
    { id: 'T2', section: 'S', title: 'Trail partly', description: 'A trail, plus a policy.', automation: 'partial', evidence: [{ rule: 'cloudtrail_trail', params: {} }], manual: { request: 'Provide the logging policy.' } },
    { id: 'T3', section: 'S', title: 'Board oversight', description: 'Board minutes.', automation: 'none', manual: { request: 'Provide board minutes.' } },
    {
      id: 'T4', section: 'S', title: 'Two expectations', description: 'Trail and continuous delivery.', automation: 'full',
      evidence: [{ rule: 'cloudtrail_trail', params: {} }, { rule: 'cloudtrail_delivery_continuous', params: {} }],
    },
    { id: 'T5', section: 'S', title: 'Endpoints', description: 'Encrypted endpoints.', automation: 'full', evidence: [{ rule: 'endpoints_encrypted', params: {} }] },
  ],
});

const goodTrail = rec('cloudtrail.trail', { name: 't', isLogging: true, logFileValidationEnabled: true });
const badTrail = rec('cloudtrail.trail', { name: 't', isLogging: true, logFileValidationEnabled: false });
const noEndpoints = rec('inventory', { collector: 'sagemaker', counts: { 'sagemaker.endpoint': 0 } }, { collector: 'sagemaker', resource: 'sagemaker/x' });
const october = octoberDays().map((d) => activity(d));

const risk = (over: Partial<AcceptedRisk> = {}): AcceptedRisk => ({
  id: 'EXC-1', framework: 'test', control: 'T1', owner: 'platform team', approver: 'CISO', rationale: 'dev trail is replaced in Q1', expires: '2027-03-31T23:59:59.999Z', ...over,
});

describe('assessFramework', () => {
  it('returns one result per control, in framework order, always', () => {
    const results = assessFramework(framework, [], [], options());
    expect(results.map((r) => r.control)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    expect(results.map((r) => r.status)).toEqual(['gap', 'gap', 'manual', 'gap', 'gap']);
  });

  it('full automation can be satisfied; partial automation never passes on evidence alone', () => {
    const results = assessFramework(framework, [goodTrail, ...october, noEndpoints], [], options());
    const by = Object.fromEntries(results.map((r) => [r.control, r]));
    expect(by['T1']!.status).toBe('satisfied');
    expect(by['T2']!.status).toBe('manual');
    expect(by['T2']!.reasons[0]).toMatch(/attestation/);
    expect(by['T2']!.manualRequest).toBe('Provide the logging policy.');
    expect(by['T3']!.status).toBe('manual');
    expect(by['T4']!.status).toBe('satisfied');
    expect(by['T5']!.status).toBe('not_applicable');
  });

  it('exception outranks gap, gap outranks satisfied', () => {
    const results = assessFramework(framework, [badTrail], [], options());
    const t4 = results.find((r) => r.control === 'T4')!;
    expect(t4.expectations.map((e) => e.status)).toEqual(['satisfied', 'gap']);
    expect(t4.status).toBe('gap');
    expect(results.find((r) => r.control === 'T1')!.status).toBe('exception');
  });

  it('an accepted risk is shown and counted apart, never turns a control into a pass', () => {
    const results = assessFramework(framework, [badTrail], [risk()], options());
    const t1 = results.find((r) => r.control === 'T1')!;
    expect(t1.status).toBe('exception');
    expect(t1.acceptedRisk?.id).toBe('EXC-1');
    expect(t1.reasons[0]).toMatch(/accepted risk EXC-1 \(owner platform team, approved by CISO, expires 2027-03-31\)/);
    const counts = countStatuses(results);
    expect(counts.acceptedRisk).toBe(1);
    expect(counts.exception).toBe(1);
    expect(counts.satisfied + counts.exception + counts.gap + counts.manual + counts.not_applicable).toBe(counts.total);
  });

  it('an expired accepted risk is ignored, with a reason saying so', () => {
    const results = assessFramework(framework, [badTrail], [risk({ expires: '2026-06-30T23:59:59.999Z' })], options());
    const t1 = results.find((r) => r.control === 'T1')!;
    expect(t1.acceptedRisk).toBeNull();
    expect(t1.reasons.join('\n')).toMatch(/EXC-1 expired on 2026-06-30 and is not applied/);
  });

  it('is pure: the same inputs give deeply equal results, in any input order', () => {
    const records = [badTrail, ...october, noEndpoints];
    const a = assessFramework(framework, records, [risk()], options());
    const b = assessFramework(framework, [...records].reverse(), [risk()], options());
    expect(b).toEqual(a);
  });
});

describe('parseAcceptedRisks', () => {
  it('parses dates as end of day and rejects bad entries with the key at fault', () => {
    const ok = parseAcceptedRisks('exceptions:\n  - id: EXC-1\n    control: CC7.2\n    owner: a\n    approver: b\n    rationale: because of a migration\n    expires: 2027-03-31\n', 'x.yaml');
    expect(ok[0]!.expires).toBe('2027-03-31T23:59:59.999Z');
    expect(ok[0]!.framework).toBeNull();
    expect(() => parseAcceptedRisks('exceptions:\n  - id: EXC-1\n    control: CC7.2\n    approver: b\n    rationale: because of a migration\n    expires: 2027-13-31\n', 'x.yaml')).toThrow(
      /x\.yaml is invalid:[\s\S]*exceptions\.0\.owner[\s\S]*exceptions\.0\.expires/,
    );
    expect(() => parseAcceptedRisks('exceptions:\n  - {id: A, control: C, owner: o, approver: a, rationale: long enough text, expires: 2027-01-01}\n  - {id: A, control: C, owner: o, approver: a, rationale: long enough text, expires: 2027-01-01}\n', 'y.yaml')).toThrow(/id A is used twice/);
  });
});
