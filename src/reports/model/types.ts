/**
 * The report model: every section of the evidence pack, precomputed from one assessment and the evidence it read.
 * Plain JSON (no Dates, no Maps, no undefined), versioned, written next to the pack as `report-model.json`.
 * Renderers (HTML, PDF) read only this and do nothing beyond layout: every count, verdict, label and link target
 * is decided here.
 *
 * Text fields hold evidence text as found (already redacted by the normalizers where it can hold personal data);
 * renderers escape it for their output format.
 */

export const REPORT_MODEL_SCHEMA = 'auditpack-report-model' as const;
export const REPORT_MODEL_VERSION = 1 as const;

export type ControlStatus = 'satisfied' | 'exception' | 'gap' | 'manual' | 'not_applicable';
export type Tone = 'good' | 'bad' | 'warn' | 'info' | 'neutral';

/** A link to an evidence item in the evidence index. */
export interface EvidenceRef {
  readonly id: string;
  /** Anchor (HTML id / PDF named destination) of the item's row in the evidence index. */
  readonly anchor: string;
  /** Short form for tables (first 12 hex digits). */
  readonly label: string;
}

/** Where an observation was made, with a display label (`prod / eu-west-1`). */
export interface Location {
  readonly account: string;
  readonly accountName: string | null;
  readonly region: string;
  readonly label: string;
}

/** One entry of the table of contents; `level` 1 = section, 2 = subsection (a framework's control matrix). */
export interface TocEntry {
  /** A section id, or `fw:<framework>` for a framework's control matrix. */
  readonly id: string;
  readonly anchor: string;
  readonly number: string;
  readonly title: string;
  readonly level: 1 | 2;
}

export type SectionId =
  | 'summary'
  | 'scope'
  | 'controls'
  | 'cloudtrail'
  | 'config'
  | 'inventory'
  | 'model-cards'
  | 'fairness'
  | 'lineage'
  | 'invocations'
  | 'inherited'
  | 'evidence';

export interface ReportModel {
  readonly schema: typeof REPORT_MODEL_SCHEMA;
  readonly version: typeof REPORT_MODEL_VERSION;
  readonly packId: string;
  readonly runId: string;
  readonly toc: readonly TocEntry[];
  readonly cover: CoverSection;
  readonly summary: SummarySection;
  readonly scope: ScopeSection;
  readonly controls: ControlsSection;
  readonly cloudtrail: CloudTrailSection;
  readonly config: ConfigSection;
  readonly inventory: InventorySection;
  readonly modelCards: ModelCardsSection;
  readonly fairness: FairnessSection;
  readonly lineage: LineageSection;
  readonly invocations: InvocationsSection;
  readonly inherited: InheritedSection;
  readonly evidence: EvidenceIndexSection;
}

/** Common header of every section: its place in the table of contents and an optional lead paragraph. */
export interface SectionHead {
  readonly id: SectionId;
  readonly anchor: string;
  readonly number: string;
  readonly title: string;
  readonly intro: string;
}

// 1 Cover -----------------------------------------------------------------------------------------------------

export interface CoverSection {
  readonly title: string;
  readonly organisation: string;
  readonly frameworks: readonly { readonly id: string; readonly name: string; readonly version: string; readonly publisher: string; readonly sha256: string }[];
  readonly period: { readonly label: string; readonly start: string; readonly end: string; readonly text: string };
  readonly accounts: readonly { readonly id: string; readonly name: string | null; readonly label: string }[];
  readonly regions: readonly string[];
  readonly generatedAt: string;
  readonly assessedAt: string;
  readonly packId: string;
  readonly runId: string;
  readonly generator: { readonly name: string; readonly version: string; readonly text: string };
  readonly evidenceItems: number;
  /** Key/value lines for the cover page, in display order. */
  readonly facts: readonly { readonly label: string; readonly value: string }[];
}

// 2 Executive summary ------------------------------------------------------------------------------------------

export interface StatusCount {
  readonly status: ControlStatus;
  readonly label: string;
  readonly count: number;
}

