/** Thin wrappers over poppler-utils and qpdf (Debian packages in .ci/run), for checking rendered PDFs. */
import { execFileSync, spawnSync } from 'node:child_process';

export function pdfText(file: string, opts: { first?: number; last?: number; layout?: boolean } = {}): string {
  const args = [...(opts.layout ? ['-layout'] : []), ...(opts.first ? ['-f', String(opts.first)] : []), ...(opts.last ? ['-l', String(opts.last)] : []), file, '-'];
  return execFileSync('pdftotext', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Text per page (pdftotext separates pages with form feeds). */
export function pdfPages(file: string): string[] {
  const pages = pdfText(file).split('\f');
  if (pages[pages.length - 1] === '') pages.pop();
  return pages;
}

export function pdfPageCount(file: string): number {
  const m = /^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
  return Number(m![1]);
}

export interface PdfFont {
  readonly name: string;
  readonly type: string;
  readonly embedded: boolean;
}

export function pdfFonts(file: string): PdfFont[] {
  return execFileSync('pdffonts', [file], { encoding: 'utf8' })
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => {
      const cols = l.trim().split(/\s+/);
      // name type... encoding emb sub uni object ID
      return { name: cols[0]!, type: cols.slice(1, -6).join(' '), embedded: cols[cols.length - 5] === 'yes' };
    });
}

export function qpdfCheck(file: string): { code: number | null; output: string } {
  const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

export interface Outline {
  readonly title: string;
  readonly destpageposfrom1: number;
  readonly kids: readonly Outline[];
}

export function pdfOutlines(file: string): Outline[] {
  const json = JSON.parse(execFileSync('qpdf', ['--json', '--json-key=outlines', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as { outlines: Outline[] };
  return json.outlines;
}
