import type { ContentOf } from '../../evidence/content.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import type { EvidenceItem } from '../../evidence/model.js';
import { EvidenceView } from '../../mappers/evidence-view.js';
import type { EvidenceRecord, MetricThreshold } from '../../mappers/types.js';
import type { AssessmentResult } from '../../pipeline/assess-stage.js';
import { Anchors, Locator } from './common.js';

export interface FairnessThresholds {
  readonly defaults: Readonly<Record<string, MetricThreshold>>;
  readonly bySubject: Readonly<Record<string, Readonly<Record<string, MetricThreshold>>>>;
}

export interface ReportOptions {
  /** When the pack was generated; pinned by the caller so the same inputs give the same bytes. */
  readonly generatedAt: string;
  readonly organisation: string;
  /** Display names of accounts (`{"111122223333": "prod"}`). */
  readonly accountNames?: Readonly<Record<string, string>>;
  /** The thresholds the assessment used (`AssessJob.fairness`). */
  readonly fairnessThresholds: FairnessThresholds;
  /** State older than this at assessedAt is shown as stale (the assessment's freshness window); default 45. */
  readonly freshnessDays?: number;
}

export interface StateRec<K extends EvidenceKind> {
  readonly item: EvidenceItem;
  readonly content: ContentOf<K>;
  readonly stale: boolean;
}

/** What every section builder reads: the records cut to scope, plus display helpers. Pure. */
export class BuildContext {
  readonly view: EvidenceView;
  readonly locate: Locator;
  readonly anchors = new Anchors();

  constructor(
    readonly assessment: AssessmentResult,
    readonly records: readonly EvidenceRecord[],
    readonly opts: ReportOptions,
  ) {
    this.view = new EvidenceView(records, {
      assessedAt: assessment.assessedAt,
      period: assessment.period,
      scope: assessment.scope,
      freshnessDays: opts.freshnessDays ?? 45,
      fairness: opts.fairnessThresholds,
    });
    this.locate = new Locator(opts.accountNames ?? {});
  }

  /** The latest observation per resource as of assessedAt, fresh and stale alike (stale ones flagged). */
  state<K extends EvidenceKind>(kind: K): StateRec<K>[] {
    const fresh = this.view.state(kind).map((r) => ({ item: r.item, content: r.content, stale: false }));
    const stale = this.view.stale(kind).map((r) => ({ item: r.item, content: r.content, stale: true }));
    return [...fresh, ...stale].sort((a, b) => cmp(key(a.item), key(b.item)));
  }

  /** Observations made during the period. */
  during<K extends EvidenceKind>(kind: K): { item: EvidenceItem; content: ContentOf<K> }[] {
    return this.view.during(kind).map((r) => ({ item: r.item, content: r.content }));
  }
}

function key(item: EvidenceItem): string {
  return `${item.account}|${item.region}|${item.resource ?? ''}|${item.id}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