export interface FrameworkSummary {
  readonly id: string;
  readonly name: string;
  readonly anchor: string;
  readonly total: number;
  /** Always the five statuses, in the fixed order satisfied, exception, gap, manual, not_applicable. */
  readonly counts: readonly StatusCount[];
  readonly acceptedRisks: number;
  /** `12 satisfied · 3 exceptions · …` */
  readonly text: string;
}

export interface Finding {
  readonly framework: string;
  readonly frameworkName: string;
  readonly control: string;
  readonly anchor: string;
  readonly title: string;
  readonly status: ControlStatus;
  readonly statusLabel: string;
  /** The first reason that explains the status (accepted-risk notes come second). */
  readonly reason: string;
  readonly acceptedRisk: string | null;
}

export interface Highlight {
  readonly label: string;
  readonly value: string;
  readonly tone: Tone;
  /** Anchor of the section that explains it. */
  readonly anchor: string;
}

export interface SummarySection extends SectionHead {
  readonly frameworks: readonly FrameworkSummary[];
  readonly highlights: readonly Highlight[];
  /** Exceptions then gaps, framework order, at most `TOP_FINDINGS` per framework. */
  readonly topFindings: readonly Finding[];
  readonly findingsTotal: number;
  readonly findingsShown: number;
  readonly acceptedRisks: readonly AcceptedRiskView[];
}

export interface AcceptedRiskView {
  readonly id: string;
  readonly framework: string | null;
  readonly control: string;
  readonly owner: string;
  readonly approver: string;
  readonly rationale: string;
  readonly expires: string;
  /** Expired at the assessment time (then it is not applied to any control). */
  readonly expired: boolean;
}

// 3 Scope and method -------------------------------------------------------------------------------------------

export interface CollectorRun {
  readonly id: string;
  readonly title: string;
  /** `ran`, `ran with errors`, `not applicable`, `not run` */
  readonly state: string;
  readonly tone: Tone;
  /** Locations with an inventory (the collector ran there), as labels. */
  readonly ranIn: readonly string[];
  readonly items: { readonly collected: number; readonly error: number; readonly notApplicable: number };
  readonly kinds: readonly { readonly kind: string; readonly collected: number }[];
  readonly oldestObservation: string | null;
  readonly newestObservation: string | null;
}

export interface CollectionProblem {
  readonly collector: string;
  readonly kind: string;
  readonly location: Location;
  readonly state: 'error' | 'not_applicable';
  readonly stateLabel: string;
  readonly code: string | null;
  readonly message: string;
  readonly observed: string;
  readonly evidence: EvidenceRef;
}

export interface InventoryCountRow {
  readonly collector: string;
  readonly location: Location;
  readonly counts: readonly { readonly kind: string; readonly count: number }[];
  readonly text: string;
  readonly evidence: EvidenceRef;
}

export interface FreshnessRow {
  readonly collector: string;
  readonly kind: string;
  readonly items: number;
  readonly oldest: string;
  readonly newest: string;
}

export interface ScopeSection extends SectionHead {
  readonly period: string;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly method: readonly string[];
  readonly statusDefinitions: readonly { readonly status: ControlStatus; readonly label: string; readonly meaning: string }[];
  readonly collectors: readonly CollectorRun[];
  readonly inventories: readonly InventoryCountRow[];
  readonly problems: readonly CollectionProblem[];
  readonly freshness: readonly FreshnessRow[];
  readonly outOfScopeItems: number;
}

// 4 Control matrix ---------------------------------------------------------------------------------------------

export interface ControlRow {
  readonly control: string;
  readonly anchor: string;
  readonly section: string;
  readonly title: string;
  readonly automation: 'full' | 'partial' | 'none';
  readonly status: ControlStatus;
  readonly statusLabel: string;
  readonly reasons: readonly string[];
  readonly expectations: readonly { readonly rule: string; readonly title: string; readonly status: string; readonly statusLabel: string }[];
  readonly evidence: readonly EvidenceRef[];
  readonly acceptedRisk: {
    readonly id: string;
    readonly owner: string;
    readonly approver: string;
    readonly expires: string;
    readonly rationale: string;
    readonly text: string;
  } | null;
  readonly manualRequest: string | null;
}

