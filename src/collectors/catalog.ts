import type { EvidenceKind } from '../evidence/kinds.js';

/**
 * What each collector is, independent of transport (live API or export directory). Frameworks never name
 * collectors; rule kinds name evidence kinds, and this table says which collector yields which kinds.
 */
export interface CollectorDeclaration {
  readonly id: string;
  readonly title: string;
  readonly service: string;
  readonly regional: boolean;
  readonly kinds: readonly EvidenceKind[];
  /** Read-only IAM actions the live collector needs; the generated IAM policy is built from these. */
  readonly iamActions: readonly string[];
}

export const COLLECTORS = [
  {
    id: 'cloudtrail',
    title: 'AWS CloudTrail: trails, management events and log files',
    service: 'cloudtrail',
    regional: true,
    kinds: ['inventory', 'cloudtrail.trail', 'cloudtrail.activity', 'cloudtrail.event'],
    iamActions: ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors', 'cloudtrail:LookupEvents', 's3:GetObject', 's3:ListBucket'],
  },
  {
    id: 'config',
    title: 'AWS Config: recorders, rule compliance, conformance packs, configuration items',
    service: 'config',
    regional: true,
    kinds: ['inventory', 'config.recorder', 'config.rule_compliance', 'config.resource_compliance', 'config.conformance_pack', 'config.configuration_item'],
    iamActions: [
      'config:DescribeConfigurationRecorders',
      'config:DescribeConfigurationRecorderStatus',
      'config:DescribeConfigRules',
      'config:DescribeComplianceByConfigRule',
      'config:GetComplianceDetailsByConfigRule',
      'config:DescribeConformancePacks',
      'config:DescribeConformancePackCompliance',
      'config:DescribeConfigurationAggregators',
      'config:SelectResourceConfig',
      'config:BatchGetResourceConfig',
    ],
  },
  {
    id: 'bedrock',
    title: 'Amazon Bedrock: invocation logging settings, invocation logs, guardrails',
    service: 'bedrock',
    regional: true,
    kinds: ['inventory', 'bedrock.logging_config', 'bedrock.invocation_summary', 'bedrock.guardrail'],
    iamActions: ['bedrock:GetModelInvocationLoggingConfiguration', 'bedrock:ListGuardrails', 'bedrock:GetGuardrail', 'logs:FilterLogEvents', 's3:GetObject', 's3:ListBucket'],
  },
  {
    id: 'sagemaker',
    title: 'Amazon SageMaker: model cards, model registry, endpoints, lineage, Clarify reports',
    service: 'sagemaker',
    regional: true,
    kinds: ['inventory', 'sagemaker.model_card', 'sagemaker.model_package', 'sagemaker.endpoint', 'sagemaker.lineage', 'clarify.bias_report'],
    iamActions: [
      'sagemaker:ListModelCards',
      'sagemaker:ListModelCardVersions',
      'sagemaker:DescribeModelCard',
      'sagemaker:ListModelPackageGroups',
      'sagemaker:ListModelPackages',
      'sagemaker:DescribeModelPackage',
      'sagemaker:ListEndpoints',
      'sagemaker:DescribeEndpoint',
      'sagemaker:DescribeEndpointConfig',
      'sagemaker:DescribeModel',
      'sagemaker:ListContexts',
      'sagemaker:DescribeArtifact',
      'sagemaker:QueryLineage',
      's3:GetObject',
    ],
  },
  {
    id: 'artifact',
    title: 'AWS Artifact: AWS compliance reports (inherited controls)',
    service: 'artifact',
    regional: false,
    kinds: ['artifact.report'],
    iamActions: ['artifact:ListReports', 'artifact:GetReportMetadata', 'artifact:GetTermForReport', 'artifact:GetReport'],
  },
] as const satisfies readonly CollectorDeclaration[];

export type CollectorId = (typeof COLLECTORS)[number]['id'];

export function collectorDeclaration(id: string): CollectorDeclaration | undefined {
  return (COLLECTORS as readonly CollectorDeclaration[]).find((c) => c.id === id);
}
