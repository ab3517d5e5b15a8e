import { z } from 'zod';
import type { EvidenceKind } from './kinds.js';

/**
 * Normalized content per evidence kind. Normalizers produce exactly these shapes; mappers and report builders
 * read only these shapes. Field names are ours (camelCase), values keep AWS's spelling (enums, ARNs).
 * Optional means "the source did not say"; a mapper must treat it as unknown, never as a default.
 */

const iso = z.string();
const count = z.number().int().nonnegative();

export const Inventory = z.object({
  collector: z.string(),
  /** Number of resources seen per evidence kind in this account/region. 0 proves absence. */
  counts: z.record(z.string(), count),
});

export const CloudTrailTrail = z.object({
  name: z.string(),
  arn: z.string().optional(),
  homeRegion: z.string().optional(),
  isMultiRegion: z.boolean().optional(),
  isOrganizationTrail: z.boolean().optional(),
  logFileValidationEnabled: z.boolean().optional(),
  kmsKeyId: z.string().nullable().optional(),
  s3BucketName: z.string().optional(),
  cloudWatchLogsLogGroupArn: z.string().nullable().optional(),
  isLogging: z.boolean().optional(),
  latestDeliveryTime: iso.nullable().optional(),
  latestDeliveryError: z.string().nullable().optional(),
  /** True when any basic or advanced selector records data events (S3 objects, Lambda, Bedrock...). */
  dataEvents: z
    .object({ s3: z.boolean(), lambda: z.boolean(), other: z.array(z.string()) })
    .optional(),
  managementEvents: z.enum(['all', 'read', 'write', 'none']).optional(),
});

export const CloudTrailPrincipal = z.object({
  type: z.string(),
  arn: z.string().nullable(),
  accountId: z.string().nullable(),
  /** For assumed roles: the role (session issuer) ARN, which groups sessions of the same role. */
  issuerArn: z.string().nullable(),
});

export const CloudTrailActivity = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  totalEvents: count,
  errorEvents: count,
  files: count,
  /** Key: `eventSource|eventName` */
  byOperation: z.record(z.string(), count),
  /** Key: principal ARN (or `type:<Type>` when there is none) */
  byPrincipal: z.record(z.string(), count),
  /** AI services only. Key: `principal|eventSource|eventName` */
  aiCalls: z.record(z.string(), count),
});

export const EVENT_CATEGORIES = ['ai', 'logging_change', 'guardrail_change', 'model_approval', 'key_change', 'iam_change', 'data_access', 'config_change'] as const;
export const CloudTrailEvent = z.object({
  eventId: z.string(),
  eventTime: iso,
  eventSource: z.string(),
  eventName: z.string(),
  awsRegion: z.string(),
  eventType: z.string().nullable(),
  readOnly: z.boolean().nullable(),
  principal: CloudTrailPrincipal,
  sourceIPAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  /** Why this event was kept; an event can be in several. */
  categories: z.array(z.enum(EVENT_CATEGORIES)).min(1),
  /** A short, human-readable account of what changed, e.g. the trail or guardrail affected. */
  target: z.string().nullable(),
  requestParameters: z.unknown(),
});

export const ConfigRecorder = z.object({
  name: z.string(),
  recording: z.boolean(),
  lastStatus: z.string().nullable(),
  allSupported: z.boolean().nullable(),
  includeGlobalResourceTypes: z.boolean().nullable(),
});

export const COMPLIANCE_TYPES = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'] as const;
export const ComplianceType = z.enum(COMPLIANCE_TYPES);

export const ConfigRuleCompliance = z.object({
  ruleName: z.string(),
  ruleArn: z.string().nullable(),
  /** Managed-rule identifier (e.g. CLOUD_TRAIL_ENABLED) or null for custom rules. */
  sourceIdentifier: z.string().nullable(),
  owner: z.string().nullable(),
  description: z.string().nullable(),
  compliance: ComplianceType,
  nonCompliantResourceCount: count.nullable(),
  capExceeded: z.boolean(),
});

