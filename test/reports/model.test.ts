import { describe, expect, it } from 'vitest';
import { mergeThresholds } from '../../src/fairness/thresholds.js';
import { buildReportModel, SECTIONS, type ReportModel } from '../../src/reports/model/index.js';
import { safeSampleText } from '../../src/reports/model/ai.js';
import { splitAiCallKey } from '../../src/reports/model/aws.js';
import { DEV, EU, PROD, US, activity, errorRec, inventory, octoberDays } from '../fixtures/evidence/builders.js';
import { ACCENTED_OWNER, FAIRNESS, GENERATED_AT, estateAssessment, estateEvidence, reportOptions } from '../fixtures/reports/estate.js';

const evidence = estateEvidence();
const assessment = estateAssessment(evidence);
const model = buildReportModel(assessment, evidence, reportOptions());

function build(ev = evidence, over: Parameters<typeof reportOptions>[0] = {}): ReportModel {
  return buildReportModel(estateAssessment(ev), ev, reportOptions(over));
}

describe('buildReportModel: shape', () => {
  it('is plain, versioned JSON with every section in the table of contents', () => {
    expect(model.schema).toBe('auditpack-report-model');
    expect(model.version).toBe(1);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(model.toc.filter((t) => t.level === 1).map((t) => t.title)).toEqual(SECTIONS.map((s) => s.title));
    expect(model.toc.filter((t) => t.level === 2).map((t) => t.id)).toEqual(['fw:soc2', 'fw:hipaa', 'fw:gdpr']);
  });

  it('is deterministic: the same inputs in any order give the same model', () => {
    const again = buildReportModel(assessment, [...evidence].reverse(), reportOptions());
    expect(JSON.stringify(again)).toBe(JSON.stringify(model));
  });

  it('gives every anchor once, and every evidence link a target in the evidence index', () => {
    const anchors = [
      ...model.toc.map((t) => t.anchor),
      ...model.controls.frameworks.flatMap((f) => f.controls.map((c) => c.anchor)),
      ...model.evidence.items.map((i) => i.anchor),
      ...model.modelCards.cards.map((c) => c.anchor),
      ...model.fairness.reports.map((r) => r.anchor),
      ...model.lineage.graphs.map((g) => g.anchor),
    ];
    expect(new Set(anchors).size).toBe(anchors.length);
    for (const a of anchors) expect(a).toMatch(/^[a-z][a-z0-9-]*$/);
    const targets = new Set(model.evidence.items.map((i) => i.anchor));
    const json = JSON.stringify(model);
    for (const m of json.matchAll(/"anchor":"(ev-[a-f0-9]{64})"/g)) expect(targets.has(m[1]!)).toBe(true);
  });
});

