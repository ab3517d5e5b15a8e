import { LINEAGE_FILLS, MUTED, STATUS_COLORS, TONE_COLORS } from '../html/palette.js';
import type { EvidenceRef, FrameworkSummary, LineageGraph, ReportModel, SectionHead, Tone } from '../model/types.js';
import { CONTENT_WIDTH, PAGE, type Cell, type Column, type PdfWriter } from './layout.js';

/** Where each table-of-contents entry landed (anchor → page index), filled while drawing. */
export type PageMap = Map<string, number>;

const ACCENT = '#1d3557';

/** The evidence column: wide enough for a 12-digit id in the mono font at table sizes. */
const EV_COLUMN: Column = { header: 'Evidence', width: 0, pt: 62 };

function evCell(r: EvidenceRef | null): Cell {
  return r ? { text: r.label, link: r.anchor, font: 'mono' } : '';
}

/**
 * The rows of a table built one at a time as the table draws them (`PdfWriter.table` reads its rows lazily): for
 * the tables that grow with the evidence, so that only the row being drawn exists as cells and wrapped text.
 */
function* rowsOf<T>(items: readonly T[], toRow: (item: T, index: number) => readonly Cell[]): Generator<readonly Cell[]> {
  for (let i = 0; i < items.length; i++) yield toRow(items[i]!, i);
}

function toneText(text: string, tone: Tone): Cell {
  return { text, color: TONE_COLORS[tone] };
}

function badge(text: string, tone: Tone): Cell {
  return { text, badge: TONE_COLORS[tone] };
}

/** Starts a section on a new page: running title, bookmark, named destination, heading and intro. */
function startSection(w: PdfWriter, head: SectionHead, pages: PageMap): PDFKit.PDFOutline {
  w.currentTitle = `${head.number}  ${head.title}`;
  w.newPage();
  pages.set(head.anchor, w.page);
  const item = outlineItem(w, w.doc.outline, `${head.number} ${head.title}`);
  w.anchor(head.anchor);
  w.line(`${head.number}  ${head.title}`, PAGE.left, w.y, { font: 'bold', size: 17, color: ACCENT });
  w.y += 24;
  w.doc.moveTo(PAGE.left, w.y).lineTo(PAGE.left + CONTENT_WIDTH, w.y).lineWidth(1.2).stroke(ACCENT);
  w.y += 8;
  w.paragraph(head.intro, { size: 8.5, color: MUTED, gap: 8 });
  return item;
}

/** A bookmark to the current page at the cursor (pdfkit's `left` option is measured from the right edge). */
function outlineItem(w: PdfWriter, parent: PDFKit.PDFOutline, title: string): PDFKit.PDFOutline {
  // pdfkit reads `top` and `left` although its types do not declare them.
  const options = { top: Math.max(0, w.y - 6), left: PAGE.width, expanded: false };
  return parent.addItem(title, options);
}

function sub(w: PdfWriter, text: string, opts: { keep?: number; size?: number; color?: string } = {}): void {
  w.ensure(opts.keep ?? 60);
  w.y += 6;
  const size = opts.size ?? 11.5;
  for (const l of w.wrap(text, CONTENT_WIDTH, 'bold', size)) {
    w.line(l, PAGE.left, w.y, { font: 'bold', size, color: opts.color ?? ACCENT });
    w.y += size * 1.3;
  }
  w.y += 3;
}

function note(w: PdfWriter, text: string): void {
  w.paragraph(text, { size: 8, color: MUTED, gap: 6 });
}

/** A line of coloured pills, wrapping as needed. */
function pills(w: PdfWriter, items: readonly { text: string; color: string }[], size = 8): void {
  const h = size * 1.45;
  let x = PAGE.left;
  w.ensure(h + 4);
  for (const it of items) {
    const tw = w.fonts.measure(it.text, 'bold', size) + 10;
    if (x + tw > PAGE.left + CONTENT_WIDTH) {
      x = PAGE.left;
      w.y += h + 3;
      w.ensure(h + 4);
    }
    w.doc.roundedRect(x, w.y, tw, h, h / 2).fill(it.color);
    w.line(it.text, x + 5, w.y + size * 0.2, { font: 'bold', size, color: '#ffffff' });
    x += tw + 4;
  }
  w.y += h + 8;
}

// Cover and table of contents ---------------------------------------------------------------------------------

export function drawCover(w: PdfWriter, m: ReportModel): void {
  w.currentTitle = '';
  w.newPage();
  const c = m.cover;
  w.doc.rect(0, 0, PAGE.width, 12).fill(ACCENT);
  w.y = 150;
  w.line(c.title.toUpperCase(), PAGE.left, w.y, { font: 'bold', size: 10, color: MUTED });
  w.y += 22;
  for (const l of w.wrap(c.organisation, CONTENT_WIDTH, 'bold', 28)) {
    w.line(l, PAGE.left, w.y, { font: 'bold', size: 28, color: ACCENT });
    w.y += 36;
  }
  w.line(c.period.text, PAGE.left, w.y, { size: 14 });
  w.y += 34;
  for (const f of c.frameworks) {
    w.line(`${f.name}`, PAGE.left, w.y, { font: 'bold', size: 11 });
    w.y += 15;
    w.paragraph(`version ${f.version} · ${f.publisher}`, { size: 8.5, color: MUTED, gap: 0 });
    w.line(`catalog sha256 ${f.sha256}`, PAGE.left, w.y, { font: 'mono', size: 7, color: MUTED });
    w.y += 16;
  }
  w.y += 10;
  w.doc.moveTo(PAGE.left, w.y).lineTo(PAGE.left + CONTENT_WIDTH, w.y).lineWidth(0.6).stroke('#9aa5b1');
  w.y += 12;
  w.keyValues(c.facts, { labelWidth: 110, size: 9.5 });
}

/** Pages the table of contents needs (its page numbers are known only once every section is laid out). */
export function tocPages(m: ReportModel): number {
  return Math.max(1, Math.ceil((m.toc.length + 4) / 38));
}

