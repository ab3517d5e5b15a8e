import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, it } from 'vitest';
import { evidenceRowsHtml } from '../../src/reports/html/evidence-rows.js';
import { createHtmlRenderer, renderHtml, TEMPLATES_DIR } from '../../src/reports/html/render.js';
import { buildReportModel, type ReportModel } from '../../src/reports/model/index.js';
import type { EvidenceIndexRow } from '../../src/reports/model/types.js';
import { HOSTILE, estateAssessment, estateEvidence, reportOptions } from '../fixtures/reports/estate.js';

/**
 * The evidence index rows as `templates/evidence.hbs` rendered them with `#each` before `evidenceRowsHtml` took
 * over (kept here verbatim, with the newline the standalone block lines left): the reference the function must
 * match byte for byte.
 */
const ROWS_TEMPLATE = `{{#each items}}
<tr id="{{anchor}}"><td><span class="mono small wrap">{{id}}</span><br><strong class="small">{{kind}}</strong> <span class="small">{{location.label}}</span>{{#if resource}}<br><span class="mono small wrap muted">{{resource}}</span>{{/if}}</td><td class="mono small wrap">{{#if contentSha256}}{{contentSha256}}{{else}}no content{{/if}}{{#if rawSha256}}<br>raw {{rawSha256}}{{#if rawSensitive}} (sensitive, kept in the store){{/if}}{{/if}}</td><td class="small wrap">{{#each sources}}{{this}}<br>{{/each}}<span class="muted">{{provenance}}</span></td><td class="small">{{observed}}<br><span class="muted">collected {{collectedAt}}</span></td><td class="small"><span class="badge tone-{{tone}}">{{status}}</span>{{#unless contentSha256}}<br>{{statusText}}{{/unless}}</td></tr>
{{/each}}
`;

const OPTIONS: CompileOptions = { strict: true, knownHelpersOnly: true, preventIndent: true, noEscape: false };
const RUNTIME = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
const viaTemplate = Handlebars.create().compile<{ items: readonly EvidenceIndexRow[] }>(ROWS_TEMPLATE, OPTIONS);

function modelOf(hostile: boolean): ReportModel {
  const ev = estateEvidence({ hostile });
  return buildReportModel(estateAssessment(ev, { hostile }), ev, reportOptions());
}

const model = modelOf(false);
const hostile = modelOf(true);

const BIDI = '\u202eevil\u202c \u2066isolate\u2069 \u200f\u200e\u061c';
const NASTY = [
  ...Object.values(HOSTILE),
  '"double" \'single\' `back` a=b',
  'AT&T &amp; &lt;already&gt; &#x27; &',
  BIDI,
  '</td></tr></tbody></table><script>alert(1)</script>',
  '" onmouseover="alert(1)',
  '',
  ' ',
  '0',
  'ñ 客户 ✓ \u0000 \t\n line',
];

/** Rows that exercise every branch (null and empty fields, sensitive raw without raw, no or many sources) with hostile text everywhere. */
function trickyRows(): EvidenceIndexRow[] {
  const base = model.evidence.items[0]!;
  const rows: EvidenceIndexRow[] = [];
  NASTY.forEach((t, i) => {
    const other = NASTY[(i + 3) % NASTY.length]!;
    rows.push({
      ...base,
      id: t,
      anchor: `ev-${t}`,
      kind: other,
      location: { ...base.location, label: t },
      resource: i % 3 === 0 ? null : t,
      contentSha256: i % 2 === 0 ? null : t,
      rawSha256: i % 4 < 2 ? other : null,
      rawSensitive: i % 3 !== 1,
      sources: i % 5 === 0 ? [] : i % 5 === 1 ? [t] : [t, other, ''],
      provenance: t,
      observed: other,
      collectedAt: t,
      status: (['collected', 'error', 'not_applicable'] as const)[i % 3]!,
      statusText: t,
      // Not a Tone: the field is printed escaped all the same.
      tone: other as EvidenceIndexRow['tone'],
    });
  });
  return rows;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-rows-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The templates as they were: evidence.hbs with the `#each` rows instead of `{{{itemsHtml}}}`. */
function templatesWithEachRows(): string {
  const dir = path.join(tmp, 'templates');
  cpSync(TEMPLATES_DIR, dir, { recursive: true });
  const file = path.join(dir, 'evidence.hbs');
  const src = readFileSync(file, 'utf8');
  expect(src).toContain('<tbody>\n{{{itemsHtml}}}</tbody>');
  writeFileSync(file, src.replace('{{{itemsHtml}}}', ROWS_TEMPLATE));
  return dir;
}

describe('evidenceRowsHtml', () => {
  it('is what the Handlebars #each printed, for the estate, the hostile estate and rows full of tricky values', () => {
    for (const items of [model.evidence.items, hostile.evidence.items, trickyRows(), []]) {
      expect(evidenceRowsHtml(items)).toBe(viaTemplate({ items }, RUNTIME));
    }
  });

  it('escapes every interpolated value', () => {
    const out = evidenceRowsHtml(trickyRows());
    expect(out).not.toMatch(/<script/i);
    expect(out).not.toContain('" onmouseover');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&quot;double&quot; &#x27;single&#x27; &#x60;back&#x60; a&#x3D;b');
    expect(out).toContain('AT&amp;T &amp;amp; &amp;lt;already&amp;gt; &amp;#x27; &amp;');
    expect(out).toContain('{{constructor}}');
    // Bidi controls are text (the report model's display rules decide about them), printed as they are either way.
    expect(out).toContain(BIDI);
    // Only the markup of the row itself: one row per item, no tags but the template's.
    expect(out.match(/<tr /g)).toHaveLength(NASTY.length);
    const tags = new Set([...out.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['br', 'span', 'strong', 'td', 'tr']);
  });

  it('makes the whole pack byte-identical to the all-Handlebars templates', () => {
    const before = createHtmlRenderer(templatesWithEachRows());
    const tricky = { ...hostile, evidence: { ...hostile.evidence, items: trickyRows() } };
    for (const m of [model, hostile, tricky]) expect(renderHtml(m)).toBe(before(m));
  });
});
