/**
 * The planted security-relevant changes, each re-stamped from a real upstream CloudTrail event (see ATTRIBUTION.md):
 * the template gives eventVersion, TLS details and console-session flag; accounts, regions, times, principals and
 * identifiers are ours.
 */
import { fixedStream } from './rng.js';
import { at, EU, GUARDRAILS, KMS, kmsArn, MLDEV, P, PROD, US, type Principal } from './common.js';
import type { CtSpec } from './cloudtrail-event.js';
import { MLDEV_GUARDRAIL_DELETED_AT, MLDEV_LOGGING_DELETED_AT } from './bedrock.js';
import {
  cloudTrailTemplateOrigin,
  templateTraits as traits,
  type CloudTrailTemplateName,
  type TemplateOrigin,
} from './templates.js';

export interface PlantedChange {
  readonly id: string;
  readonly spec: CtSpec;
  readonly template: CloudTrailTemplateName;
  readonly origin: TemplateOrigin;
  /** A failed call (errorCode set) is an attempt, not a change. */
  readonly countsAsChange: boolean;
  readonly description: string;
}

function restamp(
  name: CloudTrailTemplateName,
  base: Omit<CtSpec, 'eventVersion' | 'tls' | 'sessionCredentialFromConsole' | 'requestId' | 'eventId'>,
  ids: { requestId: string; eventId: string },
): CtSpec {
  const tr = traits(name);
  return {
    ...base,
    ...ids,
    eventVersion: tr.eventVersion,
    tls: tr.tls,
    sessionCredentialFromConsole: tr.sessionCredentialFromConsole || base.principal.console,
  };
}

export const STOP_LOGGING_ATTEMPT_AT = at(3, 22, 47, 13);
export const PUT_KEY_POLICY_AT = at(14, 11, 0, 0);

function keyPolicy(account: string, admin: Principal): string {
  const policy = {
    Version: '2012-10-17',
    Id: 'northwind-bedrock-logs-key',
    Statement: [
      {
        Sid: 'EnableRootAccess',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'AllowBedrockLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
      {
        Sid: 'AllowDataScientistsDecrypt',
        Effect: 'Allow',
        Principal: {
          AWS: [
            `arn:aws:iam::${account}:role/DataScientist`,
            `arn:aws:iam::${account}:role/${admin.roleName ?? 'PlatformAdmin'}`,
          ],
        },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
      },
    ],
  };
  return JSON.stringify(policy, null, 4);
}

export function plantedChanges(): PlantedChange[] {
  const rng = fixedStream('planted');
  const id = (): { requestId: string; eventId: string } => ({ requestId: rng.uuid(), eventId: rng.uuid() });
  const usKey = kmsArn(PROD, US, KMS.prodUs);
  const out: Omit<PlantedChange, 'origin'>[] = [
    {
      id: 'bedrock-logging-deleted',
      template: 'bedrock-delete-logging-config',
      countsAsChange: true,
      description: 'Bedrock model invocation logging configuration deleted in ml-dev eu-west-1',
      spec: restamp(
        'bedrock-delete-logging-config',
        {
          time: MLDEV_LOGGING_DELETED_AT,
          account: MLDEV,
          region: EU,
          eventSource: 'bedrock.amazonaws.com',
          eventName: 'DeleteModelInvocationLoggingConfiguration',
          principal: P.mldev.jordan,
          readOnly: false,
          requestParameters: null,
          responseElements: null,
        },
        id(),
      ),
    },
    {
      id: 'bedrock-guardrail-deleted',
      template: 'bedrock-delete-guardrail',
      countsAsChange: true,
      description: 'Bedrock guardrail deleted in ml-dev eu-west-1',
      spec: restamp(
        'bedrock-delete-guardrail',
        {
          time: MLDEV_GUARDRAIL_DELETED_AT,
          account: MLDEV,
          region: EU,
          eventSource: 'bedrock.amazonaws.com',
          eventName: 'DeleteGuardrail',
          principal: P.mldev.jordan,
          readOnly: false,
          requestParameters: { guardrailIdentifier: GUARDRAILS.mldevDeleted.id },
          responseElements: null,
        },
        id(),
      ),
    },
    {
      id: 'kms-key-policy-changed',
      template: 'kms-put-key-policy',
      countsAsChange: true,
      description: 'KMS key policy replaced on the prod us-east-1 Bedrock-logs key',
      spec: restamp(
        'kms-put-key-policy',
        {
          time: PUT_KEY_POLICY_AT,
          account: PROD,
          region: US,
          eventSource: 'kms.amazonaws.com',
          eventName: 'PutKeyPolicy',
          principal: P.prod.sam,
          readOnly: false,
          requestParameters: {
            keyId: KMS.prodUs,
            policyName: 'default',
            policy: keyPolicy(PROD, P.prod.sam),
            bypassPolicyLockoutSafetyCheck: false,
          },
          responseElements: { keyId: usKey },
          resources: [{ accountId: PROD, type: 'AWS::KMS::Key', ARN: usKey }],
        },
        id(),
      ),
    },
    {
      id: 'cloudtrail-stop-logging-denied',
      template: 'cloudtrail-stop-logging',
      countsAsChange: false,
      description: 'Attempt to stop the prod trail, denied (AccessDenied): an attempt, not a change',
      spec: restamp(
        'cloudtrail-stop-logging',
        {
          time: STOP_LOGGING_ATTEMPT_AT,
          account: PROD,
          region: EU,
          eventSource: 'cloudtrail.amazonaws.com',
          eventName: 'StopLogging',
          principal: P.prod.legacyEtl,
          readOnly: false,
          errorCode: 'AccessDenied',
          errorMessage: `User: arn:aws:iam::${PROD}:user/legacy-etl is not authorized to perform: cloudtrail:StopLogging on resource: arn:aws:cloudtrail:${EU}:${PROD}:trail/org-audit-trail because no identity-based policy allows the cloudtrail:StopLogging action`,
          requestParameters: { name: `arn:aws:cloudtrail:${EU}:${PROD}:trail/org-audit-trail` },
          responseElements: null,
        },
        id(),
      ),
    },
  ];
  return out.map((c) => ({ ...c, origin: cloudTrailTemplateOrigin(c.template) }));
}