/**
 * The table of contents, on `tocPages(m)` new pages. `pages` is where every entry lands (from a layout pass over
 * the whole pack); without it (the layout pass itself) the pages are left empty, which takes the same room.
 */
export function drawTocPages(w: PdfWriter, m: ReportModel, pages: PageMap | null): void {
  w.currentTitle = 'Contents';
  const last = w.page + tocPages(m);
  w.newPage();
  outlineItem(w, w.doc.outline, 'Contents');
  w.anchor('toc');
  if (pages) drawToc(w, m, pages, last);
  while (w.page < last) w.newPage();
  if (w.page !== last) throw new Error(`internal: the table of contents needs more than its ${tocPages(m)} page(s)`);
}

function drawToc(w: PdfWriter, m: ReportModel, pages: PageMap, last: number): void {
  w.y = PAGE.top;
  w.line('Contents', PAGE.left, w.y, { font: 'bold', size: 17, color: ACCENT });
  w.y += 34;
  for (const e of m.toc) {
    if (w.y > w.bottom - 20) {
      if (w.page === last) throw new Error(`internal: the table of contents needs more than its ${tocPages(m)} page(s)`);
      w.newPage();
    }
    const page = pages.get(e.anchor);
    const num = page === undefined ? '' : String(page + 1);
    const indent = e.level === 2 ? 22 : 0;
    const size = e.level === 1 ? 10.5 : 9.5;
    const font = e.level === 1 ? 'bold' : 'body';
    const x = PAGE.left + indent;
    w.line(e.number, x, w.y, { font, size });
    const lw = w.line(e.title, x + 26, w.y, { font, size }) + 26;
    const nw = w.fonts.measure(num, 'body', size);
    const right = PAGE.left + CONTENT_WIDTH;
    const dotsFrom = x + lw + 6;
    const dotsTo = right - nw - 6;
    const dot = w.fonts.measure('.', 'body', size) + 1.2;
    if (dotsTo > dotsFrom) w.line('.'.repeat(Math.floor((dotsTo - dotsFrom) / dot)), dotsFrom, w.y, { size, color: '#9aa5b1' });
    w.line(num, right - nw, w.y, { size });
    w.doc.goTo(PAGE.left, w.y - 2, CONTENT_WIDTH, size * 1.5, e.anchor);
    w.y += e.level === 1 ? 19 : 15;
  }
}

/** Running header (all pages but the cover) and "page x of y" footer of page `i` of `n`, drawn as the page ends. */
export function drawPageFurniture(w: PdfWriter, m: ReportModel, i: number, n: number): void {
  const left = `${m.cover.organisation} · evidence pack ${m.cover.period.label}`;
  const foot = `${m.packId} · generated ${m.cover.generatedAt} by ${m.cover.generator.text}`;
  if (i > 0) {
    const title = w.pageTitles[i] ?? '';
    const tw = w.fonts.measure(title, 'body', 7.5);
    w.line(w.fit(left, CONTENT_WIDTH - tw - 20, 'body', 7.5), PAGE.left, 28, { size: 7.5, color: MUTED });
    w.line(title, PAGE.left + CONTENT_WIDTH - tw, 28, { size: 7.5, color: MUTED });
    w.rule(40, '#c5ccd4');
  }
  const pg = `page ${i + 1} of ${n}`;
  const pw = w.fonts.measure(pg, 'body', 7.5);
  w.rule(PAGE.height - 40, '#c5ccd4');
  w.line(w.fit(foot, CONTENT_WIDTH - pw - 20, 'body', 7), PAGE.left, PAGE.height - 34, { size: 7, color: MUTED });
  w.line(pg, PAGE.left + CONTENT_WIDTH - pw, PAGE.height - 34, { size: 7.5, color: MUTED });
}

// 1 Executive summary ----------------------------------------------------------------------------------------

function statusBars(w: PdfWriter, frameworks: readonly FrameworkSummary[]): void {
  const labelW = 178;
  const barW = CONTENT_WIDTH - labelW - 30;
  const rowH = 22;
  const h = 22 + frameworks.length * rowH;
  w.ensure(h + 10);
  let lx = PAGE.left + labelW;
  for (const c of frameworks[0]?.counts ?? []) {
    w.doc.rect(lx, w.y + 2, 8, 8).fill(STATUS_COLORS[c.status]);
    const tw = w.line(c.label, lx + 11, w.y + 1, { size: 8 });
    lx += 11 + tw + 14;
  }
  w.y += 18;
  for (const f of frameworks) {
    const label = w.fit(f.name, labelW - 10, 'body', 8.5);
    w.line(label, PAGE.left + labelW - 8 - w.fonts.measure(label, 'body', 8.5), w.y + 4, { size: 8.5 });
    w.doc.rect(PAGE.left + labelW, w.y, barW, 15).fill('#f2f4f7');
    let x = PAGE.left + labelW;
    for (const c of f.counts) {
      if (c.count === 0 || f.total === 0) continue;
      const bw = (c.count / f.total) * barW;
      w.doc.rect(x, w.y, bw, 15).fill(STATUS_COLORS[c.status]);
      const t = String(c.count);
      const tw = w.fonts.measure(t, 'bold', 7.5);
      if (bw > tw + 4) w.line(t, x + bw / 2 - tw / 2, w.y + 3.5, { font: 'bold', size: 7.5, color: '#ffffff' });
      x += bw;
    }
    w.line(String(f.total), PAGE.left + labelW + barW + 5, w.y + 3.5, { size: 8, color: MUTED });
    w.y += rowH;
  }
  w.y += 6;
}