export const ConfigResourceCompliance = z.object({
  ruleName: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  compliance: ComplianceType,
  annotation: z.string().nullable(),
  resultRecordedTime: iso.nullable(),
});

export const ConfigConformancePack = z.object({
  packName: z.string(),
  rules: z.array(z.object({ ruleName: z.string(), compliance: ComplianceType, controls: z.array(z.string()) })),
});

export const ConfigurationItem = z.object({
  resourceType: z.string(),
  resourceId: z.string(),
  resourceName: z.string().nullable(),
  arn: z.string().nullable(),
  captureTime: iso,
  status: z.string().nullable(),
  configuration: z.unknown(),
  supplementaryConfiguration: z.unknown(),
  tags: z.record(z.string(), z.string()),
});

export const BedrockLoggingConfig = z.object({
  enabled: z.boolean(),
  cloudWatch: z.object({ logGroupName: z.string(), roleArn: z.string().nullable() }).nullable(),
  s3: z.object({ bucketName: z.string(), keyPrefix: z.string().nullable() }).nullable(),
  textDataDeliveryEnabled: z.boolean().nullable(),
  imageDataDeliveryEnabled: z.boolean().nullable(),
  embeddingDataDeliveryEnabled: z.boolean().nullable(),
  videoDataDeliveryEnabled: z.boolean().nullable(),
});

export const InvocationSample = z.object({
  timestamp: iso,
  requestId: z.string(),
  identityArn: z.string().nullable(),
  modelId: z.string(),
  operation: z.string(),
  /** Prompt and completion text with every detected PII entity replaced by `[TYPE]`. */
  inputText: z.string(),
  outputText: z.string(),
  guardrailAction: z.string().nullable(),
});

export const BedrockInvocationSummary = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  records: count,
  errors: count,
  /** Key: `identityArn|modelId|operation` */
  byIdentityModel: z.record(
    z.string(),
    z.object({ invocations: count, inputTokens: count, outputTokens: count }),
  ),
  guardrailInterventions: count,
  /** PII entities found in prompts and completions, by entity type (our detector plus guardrail traces). */
  piiDetections: z.record(z.string(), count),
  /** Records that carried PII and were not blocked or anonymized by a guardrail. */
  piiUnguardedRecords: count,
  samples: z.array(InvocationSample),
});

export const BedrockGuardrail = z.object({
  guardrailId: z.string(),
  name: z.string(),
  arn: z.string().nullable(),
  version: z.string().nullable(),
  status: z.string().nullable(),
  piiEntities: z.array(z.object({ type: z.string(), action: z.string() })),
  regexCount: count,
  contentFilters: z.array(z.object({ type: z.string(), inputStrength: z.string().nullable(), outputStrength: z.string().nullable() })),
  kmsKeyArn: z.string().nullable(),
});

export const MODEL_CARD_STATUSES = ['Draft', 'PendingReview', 'Approved', 'Archived'] as const;
export const SageMakerModelCard = z.object({
  name: z.string(),
  arn: z.string().nullable(),
  version: z.number().int().nullable(),
  status: z.enum(MODEL_CARD_STATUSES),
  createdBy: z.string().nullable(),
  lastModifiedBy: z.string().nullable(),
  lastModifiedTime: iso.nullable(),
  /** Problems found validating Content against the model-card JSON schema (empty = valid). */
  schemaErrors: z.array(z.string()),
  modelId: z.string().nullable(),
  modelName: z.string().nullable(),
  description: z.string().nullable(),
  intendedUses: z.string().nullable(),
  riskRating: z.enum(['High', 'Medium', 'Low', 'Unknown']).nullable(),
  riskExplanation: z.string().nullable(),
  problemType: z.string().nullable(),
  trainingObservations: z.string().nullable(),
  ethicalConsiderations: z.string().nullable(),
  caveatsAndRecommendations: z.string().nullable(),
  evaluationMetrics: z.array(z.object({ evaluation: z.string(), group: z.string(), name: z.string(), value: z.union([z.number(), z.string(), z.boolean()]) })),
  modelPackageArn: z.string().nullable(),
});

