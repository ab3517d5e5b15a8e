import type { ContentOf } from '../evidence/content.js';
import type { EvidenceKind } from '../evidence/kinds.js';
import type { EvidenceItem } from '../evidence/model.js';
import type { AssessOptions, EvidenceRecord } from './types.js';

export interface Rec<K extends EvidenceKind> {
  readonly item: EvidenceItem;
  readonly content: ContentOf<K>;
}

const DAY_MS = 86_400_000;

/**
 * The evidence a rule may look at, already cut to the assessment's scope and period. Everything here is
 * derived from the records and options given: no clock, no I/O.
 *
 * - `state(kind)`: the latest observation per resource, observed no later than assessedAt; stale ones apart.
 * - `during(kind)`: observations whose window or instant falls within the period.
 * - `gaps(kinds)`: error items not superseded by a later successful observation.
 */
export class EvidenceView {
  private readonly byKind = new Map<EvidenceKind, EvidenceRecord[]>();
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  private readonly assessedMs: number;
  private readonly periodStart: number;
  private readonly periodEnd: number;

  constructor(
    records: readonly EvidenceRecord[],
    readonly options: AssessOptions,
  ) {
    this.assessedMs = Date.parse(options.assessedAt);
    this.periodStart = Date.parse(options.period.start);
    this.periodEnd = Date.parse(options.period.end);
    const inScope = records.filter((r) => this.inScope(r.item));
    for (const r of inScope) {
      const list = this.byKind.get(r.item.kind) ?? [];
      list.push(r);
      this.byKind.set(r.item.kind, list);
    }
    this.accounts = options.scope.accounts.length > 0 ? [...options.scope.accounts] : unique(inScope.map((r) => r.item.account));
    this.regions =
      options.scope.regions.length > 0 ? [...options.scope.regions] : unique(inScope.map((r) => r.item.region).filter((r) => r !== 'global'));
  }

  private inScope(item: EvidenceItem): boolean {
    const { accounts, regions } = this.options.scope;
    if (accounts.length > 0 && !accounts.includes(item.account)) return false;
    if (regions.length > 0 && item.region !== 'global' && !regions.includes(item.region)) return false;
    return true;
  }

  /** Account/region pairs in scope. */
  get pairs(): { account: string; region: string }[] {
    return this.accounts.flatMap((account) => this.regions.map((region) => ({ account, region })));
  }

  private collectedOf(kind: EvidenceKind): EvidenceRecord[] {
    return (this.byKind.get(kind) ?? []).filter((r) => r.item.status.state === 'collected');
  }

  /** Latest fresh state per (account, region, resource). */
  state<K extends EvidenceKind>(kind: K): Rec<K>[] {
    return this.latest(kind).filter((r) => !this.isStale(r.item)) as unknown as Rec<K>[];
  }

  /** Latest state per resource that is too old to rely on. */
  stale<K extends EvidenceKind>(kind: K): Rec<K>[] {
    return this.latest(kind).filter((r) => this.isStale(r.item)) as unknown as Rec<K>[];
  }

  private latest(kind: EvidenceKind): EvidenceRecord[] {
    const best = new Map<string, EvidenceRecord>();
    for (const r of this.collectedOf(kind)) {
      const at = instantOf(r.item);
      if (at > this.assessedMs) continue;
      const key = `${r.item.account}|${r.item.region}|${r.item.resource ?? ''}`;
      const prev = best.get(key);
      if (!prev || instantOf(prev.item) < at) best.set(key, r);
    }
    return [...best.values()].sort(byResource);
  }

  private isStale(item: EvidenceItem): boolean {
    return this.assessedMs - instantOf(item) > this.options.freshnessDays * DAY_MS;
  }

  /** Observations that happened during the period (windows overlapping it, instants within it). */
  during<K extends EvidenceKind>(kind: K): Rec<K>[] {
    return this.collectedOf(kind).filter((r) => this.overlapsPeriod(r.item)).sort(byResource) as unknown as Rec<K>[];
  }

  private overlapsPeriod(item: EvidenceItem): boolean {
    const o = item.observedAt;
    if (o.type === 'instant') {
      const t = Date.parse(o.at);
      return t >= this.periodStart && t < this.periodEnd;
    }
    return Date.parse(o.start) < this.periodEnd && Date.parse(o.end) > this.periodStart;
  }

  /**
   * Error items of these kinds that still stand. An error is superseded only by evidence that the same thing was
   * collected afterwards: the same resource observed later, or (for a failed listing) an inventory of the same
   * collector, account and region from a later day that counted this kind. Errors older than the freshness
   * window age out like stale evidence.
   */
  gaps(kinds: readonly EvidenceKind[]): EvidenceItem[] {
    const out: EvidenceItem[] = [];
    const inventories = this.collectedOf('inventory');
    const day = (ms: number): number => Math.floor(ms / 86_400_000);
    for (const kind of kinds) {
      const ok = this.collectedOf(kind);
      for (const r of this.byKind.get(kind) ?? []) {
        if (r.item.status.state !== 'error') continue;
        const e = r.item;
        if (e.observedAt.type === 'window' ? !this.overlapsPeriod(e) : instantOf(e) > this.assessedMs || this.isStale(e)) continue;
        const sameResourceLater = ok.some(
          (c) => c.item.account === e.account && c.item.region === e.region && c.item.resource === e.resource && instantOf(c.item) > instantOf(e),
        );
        const laterListing = inventories.some((inv) => {
          const content = inv.content as { collector?: string; counts?: Record<string, number> };
          return (
            inv.item.account === e.account &&
            inv.item.region === e.region &&
            content.collector === e.collector &&
            content.counts?.[kind] !== undefined &&
            day(instantOf(inv.item)) > day(instantOf(e))
          );
        });
        if (!sameResourceLater && !laterListing) out.push(e);
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Items a collector marked not applicable (service not in region, not subscribed). */
  notApplicable(kinds: readonly EvidenceKind[]): EvidenceItem[] {
    return kinds.flatMap((k) => (this.byKind.get(k) ?? []).filter((r) => r.item.status.state === 'not_applicable').map((r) => r.item));
  }

  /** The latest inventory of a collector for an account/region, or null when that collector never ran there. */
  inventory(collector: string, account: string, region: string): Rec<'inventory'> | null {
    const all = this.state('inventory').filter(
      (r) => r.content.collector === collector && r.item.account === account && r.item.region === region,
    );
    return all[0] ?? null;
  }

  get periodLabel(): string {
    return this.options.period.label;
  }

  get periodBounds(): { start: number; end: number; assessed: number } {
    return { start: this.periodStart, end: this.periodEnd, assessed: this.assessedMs };
  }
}

export function instantOf(item: EvidenceItem): number {
  return Date.parse(item.observedAt.type === 'instant' ? item.observedAt.at : item.observedAt.end);
}

function byResource(a: EvidenceRecord, b: EvidenceRecord): number {
  const ka = `${a.item.account}|${a.item.region}|${a.item.resource ?? ''}|${a.item.id}`;
  const kb = `${b.item.account}|${b.item.region}|${b.item.resource ?? ''}|${b.item.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