export function drawSummary(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.summary;
  startSection(w, s, pages);
  statusBars(w, s.frameworks);
  w.table(
    [
      { header: 'Framework', width: 2.6 },
      ...s.frameworks[0]!.counts.map((c) => ({ header: c.label, width: 1, align: 'right' as const })),
      { header: 'Accepted risks', width: 1.1, align: 'right' },
      { header: 'Controls', width: 1, align: 'right' },
    ],
    s.frameworks.map((f) => [
      { text: f.name, link: f.anchor },
      ...f.counts.map((c) => ({ text: String(c.count), color: STATUS_COLORS[c.status] })),
      String(f.acceptedRisks),
      String(f.total),
    ]),
    { size: 8 },
  );
  sub(w, 'Headline findings', { keep: 120 });
  const cols = 4;
  const gap = 6;
  const boxW = (CONTENT_WIDTH - gap * (cols - 1)) / cols;
  const boxH = 46;
  for (let i = 0; i < s.highlights.length; i += cols) {
    w.ensure(boxH + gap);
    s.highlights.slice(i, i + cols).forEach((h, j) => {
      const x = PAGE.left + j * (boxW + gap);
      w.doc.rect(x, w.y, boxW, boxH).lineWidth(0.5).stroke('#d0d7de');
      w.doc.rect(x, w.y, 4, boxH).fill(TONE_COLORS[h.tone]);
      w.line(h.value, x + 10, w.y + 5, { font: 'bold', size: 14 });
      w.wrap(h.label, boxW - 16, 'body', 7)
        .slice(0, 3)
        .forEach((l, k) => w.line(l, x + 10, w.y + 24 + k * 8.5, { size: 7, color: MUTED }));
      w.doc.goTo(x, w.y, boxW, boxH, h.anchor);
    });
    w.y += boxH + gap;
  }
  w.y += 4;
  sub(w, 'Top exceptions and gaps');
  note(w, `${s.findingsShown} of ${s.findingsTotal} open exceptions and gaps shown; exceptions first. The control matrix lists every control.`);
  w.table(
    [
      { header: 'Control', width: 1.3 },
      { header: 'Status', width: 1 },
      { header: 'Why', width: 5 },
    ],
    s.topFindings.map((f) => [
      { text: `${f.control}\n${f.frameworkName}`, link: f.anchor, boldFirst: true },
      { text: f.acceptedRisk ? `${f.statusLabel} (risk accepted: ${f.acceptedRisk})` : f.statusLabel, color: STATUS_COLORS[f.status], font: 'bold' },
      { text: `${f.title}\n${f.reason}`, boldFirst: true },
    ]),
    { size: 7.5, zebra: true },
  );
  sub(w, 'Accepted risks');
  if (s.acceptedRisks.length === 0) note(w, 'No accepted risks.');
  else
    w.table(
      [
        { header: 'Id', width: 1 },
        { header: 'Control', width: 1 },
        { header: 'Owner', width: 1.4 },
        { header: 'Approver', width: 1 },
        { header: 'Expires', width: 1.1 },
        { header: 'Rationale', width: 3.5 },
      ],
      s.acceptedRisks.map((r) => [
        r.id,
        `${r.framework ? `${r.framework} ` : ''}${r.control}`,
        r.owner,
        r.approver,
        r.expired ? toneText(`${r.expires} (expired)`, 'bad') : r.expires,
        r.rationale,
      ]),
      { size: 7.5 },
    );
}

// 2 Scope and method -----------------------------------------------------------------------------------------

export function drawScope(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.scope;
  startSection(w, s, pages);
  w.keyValues([
    { label: 'Period', value: s.period },
    { label: 'Accounts', value: s.accounts.join(', ') || 'all accounts in the evidence' },
    { label: 'Regions', value: s.regions.join(', ') || 'all regions in the evidence' },
    { label: 'Items outside scope', value: String(s.outOfScopeItems) },
  ]);
  sub(w, 'Method');
  for (const p of s.method) w.paragraph(p, { size: 8.5, gap: 5 });
  w.table(
    [
      { header: 'Status', width: 1 },
      { header: 'Meaning', width: 6 },
    ],
    s.statusDefinitions.map((d) => [{ text: d.label, badge: STATUS_COLORS[d.status] }, d.meaning]),
    { size: 7.5 },
  );
  sub(w, 'Collectors');
  w.table(
    [
      { header: 'Collector', width: 2.2 },
      { header: 'State', width: 1.1 },
      { header: 'Ran in', width: 1.8 },
      { header: 'Collected', width: 0.9, align: 'right' },
      { header: 'Errors', width: 0.7, align: 'right' },
      { header: 'N/A', width: 0.6, align: 'right' },
      { header: 'Observations', width: 1.9 },
    ],
    s.collectors.map((c) => [
      { text: `${c.id}\n${c.title}`, boldFirst: true },
      toneText(c.state, c.tone),
      c.ranIn.join('\n') || 'nowhere',
      String(c.items.collected),
      String(c.items.error),
      String(c.items.notApplicable),
      c.oldestObservation ? `${c.oldestObservation}\nto ${c.newestObservation ?? ''}` : 'none',
    ]),
    { size: 7 },
  );
  sub(w, 'Not collected: errors and not-applicable items');
  if (s.problems.length === 0) note(w, 'Every collector succeeded everywhere it ran.');
  else
    w.table(
      [
        { header: 'State', width: 1 },
        { header: 'Collector / kind', width: 1.6 },
        { header: 'Where', width: 1.4 },
        { header: 'Code', width: 1.4 },
        { header: 'Message', width: 3.6 },
        EV_COLUMN,
      ],
      rowsOf(s.problems, (p) => [
        toneText(p.stateLabel, p.state === 'error' ? 'bad' : 'neutral'),
        `${p.collector}\n${p.kind}`,
        p.location.label,
        p.code ?? '',
        p.message,
        evCell(p.evidence),
      ]),
      { size: 7, zebra: true },
    );
  sub(w, 'Inventories');
  w.table(
    [
      { header: 'Collector', width: 1 },
      { header: 'Where', width: 1.6 },
      { header: 'Resources counted', width: 4 },
      EV_COLUMN,
    ],
    s.inventories.map((r) => [r.collector, r.location.label, r.text, evCell(r.evidence)]),
    { size: 7, zebra: true },
  );
  sub(w, 'Evidence freshness');
  w.table(
    [
      { header: 'Collector', width: 1 },
      { header: 'Kind', width: 2 },
      { header: 'Items', width: 0.7, align: 'right' },
      { header: 'Oldest observation', width: 2 },
      { header: 'Newest observation', width: 2 },
    ],
    s.freshness.map((f) => [f.collector, f.kind, String(f.items), f.oldest, f.newest]),
    { size: 7, zebra: true },
  );
}

