import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { ReportModel } from '../model/types.js';
import { evidenceRowsHtml } from './evidence-rows.js';
import { lineageSvg, statusBarsSvg } from './svg.js';

export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../templates');

/** The root template; every other `*.hbs` in the templates directory is a partial named after its file. */
const ROOT = 'pack';

export type HtmlRenderer = (model: ReportModel) => string;

/**
 * Compiles the templates once into a private Handlebars instance and returns the renderer.
 *
 * Safety: evidence text only ever reaches the output HTML-escaped, through `{{ }}` or `escapeExpression`.
 * Templates are compiled from the files in `templates/` only, never from data, so evidence text such as
 * `{{constructor}}` is printed, not run. Compilation is strict (a misspelt field fails instead of printing nothing)
 * and allows only the built-in helpers. The only raw (`{{{ }}}`) output is SVG this module builds from numbers and
 * XML-escaped text, and the evidence index rows (`evidenceRowsHtml`: the template's row markup built in TypeScript,
 * every value through Handlebars' own `escapeExpression`), which are most of the document and too slow through the
 * strict runtime.
 */
export function createHtmlRenderer(templatesDir: string = TEMPLATES_DIR): HtmlRenderer {
  const hb = Handlebars.create();
  const options: CompileOptions = { strict: true, knownHelpersOnly: true, preventIndent: true, noEscape: false };
  const files = readdirSync(templatesDir)
    .filter((f) => f.endsWith('.hbs'))
    .sort();
  let root: HandlebarsTemplateDelegate | undefined;
  for (const f of files) {
    const name = f.slice(0, -'.hbs'.length);
    const source = readFileSync(path.join(templatesDir, f), 'utf8');
    if (name === ROOT) root = hb.compile(source, options);
    else hb.registerPartial(name, hb.compile(source, options));
  }
  if (!root) throw new Error(`templates directory ${templatesDir} has no ${ROOT}.hbs`);
  const template = root;
  return (model: ReportModel): string => {
    const view = {
      ...model,
      summary: { ...model.summary, statusChartSvg: statusBarsSvg(model.summary.frameworks) },
      lineage: { ...model.lineage, graphs: model.lineage.graphs.map((g) => ({ ...g, svg: lineageSvg(g) })) },
      evidence: { ...model.evidence, itemsHtml: evidenceRowsHtml(model.evidence.items) },
    };
    return template(view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  };
}

let defaultRenderer: HtmlRenderer | undefined;

/** Renders the pack as one self-contained HTML document (inline CSS and SVG, no external requests, no scripts). */
export function renderHtml(model: ReportModel): string {
  defaultRenderer ??= createHtmlRenderer();
  return defaultRenderer(model);
}
