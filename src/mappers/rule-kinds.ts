import { z } from 'zod';
import type { EvidenceKind } from '../evidence/kinds.js';

/**
 * The rule kinds a framework control can name as evidence expectations. Frameworks reference rule kinds;
 * rule kinds consume evidence kinds; collectors produce evidence kinds. Nothing points the other way.
 *
 * Each entry declares the evidence kinds it reads (used by integrity tests and to pick evidence) and the
 * schema of its `params` in framework files.
 */
export interface RuleKindSpec<P extends z.ZodType = z.ZodType> {
  readonly title: string;
  readonly consumes: readonly EvidenceKind[];
  readonly params: P;
}

const ruleRef = z.string().min(1);

export const RULE_KINDS = {
  config_rules_compliant: {
    title: 'AWS Config rules are deployed and compliant',
    consumes: ['config.rule_compliance', 'config.resource_compliance'],
    params: z.strictObject({
      /** Managed-rule identifiers (CLOUD_TRAIL_ENABLED) or rule names (cloudtrail-enabled); matched case-insensitively. */
      rules: z.array(ruleRef).min(1),
      /** `any`: at least one listed rule must be evaluated (default). `all`: every listed rule must be. */
      require: z.enum(['any', 'all']).default('any'),
    }),
  },
  config_recorder_on: {
    title: 'AWS Config records resources in every account and region in scope',
    consumes: ['config.recorder'],
    params: z.strictObject({}),
  },
  conformance_pack_compliant: {
    title: 'AWS Config conformance packs are compliant',
    consumes: ['config.conformance_pack'],
    params: z.strictObject({ packs: z.array(z.string().min(1)).optional() }),
  },
  resource_configuration: {
    title: 'Recorded resource configurations have a required setting',
    consumes: ['config.configuration_item'],
    params: z.strictObject({
      resourceType: z.string().regex(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/),
      /** Dot path into the configuration item, e.g. `configuration.keyRotationEnabled` or `supplementaryConfiguration.BucketVersioningConfiguration.status`. */
      path: z.string().min(1),
      equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
      description: z.string().min(1),
    }),
  },
  cloudtrail_trail: {
    title: 'A CloudTrail trail with the required settings is logging in every account',
    consumes: ['cloudtrail.trail'],
    params: z.strictObject({
      multiRegion: z.boolean().default(false),
      logFileValidation: z.boolean().default(false),
      kmsEncrypted: z.boolean().default(false),
      cloudWatchLogs: z.boolean().default(false),
      s3DataEvents: z.boolean().default(false),
    }),
  },
  cloudtrail_delivery_continuous: {
    title: 'CloudTrail logs were delivered for every day of the period in every account and region',
    consumes: ['cloudtrail.activity'],
    params: z.strictObject({ maxMissingDays: z.number().int().nonnegative().default(0) }),
  },
  no_sensitive_changes: {
    title: 'No unapproved sensitive changes (logging disabled, guardrails deleted, keys changed) in the period',
    consumes: ['cloudtrail.event', 'cloudtrail.activity'],
    params: z.strictObject({
      categories: z
        .array(z.enum(['logging_change', 'guardrail_change', 'key_change', 'iam_change', 'config_change', 'model_approval']))
        .min(1),
    }),
  },
  invocation_logging_enabled: {
    title: 'Bedrock model-invocation logging is on in every region where models are invoked',
    consumes: ['bedrock.logging_config', 'bedrock.invocation_summary', 'cloudtrail.activity'],
    params: z.strictObject({ requireTextDelivery: z.boolean().default(true) }),
  },
  guardrails_pii_configured: {
    title: 'A Bedrock guardrail with PII filters exists in every region where models are invoked',
    consumes: ['bedrock.guardrail', 'inventory', 'bedrock.invocation_summary', 'cloudtrail.activity'],
    params: z.strictObject({}),
  },
  invocation_pii_guarded: {
    title: 'Personal data in model prompts and completions was blocked or anonymized by a guardrail',
    consumes: ['bedrock.invocation_summary'],
    params: z.strictObject({}),
  },
  model_cards_approved: {
    title: 'Every model has an approved model card with intended use and risk rating',
    consumes: ['sagemaker.model_card', 'sagemaker.model_package', 'inventory'],
    params: z.strictObject({
      requireIntendedUse: z.boolean().default(true),
      requireRiskRating: z.boolean().default(true),
    }),
  },
  deployed_models_approved: {
    title: 'Every deployed model package was approved in the model registry',
    consumes: ['sagemaker.endpoint', 'sagemaker.model_package', 'sagemaker.lineage', 'inventory'],
    params: z.strictObject({}),
  },
  lineage_complete: {
    title: 'Every deployed model traces back to its training datasets',
    consumes: ['sagemaker.lineage', 'sagemaker.endpoint', 'inventory'],
    params: z.strictObject({}),
  },
  fairness_within_bounds: {
    title: 'Bias metrics of every model are within their thresholds',
    consumes: ['clarify.bias_report', 'sagemaker.model_package', 'inventory'],
    params: z.strictObject({ stages: z.array(z.enum(['pre_training', 'post_training'])).default(['pre_training', 'post_training']) }),
  },
  endpoints_encrypted: {
    title: 'SageMaker endpoints encrypt storage with KMS (and capture data when required)',
    consumes: ['sagemaker.endpoint', 'inventory'],
    params: z.strictObject({ requireDataCapture: z.boolean().default(false) }),
  },
  artifact_report_available: {
    title: 'A current AWS Artifact report covers the AWS side of the control (inherited)',
    consumes: ['artifact.report'],
    params: z.strictObject({
      /** Case-insensitive substrings matched against report name and series, e.g. "SOC 2", "ISO 27001". */
      match: z.array(z.string().min(1)).min(1),
      maxAgeMonths: z.number().int().positive().default(15),
    }),
  },
} as const satisfies Record<string, RuleKindSpec>;

export type RuleKindId = keyof typeof RULE_KINDS;
export const RULE_KIND_IDS = Object.keys(RULE_KINDS) as RuleKindId[];
export type RuleParams<R extends RuleKindId> = z.output<(typeof RULE_KINDS)[R]['params']>;

export function isRuleKind(id: string): id is RuleKindId {
  return Object.hasOwn(RULE_KINDS, id);
}