// 3 Control matrix -------------------------------------------------------------------------------------------

export function drawControls(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.controls;
  const parent = startSection(w, s, pages);
  s.frameworks.forEach((f, i) => {
    w.currentTitle = `${f.number}  ${f.name}`;
    if (i > 0 || w.y > PAGE.top + 200) w.newPage();
    pages.set(f.anchor, w.page);
    const fwItem = outlineItem(w, parent, `${f.number} ${f.name}`);
    w.anchor(f.anchor);
    sub(w, `${f.number}  ${f.name}`, { size: 14 });
    note(w, `Version ${f.version} · ${f.publisher} · catalog sha256 ${f.sha256}`);
    pills(w, [
      ...f.summary.counts.map((c) => ({ text: `${c.count} ${c.label}`, color: STATUS_COLORS[c.status] })),
      ...(f.summary.acceptedRisks ? [{ text: `${f.summary.acceptedRisks} accepted risk`, color: TONE_COLORS.info }] : []),
    ]);
    const rows = rowsOf(f.controls, (c) => {
      const details: string[] = [];
      if (c.acceptedRisk) details.push(`Accepted risk ${c.acceptedRisk.text}. ${c.acceptedRisk.rationale}`);
      for (const r of c.reasons) details.push(`• ${r}`);
      if (c.expectations.length) details.push(`Expectations: ${c.expectations.map((x) => `${x.title}: ${x.statusLabel}`).join(' · ')}`);
      if (c.manualRequest) details.push(`Requested from the auditee: ${c.manualRequest}`);
      if (c.evidence.length) details.push(`Evidence (${c.evidence.length}): ${c.evidence.map((e) => e.label).join(' ')}`);
      return [
        { text: `${c.control}\n${c.title}\nsection ${c.section} · automation ${c.automation}`, anchor: c.anchor, boldFirst: true },
        { text: c.statusLabel, badge: STATUS_COLORS[c.status] },
        details.join('\n') || ' ',
      ];
    });
    w.table(
      [
        { header: 'Control', width: 2.1 },
        { header: 'Status', width: 1.15 },
        { header: 'Reasons, expectations, requests and evidence', width: 6.2 },
      ],
      rows,
      {
        size: 7,
        rowFill: (k) => (f.controls[k]!.acceptedRisk ? '#eef3fb' : k % 2 === 1 ? '#f8f9fb' : null),
        // One bookmark per control, at the page where its row starts.
        onRowStart: (k) => void outlineItem(w, fwItem, `${f.controls[k]!.control} ${f.controls[k]!.title}`),
      },
    );
  });
}

// 4 CloudTrail -----------------------------------------------------------------------------------------------

export function drawCloudTrail(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.cloudtrail;
  startSection(w, s, pages);
  sub(w, 'Trails');
  if (s.trails.length === 0) note(w, 'No CloudTrail trail was observed.');
  for (const t of s.trails) {
    w.ensure(120);
    w.paragraph(`${t.name} — ${t.location.label}${t.stale ? ' (stale)' : ''} — evidence ${t.evidence.label}`, { font: 'bold', size: 9, gap: 2 });
    if (t.arn) w.paragraph(t.arn, { font: 'mono', size: 7, color: MUTED, gap: 3 });
    w.keyValues(
      t.settings.map((x) => ({ label: x.label, value: x.value, color: x.tone === 'neutral' ? undefined : TONE_COLORS[x.tone] })),
      { labelWidth: 110, size: 8 },
    );
  }
  sub(w, 'Activity in the period');
  note(w, `${s.activity.days} account-region-days of CloudTrail logs: ${s.activity.totalEvents} events, ${s.activity.errorEvents} failed calls, ${s.activity.aiCalls} calls to AI services.`);
  w.table(
    [
      { header: 'Where', width: 2 },
      { header: 'Days', width: 1, align: 'right' },
      { header: 'Events', width: 1, align: 'right' },
      { header: 'AI-service calls', width: 1.2, align: 'right' },
    ],
    s.activity.byLocation.map((l) => [l.location.label, String(l.days), String(l.totalEvents), String(l.aiCalls)]),
    { size: 7.5 },
  );
  sub(w, 'AI-service activity by principal and operation');
  if (s.aiActivity.length === 0) note(w, 'No AI-service calls in the period.');
  else
    w.table(
      [
        { header: 'Principal', width: 3.6 },
        { header: 'Service', width: 1.8 },
        { header: 'Operation', width: 1.6 },
        { header: 'Calls', width: 0.7, align: 'right' },
        { header: 'Where', width: 1.6 },
      ],
      rowsOf(s.aiActivity, (a) => [a.principal, a.eventSource, a.operation, String(a.calls), a.locations]),
      { size: 7, zebra: true },
    );
  sub(w, 'Sensitive changes in the period');
  if (s.sensitiveChanges.length === 0) note(w, 'No sensitive change in the period.');
  else
    w.table(
      [
        { header: 'Time / where', width: 1.7 },
        { header: 'Category', width: 1.1 },
        { header: 'Call', width: 2 },
        { header: 'Principal', width: 2.3 },
        { header: 'Target', width: 1.6 },
        { header: 'Outcome', width: 1.6 },
        EV_COLUMN,
      ],
      rowsOf(s.sensitiveChanges, (c) => [
        `${c.time}\n${c.location.label}`,
        c.categoriesText,
        `${c.eventSource}\n${c.eventName}`,
        `${c.principal}${c.sourceIp ? `\nfrom ${c.sourceIp}` : ''}`,
        c.target ?? '',
        c.failed ? { text: `FAILED ATTEMPT\n${c.outcome}`, color: TONE_COLORS.bad } : c.outcome,
        evCell(c.evidence),
      ]),
      { size: 7, rowFill: (k) => (s.sensitiveChanges[k]!.failed ? '#fff1f1' : null) },
    );
}

