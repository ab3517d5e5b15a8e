/**
 * Pack render: the evidence pack of N seeded evidence items (bench/lib/pack-model.ts) into PDF (renderPdf) and
 * HTML (renderHtml), each in its own process, against floors that draw the same rows without our layer:
 * - PDF floor: raw pdfkit, the same embedded fonts, the same lines (wrapped beforehand, untimed) as plain
 *   positioned text: no table layout, fills, links, destinations, bookmarks, table of contents or furniture;
 * - HTML floor: one string built from the same rows with the same escaping (Handlebars.escapeExpression).
 * Memory: the PDF of ~1,000 pages against one of ~10,000 pages (same layout, 9x the items).
 */
import path from 'node:path';
import { peakRssMb, runChild, type ChildReport } from '../lib/child.js';
import { ratio, type Benchmark, type BenchContext, type BenchResult, type Measurement } from '../lib/types.js';

function mb(kb: unknown): number {
  return typeof kb === 'number' ? kb / 1024 : 0;
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const items = ctx.size === 'l' ? 10_000 : 300;
  const bigItems = ctx.size === 'l' ? 92_000 : 2_000;
  const out = (name: string): string => path.join(ctx.workDir, name);
  const child = async (mode: string, n: number, file: string): Promise<ChildReport> => {
    const r = await runChild('child/render.ts', [mode, String(n), out(file)]);
    ctx.log(`${mode} ${n} items: ${r.seconds.toFixed(2)} s, ${typeof r['pages'] === 'number' ? r['pages'] : '-'} pages, peak RSS ${Math.round(peakRssMb(r) ?? 0)} MB (model loaded: ${Math.round(mb(r['baselineRssKb']))} MB)`);
    return r;
  };
  const pdf = await child('pdf', items, 'pack.pdf');
  const floor = await child('pdf-floor', items, 'floor.pdf');
  const big = await child('pdf', bigItems, 'pack-big.pdf');
  const html = await child('html', items, 'pack.html');
  const htmlFloor = await child('html-floor', items, 'floor.html');

  const m = (name: string, r: ChildReport, n: number): Measurement => ({
    name,
    seconds: r.seconds,
    peakRssMb: peakRssMb(r),
    items: n,
    bytes: typeof r['bytes'] === 'number' ? r['bytes'] : undefined,
    pages: typeof r['pages'] === 'number' ? r['pages'] : undefined,
  });
  const own = (r: ChildReport): number => (peakRssMb(r) ?? 0) - mb(r['baselineRssKb']);
  return {
    id: 'render',
    title: 'Pack render: evidence pack to PDF and HTML vs raw pdfkit / plain string floors',
    input: `report model of the test estate with ${items.toLocaleString('en-US')} (and ${bigItems.toLocaleString('en-US')}) seeded evidence items (seed 7002)`,
    measurements: [
      m('auditpack renderPdf', pdf, items),
      m('floor: raw pdfkit, same rows as positioned text', floor, items),
      m(`auditpack renderPdf, ${bigItems.toLocaleString('en-US')} items`, big, bigItems),
      m('auditpack renderHtml (Handlebars templates)', html, items),
      m('floor: string builder, same rows, same escaping', htmlFloor, items),
    ],
    ratios: [
      ratio('PDF: auditpack / raw pdfkit floor (time)', pdf.seconds / floor.seconds, '<= 2'),
      ratio('HTML: auditpack / string builder floor (time)', html.seconds / htmlFloor.seconds, '<= 2'),
      ratio(`PDF peak RSS: ${String(big['pages'])} pages / ${String(pdf['pages'])} pages`, (peakRssMb(big) ?? 0) / (peakRssMb(pdf) ?? 1), '<= 1.25'),
    ],
    notes: [
      `PDF memory beyond the loaded model (peak RSS minus RSS before rendering): ${Math.round(own(pdf))} MB at ${String(pdf['pages'])} pages, ${Math.round(own(big))} MB at ${String(big['pages'])} pages; the model alone is ${Math.round(mb(pdf['baselineRssKb']))} MB and ${Math.round(mb(big['baselineRssKb']))} MB of RSS.`,
      `PDF floor pages: ${String(floor['pages'])} (fixed row heights, no section pages), ours: ${String(pdf['pages'])}.`,
      'The HTML floor renders only the evidence rows (most of the document); renderHtml also renders every other section.',
    ],
  };
}

export const renderBenchmark: Benchmark = {
  id: 'render',
  title: 'Pack render: 10,000 evidence items into HTML and a PDF of ~1,000 pages, against raw pdfkit / a string builder',
  run,
};
