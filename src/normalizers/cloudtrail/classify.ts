import type { EVENT_CATEGORIES } from '../../evidence/content.js';
import { EventRuleIndex, type EventRule } from './event-rules.js';

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

/** Read-style operations of AI services: not reported as AI activity. */
const READ_STYLE_PREFIXES = ['Describe', 'List', 'Get', 'Search', 'Query'];

function tableRules(table: Record<string, readonly string[]>, category: EventCategory): EventRule<EventCategory>[] {
  return Object.entries(table).map(([source, names]) => ({ sources: [source], names, value: category }));
}

/**
 * Why an event is kept, as data: each rule names the events of one category. The order of the rules is the order
 * of the categories in `classifyEvent`'s result. Frameworks name these categories (`no_sensitive_changes`), and
 * `src/mappers/event-controls.ts` derives per-control rules from them.
 */
export const CATEGORY_RULES: readonly EventRule<EventCategory>[] = [
  ...tableRules(LOGGING_CHANGES, 'logging_change'),
  ...tableRules(GUARDRAIL_CHANGES, 'guardrail_change'),
  ...tableRules(KEY_CHANGES, 'key_change'),
  ...tableRules(CONFIG_CHANGES, 'config_change'),
  { sources: ['iam.amazonaws.com'], prefixes: IAM_CHANGE_PREFIXES, value: 'iam_change' },
  // A model package or card update is an approval only when it sets the approval status.
  {
    sources: ['sagemaker.amazonaws.com'],
    names: ['UpdateModelPackage', 'CreateModelPackage'],
    param: { key: 'modelApprovalStatus', equals: 'Approved' },
    value: 'model_approval',
  },
  { sources: ['sagemaker.amazonaws.com'], names: ['UpdateModelCard', 'CreateModelCard'], param: { key: 'modelCardStatus', equals: 'Approved' }, value: 'model_approval' },
  {
    sources: [...AI_EVENT_SOURCES],
    exceptNames: [...INVOCATION_OPERATIONS],
    exceptPrefixes: READ_STYLE_PREFIXES,
    notReadOnly: true,
    value: 'ai',
  },
];

const CATEGORY_INDEX = new EventRuleIndex(CATEGORY_RULES);

export function isAiSource(eventSource: string): boolean {
  return AI_EVENT_SOURCES.has(eventSource);
}

export function isInvocation(eventName: string): boolean {
  return INVOCATION_OPERATIONS.has(eventName);
}

/**
 * Why an event is worth keeping in full. An empty result means it only counts in the daily aggregate.
 * `requestParameters` is read for the few cases where the operation name alone does not tell (a model package
 * update is an approval only when it sets the approval status). Matched through the compiled rule index, so the
 * cost per event does not grow with the number of rules.
 */
export function classifyEvent(eventSource: string, eventName: string, readOnly: boolean | null, requestParameters: unknown): EventCategory[] {
  const matched = CATEGORY_INDEX.match({ eventSource, eventName, readOnly, requestParameters });
  // Two rules of one category (the two approval rules) may both match: each category once, in rule order.
  return matched.length <= 1 ? [...matched] : [...new Set(matched)];
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
