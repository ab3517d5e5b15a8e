/**
 * The closed vocabulary of evidence kinds. A kind names one shape of normalized content; every normalizer
 * (export directory or live API) that yields a kind yields the same content shape for it.
 *
 * Adding a kind: add it here, give it a content schema in `content.ts`, make a normalizer produce it, and make
 * at least one rule kind in `src/mappers/rules` consume it (the framework integrity tests enforce the last part).
 */
export const EVIDENCE_KINDS = [
  /** A collector ran for an account/region and counted what it saw (proves "none exist" vs "not collected"). */
  'inventory',
  'cloudtrail.trail',
  /** Aggregate of all CloudTrail events of one account/region/day: counts by source, operation, principal. */
  'cloudtrail.activity',
  /** One security- or AI-relevant CloudTrail event kept in full. */
  'cloudtrail.event',
  'config.recorder',
  'config.rule_compliance',
  'config.resource_compliance',
  'config.conformance_pack',
  'config.configuration_item',
  'bedrock.logging_config',
  /** Aggregate of Bedrock invocation-log records of one account/region/day, with redacted samples. */
  'bedrock.invocation_summary',
  'bedrock.guardrail',
  'sagemaker.model_card',
  'sagemaker.model_package',
  'sagemaker.endpoint',
  'sagemaker.lineage',
  'clarify.bias_report',
  'artifact.report',
] as const;

export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export function isEvidenceKind(value: string): value is EvidenceKind {
  return (EVIDENCE_KINDS as readonly string[]).includes(value);
}