// 5 AWS Config -----------------------------------------------------------------------------------------------

export function drawConfig(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.config;
  startSection(w, s, pages);
  sub(w, 'Configuration recorders');
  w.table(
    [
      { header: 'Where', width: 1.6 },
      { header: 'Recorder', width: 1 },
      { header: 'State', width: 0.9 },
      { header: 'Last status', width: 1 },
      { header: 'Coverage', width: 1.8 },
      EV_COLUMN,
    ],
    s.recorders.map((r) => [r.location.label, r.name, badge(r.recordingText, r.tone), r.lastStatus, r.coverage, evCell(r.evidence)]),
    { size: 7.5 },
  );
  sub(w, 'Rules');
  if (s.ruleCounts.length) pills(w, s.ruleCounts.map((c) => ({ text: `${c.count} ${c.compliance}`, color: TONE_COLORS[c.tone] })));
  else note(w, 'No Config rule evaluations were observed.');
  if (s.rules.length)
    w.table(
      [
        { header: 'Rule', width: 4 },
        { header: 'Where', width: 1.6 },
        { header: 'Compliance', width: 1.5 },
        { header: 'Non-compliant', width: 1, align: 'right' },
        EV_COLUMN,
      ],
      rowsOf(s.rules, (r) => [
        `${r.ruleName}${r.sourceIdentifier ? `\n${r.sourceIdentifier}` : ''}${r.description ? `\n${r.description}` : ''}`,
        r.location.label,
        badge(r.compliance, r.tone),
        r.nonCompliantResources,
        evCell(r.evidence),
      ]),
      { size: 7, zebra: true },
    );
  sub(w, 'Conformance packs');
  if (s.conformancePacks.length === 0) note(w, 'No conformance pack was observed.');
  for (const p of s.conformancePacks) {
    w.paragraph(`${p.packName} — ${p.location.label}: ${p.compliant} compliant, ${p.nonCompliant} non-compliant, ${p.other} other (evidence ${p.evidence.label})`, { font: 'bold', size: 8.5, gap: 3 });
    w.table(
      [
        { header: 'Rule', width: 3 },
        { header: 'Compliance', width: 1.4 },
        { header: 'Controls', width: 2.5 },
      ],
      p.rules.map((r) => [r.ruleName, badge(r.compliance, r.tone), r.controls]),
      { size: 7 },
    );
  }
  sub(w, 'Non-compliant resources');
  if (s.nonCompliantResources.length === 0) note(w, 'No non-compliant resource was reported.');
  else
    w.table(
      [
        { header: 'Rule', width: 2.2 },
        { header: 'Where', width: 1.4 },
        { header: 'Resource', width: 2.2 },
        { header: 'Annotation', width: 2 },
        { header: 'Recorded', width: 1.5 },
        EV_COLUMN,
      ],
      rowsOf(s.nonCompliantResources, (r) => [r.ruleName, r.location.label, `${r.resourceType}\n${r.resourceId}`, r.annotation ?? '', r.recorded ?? '', evCell(r.evidence)]),
      { size: 7, zebra: true },
    );
}

// 6 AI system inventory --------------------------------------------------------------------------------------

export function drawInventory(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.inventory;
  startSection(w, s, pages);
  w.table(
    [
      { header: 'Where', width: 2 },
      { header: 'SageMaker models', width: 1, align: 'right' },
      { header: 'Endpoints', width: 1, align: 'right' },
      { header: 'Model packages', width: 1, align: 'right' },
      { header: 'Model cards', width: 1, align: 'right' },
      { header: 'Bedrock models', width: 1, align: 'right' },
      { header: 'Guardrails', width: 1, align: 'right' },
    ],
    s.byLocation.map((l) => [l.location.label, String(l.models), String(l.endpoints), String(l.modelPackages), String(l.modelCards), String(l.bedrockModels), String(l.guardrails)]),
    { size: 7.5 },
  );
  sub(w, 'Models');
  if (s.models.length === 0) note(w, 'No model was found.');
  else
    w.table(
      [
        { header: 'Model', width: 2.6 },
        { header: 'Platform', width: 1 },
        { header: 'Where', width: 1.6 },
        { header: 'Detail', width: 2.4 },
      ],
      s.models.map((x) => [x.name, x.platform, x.location.label, x.detail]),
      { size: 7, zebra: true },
    );
  sub(w, 'Endpoints');
  if (s.endpoints.length === 0) note(w, 'No SageMaker endpoint was found.');
  else
    w.table(
      [
        { header: 'Endpoint', width: 1.5 },
        { header: 'Where', width: 1.4 },
        { header: 'Status', width: 0.9 },
        { header: 'Encryption', width: 2 },
        { header: 'Data capture', width: 0.9 },
        { header: 'Models / packages', width: 1.8 },
        EV_COLUMN,
      ],
      s.endpoints.map((e) => [e.name, e.location.label, e.status, e.encryption, e.dataCapture, `${e.models}\n${e.packages}`, evCell(e.evidence)]),
      { size: 7, zebra: true },
    );
  sub(w, 'Model packages');
  if (s.modelPackages.length === 0) note(w, 'No model package was found.');
  else
    w.table(
      [
        { header: 'Package', width: 2.2 },
        { header: 'Where', width: 1.3 },
        { header: 'Approval', width: 1.4 },
        { header: 'Approved by', width: 2 },
        { header: 'Created', width: 1.3 },
        { header: 'Model card', width: 1.1 },
        { header: 'Bias reports', width: 0.7, align: 'right' },
        EV_COLUMN,
      ],
      s.modelPackages.map((p) => [`${p.name}\n${p.arn}`, p.location.label, badge(p.approvalStatus, p.tone), p.approvedBy, p.created, p.modelCard, String(p.biasReports), evCell(p.evidence)]),
      { size: 6.8, zebra: true },
    );
  sub(w, 'Model cards');
  if (s.modelCards.length === 0) note(w, 'No model card was found.');
  else
    w.table(
      [
        { header: 'Card', width: 2 },
        { header: 'Where', width: 1.4 },
        { header: 'Status', width: 1.1 },
        { header: 'Risk rating', width: 1 },
        { header: 'Model', width: 1.8 },
        EV_COLUMN,
      ],
      s.modelCards.map((c) => [{ text: c.name, link: c.anchor }, c.location.label, c.status, c.riskRating, c.model, evCell(c.evidence)]),
      { size: 7, zebra: true },
    );
  sub(w, 'Guardrails');
  if (s.guardrails.length === 0) note(w, 'No Bedrock guardrail was found.');
  else
    w.table(
      [
        { header: 'Guardrail', width: 1.4 },
        { header: 'Where', width: 1.3 },
        { header: 'Version / status', width: 1.1 },
        { header: 'PII entities', width: 2.2 },
        { header: 'Content filters', width: 1.8 },
        { header: 'Regexes', width: 0.7, align: 'right' },
        { header: 'Encryption', width: 1.2 },
        EV_COLUMN,
      ],
      s.guardrails.map((g) => [`${g.name}\n${g.id}`, g.location.label, `${g.version} · ${g.status}`, g.piiEntities, g.contentFilters, String(g.regexCount), g.encryption, evCell(g.evidence)]),
      { size: 6.8, zebra: true },
    );
}

