import type { EvidenceItem } from '../../evidence/model.js';
import type { ControlStatus, EvidenceRef, Location, SectionHead, SectionId, Tone } from './types.js';

/** Display labels of control statuses, shared by every renderer. */
export const STATUS_LABELS: Readonly<Record<ControlStatus, string>> = {
  satisfied: 'Satisfied',
  exception: 'Exception',
  gap: 'Gap',
  manual: 'Manual',
  not_applicable: 'N/A',
};

export const STATUS_ORDER: readonly ControlStatus[] = ['satisfied', 'exception', 'gap', 'manual', 'not_applicable'];

export const STATUS_TONES: Readonly<Record<ControlStatus, Tone>> = {
  satisfied: 'good',
  exception: 'bad',
  gap: 'warn',
  manual: 'info',
  not_applicable: 'neutral',
};

/** Section numbers and titles: the table of contents of both the HTML and the PDF. */
export const SECTIONS: readonly { readonly id: SectionId; readonly title: string }[] = [
  { id: 'summary', title: 'Executive summary' },
  { id: 'scope', title: 'Scope and method' },
  { id: 'controls', title: 'Control matrix' },
  { id: 'cloudtrail', title: 'CloudTrail' },
  { id: 'config', title: 'AWS Config' },
  { id: 'inventory', title: 'AI system inventory' },
  { id: 'model-cards', title: 'Model cards' },
  { id: 'fairness', title: 'Fairness' },
  { id: 'lineage', title: 'Lineage' },
  { id: 'invocations', title: 'Invocation logs' },
  { id: 'inherited', title: 'Inherited controls' },
  { id: 'evidence', title: 'Evidence index' },
];

export function sectionHead(id: SectionId, intro: string): SectionHead {
  const i = SECTIONS.findIndex((s) => s.id === id);
  return { id, anchor: `sec-${id}`, number: String(i + 1), title: SECTIONS[i]!.title, intro };
}

export function evidenceAnchor(id: string): string {
  return `ev-${id}`;
}

export function ref(item: { readonly id: string }): EvidenceRef {
  return { id: item.id, anchor: evidenceAnchor(item.id), label: item.id.slice(0, 12) };
}

/** An anchor-safe slug: lower-case ASCII letters, digits and dashes. */
export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'x';
}

/** Hands out unique anchors: a repeated slug gets `-2`, `-3`, ... */
export class Anchors {
  private readonly used = new Set<string>();

  take(prefix: string, text: string): string {
    const base = `${prefix}-${slug(text)}`;
    let a = base;
    for (let n = 2; this.used.has(a); n++) a = `${base}-${n}`;
    this.used.add(a);
    return a;
  }
}

export class Locator {
  constructor(private readonly names: Readonly<Record<string, string>>) {}

  accountName(account: string): string | null {
    return Object.prototype.hasOwnProperty.call(this.names, account) ? this.names[account]! : null;
  }

  accountLabel(account: string): string {
    const n = this.accountName(account);
    return n ? `${n} (${account})` : account;
  }

  of(item: { readonly account: string; readonly region: string }): Location {
    const name = this.accountName(item.account);
    return { account: item.account, accountName: name, region: item.region, label: `${name ?? item.account} / ${item.region}` };
  }
}

/** The instant an item describes: an instant observation's time, a window's end. */
export function observedEnd(item: EvidenceItem): string {
  return item.observedAt.type === 'instant' ? item.observedAt.at : item.observedAt.end;
}

export function observedStart(item: EvidenceItem): string {
  return item.observedAt.type === 'instant' ? item.observedAt.at : item.observedAt.start;
}

export function observedText(item: EvidenceItem): string {
  return item.observedAt.type === 'instant' ? item.observedAt.at : `${item.observedAt.start} – ${item.observedAt.end}`;
}

export function byString<T>(key: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

export function yesNo(v: boolean | null | undefined, yes = 'yes', no = 'no'): string {
  return v === true ? yes : v === false ? no : 'not reported';
}

export function toneOf(v: boolean | null | undefined): Tone {
  return v === true ? 'good' : v === false ? 'bad' : 'warn';
}

/** A metric value for display: 4 significant digits, integers as they are. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  return Number(v.toPrecision(4)).toString();
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function complianceTone(c: string): Tone {
  return c === 'COMPLIANT' ? 'good' : c === 'NON_COMPLIANT' ? 'bad' : c === 'NOT_APPLICABLE' ? 'neutral' : 'warn';
}
