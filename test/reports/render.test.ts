import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHtmlRenderer, renderHtml, TEMPLATES_DIR } from '../../src/reports/html/render.js';
import { buildReportModel, SECTIONS, type ReportModel } from '../../src/reports/model/index.js';
import { renderPdf } from '../../src/reports/pdf/render.js';
import { ACCENTED_OWNER, CHECK_TEXT, CJK_TEXT, HOSTILE, estateAssessment, estateEvidence, reportOptions } from '../fixtures/reports/estate.js';
import { pdfFonts, pdfOutlines, pdfPageCount, pdfPages, qpdfCheck } from './pdf-tools.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-render-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function modelOf(hostile: boolean): ReportModel {
  const ev = estateEvidence({ hostile });
  return buildReportModel(estateAssessment(ev, { hostile }), ev, reportOptions());
}

const model = modelOf(false);
const hostile = modelOf(true);
let pdfFile = '';
let pdf: Buffer;
let pages: string[] = [];
let text = '';

beforeAll(async () => {
  pdf = await renderPdf(model);
  pdfFile = path.join(tmp, 'pack.pdf');
  writeFileSync(pdfFile, pdf);
  pages = pdfPages(pdfFile);
  text = pages.join('\n');
});

function escapeLikeHandlebars(s: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return s.replace(/[&<>"'`=]/g, (c) => map[c]!);
}

/** pdftotext keeps words but not always line breaks: compare with whitespace collapsed. */
const flat = (s: string): string => s.replace(/\s+/g, ' ');

describe('renderPdf', () => {
  it('writes a structurally valid PDF (qpdf --check) with every font embedded, DejaVu and a CJK fallback', () => {
    const check = qpdfCheck(pdfFile);
    expect(check.output).toMatch(/No syntax or stream encoding errors found/);
    expect(check.code).toBe(0);
    const fonts = pdfFonts(pdfFile);
    expect(fonts.length).toBeGreaterThanOrEqual(3);
    for (const f of fonts) expect(f, f.name).toMatchObject({ embedded: true });
    const names = fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, ''));
    expect(names).toEqual(expect.arrayContaining(['DejaVuSans', 'DejaVuSans-Bold', 'DroidSansFallback']));
  });

  it('has every section title and a control id of each framework', () => {
    for (const s of SECTIONS) expect(text).toContain(s.title);
    for (const f of model.controls.frameworks) {
      expect(text).toContain(f.name);
      for (const c of [f.controls[0]!, f.controls[f.controls.length - 1]!]) expect(flat(text)).toContain(`${c.control} ${c.title}`);
    }
  });

  it('keeps ✓, accents and CJK (fonts with those glyphs are embedded)', () => {
    expect(text).toContain(CHECK_TEXT);
    expect(text).toContain(CJK_TEXT);
    expect(text).toContain('Nørdvind Santé AI');
    expect(text).toContain(ACCENTED_OWNER);
    expect(text).toContain('prod-Zürich');
    expect(text).toContain('Île-de-France');
  });

  it('has a "page x of y" footer on every page and a running header after the cover', () => {
    const n = pdfPageCount(pdfFile);
    expect(pages).toHaveLength(n);
    pages.forEach((p, i) => expect(p).toContain(`page ${i + 1} of ${n}`));
    for (const p of pages.slice(1)) expect(p).toContain('Nørdvind Santé AI · evidence pack 2026-10');
  });

  it('has a table of contents whose page numbers, links and bookmarks point at the sections', () => {
    const outlines = pdfOutlines(pdfFile);
    expect(outlines.map((o) => o.title)).toEqual(['Contents', ...SECTIONS.map((s, i) => `${i + 1} ${s.title}`)]);
    const toc = flat(pages[1]!);
    for (const o of outlines.slice(1)) {
      const page = pages[o.destpageposfrom1 - 1]!;
      const [num, ...title] = o.title.split(' ');
      expect(flat(page)).toContain(`${num} ${title.join(' ')}`);
      expect(toc).toMatch(new RegExp(`${num} ${title.join(' ').replace(/[()]/g, '.')} [. ]*${o.destpageposfrom1}\\b`));
    }
    const matrix = outlines.find((o) => o.title === '3 Control matrix')!;
    expect(matrix.kids.map((k) => k.title)).toEqual(model.controls.frameworks.map((f) => `${f.number} ${f.name}`));
    expect(matrix.kids[0]!.kids.map((k) => k.title.split(' ')[0])).toEqual(model.controls.frameworks[0]!.controls.map((c) => c.control));
  });

  it('breaks long tables across pages and repeats their header', () => {
    const outlines = pdfOutlines(pdfFile);
    const start = outlines.find((o) => o.title.endsWith('Evidence index'))!.destpageposfrom1;
    const evPages = pages.slice(start - 1);
    expect(evPages.length).toBeGreaterThan(2);
    for (const p of evPages.slice(1)) expect(flat(p)).toContain('Source, provenance, times');
    // Every evidence id is in the index, whole.
    for (const it of model.evidence.items) expect(text).toContain(it.id);
  });

  it('gives the same bytes for the same model, and pins the document dates', async () => {
    const again = await renderPdf(model);
    expect(again.equals(pdf)).toBe(true);
    const info = execFileSync('pdfinfo', ['-isodates', pdfFile], { encoding: 'utf8' });
    expect(info).toMatch(/^CreationDate:\s+2026-11-02T00:05:00Z$/m);
    expect(info).toMatch(/^ModDate:\s+2026-11-02T00:05:00Z$/m);
  });

  it('accepts a signature placeholder from @signpdf/placeholder-pdfkit before the document ends', async () => {
    let called = 0;
    const signed = await renderPdf(model, {
      onBeforeEnd: (doc) => {
        called += 1;
        pdfkitAddPlaceholder({ pdf: doc, pdfBuffer: Buffer.alloc(0), reason: 'Evidence pack integrity', contactInfo: 'audit@example.com', name: 'Evidence Signer', location: 'eu-west-1', signatureLength: 8192 });
      },
    });
    expect(called).toBe(1);
    const s = signed.toString('latin1');
    expect(s).toMatch(/\/ByteRange \[0 \/\*{10} \/\*{10} \/\*{10}\]/);
    expect(s).toContain('/Type /Sig');
    const file = path.join(tmp, 'placeholder.pdf');
    writeFileSync(file, signed);
    expect(qpdfCheck(file).code).toBe(0);
  });

  it('prints hostile evidence text literally', async () => {
    const file = path.join(tmp, 'hostile.pdf');
    writeFileSync(file, await renderPdf(hostile));
    const t = pdfPages(file).join('\n');
    for (const h of Object.values(HOSTILE)) expect(flat(t)).toContain(h);
  });

  it('never shows raw PII from invocation samples', () => {
    for (const raw of ['maria.keller@example.org', '078-05-1120', 'Jane Roe', 'Hans Gruber']) expect(text).not.toContain(raw);
    expect(text).toContain('Contact [EMAIL] or call [PHONE] about SSN [US_SSN]');
  });
});

