import type { EvidenceItem } from '../evidence/model.js';
import type { Period } from '../util/time.js';

export const CONTROL_STATUSES = ['satisfied', 'exception', 'gap', 'manual', 'not_applicable'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

/** What one evidence expectation (one rule kind with its params) concluded. */
export type RuleStatus = 'satisfied' | 'exception' | 'gap' | 'not_applicable';

export interface RuleOutcome {
  readonly status: RuleStatus;
  readonly reasons: readonly string[];
  readonly evidenceIds: readonly string[];
}

export interface ExpectationResult extends RuleOutcome {
  readonly rule: string;
  readonly title: string;
}

/** An accepted risk from the exceptions file: shown and counted apart, never a pass. */
export interface AcceptedRisk {
  readonly id: string;
  readonly framework: string | null;
  readonly control: string;
  readonly owner: string;
  readonly approver: string;
  readonly rationale: string;
  readonly expires: string;
}

export interface ControlResult {
  readonly framework: string;
  readonly control: string;
  readonly title: string;
  readonly section: string;
  readonly automation: 'full' | 'partial' | 'none';
  readonly status: ControlStatus;
  readonly reasons: readonly string[];
  readonly evidenceIds: readonly string[];
  readonly expectations: readonly ExpectationResult[];
  readonly manualRequest: string | null;
  /** An active accepted risk covering this control (status is unchanged by it). */
  readonly acceptedRisk: AcceptedRisk | null;
}

export interface Scope {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
}

export interface MetricThreshold {
  readonly min?: number;
  readonly max?: number;
}

export interface AssessOptions {
  readonly assessedAt: string;
  readonly period: Period;
  /** Empty lists mean "whatever the evidence covers". */
  readonly scope: Scope;
  /** State evidence older than this (relative to assessedAt) is stale: a gap, not a pass. */
  readonly freshnessDays: number;
  /** Bias metric thresholds: defaults, overridden per model (subject). */
  readonly fairness: {
    readonly defaults: Readonly<Record<string, MetricThreshold>>;
    readonly bySubject: Readonly<Record<string, Readonly<Record<string, MetricThreshold>>>>;
  };
}

/** An evidence item with its normalized content already read (the mapper does no I/O). */
export interface EvidenceRecord {
  readonly item: EvidenceItem;
  readonly content: unknown;
}
