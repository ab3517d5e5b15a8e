import type { EVENT_CATEGORIES } from '../../evidence/content.js';

export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** Event sources of AI services whose calls are reported as AI activity. */
export const AI_EVENT_SOURCES = new Set([
  'sagemaker.amazonaws.com',
  'bedrock.amazonaws.com',
  'bedrock-agent.amazonaws.com',
  'bedrock-runtime.amazonaws.com',
  'comprehend.amazonaws.com',
  'rekognition.amazonaws.com',
  'textract.amazonaws.com',
  'transcribe.amazonaws.com',
]);

/** Model invocations are high-volume data-plane calls: counted in the activity aggregate, never kept one by one. */
const INVOCATION_OPERATIONS = new Set([
  'InvokeModel',
  'InvokeModelWithResponseStream',
  'Converse',
  'ConverseStream',
  'InvokeEndpoint',
  'InvokeEndpointAsync',
  'InvokeEndpointWithResponseStream',
]);

const LOGGING_CHANGES: Record<string, readonly string[]> = {
  'cloudtrail.amazonaws.com': ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'DeleteEventDataStore', 'StopEventDataStoreIngestion'],
  'bedrock.amazonaws.com': ['DeleteModelInvocationLoggingConfiguration', 'PutModelInvocationLoggingConfiguration'],
  'config.amazonaws.com': ['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'],
  'logs.amazonaws.com': ['DeleteLogGroup', 'PutRetentionPolicy', 'DeleteRetentionPolicy'],
  'sagemaker.amazonaws.com': ['UpdateEndpoint'],
};

const GUARDRAIL_CHANGES: Record<string, readonly string[]> = {
  'bedrock.amazonaws.com': ['DeleteGuardrail', 'UpdateGuardrail', 'CreateGuardrail', 'CreateGuardrailVersion'],
};

const KEY_CHANGES: Record<string, readonly string[]> = {
  'kms.amazonaws.com': [
    'PutKeyPolicy',
    'DisableKey',
    'ScheduleKeyDeletion',
    'DisableKeyRotation',
    'CreateGrant',
    'RevokeGrant',
    'ImportKeyMaterial',
    'DeleteImportedKeyMaterial',
  ],
};

const CONFIG_CHANGES: Record<string, readonly string[]> = {
  'config.amazonaws.com': ['DeleteConfigRule', 'PutConfigRule', 'DeleteConformancePack', 'PutConformancePack', 'DeleteEvaluationResults'],
};

const IAM_CHANGE_PREFIXES = ['Create', 'Delete', 'Attach', 'Detach', 'Put', 'Update', 'Add', 'Remove', 'Set', 'Upload', 'Deactivate', 'Enable'];

function listed(table: Record<string, readonly string[]>, source: string, name: string): boolean {
  return table[source]?.includes(name) ?? false;
}

export function isAiSource(eventSource: string): boolean {
  return AI_EVENT_SOURCES.has(eventSource);
}

export function isInvocation(eventName: string): boolean {
  return INVOCATION_OPERATIONS.has(eventName);
}

/**
 * Why an event is worth keeping in full. An empty result means it only counts in the daily aggregate.
 * `requestParameters` is read for the few cases where the operation name alone does not tell (a model package
 * update is an approval only when it sets the approval status).
 */
export function classifyEvent(eventSource: string, eventName: string, readOnly: boolean | null, requestParameters: unknown): EventCategory[] {
  const out: EventCategory[] = [];
  if (listed(LOGGING_CHANGES, eventSource, eventName)) out.push('logging_change');
  if (listed(GUARDRAIL_CHANGES, eventSource, eventName)) out.push('guardrail_change');
  if (listed(KEY_CHANGES, eventSource, eventName)) out.push('key_change');
  if (listed(CONFIG_CHANGES, eventSource, eventName)) out.push('config_change');
  if (eventSource === 'iam.amazonaws.com' && IAM_CHANGE_PREFIXES.some((p) => eventName.startsWith(p))) out.push('iam_change');
  if (eventSource === 'sagemaker.amazonaws.com' && isApproval(eventName, requestParameters)) out.push('model_approval');
  if (isAiSource(eventSource) && !isInvocation(eventName) && readOnly !== true && !/^(Describe|List|Get|Search|Query)/.test(eventName)) {
    out.push('ai');
  }
  return out;
}

function isApproval(eventName: string, requestParameters: unknown): boolean {
  if (requestParameters === null || typeof requestParameters !== 'object') return false;
  const p = requestParameters as Record<string, unknown>;
  if (eventName === 'UpdateModelPackage' || eventName === 'CreateModelPackage') return p['modelApprovalStatus'] === 'Approved';
  if (eventName === 'UpdateModelCard' || eventName === 'CreateModelCard') return p['modelCardStatus'] === 'Approved';
  return false;
}

const TARGET_KEYS = [
  'name',
  'trailName',
  'guardrailIdentifier',
  'keyId',
  'modelPackageName',
  'modelPackageArn',
  'modelCardName',
  'endpointName',
  'configRuleName',
  'configurationRecorderName',
  'conformancePackName',
  'logGroupName',
  'roleName',
  'userName',
  'policyArn',
  'groupName',
  'bucketName',
] as const;

/** The resource an event acted on, as far as its request parameters say. */
export function eventTarget(requestParameters: unknown): string | null {
  if (requestParameters === null || typeof requestParameters !== 'object') return null;
  const p = requestParameters as Record<string, unknown>;
  for (const key of TARGET_KEYS) {
    const v = p[key];
    if (typeof v === 'string' && v.length > 0) return `${key}=${v}`;
  }
  return null;
}