describe('renderHtml', () => {
  const html = renderHtml(model);
  const bad = renderHtml(hostile);

  it('is one self-contained document: inline CSS and SVG, no scripts, no external references, a strict CSP', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="chart"/);
    expect(html).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="lineage"/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"`);
    for (const doc of [html, bad]) {
      expect(doc).not.toMatch(/<script/i);
      expect(doc).not.toMatch(/<(img|iframe|object|embed|link|base)\b/i);
      expect(doc).not.toMatch(/\b(src|href|action|xlink:href)\s*=\s*["']?(?!#)[a-z]+:/i);
      expect(doc).not.toMatch(/@import|url\((?!#)/i);
      expect(doc).not.toMatch(/\son[a-z]+\s*=/i);
    }
  });

  it('links resolve: every in-page link has its anchor, and controls and evidence items are anchors', () => {
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const hrefs = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(100);
    for (const h of hrefs) expect(ids.has(h), h).toBe(true);
    for (const f of model.controls.frameworks) {
      expect(ids.has(f.anchor)).toBe(true);
      for (const c of f.controls) expect(ids.has(c.anchor)).toBe(true);
    }
    for (const it of model.evidence.items) expect(ids.has(it.anchor)).toBe(true);
  });

  it('escapes evidence text and never runs it as a template', () => {
    expect(bad).toContain('&lt;script&gt;window.__pwned&#x3D;1&lt;/script&gt;');
    expect(bad).toContain('&lt;img src&#x3D;x onerror&#x3D;&quot;window.__pwned&#x3D;2&quot;&gt;');
    for (const literal of Object.values(HOSTILE)) expect(bad).toContain(escapeLikeHandlebars(literal));
    expect(bad).toContain('Retention outreach prioritisation; not for pricing or eligibility. &lt;script&gt;');
  });

  it('uses raw output only for the SVG and the evidence index rows it builds itself', () => {
    for (const f of readdirSync(TEMPLATES_DIR).filter((x) => x.endsWith('.hbs'))) {
      const src = readFileSync(path.join(TEMPLATES_DIR, f), 'utf8');
      // itemsHtml: evidenceRowsHtml (test/reports/evidence-rows.test.ts checks its escaping).
      const raw = f === 'evidence.hbs' ? ['itemsHtml'] : ['svg', 'statusChartSvg'];
      for (const m of src.matchAll(/\{\{\{\s*([^}]*?)\s*\}\}\}/g)) expect(raw, `${f}: ${m[0]}`).toContain(m[1]);
      expect(src, f).not.toMatch(/\{\{&/);
    }
  });

  it('escapes text inside the SVG it builds', () => {
    const ev = estateEvidence({ hostile: true });
    const m = buildReportModel(estateAssessment(ev), ev, reportOptions());
    const g = m.lineage.graphs[0]!;
    const evil = { ...m, lineage: { ...m.lineage, graphs: [{ ...g, title: '<script>x()</script>', nodes: g.nodes.map((n) => ({ ...n, label: '</text><script>y()</script>' })) }] } };
    const out = renderHtml(evil);
    expect(out).not.toMatch(/<script/i);
    expect(out).toContain('&lt;/text&gt;&lt;script&gt;');
  });

  it('is byte-identical for the same model, from a fresh renderer too', () => {
    expect(renderHtml(model)).toBe(html);
    expect(createHtmlRenderer()(model)).toBe(html);
  });

  it('has every section, a nav entry per framework and control, and print styles', () => {
    for (const s of SECTIONS) expect(html).toContain(`${s.title}</h2>`);
    expect(html).toContain('@media print');
    expect(html).toContain('<nav class="toc"');
    for (const f of model.controls.frameworks) expect(html).toContain(`<summary><a href="#${f.anchor}">`);
    expect(html).toContain(CJK_TEXT);
    expect(html).toContain(CHECK_TEXT);
  });
});