export const SageMakerModelPackage = z.object({
  arn: z.string(),
  groupName: z.string().nullable(),
  version: z.number().int().nullable(),
  approvalStatus: z.enum(['Approved', 'Rejected', 'PendingManualApproval']).nullable(),
  approvalDescription: z.string().nullable(),
  /** The principal who last modified the package (AWS records the approver this way). */
  approvedBy: z.string().nullable(),
  creationTime: iso.nullable(),
  modelDataUrl: z.string().nullable(),
  metrics: z.array(z.object({ name: z.string(), s3Uri: z.string(), contentType: z.string().nullable() })),
  biasReportUris: z.array(z.string()),
  modelCardName: z.string().nullable(),
});

export const SageMakerEndpoint = z.object({
  name: z.string(),
  arn: z.string(),
  status: z.string().nullable(),
  configName: z.string().nullable(),
  kmsKeyId: z.string().nullable(),
  dataCaptureEnabled: z.boolean().nullable(),
  modelNames: z.array(z.string()),
  modelPackageArns: z.array(z.string()),
});

export const LINEAGE_TYPES = ['Dataset', 'ProcessingJob', 'TrainingJob', 'Model', 'ModelPackage', 'Endpoint', 'Other'] as const;
export const SageMakerLineage = z.object({
  /** The entity the query started from (a model package or endpoint). */
  startArn: z.string(),
  vertices: z.array(
    z.object({ arn: z.string(), type: z.enum(LINEAGE_TYPES), awsType: z.string().nullable(), uri: z.string().nullable(), sha256: z.string().nullable() }),
  ),
  edges: z.array(z.object({ source: z.string(), destination: z.string(), association: z.string().nullable() })),
  /** True when at least one Dataset vertex is reachable upstream of startArn. */
  reachesDataset: z.boolean(),
});

export const ClarifyBiasReport = z.object({
  /** Model or job the report belongs to, as named by the source. */
  subject: z.string(),
  label: z.string().nullable(),
  labelValueOrThreshold: z.string().nullable(),
  metrics: z.array(
    z.object({
      stage: z.enum(['pre_training', 'post_training']),
      facet: z.string(),
      facetValue: z.string(),
      name: z.string(),
      value: z.number().nullable(),
      error: z.string().nullable(),
    }),
  ),
  origin: z.enum(['clarify', 'native']),
});

export const ArtifactReport = z.object({
  reportId: z.string(),
  name: z.string(),
  version: z.number().int().nullable(),
  series: z.string().nullable(),
  category: z.string().nullable(),
  companyName: z.string().nullable(),
  productName: z.string().nullable(),
  periodStart: iso.nullable(),
  periodEnd: iso.nullable(),
  state: z.string().nullable(),
  description: z.string().nullable(),
  /** SHA-256 of the downloaded PDF, when it was downloaded (the PDF itself is the item's raw blob). */
  documentSha256: z.string().nullable(),
});

export const CONTENT_SCHEMAS = {
  inventory: Inventory,
  'cloudtrail.trail': CloudTrailTrail,
  'cloudtrail.activity': CloudTrailActivity,
  'cloudtrail.event': CloudTrailEvent,
  'config.recorder': ConfigRecorder,
  'config.rule_compliance': ConfigRuleCompliance,
  'config.resource_compliance': ConfigResourceCompliance,
  'config.conformance_pack': ConfigConformancePack,
  'config.configuration_item': ConfigurationItem,
  'bedrock.logging_config': BedrockLoggingConfig,
  'bedrock.invocation_summary': BedrockInvocationSummary,
  'bedrock.guardrail': BedrockGuardrail,
  'sagemaker.model_card': SageMakerModelCard,
  'sagemaker.model_package': SageMakerModelPackage,
  'sagemaker.endpoint': SageMakerEndpoint,
  'sagemaker.lineage': SageMakerLineage,
  'clarify.bias_report': ClarifyBiasReport,
  'artifact.report': ArtifactReport,
} as const satisfies Record<EvidenceKind, z.ZodType>;

export type ContentOf<K extends EvidenceKind> = z.infer<(typeof CONTENT_SCHEMAS)[K]>;