export interface FrameworkMatrix {
  readonly id: string;
  readonly anchor: string;
  readonly number: string;
  readonly title: string;
  readonly name: string;
  readonly version: string;
  readonly publisher: string;
  readonly sha256: string;
  readonly summary: FrameworkSummary;
  readonly controls: readonly ControlRow[];
}

export interface ControlsSection extends SectionHead {
  readonly frameworks: readonly FrameworkMatrix[];
}

// 5 CloudTrail -------------------------------------------------------------------------------------------------

export interface TrailRow {
  readonly location: Location;
  readonly name: string;
  readonly arn: string | null;
  readonly settings: readonly { readonly label: string; readonly value: string; readonly tone: Tone }[];
  readonly observedAt: string;
  readonly stale: boolean;
  readonly evidence: EvidenceRef;
}

export interface AiActivityRow {
  readonly principal: string;
  readonly eventSource: string;
  readonly operation: string;
  readonly calls: number;
  readonly locations: string;
}

export interface SensitiveChangeRow {
  readonly time: string;
  readonly location: Location;
  readonly categories: readonly string[];
  readonly categoriesText: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly principal: string;
  readonly target: string | null;
  readonly sourceIp: string | null;
  readonly failed: boolean;
  readonly outcome: string;
  readonly evidence: EvidenceRef;
}

export interface CloudTrailSection extends SectionHead {
  readonly trails: readonly TrailRow[];
  readonly activity: {
    readonly days: number;
    readonly totalEvents: number;
    readonly errorEvents: number;
    readonly aiCalls: number;
    readonly byLocation: readonly { readonly location: Location; readonly days: number; readonly totalEvents: number; readonly aiCalls: number }[];
  };
  readonly aiActivity: readonly AiActivityRow[];
  readonly sensitiveChanges: readonly SensitiveChangeRow[];
}

// 6 AWS Config -------------------------------------------------------------------------------------------------

export interface ConfigRuleRow {
  readonly ruleName: string;
  readonly sourceIdentifier: string | null;
  readonly description: string | null;
  readonly location: Location;
  readonly compliance: string;
  readonly tone: Tone;
  readonly nonCompliantResources: string;
  readonly evidence: EvidenceRef;
}

export interface ConfigSection extends SectionHead {
  readonly recorders: readonly {
    readonly location: Location;
    readonly name: string;
    readonly recording: boolean;
    readonly recordingText: string;
    readonly tone: Tone;
    readonly lastStatus: string;
    readonly coverage: string;
    readonly evidence: EvidenceRef;
  }[];
  readonly ruleCounts: readonly { readonly compliance: string; readonly count: number; readonly tone: Tone }[];
  readonly rules: readonly ConfigRuleRow[];
  readonly conformancePacks: readonly {
    readonly location: Location;
    readonly packName: string;
    readonly compliant: number;
    readonly nonCompliant: number;
    readonly other: number;
    readonly rules: readonly { readonly ruleName: string; readonly compliance: string; readonly tone: Tone; readonly controls: string }[];
    readonly evidence: EvidenceRef;
  }[];
  readonly nonCompliantResources: readonly {
    readonly location: Location;
    readonly ruleName: string;
    readonly resourceType: string;
    readonly resourceId: string;
    readonly annotation: string | null;
    readonly recorded: string | null;
    readonly evidence: EvidenceRef;
  }[];
}

// 7 AI system inventory ----------------------------------------------------------------------------------------