// 7 Model cards ----------------------------------------------------------------------------------------------

export function drawModelCards(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.modelCards;
  startSection(w, s, pages);
  if (s.cards.length === 0) note(w, 'No SageMaker model card was found.');
  for (const c of s.cards) {
    w.ensure(160);
    w.anchor(c.anchor);
    sub(w, `${c.name} — ${c.location.label} · version ${c.version}`);
    pills(w, [
      { text: `status ${c.status}`, color: TONE_COLORS[c.statusTone] },
      { text: `risk ${c.riskRating}`, color: TONE_COLORS[c.riskTone] },
    ]);
    if (c.arn) w.paragraph(c.arn, { font: 'mono', size: 7, color: MUTED, gap: 4 });
    w.keyValues(
      [
        { label: 'Model', value: c.model },
        c.approval
          ? {
              label: 'Approval',
              value: `${c.approval.status} by ${c.approval.approvedBy}${c.approval.description ? ` — ${c.approval.description}` : ''}\n${c.approval.packageArn}`,
              color: TONE_COLORS[c.approval.tone],
            }
          : { label: 'Approval', value: 'no registered model package links to this card', color: TONE_COLORS.warn },
        ...c.fields.map((f) => ({ label: f.label, value: f.value, color: f.missing ? TONE_COLORS.warn : undefined })),
        { label: 'Last modified', value: c.lastModified },
        { label: 'Evidence', value: c.evidence.id },
      ],
      { labelWidth: 130, size: 8 },
    );
    if (c.evaluationMetrics.length)
      w.table(
        [
          { header: 'Evaluation', width: 2 },
          { header: 'Group', width: 2 },
          { header: 'Metric', width: 1.5 },
          { header: 'Value', width: 1, align: 'right' },
        ],
        c.evaluationMetrics.map((x) => [x.evaluation, x.group, x.name, x.value]),
        { size: 7 },
      );
    else note(w, 'No evaluation metrics in the card.');
    if (c.schemaErrors.length) {
      w.paragraph('Schema errors', { font: 'bold', size: 8.5, color: TONE_COLORS.bad, gap: 2 });
      for (const e of c.schemaErrors) w.paragraph(`• ${e}`, { size: 7.5, font: 'mono', gap: 1 });
      w.y += 4;
    }
    w.y += 8;
  }
}

// 8 Fairness -------------------------------------------------------------------------------------------------

export function drawFairness(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.fairness;
  startSection(w, s, pages);
  if (s.reports.length === 0) note(w, 'No bias report (Clarify or computed) was found.');
  for (const r of s.reports) {
    w.ensure(100);
    w.anchor(r.anchor);
    sub(w, `Model ${r.subject} — ${r.location.label}`);
    note(w, `${r.originLabel} · label ${r.label} · ${r.text} · observed ${r.observedAt} · evidence ${r.evidence.label}`);
    w.table(
      [
        { header: 'Stage', width: 1.1 },
        { header: 'Facet', width: 2.2 },
        { header: 'Metric', width: 0.8 },
        { header: 'Value', width: 1, align: 'right' },
        { header: 'Threshold', width: 2 },
        { header: 'Verdict', width: 2.2 },
      ],
      r.metrics.map((x) => [
        x.stage,
        x.facet,
        { text: x.name, font: 'bold' },
        x.value,
        `${x.threshold} (${x.thresholdSource})`,
        { text: x.note ? `${x.verdictLabel}\n${x.note}` : x.verdictLabel, badge: TONE_COLORS[x.tone], color: MUTED },
      ]),
      { size: 7.5, zebra: true },
    );
  }
  sub(w, 'Approved models without a bias report');
  if (s.modelsWithoutReport.length === 0) note(w, 'Every approved model has a bias report.');
  else
    w.table(
      [
        { header: 'Model', width: 2 },
        { header: 'Where', width: 2 },
        EV_COLUMN,
      ],
      s.modelsWithoutReport.map((x) => [x.name, x.location.label, evCell(x.evidence)]),
      { size: 7.5 },
    );
  sub(w, 'Thresholds');
  w.table(
    [
      { header: 'Metric', width: 1 },
      { header: 'Applies to', width: 2 },
      { header: 'Acceptance band', width: 2 },
    ],
    s.thresholds.map((t) => [t.metric, t.scope, t.band]),
    { size: 7, zebra: true },
  );
}

// 9 Lineage --------------------------------------------------------------------------------------------------

