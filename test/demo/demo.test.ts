import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentResult } from '../../src/pipeline/assess-stage.js';

/**
 * `npm run demo` on the example estate: the printed per-framework summary and the assessment must match the
 * state planted in the example (examples/northwind/STATE.md, expected-state.json).
 */
const out = mkdtempSync(path.join(tmpdir(), 'auditpack-demo-'));
let stdout = '';
let code: number | null = null;
let result: AssessmentResult;
const expected = JSON.parse(readFileSync('examples/northwind/expected-state.json', 'utf8')) as {
  cloudtrail: { logFiles: Record<string, { missingDays: string[] }>; sensitiveChanges: { eventName: string; account: string; region: string; countsAsChange: boolean; principal: string }[] };
  bedrock: { pii: { prod: { records: number; unguarded: unknown[] } } };
  exceptions: { id: string; framework: string; control: string; activeDuringPeriod: boolean }[];
};

beforeAll(() => {
  const r = spawnSync(path.resolve('node_modules/.bin/tsx'), [path.resolve('src/cli/main.ts'), 'demo', '--out', out], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  stdout = r.stdout;
  code = r.status;
  result = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as AssessmentResult;
}, 480_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const expectation = (rule: string) => {
  for (const f of result.frameworks) for (const c of f.results) for (const e of c.expectations) if (e.rule === rule) return e;
  throw new Error(`no control uses ${rule}`);
};
const control = (framework: string, id: string) => result.frameworks.find((f) => f.id === framework)!.results.find((r) => r.control === id)!;

describe('npm run demo (Northwind Health AI, October 2026)', () => {
  it('exits 0 and prints a summary row per framework that matches the known state', () => {
    expect(code).toBe(0);
    const row = (id: string) => stdout.split('\n').find((l) => l.trim().startsWith(`${id} `))!.trim().split(/\s+/).slice(1).map(Number);
    // controls satisfied exception gap manual n/a accepted
    expect(row('soc2')).toEqual([61, 0, 22, 13, 26, 0, 1]);
    expect(row('hipaa')).toEqual([68, 0, 14, 19, 35, 0, 0]);
    expect(row('gdpr')).toEqual([48, 0, 11, 1, 36, 0, 0]);
    expect(stdout).toMatch(/Collected from .*examples\/northwind\/export \(\d+ files\)/);
    expect(stdout).not.toMatch(/error:/);
  });

  it('writes the HTML and PDF packs and a signed bundle that verifies against the development CA', () => {
    for (const f of ['pack.html', 'pack.pdf', 'report-model.json', 'bundle.zip']) expect(existsSync(path.join(out, f)), f).toBe(true);
    expect(stdout).toMatch(/wrote .*bundle\.zip \(signed; \d+ files\)/);
    expect(stdout).toMatch(/verify: valid — auditpack verify .*bundle\.zip --trust .*dev-ca\.pem/);
  });

  it('reads every file without a collection error', () => {
    expect(Object.values(result.evidence.byKind).reduce((n, t) => n + t.error, 0)).toBe(0);
    expect(result.assessedAt).toBe('2026-11-02T00:00:00.000Z');
  });

  it('finds the ml-dev trail without log file validation, and the accepted risk that covers it', () => {
    expect(expectation('cloudtrail_trail').status).toBe('exception');
    expect(expectation('cloudtrail_trail').reasons[0]).toMatch(/trail dev-trail in 444455556666\/eu-west-1 lacks multi-region, log file validation/);
    const active = expected.exceptions.find((e) => e.activeDuringPeriod)!;
    const c = control(active.framework, active.control);
    expect(c.status).toBe('exception');
    expect(c.acceptedRisk?.id).toBe(active.id);
    const expired = expected.exceptions.find((e) => !e.activeDuringPeriod)!;
    const x = control(expired.framework, expired.control);
    expect(x.acceptedRisk).toBeNull();
    expect(x.reasons.join('\n')).toMatch(new RegExp(`accepted risk ${expired.id} expired on 2026-06-30`));
  });

  it('reports exactly the days without CloudTrail logs', () => {
    const e = expectation('cloudtrail_delivery_continuous');
    expect(e.status).toBe('gap');
    for (const [pair, f] of Object.entries(expected.cloudtrail.logFiles)) {
      const line = e.reasons.find((r) => r.includes(pair))!;
      if (f.missingDays.length) expect(line).toMatch(new RegExp(`missing ${f.missingDays.length} day\\(s\\) of 2026-10: ${f.missingDays.join(', ')}`));
      else expect(line).toMatch(/31\/31 days/);
    }
  });

  it('lists every planted sensitive change, and the failed StopLogging only as an attempt', () => {
    const all = result.frameworks.flatMap((f) => f.results.flatMap((c) => c.expectations.filter((e) => e.rule === 'no_sensitive_changes').flatMap((e) => e.reasons)));
    for (const s of expected.cloudtrail.sensitiveChanges) {
      const hit = all.find((r) => r.includes(`:${s.eventName}`) && r.includes(s.principal));
      expect(hit, s.eventName).toBeDefined();
      if (s.countsAsChange) expect(hit).not.toMatch(/^attempted/);
      else expect(hit).toMatch(/^attempted .* failed with AccessDenied/);
    }
    expect(all.some((r) => /^approval recorded: sagemaker:UpdateModelPackage .*MLApprover\/dana\.kim/.test(r))).toBe(true);
  });

  it('sees the AI governance failures planted in Bedrock and SageMaker', () => {
    expect(expectation('invocation_logging_enabled').reasons[0]).toMatch(/logging is OFF in 444455556666\/eu-west-1 where models are invoked/);
    const pii = expectation('invocation_pii_guarded');
    expect(pii.status).toBe('exception');
    expect(pii.reasons[0]).toBe(`111122223333/eu-west-1: ${expected.bedrock.pii.prod.unguarded.length} of ${expected.bedrock.pii.prod.records} invocation(s) carried personal data with no guardrail intervention`);
    expect(expectation('guardrails_pii_configured').reasons[0]).toMatch(/444455556666\/eu-west-1: models are invoked but no Bedrock guardrail exists/);
    expect(expectation('model_cards_approved').reasons[0]).toMatch(/model card support-summarizer .*status is Draft; risk rating is missing/);
    expect(expectation('deployed_models_approved').reasons[0]).toMatch(/churn-staging .*model-package\/churn\/1 whose status is PendingManualApproval/);
    expect(expectation('lineage_complete').reasons.join('\n')).toMatch(/churn-staging .*has no traceable training dataset[\s\S]*credit-risk-prod traces back to .*s3:\/\/northwind-ml-data\/credit\/train\//);
    expect(expectation('endpoints_encrypted').reasons[0]).toMatch(/churn-staging .*has no KMS key/);
    expect(expectation('fairness_within_bounds').reasons.join('\n')).toMatch(/model churn .*computed from labelled predictions.*DI for facet=1 is 0\.65/);
    expect(expectation('artifact_report_available').status).toBe('satisfied');
  });

  it('never puts raw prompt PII into the results', () => {
    const text = readFileSync(path.join(out, 'results.json'), 'utf8');
    expect(text).not.toMatch(/\b\d{3}-\d{2}-\d{4}\b/);
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@(?!example\.)[A-Za-z0-9.-]+\.[a-z]{2,}/);
  });
});