export interface InventorySection extends SectionHead {
  readonly byLocation: readonly {
    readonly location: Location;
    readonly models: number;
    readonly endpoints: number;
    readonly modelPackages: number;
    readonly modelCards: number;
    readonly guardrails: number;
    readonly bedrockModels: number;
  }[];
  readonly models: readonly { readonly location: Location; readonly name: string; readonly platform: string; readonly detail: string }[];
  readonly endpoints: readonly {
    readonly location: Location;
    readonly name: string;
    readonly status: string;
    readonly encryption: string;
    readonly dataCapture: string;
    readonly models: string;
    readonly packages: string;
    readonly evidence: EvidenceRef;
  }[];
  readonly modelPackages: readonly {
    readonly location: Location;
    readonly name: string;
    readonly arn: string;
    readonly approvalStatus: string;
    readonly tone: Tone;
    readonly approvedBy: string;
    readonly created: string;
    readonly modelCard: string;
    readonly biasReports: number;
    readonly evidence: EvidenceRef;
  }[];
  readonly modelCards: readonly {
    readonly location: Location;
    readonly name: string;
    readonly anchor: string;
    readonly status: string;
    readonly riskRating: string;
    readonly model: string;
    readonly evidence: EvidenceRef;
  }[];
  readonly guardrails: readonly {
    readonly location: Location;
    readonly name: string;
    readonly id: string;
    readonly version: string;
    readonly status: string;
    readonly piiEntities: string;
    readonly contentFilters: string;
    readonly regexCount: number;
    readonly encryption: string;
    readonly evidence: EvidenceRef;
  }[];
}

// 8 Model cards ------------------------------------------------------------------------------------------------

export interface ModelCardView {
  readonly anchor: string;
  readonly location: Location;
  readonly name: string;
  readonly arn: string | null;
  readonly version: string;
  readonly status: string;
  readonly statusTone: Tone;
  readonly riskRating: string;
  readonly riskTone: Tone;
  readonly model: string;
  readonly approval: {
    readonly status: string;
    readonly approvedBy: string;
    readonly description: string | null;
    readonly packageArn: string;
    readonly tone: Tone;
  } | null;
  /** Labelled text fields in display order; absent ones are listed with value `not stated`. */
  readonly fields: readonly { readonly label: string; readonly value: string; readonly missing: boolean }[];
  readonly evaluationMetrics: readonly { readonly evaluation: string; readonly group: string; readonly name: string; readonly value: string }[];
  readonly schemaErrors: readonly string[];
  readonly lastModified: string;
  readonly evidence: EvidenceRef;
}

export interface ModelCardsSection extends SectionHead {
  readonly cards: readonly ModelCardView[];
}

// 9 Fairness ---------------------------------------------------------------------------------------------------

export type FairnessVerdict = 'within' | 'outside' | 'not_computed' | 'no_threshold';

export interface FairnessMetricRow {
  readonly stage: string;
  readonly facet: string;
  readonly name: string;
  readonly value: string;
  readonly threshold: string;
  readonly thresholdSource: string;
  readonly verdict: FairnessVerdict;
  readonly verdictLabel: string;
  readonly tone: Tone;
  readonly note: string | null;
}

export interface FairnessReportView {
  readonly anchor: string;
  readonly subject: string;
  readonly location: Location;
  readonly origin: 'clarify' | 'native';
  readonly originLabel: string;
  readonly label: string;
  readonly counts: { readonly within: number; readonly outside: number; readonly notComputed: number; readonly noThreshold: number };
  readonly text: string;
  readonly metrics: readonly FairnessMetricRow[];
  readonly observedAt: string;
  readonly evidence: EvidenceRef;
}

export interface FairnessSection extends SectionHead {
  readonly thresholds: readonly { readonly metric: string; readonly scope: string; readonly band: string }[];
  readonly reports: readonly FairnessReportView[];
  readonly modelsWithoutReport: readonly { readonly location: Location; readonly name: string; readonly evidence: EvidenceRef }[];
}

// 10 Lineage ---------------------------------------------------------------------------------------------------

export const LINEAGE_STAGES = ['Dataset', 'ProcessingJob', 'TrainingJob', 'Model', 'ModelPackage', 'Endpoint'] as const;

export interface LineageNode {
  readonly key: string;
  readonly type: string;
  readonly label: string;
  readonly detail: string | null;
  readonly arn: string | null;
  /** Column (layer, left to right) and row within the column: the diagram layout, in grid units. */
  readonly col: number;
  readonly row: number;
  /** A placeholder for a stage the lineage does not contain. */
  readonly missing: boolean;
}