/** Diagram geometry: at least six columns across the page, narrower when the lineage has more layers. */
function geometry(g: LineageGraph): { colW: number; boxW: number; boxH: number; rowH: number } {
  const colW = CONTENT_WIDTH / Math.max(6, g.columns);
  return { colW, boxW: colW - Math.min(12, colW * 0.14), boxH: 36, rowH: 46 };
}

function arrowHead(w: PdfWriter, x: number, y: number, angle: number): void {
  const s = 4.5;
  const a1 = angle + Math.PI * 0.85;
  const a2 = angle - Math.PI * 0.85;
  w.doc
    .polygon([x, y], [x + s * Math.cos(a1), y + s * Math.sin(a1)], [x + s * Math.cos(a2), y + s * Math.sin(a2)])
    .fill(MUTED);
}

function lineageDiagram(w: PdfWriter, g: LineageGraph): void {
  const geo = geometry(g);
  const height = g.rows * geo.rowH + 6;
  w.ensure(height + 6);
  const top = w.y;
  const pos = new Map<string, { x: number; y: number; col: number }>();
  for (const n of g.nodes) pos.set(n.key, { x: PAGE.left + n.col * geo.colW, y: top + n.row * geo.rowH, col: n.col });
  const doc = w.doc;
  for (const e of g.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    doc.save();
    doc.lineWidth(0.8).strokeColor(MUTED);
    if (e.missing) doc.dash(3, { space: 2 });
    if (b.col - a.col === 1) {
      const x1 = a.x + geo.boxW;
      const y1 = a.y + geo.boxH / 2;
      const x2 = b.x - 1;
      const y2 = b.y + geo.boxH / 2;
      const dx = (x2 - x1) / 2;
      doc.moveTo(x1, y1).bezierCurveTo(x1 + dx, y1, x2 - dx, y2, x2, y2).stroke();
      doc.restore();
      arrowHead(w, x2, y2, 0);
    } else {
      const x1 = a.x + geo.boxW * 0.7;
      const y1 = a.y + geo.boxH;
      const x2 = b.x + geo.boxW * 0.3;
      const y2 = b.y + geo.boxH + 1;
      const low = Math.max(y1, y2) + (geo.rowH - geo.boxH) * 0.8;
      doc.moveTo(x1, y1).bezierCurveTo(x1, low, x2, low, x2, y2).stroke();
      doc.restore();
      arrowHead(w, x2, y2, -Math.PI / 2);
    }
  }
  for (const n of g.nodes) {
    const p = pos.get(n.key)!;
    doc.save();
    doc.lineWidth(n.missing ? 0.9 : 0.6);
    if (n.missing) doc.dash(3, { space: 2 });
    doc.roundedRect(p.x, p.y, geo.boxW, geo.boxH, 4).fillAndStroke(n.missing ? '#fff5f5' : (LINEAGE_FILLS[n.type] ?? '#f5f5f5'), n.missing ? TONE_COLORS.bad : '#8a96a3');
    doc.restore();
    const inner = geo.boxW - 8;
    w.line(w.fit(n.type, inner, 'body', 5.5), p.x + 4, p.y + 4, { size: 5.5, color: n.missing ? TONE_COLORS.bad : MUTED });
    // The label on up to two lines.
    const label = w.wrap(n.label, inner, 'bold', 6.5);
    const shown = label.length > 2 ? [label[0]!, w.fit(label.slice(1).join(''), inner, 'bold', 6.5)] : label;
    shown.forEach((l, k) => w.line(l, p.x + 4, p.y + 14 + k * 8.5, { font: 'bold', size: 6.5, color: n.missing ? TONE_COLORS.bad : '#1f2933' }));
  }
  w.y = top + height + 4;
}

export function drawLineage(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.lineage;
  startSection(w, s, pages);
  if (s.graphs.length === 0) note(w, 'No SageMaker endpoint or lineage was found.');
  for (const g of s.graphs) {
    w.ensure(g.rows * geometry(g).rowH + 90);
    w.anchor(g.anchor);
    sub(w, `${g.title} — ${g.location.label}`);
    pills(w, [{ text: g.verdict, color: TONE_COLORS[g.tone] }]);
    w.paragraph(`start ${g.startArn}${g.evidence ? ` · evidence ${g.evidence.label}` : ''}`, { font: 'mono', size: 6.8, color: MUTED, gap: 6 });
    lineageDiagram(w, g);
    for (const x of g.missing) w.paragraph(`• ${x}`, { size: 8, color: TONE_COLORS.bad, gap: 1 });
    w.y += 4;
    if (g.datasets.length)
      w.table(
        [
          { header: 'Dataset', width: 2 },
          { header: 'Location', width: 2 },
          { header: 'SHA-256', width: 2 },
        ],
        g.datasets.map((d) => [d.arn, d.uri, { text: d.sha256, font: 'mono' }]),
        { size: 6.8 },
      );
    w.y += 6;
  }
}

// 10 Invocation logs -----------------------------------------------------------------------------------------

