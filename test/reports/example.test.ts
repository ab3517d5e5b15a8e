/**
 * The whole pipeline, in process, on the generated Northwind example: collect, assess, render. Checks the pack
 * documents the render stage writes against the example's planted state.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../examples/northwind/generate.js';
import { pipelineContext } from '../../src/cli/environment.js';
import { loadConfigFile } from '../../src/config/load.js';
import { runPackInProcess, type PackOutcome } from '../../src/pipeline/in-process.js';
import { renderStage } from '../../src/pipeline/render-stage.js';
import { SECTIONS, type ReportModel } from '../../src/reports/model/index.js';
import { pdfFonts, pdfPageCount, pdfPages, qpdfCheck } from './pdf-tools.js';

const EXAMPLE = path.resolve('examples/northwind');
const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-example-pack-'));
const exportDir = path.join(tmp, 'export');
const outDir = path.join(tmp, 'out');
let outcome: PackOutcome;
let model: ReportModel;
let html = '';
let pdfText = '';

interface Planted {
  cloudtrail: { sensitiveChanges: { eventName: string; eventTime: string; errorCode?: string | null; account: string }[] };
}

beforeAll(async () => {
  await generateExample(exportDir);
  const loaded = loadConfigFile(path.join(EXAMPLE, 'auditpack.yaml'));
  outcome = await runPackInProcess(pipelineContext(path.join(tmp, 'store')), loaded, {
    runId: 'run-example-report',
    source: exportDir,
    frameworks: loaded.config.frameworks,
    period: '2026-10',
    assessedAt: '2026-11-02T00:00:00.000Z',
    outDir,
  });
  model = JSON.parse(readFileSync(path.join(outDir, 'report-model.json'), 'utf8')) as ReportModel;
  html = readFileSync(path.join(outDir, 'pack.html'), 'utf8');
  pdfText = pdfPages(path.join(outDir, 'pack.pdf')).join('\n');
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every raw `match` value of the guardrail traces in the example's Bedrock invocation logs. */
function guardrailMatches(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'match' && typeof x === 'string') out.add(x);
        else walk(x);
      }
    }
  };
  const visit = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (p.includes('BedrockModelInvocationLogs') && p.endsWith('.json.gz')) {
        for (const line of gunzipSync(readFileSync(p)).toString('utf8').split('\n')) if (line.trim()) walk(JSON.parse(line));
      }
    }
  };
  visit(dir);
  return out;
}

describe('render stage on the Northwind example', () => {
  it('writes results, the control CSV, the report model, the HTML and the PDF', () => {
    expect(outcome.render.files.map((f) => path.basename(f))).toEqual(['results.json', 'controls.csv', 'report-model.json', 'pack.html', 'pack.pdf']);
    for (const f of outcome.render.files) expect(existsSync(f)).toBe(true);
    expect(readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(model.packId).toBe(outcome.assessment.packId);
    expect(model.evidence.total).toBe(outcome.assessment.evidence.total);
    expect(model.cover.generatedAt).toBe('2026-11-02T00:00:00.000Z');
  });

  it('the PDF passes qpdf --check, embeds its fonts, and has every section, a control of each framework and page x of y', () => {
    const file = path.join(outDir, 'pack.pdf');
    expect(qpdfCheck(file).code).toBe(0);
    for (const f of pdfFonts(file)) expect(f.embedded).toBe(true);
    for (const s of SECTIONS) expect(pdfText).toContain(s.title);
    for (const f of outcome.assessment.frameworks) expect(pdfText).toContain(f.results.find((r) => r.status === 'exception')!.control);
    const n = pdfPageCount(file);
    expect(pdfText).toContain(`page 1 of ${n}`);
    expect(pdfText).toContain(`page ${n} of ${n}`);
  });

  it('shows every planted sensitive change, failed attempts marked', () => {
    const planted = (JSON.parse(readFileSync(path.join(EXAMPLE, 'expected-state.json'), 'utf8')) as Planted).cloudtrail.sensitiveChanges;
    for (const p of planted) {
      const row = model.cloudtrail.sensitiveChanges.find((c) => c.eventName === p.eventName && c.time.startsWith(p.eventTime.slice(0, 19)));
      expect(row, p.eventName).toBeDefined();
      expect(row!.failed).toBe(!!p.errorCode);
      expect(row!.location.account).toBe(p.account);
    }
  });

  it('describes the AI estate: inventory, model cards, fairness verdicts, lineage per endpoint, invocation logging', () => {
    expect(model.inventory.endpoints.length).toBeGreaterThan(0);
    expect(model.modelCards.cards.length).toBeGreaterThan(0);
    expect(model.fairness.reports.some((r) => r.origin === 'clarify')).toBe(true);
    expect(model.fairness.reports.flatMap((r) => r.metrics).some((m) => m.verdict === 'outside')).toBe(true);
    expect(model.lineage.graphs.map((g) => g.title)).toEqual(model.inventory.endpoints.map((e) => `endpoint ${e.name}`));
    expect(model.lineage.graphs.some((g) => g.reachesDataset)).toBe(true);
    expect(model.invocations.totals.records).toBeGreaterThan(0);
    expect(model.invocations.coverage.some((c) => c.tone === 'bad')).toBe(true);
    expect(model.inherited.reports.length).toBeGreaterThan(0);
  });

  it('no guardrail match value from the raw invocation logs appears in any pack document', () => {
    const matches = guardrailMatches(exportDir);
    expect(matches.size).toBeGreaterThan(5);
    const json = JSON.stringify(model);
    for (const m of matches) {
      expect(json, m).not.toContain(m);
      expect(html, m).not.toContain(m);
      expect(pdfText, m).not.toContain(m);
    }
  });

  it('renders the same bytes again from the stored assessment and evidence', async () => {
    const again = path.join(tmp, 'again');
    const before = ['report-model.json', 'pack.html', 'pack.pdf'].map((f) => readFileSync(path.join(outDir, f)));
    await renderStage(pipelineContext(path.join(tmp, 'store')), { runId: 'run-example-report', outDir: again });
    ['report-model.json', 'pack.html', 'pack.pdf'].forEach((f, i) => expect(readFileSync(path.join(again, f)).equals(before[i]!), f).toBe(true));
  });
});