export interface LineageGraph {
  readonly anchor: string;
  readonly title: string;
  readonly location: Location;
  readonly startArn: string;
  readonly reachesDataset: boolean;
  readonly tone: Tone;
  readonly verdict: string;
  readonly missing: readonly string[];
  /** Number of layers (columns) of the diagram. */
  readonly columns: number;
  readonly rows: number;
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly label: string | null; readonly missing: boolean }[];
  readonly datasets: readonly { readonly arn: string; readonly uri: string; readonly sha256: string }[];
  readonly evidence: EvidenceRef | null;
}

export interface LineageSection extends SectionHead {
  readonly graphs: readonly LineageGraph[];
}

// 11 Invocation logs -------------------------------------------------------------------------------------------

export interface CoverageRow {
  readonly location: Location;
  readonly logging: string;
  readonly destinations: string;
  readonly loggedRecords: number;
  readonly cloudTrailInvocations: number;
  readonly verdict: string;
  readonly tone: Tone;
  readonly evidence: readonly EvidenceRef[];
}

export interface InvocationSample {
  readonly time: string;
  readonly location: Location;
  readonly requestId: string;
  readonly identity: string;
  readonly modelId: string;
  readonly operation: string;
  readonly input: string;
  readonly output: string;
  readonly guardrailAction: string;
  /** The text is withheld: a guardrail acted on the record, or matched personal data that day. */
  readonly withheld: boolean;
  readonly evidence: EvidenceRef;
}

export interface InvocationsSection extends SectionHead {
  readonly totals: { readonly records: number; readonly errors: number; readonly inputTokens: number; readonly outputTokens: number; readonly guardrailInterventions: number; readonly piiDetections: number; readonly piiUnguardedRecords: number; readonly days: number };
  readonly coverage: readonly CoverageRow[];
  readonly byModel: readonly { readonly location: Location; readonly modelId: string; readonly invocations: number; readonly inputTokens: number; readonly outputTokens: number; readonly logged: string }[];
  readonly usage: readonly { readonly identity: string; readonly modelId: string; readonly operation: string; readonly invocations: number; readonly inputTokens: number; readonly outputTokens: number }[];
  readonly guardrails: readonly { readonly location: Location; readonly interventions: number; readonly piiUnguardedRecords: number }[];
  readonly pii: readonly { readonly entityType: string; readonly count: number }[];
  /** At most `MAX_SAMPLES`, readable ones first. */
  readonly samples: readonly InvocationSample[];
  readonly samplesAvailable: number;
}

// 12 Inherited controls ----------------------------------------------------------------------------------------

export interface InheritedSection extends SectionHead {
  readonly reports: readonly {
    readonly name: string;
    readonly series: string;
    readonly category: string;
    readonly period: string;
    readonly version: string;
    readonly state: string;
    readonly documentSha256: string;
    readonly reportId: string;
    readonly evidence: EvidenceRef;
  }[];
}

// 13 Evidence index --------------------------------------------------------------------------------------------

export interface EvidenceIndexRow {
  readonly id: string;
  readonly anchor: string;
  readonly kind: string;
  readonly collector: string;
  readonly location: Location;
  readonly resource: string | null;
  readonly contentSha256: string | null;
  readonly rawSha256: string | null;
  readonly rawSensitive: boolean;
  /** `file path#locator (sha256 …)` or `api operation (request id …)`, one per source. */
  readonly sources: readonly string[];
  readonly provenance: string;
  readonly observed: string;
  readonly collectedAt: string;
  readonly status: 'collected' | 'error' | 'not_applicable';
  readonly statusText: string;
  readonly tone: Tone;
}

export interface EvidenceIndexSection extends SectionHead {
  readonly total: number;
  readonly byKind: readonly { readonly kind: string; readonly collected: number; readonly error: number; readonly notApplicable: number }[];
  readonly items: readonly EvidenceIndexRow[];
}