export function drawInvocations(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.invocations;
  startSection(w, s, pages);
  const t = s.totals;
  w.keyValues([
    { label: 'Logged invocations', value: `${t.records} over ${t.days} account-region-days (${t.errors} failed)` },
    { label: 'Tokens', value: `${t.inputTokens} input, ${t.outputTokens} output` },
    { label: 'Guardrail interventions', value: String(t.guardrailInterventions) },
    { label: 'PII detections', value: `${t.piiDetections} (${t.piiUnguardedRecords} records carried PII with no guardrail action)` },
  ]);
  sub(w, 'Logging coverage per region');
  if (s.coverage.length === 0) note(w, 'No Bedrock logging configuration, invocation log or Bedrock CloudTrail activity was found.');
  else
    w.table(
      [
        { header: 'Where', width: 1.5 },
        { header: 'Logging', width: 1 },
        { header: 'Destinations', width: 2.2 },
        { header: 'Logged records', width: 0.9, align: 'right' },
        { header: 'CloudTrail invocations', width: 1, align: 'right' },
        { header: 'Verdict', width: 2.2 },
        EV_COLUMN,
      ],
      s.coverage.map((c) => [
        c.location.label,
        c.logging,
        c.destinations,
        String(c.loggedRecords),
        String(c.cloudTrailInvocations),
        toneText(c.verdict, c.tone),
        c.evidence.length === 1 ? evCell(c.evidence[0]!) : { text: c.evidence.map((e) => e.label).join('\n'), font: 'mono' },
      ]),
      { size: 7, zebra: true },
    );
  sub(w, 'Coverage per model');
  if (s.byModel.length === 0) note(w, 'No logged invocations.');
  else
    w.table(
      [
        { header: 'Where', width: 1.5 },
        { header: 'Model', width: 3 },
        { header: 'Invocations', width: 1, align: 'right' },
        { header: 'Input tokens', width: 1, align: 'right' },
        { header: 'Output tokens', width: 1, align: 'right' },
        { header: 'Logging now', width: 1.1 },
      ],
      s.byModel.map((x) => [x.location.label, x.modelId, String(x.invocations), String(x.inputTokens), String(x.outputTokens), x.logged]),
      { size: 7, zebra: true },
    );
  sub(w, 'Volumes by identity and model');
  if (s.usage.length === 0) note(w, 'No logged invocations.');
  else
    w.table(
      [
        { header: 'Identity', width: 3 },
        { header: 'Model', width: 2.5 },
        { header: 'Operation', width: 1.2 },
        { header: 'Invocations', width: 0.9, align: 'right' },
        { header: 'Input tokens', width: 0.9, align: 'right' },
        { header: 'Output tokens', width: 0.9, align: 'right' },
      ],
      rowsOf(s.usage, (u) => [u.identity, u.modelId, u.operation, String(u.invocations), String(u.inputTokens), String(u.outputTokens)]),
      { size: 7, zebra: true },
    );
  sub(w, 'Guardrail interventions');
  w.table(
    [
      { header: 'Where', width: 2 },
      { header: 'Interventions', width: 1, align: 'right' },
      { header: 'Records with unguarded PII', width: 1.4, align: 'right' },
    ],
    s.guardrails.map((g) => [g.location.label, String(g.interventions), String(g.piiUnguardedRecords)]),
    { size: 7.5 },
  );
  sub(w, 'Personal data detected, by entity type');
  if (s.pii.length === 0) note(w, 'No personal data detected.');
  else
    w.table(
      [
        { header: 'Entity type', width: 2 },
        { header: 'Detections', width: 1, align: 'right' },
      ],
      s.pii.map((p) => [p.entityType, String(p.count)]),
      { size: 7.5 },
    );
  sub(w, 'Sample records (redacted)');
  note(
    w,
    `${s.samples.length} of ${s.samplesAvailable} sample records kept in the evidence, readable ones first. Detected personal data is replaced by its type; the text of records a guardrail acted on, or of days on which a guardrail matched personal data, is withheld.`,
  );
  if (s.samples.length === 0) note(w, 'No sample records.');
  for (const x of s.samples) {
    w.ensure(70);
    w.paragraph(`${x.time} · ${x.location.label} · ${x.modelId} · ${x.operation} · guardrail ${x.guardrailAction} · request ${x.requestId} · evidence ${x.evidence.label}`, {
      font: 'bold',
      size: 7.5,
      gap: 1,
    });
    w.paragraph(x.identity, { font: 'mono', size: 6.8, color: MUTED, gap: 2 });
    w.keyValues(
      [
        { label: 'Prompt', value: x.input },
        { label: 'Completion', value: x.output },
      ],
      { labelWidth: 70, size: 7.5 },
    );
  }
}

// 11 Inherited controls --------------------------------------------------------------------------------------

export function drawInherited(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.inherited;
  startSection(w, s, pages);
  if (s.reports.length === 0) note(w, 'No AWS Artifact report was collected.');
  else
    w.table(
      [
        { header: 'Report', width: 2.6 },
        { header: 'Series', width: 0.8 },
        { header: 'Period', width: 1.3 },
        { header: 'Version / state', width: 1.1 },
        { header: 'Document SHA-256', width: 2.6 },
        EV_COLUMN,
      ],
      s.reports.map((r) => [`${r.name}\n${r.category} · ${r.reportId}`, r.series, r.period, `${r.version} · ${r.state}`, { text: r.documentSha256, font: 'mono' }, evCell(r.evidence)]),
      { size: 7, zebra: true },
    );
}

// 12 Evidence index ------------------------------------------------------------------------------------------

export function drawEvidence(w: PdfWriter, m: ReportModel, pages: PageMap): void {
  const s = m.evidence;
  startSection(w, s, pages);
  w.table(
    [
      { header: 'Kind', width: 2.2 },
      { header: 'Collected', width: 1, align: 'right' },
      { header: 'Errors', width: 1, align: 'right' },
      { header: 'N/A', width: 1, align: 'right' },
    ],
    s.byKind.map((k) => [k.kind, String(k.collected), String(k.error), String(k.notApplicable)]),
    { size: 7, zebra: true },
  );
  w.table(
    [
      { header: 'Item', width: 1.45 },
      { header: 'Item id / SHA-256 of the content / of the raw payload', width: 3.45, font: 'mono' },
      { header: 'Source, provenance, times', width: 2.2 },
    ],
    rowsOf(s.items, (it) => [
      {
        text: `${it.kind}\n${it.location.label}${it.resource ? `\n${it.resource}` : ''}\n${it.statusText}`,
        anchor: it.anchor,
        boldFirst: true,
        color: it.status === 'collected' ? undefined : TONE_COLORS[it.tone],
      },
      { text: `${it.id}\n${it.contentSha256 ?? 'no content'}${it.rawSha256 ? `\n${it.rawSha256}\n(raw payload${it.rawSensitive ? ', sensitive: kept in the store only' : ''})` : ''}`, font: 'mono' },
      `${it.sources.join('\n')}\n${it.provenance}\nobserved ${it.observed}\ncollected ${it.collectedAt}`,
    ]),
    { size: 5.8, zebra: true },
  );
}
