import Handlebars from 'handlebars';
import type { EvidenceIndexRow } from '../model/types.js';

const e = Handlebars.Utils.escapeExpression;

/**
 * The rows of the evidence index (`templates/evidence.hbs`), built here instead of by a Handlebars `#each`: the
 * index is most of the document (one row per evidence item, tens of thousands in a large pack), and the strict,
 * prototype-safe Handlebars runtime costs more than twice a plain string builder per row (a checked lookup per
 * field, a data frame per row).
 *
 * The markup is exactly what the template printed for each row (`<tr …>…</tr>` and a newline; the tests compare
 * both), and every value is printed through Handlebars' own `escapeExpression`, as `{{ }}` did: evidence text
 * never reaches the output unescaped. Conditions follow Handlebars' `#if` (JavaScript truthiness for these
 * string, boolean and null fields). The result is raw HTML for `{{{itemsHtml}}}` in the template.
 */
export function evidenceRowsHtml(items: readonly EvidenceIndexRow[]): string {
  let out = '';
  for (const it of items) {
    out += `<tr id="${e(it.anchor)}"><td><span class="mono small wrap">${e(it.id)}</span><br><strong class="small">${e(it.kind)}</strong> <span class="small">${e(it.location.label)}</span>`;
    if (it.resource) out += `<br><span class="mono small wrap muted">${e(it.resource)}</span>`;
    out += `</td><td class="mono small wrap">${it.contentSha256 ? e(it.contentSha256) : 'no content'}`;
    if (it.rawSha256) out += `<br>raw ${e(it.rawSha256)}${it.rawSensitive ? ' (sensitive, kept in the store)' : ''}`;
    out += '</td><td class="small wrap">';
    for (const s of it.sources) out += `${e(s)}<br>`;
    out += `<span class="muted">${e(it.provenance)}</span></td><td class="small">${e(it.observed)}<br><span class="muted">collected ${e(it.collectedAt)}</span></td><td class="small"><span class="badge tone-${e(it.tone)}">${e(it.status)}</span>`;
    out += it.contentSha256 ? '</td></tr>\n' : `<br>${e(it.statusText)}</td></tr>\n`;
  }
  return out;
}