describe('buildReportModel: sections', () => {
  it('cover: organisation, frameworks, period, named accounts, regions, times, pack id, generator', () => {
    const c = model.cover;
    expect(c.organisation).toBe('Nørdvind Santé AI');
    expect(c.frameworks.map((f) => f.id)).toEqual(['soc2', 'hipaa', 'gdpr']);
    expect(c.period.text).toBe('2026-10 (2026-10-01 to 2026-10-31, UTC)');
    expect(c.accounts.map((a) => a.label)).toEqual(['prod-Zürich (111122223333)', 'ml-dev (444455556666)']);
    expect(c.regions).toEqual([EU, US]);
    expect(c.generatedAt).toBe(GENERATED_AT);
    expect(c.packId).toBe(assessment.packId);
    expect(c.generator.text).toBe('auditpack 0.1.0');
    expect(c.facts.map((f) => f.label)).toContain('Evidence items');
  });

  it('summary: counts per framework in a fixed order, exceptions before gaps, accepted risks with expiry', () => {
    const s = model.summary;
    for (const [i, f] of assessment.frameworks.entries()) {
      expect(s.frameworks[i]!.counts.map((c) => [c.status, c.count])).toEqual([
        ['satisfied', f.counts.satisfied],
        ['exception', f.counts.exception],
        ['gap', f.counts.gap],
        ['manual', f.counts.manual],
        ['not_applicable', f.counts.not_applicable],
      ]);
      expect(s.frameworks[i]!.acceptedRisks).toBe(f.counts.acceptedRisk);
      const mine = s.topFindings.filter((x) => x.framework === f.id).map((x) => x.status);
      expect(mine.length).toBeLessThanOrEqual(8);
      expect(mine).toEqual([...mine].sort((a, b) => (a === b ? 0 : a === 'exception' ? -1 : 1)));
    }
    expect(s.findingsTotal).toBe(assessment.frameworks.reduce((n, f) => n + f.counts.exception + f.counts.gap, 0));
    expect(s.acceptedRisks).toEqual([
      expect.objectContaining({ id: 'EXC-7', owner: ACCENTED_OWNER, expires: '2027-03-31', expired: false }),
      expect.objectContaining({ id: 'EXC-OLD', expired: true }),
    ]);
    const byLabel = Object.fromEntries(s.highlights.map((h) => [h.label.replace(/ \(.*$/, ''), h]));
    expect(byLabel['Collection errors']).toMatchObject({ value: '2', tone: 'bad' });
    expect(byLabel['Sensitive changes in the period']).toMatchObject({ value: '4', label: 'Sensitive changes in the period (1 failed)' });
  });

  it('scope: collectors that ran, failed or never ran; error and not-applicable items with their messages; freshness', () => {
    const s = model.scope;
    const byId = Object.fromEntries(s.collectors.map((c) => [c.id, c]));
    expect(byId['bedrock']).toMatchObject({ state: 'ran with errors', tone: 'bad', items: expect.objectContaining({ error: 1, notApplicable: 1 }) });
    expect(byId['cloudtrail']).toMatchObject({ state: 'ran', ranIn: ['ml-dev / eu-west-1', 'ml-dev / us-east-1', 'prod-Zürich / eu-west-1', 'prod-Zürich / us-east-1'] });
    expect(byId['artifact']!.ranIn).toEqual(['prod-Zürich / global']);
    expect(s.problems.map((p) => [p.state, p.collector, p.kind, p.location.label, p.code])).toEqual([
      ['error', 'bedrock', 'bedrock.logging_config', 'ml-dev / us-east-1', 'AccessDeniedException'],
      ['error', 'sagemaker', 'sagemaker.lineage', 'ml-dev / eu-west-1', 'ThrottlingException'],
      ['not_applicable', 'bedrock', 'bedrock.guardrail', 'prod-Zürich / us-east-1', null],
    ]);
    expect(s.problems[0]!.message).toMatch(/not authorized to perform: bedrock:GetModelInvocationLoggingConfiguration/);
    expect(s.problems[2]!.message).toBe('Amazon Bedrock is not available in this region for this account');
    const ct = s.freshness.find((f) => f.kind === 'cloudtrail.activity')!;
    expect(ct).toMatchObject({ collector: 'cloudtrail', items: 62, oldest: '2026-10-01T00:00:00.000Z', newest: '2026-11-01T00:00:00.000Z' });
  });

  it('scope: a collector with no evidence at all is listed as not run', () => {
    const m = build(estateEvidence({ bedrock: false }));
    expect(m.scope.collectors.find((c) => c.id === 'bedrock')).toMatchObject({ state: 'not run', ranIn: [], items: { collected: 0, error: 0, notApplicable: 0 } });
  });

  it('control matrix: every control, in order, with reasons, evidence links, accepted risk and manual request', () => {
    for (const [i, f] of assessment.frameworks.entries()) {
      const m = model.controls.frameworks[i]!;
      expect(m.controls.map((c) => c.control)).toEqual(f.results.map((r) => r.control));
      expect(m.controls.map((c) => c.status)).toEqual(f.results.map((r) => r.status));
      expect(m.number).toBe(`3.${i + 1}`);
    }
    const cc72 = model.controls.frameworks[0]!.controls.find((c) => c.control === 'CC7.2')!;
    expect(cc72.anchor).toBe('ctl-soc2-cc7-2');
    expect(cc72.acceptedRisk).toMatchObject({ id: 'EXC-7', owner: ACCENTED_OWNER, expires: '2027-03-31' });
    expect(cc72.evidence.length).toBeGreaterThan(0);
    expect(cc72.evidence[0]!.label).toHaveLength(12);
    const manual = model.controls.frameworks[0]!.controls.find((c) => c.automation === 'none')!;
    expect(manual.status).toBe('manual');
    expect(manual.manualRequest).toMatch(/\w/);
  });

  it('CloudTrail: trail settings, AI calls summed by principal and operation, sensitive changes with failures marked', () => {
    const c = model.cloudtrail;
    expect(c.trails.map((t) => t.name)).toEqual(['org-audit-trail', 'dev-trail']);
    const validation = (name: string) => c.trails.find((t) => t.name === name)!.settings.find((s) => s.label === 'Log file validation')!;
    expect(validation('org-audit-trail')).toMatchObject({ value: 'enabled', tone: 'good' });
    expect(validation('dev-trail')).toMatchObject({ value: 'disabled', tone: 'bad' });
    expect(c.aiActivity.slice(0, 2).map((a) => [a.principal, a.eventSource, a.operation, a.calls])).toEqual([
      ['arn:aws:sts::111122223333:assumed-role/ClaimsAssistant/app', 'bedrock.amazonaws.com', 'InvokeModel', 40 * 31],
      ['arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_DevAdmin/jose', 'bedrock.amazonaws.com', 'InvokeModel', 5 * 31],
    ]);
    expect(c.activity).toMatchObject({ days: 62, totalEvents: 150 * 31 });
    expect(c.sensitiveChanges.map((x) => [x.time.slice(0, 10), x.eventName, x.categoriesText, x.failed])).toEqual([
      ['2026-10-12', 'UpdateModelPackage', 'model approval', false],
      ['2026-10-21', 'DeleteModelInvocationLoggingConfiguration', 'logging change', false],
      ['2026-10-22', 'UpdateGuardrail', 'guardrail change', true],
      ['2026-10-28', 'ScheduleKeyDeletion', 'key change', false],
    ]);
    expect(c.sensitiveChanges[2]!.outcome).toMatch(/^FAILED AccessDenied: User is not authorized/);
  });

  it('AWS Config: rule compliance per account and region, packs, non-compliant resources', () => {
    const c = model.config;
    expect(c.rules.map((r) => [r.ruleName, r.location.label, r.compliance])).toEqual([
      ['cloudtrail-enabled', 'ml-dev / eu-west-1', 'COMPLIANT'],
      ['cloudtrail-enabled', 'prod-Zürich / eu-west-1', 'COMPLIANT'],
      ['s3-bucket-server-side-encryption-enabled', 'ml-dev / eu-west-1', 'NON_COMPLIANT'],
      ['sagemaker-endpoint-configuration-kms-key-configured', 'prod-Zürich / eu-west-1', 'INSUFFICIENT_DATA'],
    ]);
    expect(c.ruleCounts).toEqual([
      { compliance: 'NON_COMPLIANT', count: 1, tone: 'bad' },
      { compliance: 'INSUFFICIENT_DATA', count: 1, tone: 'warn' },
      { compliance: 'COMPLIANT', count: 2, tone: 'good' },
    ]);
    expect(c.conformancePacks[0]).toMatchObject({ compliant: 1, nonCompliant: 1, other: 0 });
    expect(c.nonCompliantResources.map((r) => r.resourceId)).toEqual(['ml-dev-scratch']);
    expect(c.recorders.map((r) => [r.location.label, r.recordingText])).toEqual([
      ['prod-Zürich / eu-west-1', 'recording'],
      ['ml-dev / eu-west-1', 'stopped'],
    ]);
  });

  it('AI inventory: models, endpoints, packages, cards and guardrails per account and region', () => {
    const i = model.inventory;
    const prodEu = i.byLocation.find((l) => l.location.label === 'prod-Zürich / eu-west-1')!;
    expect(prodEu).toMatchObject({ endpoints: 2, models: 2, modelPackages: 2, modelCards: 1, guardrails: 1, bedrockModels: 2 });
    expect(i.byLocation.map((l) => l.location.label)).toEqual(['ml-dev / eu-west-1', 'ml-dev / us-east-1', 'prod-Zürich / eu-west-1', 'prod-Zürich / us-east-1']);
    expect(i.models.filter((m) => m.platform === 'Bedrock').map((m) => m.name)).toContain('anthropic.claude-3-haiku-20240307-v1:0');
    expect(i.modelPackages.map((p) => [p.name, p.approvalStatus])).toEqual([
      ['churn v3', 'Approved'],
      ['credit-risk v1', 'PendingManualApproval'],
    ]);
    expect(i.guardrails[0]!.piiEntities).toBe('NAME: ANONYMIZE, EMAIL: ANONYMIZE, US_SOCIAL_SECURITY_NUMBER: BLOCK');
  });

  it('model cards: intended use, risk, status, approver from the model package, metrics, caveats, schema errors', () => {
    const [churn, dev] = model.modelCards.cards;
    expect(churn).toMatchObject({ name: 'churn-card', status: 'Approved', riskRating: 'Medium', model: 'churn-model-3' });
    expect(churn!.approval).toMatchObject({ status: 'Approved', approvedBy: 'arn:aws:sts::111122223333:assumed-role/MLApprover/ana.gómez' });
    expect(churn!.fields.find((f) => f.label === 'Intended uses')!.value).toMatch(/^Retention outreach/);
    expect(churn!.fields.find((f) => f.label === 'Training observations')).toEqual({ label: 'Training observations', value: 'not stated', missing: true });
    expect(churn!.evaluationMetrics).toEqual([
      { evaluation: 'holdout-2026-09', group: 'binary_classification_metrics', name: 'auc', value: '0.8734' },
      { evaluation: 'holdout-2026-09', group: 'binary_classification_metrics', name: 'f1', value: '0.61' },
    ]);
    expect(dev).toMatchObject({ name: 'credit-risk-card', status: 'Draft', riskRating: 'not stated', approval: null });
    expect(dev!.schemaErrors).toHaveLength(2);
  });

  it('fairness: every metric with value, threshold and verdict; per-model thresholds; origin', () => {
    const [churn, credit] = model.fairness.reports;
    const rows = (r: typeof churn) => r!.metrics.map((m) => [m.name, m.value, m.threshold, m.thresholdSource, m.verdict]);
    expect(churn!.originLabel).toBe('SageMaker Clarify report');
    expect(rows(churn)).toEqual([
      ['CI', '0.42', '[-0.3, 0.3]', 'default', 'outside'],
      ['DPL', '0.13', '[-0.1, 0.1]', 'default', 'outside'],
      ['DI', '0.91', '[0.8, 1.25]', 'default', 'within'],
      ['TE', '∞', '[-0.1, 0.1]', 'default', 'outside'],
      ['DPPL', 'not computed', '[-0.1, 0.1]', 'default', 'not_computed'],
      ['XYZ', '0.5', 'none', 'none', 'no_threshold'],
    ]);
    expect(churn!.metrics[4]!.note).toBe('Facet has no positive predictions');
    expect(churn!.counts).toEqual({ within: 1, outside: 3, notComputed: 1, noThreshold: 1 });
    expect(credit!.origin).toBe('native');
    expect(rows(credit)).toEqual([
      ['DI', '0.77', '≥ 0.75', 'model credit-risk', 'within'],
      ['DPPL', '-0.05', '[-0.1, 0.1]', 'default', 'within'],
    ]);
    // Without the model's own threshold the same value is outside the default band.
    const strict = build(evidence, { fairnessThresholds: { defaults: FAIRNESS.defaults, bySubject: {} } });
    expect(strict.fairness.reports[1]!.metrics[0]!.verdict).toBe('outside');
  });

  it('fairness: per-model thresholds merged over the defaults (as the pipeline passes them) show only the differences', () => {
    const defaults = mergeThresholds();
    const m = build(evidence, { fairnessThresholds: { defaults, bySubject: { 'credit-risk': mergeThresholds({ DI: { min: 0.75 } }, defaults) } } });
    expect(m.fairness.thresholds.filter((t) => t.scope !== 'default (all models)')).toEqual([{ metric: 'DI', scope: 'model credit-risk', band: '[0.75, 1.25]' }]);
    expect(m.fairness.reports[1]!.metrics.map((x) => x.thresholdSource)).toEqual(['model credit-risk', 'default']);
  });

  it('lineage: per endpoint, layered left to right, missing stages and unreachable datasets flagged', () => {
    const [churn, claims, dev] = model.lineage.graphs;
    expect(churn).toMatchObject({ title: 'endpoint churn-endpoint', reachesDataset: true, verdict: 'complete', missing: [] });
    expect(churn!.datasets.map((d) => [d.uri, d.sha256])).toEqual([
      ['s3://northwind-ml-data/churn/members-2026-09.csv', 'e3'.repeat(32)],
      ['s3://northwind-ml-data/churn/events-2026-09.parquet', 'not recorded'],
    ]);
    expect(churn!.nodes.map((n) => [n.type, n.col])).toEqual([
      ['Dataset', 0],
      ['Dataset', 0],
      ['Processing job', 1],
      ['Training job', 2],
      ['Model', 3],
      ['Model package', 4],
      ['Endpoint', 5],
    ]);
    expect(claims).toMatchObject({ reachesDataset: false, verdict: 'dataset not reachable', tone: 'bad' });
    expect(claims!.missing[0]).toMatch(/no dataset is reachable upstream/);
    expect(claims!.nodes.filter((n) => n.missing).map((n) => n.type)).toEqual(['Dataset', 'Processing job', 'Model package']);
    expect(dev).toMatchObject({ title: 'endpoint credit-risk-dev', evidence: null, verdict: 'no lineage evidence', missing: ['no lineage evidence for this endpoint'] });
    for (const g of model.lineage.graphs) {
      const col = new Map(g.nodes.map((n) => [n.key, n.col]));
      for (const e of g.edges) expect(col.get(e.to)!).toBeGreaterThan(col.get(e.from)!);
      expect(g.nodes.find((n) => n.type === 'Endpoint')!.col).toBe(g.columns - 1);
    }
  });

  it('invocation logs: coverage per region (invocations without logging flagged), usage, guardrails, PII by type', () => {
    const v = model.invocations;
    expect(v.coverage.map((c) => [c.location.label, c.logging, c.loggedRecords, c.cloudTrailInvocations, c.tone])).toEqual([
      ['ml-dev / eu-west-1', 'disabled', 40, 0, 'bad'],
      ['ml-dev / us-east-1', 'not collected', 0, 155, 'bad'],
      ['prod-Zürich / eu-west-1', 'enabled', 120, 1240, 'warn'],
    ]);
    expect(v.coverage[1]!.verdict).toBe('invocations, logging configuration not collected');
    expect(v.usage[0]).toEqual({ identity: 'arn:aws:sts::111122223333:assumed-role/ClaimsAssistant/app', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', operation: 'InvokeModel', invocations: 90, inputTokens: 27000, outputTokens: 9000 });
    expect(v.pii).toEqual([
      { entityType: 'EMAIL', count: 12 },
      { entityType: 'GUARDRAIL_NAME', count: 6 },
      { entityType: 'US_SSN', count: 4 },
    ]);
    expect(v.totals).toMatchObject({ records: 160, guardrailInterventions: 6, piiUnguardedRecords: 1 });
  });

  it('invocation samples: re-redacted, and withheld where a guardrail acted or matched that day; no raw PII anywhere', () => {
    const s = model.invocations.samples;
    expect(s.map((x) => [x.requestId, x.withheld])).toEqual([
      ['req-2026-10-10-1', true],
      ['req-2026-10-15-1', false],
      ['req-2026-10-15-2', false],
      ['req-2026-10-15-3', true],
    ]);
    expect(s[2]!.input).toBe('Contact [EMAIL] or call [PHONE] about SSN [US_SSN]');
    expect(s[3]!.input).toBe('[withheld: a guardrail acted on this record]');
    expect(s[0]!.input).toBe('[withheld: a guardrail matched personal data in this day’s records]');
    const json = JSON.stringify(model);
    for (const raw of ['maria.keller@example.org', '+44 20 7946 0958', '078-05-1120', 'Jane Roe', 'Hans Gruber', '"match"']) expect(json).not.toContain(raw);
  });

  it('safeSampleText removes raw guardrail match pairs the detectors would not see', () => {
    expect(safeSampleText('{"match": "Erika Mustermann", "type": "NAME"}', null, false)).toBe('{"match": "[GUARDRAIL_MATCH]", "type": "NAME"}');
    expect(safeSampleText('x'.repeat(1000), null, false)).toHaveLength(300);
  });

  it('inherited controls: AWS Artifact reports with series, period and document hash', () => {
    expect(model.inherited.reports.map((r) => [r.name, r.series, r.period, r.documentSha256])).toEqual([
      ['ISO/IEC 27001:2022 Certificate', 'ISO', 'not reported', 'not downloaded'],
      ['SOC 2 Type 2 Report (Apr 2026 – Sep 2026)', 'SOC 2', '2026-04-01 to 2026-09-30', '5a'.repeat(32)],
    ]);
  });

  it('evidence index: every item with hashes, source, provenance, times and status', () => {
    const e = model.evidence;
    expect(e.total).toBe(evidence.length);
    expect(new Set(e.items.map((i) => i.id))).toEqual(new Set(evidence.map((r) => r.item.id)));
    const trail = e.items.find((i) => i.resource === 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-audit-trail')!;
    expect(trail.sources).toEqual([`file cli/111122223333/eu-west-1/cloudtrail/describe-trails.json#Records[3] (file sha256 ${'ab'.repeat(32)})`]);
    expect(trail).toMatchObject({ rawSha256: 'cd'.repeat(32), rawSensitive: true, status: 'collected', collectedAt: '2026-11-01T07:00:00.000Z' });
    expect(trail.contentSha256).toMatch(/^[a-f0-9]{64}$/);
    expect(trail.provenance).toBe('cloudtrail collector test; caller none (read from an export directory)');
    const failed = e.items.find((i) => i.status === 'error' && i.kind === 'sagemaker.lineage')!;
    expect(failed).toMatchObject({ contentSha256: null, tone: 'bad', statusText: 'error ThrottlingException: Rate exceeded while calling QueryLineage' });
    expect(e.items.find((i) => i.kind === 'cloudtrail.activity')!.observed).toBe('2026-10-01T00:00:00.000Z – 2026-10-02T00:00:00.000Z');
    expect(e.byKind.find((k) => k.kind === 'bedrock.logging_config')).toEqual({ kind: 'bedrock.logging_config', collected: 2, error: 1, notApplicable: 0 });
  });
});

describe('buildReportModel: missing data', () => {
  it('no Bedrock and no SageMaker at all: empty AI sections, nothing invented', () => {
    const m = build(estateEvidence({ bedrock: false, sagemaker: false }));
    expect(m.inventory.endpoints).toEqual([]);
    expect(m.inventory.models).toEqual([]);
    expect(m.modelCards.cards).toEqual([]);
    expect(m.fairness.reports).toEqual([]);
    expect(m.lineage.graphs).toEqual([]);
    expect(m.invocations.samples).toEqual([]);
    expect(m.invocations.totals.records).toBe(0);
    // CloudTrail still saw Bedrock invocations: those regions show up without any logging configuration.
    expect(m.invocations.coverage.map((c) => [c.location.label, c.logging, c.cloudTrailInvocations, c.tone])).toEqual([
      ['ml-dev / us-east-1', 'not collected', 155, 'bad'],
      ['prod-Zürich / eu-west-1', 'not collected', 1240, 'bad'],
    ]);
    expect(m.summary.highlights.find((h) => h.label.startsWith('Endpoints'))).toMatchObject({ value: '0', tone: 'neutral' });
  });

  it('an empty store still gives every section', () => {
    const m = build([]);
    expect(m.evidence.items).toEqual([]);
    expect(m.cloudtrail.trails).toEqual([]);
    expect(m.scope.collectors.every((c) => c.state === 'not run')).toBe(true);
    expect(m.controls.frameworks.map((f) => f.controls.length)).toEqual(assessment.frameworks.map((f) => f.results.length));
  });

  it('items outside the assessment scope are indexed but not described', () => {
    const outside = [
      inventory('cloudtrail', { 'cloudtrail.trail': 0 }, { account: '999999999999', region: EU }),
      ...octoberDays().slice(0, 2).map((d) => activity(d, { aiCalls: { 'arn:x|bedrock.amazonaws.com|InvokeModel': 9 } }, { account: '999999999999' })),
      errorRec('cloudtrail.trail', 'AccessDenied', 'denied', { account: PROD, region: 'ap-south-1' }),
    ];
    const m = build([...evidence, ...outside]);
    expect(m.scope.outOfScopeItems).toBe(4);
    expect(m.evidence.total).toBe(evidence.length + 4);
    expect(m.cloudtrail.activity.byLocation.map((l) => l.location.account)).not.toContain('999999999999');
    expect(m.invocations.coverage.map((c) => c.location.account)).not.toContain('999999999999');
    expect([DEV, PROD]).toContain(m.invocations.coverage[0]!.location.account);
  });
});

describe('helpers', () => {
  it('splits aiCalls keys whose principal holds a pipe', () => {
    expect(splitAiCallKey('type:AWSService|x|bedrock.amazonaws.com|InvokeModel')).toEqual({ principal: 'type:AWSService|x', eventSource: 'bedrock.amazonaws.com', eventName: 'InvokeModel' });
  });
});
