import type { EvidenceView } from '../evidence-view.js';
import type { RuleKindId, RuleParams } from '../rule-kinds.js';
import type { RuleOutcome } from '../types.js';
import { artifactReportAvailable } from './artifact.js';
import { guardrailsPiiConfigured, invocationLoggingEnabled, invocationPiiGuarded } from './bedrock.js';
import { cloudTrailDeliveryContinuous, cloudTrailTrail, noSensitiveChanges } from './cloudtrail.js';
import { configRecorderOn, configRulesCompliant, conformancePackCompliant, resourceConfiguration } from './config.js';
import { fairnessWithinBounds } from './fairness.js';
import { deployedModelsApproved, endpointsEncrypted, lineageComplete, modelCardsApproved } from './sagemaker.js';

type Evaluators = { [R in RuleKindId]: (params: RuleParams<R>, ev: EvidenceView) => RuleOutcome };

/** Every rule kind has exactly one evaluator; the type makes a missing one a compile error. */
export const RULE_EVALUATORS: Evaluators = {
  config_rules_compliant: configRulesCompliant,
  config_recorder_on: configRecorderOn,
  conformance_pack_compliant: conformancePackCompliant,
  resource_configuration: resourceConfiguration,
  cloudtrail_trail: cloudTrailTrail,
  cloudtrail_delivery_continuous: cloudTrailDeliveryContinuous,
  no_sensitive_changes: noSensitiveChanges,
  invocation_logging_enabled: invocationLoggingEnabled,
  guardrails_pii_configured: guardrailsPiiConfigured,
  invocation_pii_guarded: invocationPiiGuarded,
  model_cards_approved: modelCardsApproved,
  deployed_models_approved: deployedModelsApproved,
  lineage_complete: lineageComplete,
  fairness_within_bounds: fairnessWithinBounds,
  endpoints_encrypted: endpointsEncrypted,
  artifact_report_available: artifactReportAvailable,
};
