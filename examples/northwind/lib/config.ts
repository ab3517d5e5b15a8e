/**
 * AWS Config: recorders, managed rules and their evaluations, the HIPAA conformance pack, and one configuration
 * snapshot per account/region built from the real rdk example configuration items (see ATTRIBUTION.md).
 */
import { fixedStream } from './rng.js';
import { at, BUCKETS, cliTime, compactSecond, EU, iamUserId, KMS, kmsArn, MLDEV, PROD, US, ymdPath } from './common.js';
import type { JsonObject } from './cloudtrail-event.js';
import { configTemplate } from './templates.js';
import { TRAILS } from './cloudtrail.js';
import { SM } from './sagemaker.js';

export type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

export interface RuleDef {
  readonly name: string;
  readonly identifier: string;
  readonly description: string;
  readonly scope?: readonly string[];
  readonly periodic: boolean;
}

export const RULES: readonly RuleDef[] = [
  {
    name: 'cloudtrail-enabled',
    identifier: 'CLOUD_TRAIL_ENABLED',
    description: 'Checks if an AWS CloudTrail trail is enabled in your AWS account.',
    periodic: true,
  },
  {
    name: 'cloud-trail-log-file-validation-enabled',
    identifier: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
    description: 'Checks if AWS CloudTrail creates a signed digest file with logs.',
    periodic: true,
  },
  {
    name: 'cloud-trail-encryption-enabled',
    identifier: 'CLOUD_TRAIL_ENCRYPTION_ENABLED',
    description: 'Checks if AWS CloudTrail is configured to use server side encryption (SSE) AWS KMS key encryption.',
    periodic: true,
  },
  {
    name: 's3-bucket-server-side-encryption-enabled',
    identifier: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
    description:
      'Checks if your Amazon S3 bucket either has the Amazon S3 default encryption enabled or that the Amazon S3 bucket policy explicitly denies put-object requests without server side encryption.',
    scope: ['AWS::S3::Bucket'],
    periodic: false,
  },
  {
    name: 'iam-user-mfa-enabled',
    identifier: 'IAM_USER_MFA_ENABLED',
    description:
      'Checks if the AWS Identity and Access Management (IAM) users have multi-factor authentication (MFA) enabled.',
    periodic: true,
  },
  {
    name: 'sagemaker-endpoint-configuration-kms-key-configured',
    identifier: 'SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED',
    description:
      'Checks if AWS Key Management Service (AWS KMS) key is configured for an Amazon SageMaker endpoint configuration.',
    periodic: true,
  },
  {
    name: 'sagemaker-notebook-no-direct-internet-access',
    identifier: 'SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS',
    description: 'Checks if direct internet access is disabled for an Amazon SageMaker notebook instance.',
    periodic: true,
  },
  {
    name: 'cmk-backing-key-rotation-enabled',
    identifier: 'CMK_BACKING_KEY_ROTATION_ENABLED',
    description:
      'Checks if automatic key rotation is enabled for each key and matches to the key ID of the customer created AWS KMS key.',
    periodic: true,
  },
];

/** Rules of the HIPAA conformance pack template that are also deployed here (cmk-backing-key-rotation is not in it). */
export const HIPAA_PACK = 'Operational-Best-Practices-for-HIPAA-Security';
export const HIPAA_PACK_RULES = RULES.filter((r) => r.identifier !== 'CMK_BACKING_KEY_ROTATION_ENABLED').map(
  (r) => r.name,
);

export interface EvaluatedResource {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName: string;
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT';
  readonly annotation?: string;
}

export interface RuleState {
  readonly account: string;
  readonly region: string;
  readonly rule: RuleDef;
  /** Rule-level compliance as DescribeComplianceByConfigRule reports it (never NOT_APPLICABLE there). */
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'INSUFFICIENT_DATA';
  /** Why a rule has no evaluation results (its outcome is "not applicable"). */
  readonly notApplicableReason?: string;
  readonly resources: readonly EvaluatedResource[];
}

const acctRes = (
  account: string,
  compliance: 'COMPLIANT' | 'NON_COMPLIANT',
  annotation?: string,
): EvaluatedResource => ({
  resourceType: 'AWS::::Account',
  resourceId: account,
  resourceName: account,
  compliance,
  ...(annotation ? { annotation } : {}),
});

const bucketRes = (name: string, compliance: 'COMPLIANT' | 'NON_COMPLIANT'): EvaluatedResource => ({
  resourceType: 'AWS::S3::Bucket',
  resourceId: name,
  resourceName: name,
  compliance,
  ...(compliance === 'NON_COMPLIANT'
    ? { annotation: 'Default server-side encryption is not enabled for this bucket.' }
    : {}),
});

const userRes = (account: string, name: string, compliance: 'COMPLIANT' | 'NON_COMPLIANT'): EvaluatedResource => ({
  resourceType: 'AWS::IAM::User',
  resourceId: iamUserId(account, name),
  resourceName: name,
  compliance,
  ...(compliance === 'NON_COMPLIANT' ? { annotation: 'This IAM user does not have an MFA device enabled.' } : {}),
});

const keyRes = (keyId: string): EvaluatedResource => ({
  resourceType: 'AWS::KMS::Key',
  resourceId: keyId,
  resourceName: keyId,
  compliance: 'COMPLIANT',
});

export const BUCKETS_BY_PAIR: Record<string, readonly string[]> = {
  [`${PROD}/${EU}`]: [BUCKETS.mlData, BUCKETS.mlArtifacts, BUCKETS.bedrockLogsEu, BUCKETS.prodTrail],
  [`${PROD}/${US}`]: [BUCKETS.bedrockLogsUs, BUCKETS.prodConfig],
  [`${MLDEV}/${EU}`]: [BUCKETS.devScratch, BUCKETS.devArtifacts, BUCKETS.devTrail, BUCKETS.devConfig],
  [`${MLDEV}/${US}`]: [BUCKETS.devUsExperiments],
};

/** The IAM users recorded (global resources are recorded in eu-west-1 only). */
export const IAM_USERS: Record<string, readonly { name: string; mfa: boolean }[]> = {
  [PROD]: [
    { name: 'legacy-etl', mfa: false },
    { name: 'break-glass-admin', mfa: true },
  ],
  [MLDEV]: [{ name: 'breakglass-dev', mfa: true }],
};

export interface KeyDef {
  readonly keyId: string;
  readonly description: string;
  readonly rotation: boolean;
  readonly origin: 'AWS_KMS' | 'EXTERNAL';
}

export const KEYS_BY_PAIR: Record<string, readonly KeyDef[]> = {
  [`${PROD}/${EU}`]: [
    {
      keyId: KMS.prodEu,
      description: 'northwind prod data, ML artifacts and CloudTrail logs (eu-west-1)',
      rotation: true,
      origin: 'AWS_KMS',
    },
  ],
  [`${PROD}/${US}`]: [
    {
      keyId: KMS.prodUs,
      description: 'northwind prod Bedrock invocation logs (us-east-1)',
      rotation: true,
      origin: 'AWS_KMS',
    },
  ],
  [`${MLDEV}/${EU}`]: [
    { keyId: KMS.mldevEu, description: 'ml-dev SageMaker volumes and artifacts', rotation: true, origin: 'AWS_KMS' },
    {
      keyId: KMS.mldevEuImported,
      description: 'ml-dev scratch key with imported key material',
      rotation: false,
      origin: 'EXTERNAL',
    },
  ],
  [`${MLDEV}/${US}`]: [
    { keyId: KMS.mldevUs, description: 'ml-dev experiments (us-east-1)', rotation: true, origin: 'AWS_KMS' },
    {
      keyId: KMS.mldevUsImported,
      description: 'ml-dev imported key material for experiments',
      rotation: false,
      origin: 'EXTERNAL',
    },
  ],
};

export function ruleStates(account: string, region: string): RuleState[] {
  const pair = `${account}/${region}`;
  const eu = region === EU;
  const prod = account === PROD;
  const out: RuleState[] = [];
  for (const rule of RULES) {
    let resources: EvaluatedResource[] = [];
    let notApplicableReason: string | undefined;
    switch (rule.identifier) {
      case 'CLOUD_TRAIL_ENABLED':
        resources = [acctRes(account, 'COMPLIANT')];
        break;
      case 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED':
        resources = [
          prod
            ? acctRes(account, 'COMPLIANT')
            : acctRes(account, 'NON_COMPLIANT', 'Log file validation is not enabled on trail dev-trail.'),
        ];
        break;
      case 'CLOUD_TRAIL_ENCRYPTION_ENABLED':
        resources = [
          prod
            ? acctRes(account, 'COMPLIANT')
            : acctRes(account, 'NON_COMPLIANT', 'Trail dev-trail is not encrypted with an AWS KMS key.'),
        ];
        break;
      case 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED':
        resources = (BUCKETS_BY_PAIR[pair] ?? []).map((b) =>
          bucketRes(b, b === BUCKETS.devScratch ? 'NON_COMPLIANT' : 'COMPLIANT'),
        );
        break;
      case 'IAM_USER_MFA_ENABLED':
        if (eu)
          resources = (IAM_USERS[account] ?? []).map((u) =>
            userRes(account, u.name, u.mfa ? 'COMPLIANT' : 'NON_COMPLIANT'),
          );
        else
          notApplicableReason =
            'IAM users are global resources, recorded in eu-west-1 only: no user is in scope in us-east-1';
        break;
      case 'SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED':
        if (eu && prod)
          resources = [
            {
              resourceType: 'AWS::SageMaker::EndpointConfig',
              resourceId: SM.prod.endpointConfig,
              resourceName: SM.prod.endpointConfig,
              compliance: 'COMPLIANT',
            },
          ];
        else if (eu)
          resources = [
            {
              resourceType: 'AWS::SageMaker::EndpointConfig',
              resourceId: SM.mldev.endpointConfig,
              resourceName: SM.mldev.endpointConfig,
              compliance: 'NON_COMPLIANT',
              annotation: 'The endpoint configuration does not specify an AWS KMS key.',
            },
          ];
        else notApplicableReason = 'no SageMaker endpoint configuration in this region';
        break;
      case 'SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS':
        notApplicableReason = 'no SageMaker notebook instance in this account/region';
        break;
      case 'CMK_BACKING_KEY_ROTATION_ENABLED':
        // Keys with imported key material (origin EXTERNAL) cannot rotate automatically and are not evaluated.
        resources = (KEYS_BY_PAIR[pair] ?? []).filter((k) => k.origin === 'AWS_KMS').map((k) => keyRes(k.keyId));
        break;
      default:
        throw new Error(`unknown rule ${rule.identifier}`);
    }
    const compliance =
      resources.length === 0
        ? 'INSUFFICIENT_DATA'
        : resources.some((r) => r.compliance === 'NON_COMPLIANT')
          ? 'NON_COMPLIANT'
          : 'COMPLIANT';
    out.push({ account, region, rule, compliance, resources, ...(notApplicableReason ? { notApplicableReason } : {}) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// CLI outputs

export function configCli(account: string, region: string): { name: string; value: JsonObject }[] {
  const rng = fixedStream(`config:${account}:${region}`);
  const states = ruleStates(account, region);
  const ruleIds = RULES.map(() => `config-rule-${rng.lowerAlnum(6)}`);
  const invoked = at(31, 23, 12, 7) + rng.int(0, 600_000);
  const files: { name: string; value: JsonObject }[] = [];
  files.push({
    name: 'describe-configuration-recorder-status.json',
    value: {
      ConfigurationRecordersStatus: [
        {
          name: 'default',
          lastStartTime: cliTime(Date.UTC(2025, 5, 2, 8, 14, 51, 207)),
          recording: true,
          lastStatus: 'Success',
          lastStatusChangeTime: cliTime(at(31, 23, 58, 2) + rng.int(0, 50_000)),
        },
      ],
    },
  });
  files.push({
    name: 'describe-configuration-recorders.json',
    value: {
      ConfigurationRecorders: [
        {
          name: 'default',
          roleARN: `arn:aws:iam::${account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          recordingGroup: {
            allSupported: true,
            includeGlobalResourceTypes: region === EU,
            resourceTypes: [],
            exclusionByResourceTypes: { resourceTypes: [] },
            recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' },
          },
          recordingMode: { recordingFrequency: 'CONTINUOUS', recordingModeOverrides: [] },
        },
      ],
    },
  });
  files.push({
    name: 'describe-config-rules.json',
    value: {
      ConfigRules: RULES.map((r, i) => ({
        ConfigRuleName: r.name,
        ConfigRuleArn: `arn:aws:config:${region}:${account}:config-rule/${ruleIds[i] ?? ''}`,
        ConfigRuleId: ruleIds[i],
        Description: r.description,
        ...(r.scope ? { Scope: { ComplianceResourceTypes: [...r.scope] } } : {}),
        Source: { Owner: 'AWS', SourceIdentifier: r.identifier },
        InputParameters: '{}',
        ...(r.periodic ? { MaximumExecutionFrequency: 'TwentyFour_Hours' } : {}),
        ConfigRuleState: 'ACTIVE',
        EvaluationModes: [{ Mode: 'DETECTIVE' }],
      })),
    },
  });
  files.push({
    name: 'describe-compliance-by-config-rule.json',
    value: {
      ComplianceByConfigRules: states.map((s) => {
        const nc = s.resources.filter((r) => r.compliance === 'NON_COMPLIANT').length;
        return {
          ConfigRuleName: s.rule.name,
          Compliance: {
            ComplianceType: s.compliance,
            ...(nc > 0 ? { ComplianceContributorCount: { CappedCount: nc, CapExceeded: false } } : {}),
          },
        };
      }),
    },
  });
  for (const s of states) {
    files.push({
      name: `get-compliance-details-by-config-rule.${s.rule.name}.json`,
      value: {
        EvaluationResults: s.resources.map((r) => {
          const ordering = invoked - rng.int(60_000, 86_400_000);
          return {
            EvaluationResultIdentifier: {
              EvaluationResultQualifier: {
                ConfigRuleName: s.rule.name,
                ResourceType: r.resourceType,
                ResourceId: r.resourceId,
                EvaluationMode: 'DETECTIVE',
              },
              OrderingTimestamp: cliTime(ordering),
            },
            ComplianceType: r.compliance,
            ResultRecordedTime: cliTime(invoked + rng.int(1_000, 9_000)),
            ConfigRuleInvokedTime: cliTime(invoked),
            ...(r.annotation ? { Annotation: r.annotation } : {}),
          };
        }),
      },
    });
  }
  if (account === PROD && region === EU) {
    files.push({
      name: `describe-conformance-pack-compliance.${HIPAA_PACK}.json`,
      value: {
        ConformancePackName: HIPAA_PACK,
        ConformancePackRuleComplianceList: states
          .filter((s) => HIPAA_PACK_RULES.includes(s.rule.name))
          .map((s) => ({ ConfigRuleName: s.rule.name, ComplianceType: s.compliance })),
      },
    });
  }
  return files;
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration snapshot (delivery format, configuration item version 1.3)

function ownerIdOf(account: string): string {
  return fixedStream(`s3-canonical:${account}`).hex(64);
}

function deliveryStyle(ci: JsonObject): JsonObject {
  // The rdk examples mix API style (version/accountId/arn) and delivery style; snapshots use the delivery style.
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(ci)) {
    const key =
      k === 'version'
        ? 'configurationItemVersion'
        : k === 'accountId'
          ? 'awsAccountId'
          : k === 'arn'
            ? 'ARN'
            : k === 'configurationItemMD5Hash'
              ? 'configurationStateMd5Hash'
              : k;
    if (key === 'resourceTransitionStatus') continue;
    out[key] = v;
  }
  return out;
}

function bucketCi(account: string, region: string, name: string, capture: number, created: number): JsonObject {
  const ci = configTemplate('AWS_S3_Bucket');
  const owner = ownerIdOf(account);
  const kmsKey =
    account === PROD ? (region === EU ? KMS.prodEu : KMS.prodUs) : region === EU ? KMS.mldevEu : KMS.mldevUs;
  const supp = ci['supplementaryConfiguration'] as JsonObject;
  supp['AccessControlList'] = JSON.stringify({
    grantSet: null,
    grantList: [{ grantee: { id: owner, displayName: null }, permission: 'FullControl' }],
    owner: { displayName: null, id: owner },
    isRequesterCharged: false,
  });
  supp['BucketPolicy'] = {
    policyText: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
  };
  supp['BucketVersioningConfiguration'] = {
    status: name === BUCKETS.devScratch ? 'Off' : 'Enabled',
    isMfaDeleteEnabled: null,
  };
  supp['PublicAccessBlockConfiguration'] = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  };
  if (name !== BUCKETS.devScratch) {
    supp['ServerSideEncryptionConfiguration'] = {
      rules: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: 'aws:kms',
            kmsMasterKeyID: kmsArn(account, region, kmsKey),
          },
          bucketKeyEnabled: true,
        },
      ],
    };
  }
  return {
    ...ci,
    configuration: { name, owner: { displayName: null, id: owner }, creationDate: new Date(created).toISOString() },
    supplementaryConfiguration: supp,
    tags: { 'northwind:env': account === PROD ? 'prod' : 'ml-dev' },
    configurationItemCaptureTime: new Date(capture).toISOString(),
    configurationStateId: capture,
    awsAccountId: account,
    resourceId: name,
    resourceName: name,
    ARN: `arn:aws:s3:::${name}`,
    awsRegion: region,
    resourceCreationTime: new Date(created).toISOString(),
  };
}

function keyCi(account: string, region: string, key: KeyDef, capture: number, created: number): JsonObject {
  const ci = deliveryStyle(configTemplate('AWS_KMS_Key'));
  const arn = kmsArn(account, region, key.keyId);
  const policy = {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
  return {
    ...ci,
    configurationItemVersion: '1.3',
    awsAccountId: account,
    configurationItemCaptureTime: new Date(capture).toISOString(),
    configurationStateId: String(capture),
    configurationStateMd5Hash: '',
    ARN: arn,
    resourceId: key.keyId,
    awsRegion: region,
    resourceCreationTime: new Date(created).toISOString(),
    tags: {},
    configuration: {
      keyId: key.keyId,
      arn,
      creationDate: created,
      enabled: true,
      description: key.description,
      keyUsage: 'ENCRYPT_DECRYPT',
      keyState: 'Enabled',
      origin: key.origin,
      keyManager: 'CUSTOMER',
      customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      keySpec: 'SYMMETRIC_DEFAULT',
      encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      signingAlgorithms: [],
      multiRegion: false,
      ...(key.origin === 'EXTERNAL' ? { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } : {}),
      awsaccountId: account,
    },
    supplementaryConfiguration: { Policy: JSON.stringify(policy, null, 2), KeyRotationStatus: key.rotation },
  };
}

function userCi(account: string, name: string, capture: number, created: number): JsonObject {
  const ci = deliveryStyle(configTemplate('AWS_IAM_User'));
  const userId = iamUserId(account, name);
  const policyArn =
    name === 'legacy-etl'
      ? `arn:aws:iam::${account}:policy/legacy-etl-s3-read`
      : 'arn:aws:iam::aws:policy/AdministratorAccess';
  return {
    ...ci,
    awsAccountId: account,
    configurationItemCaptureTime: new Date(capture).toISOString(),
    configurationStateId: String(capture),
    configurationStateMd5Hash: '',
    ARN: `arn:aws:iam::${account}:user/${name}`,
    resourceId: userId,
    resourceName: name,
    resourceCreationTime: new Date(created).toISOString(),
    relatedEvents: [],
    relationships: [
      {
        resourceType: 'AWS::IAM::Policy',
        resourceId: `ANPA${fixedStream(`policy:${policyArn}`).upperAlnum(17)}`,
        resourceName: policyArn.split('/').pop(),
        relationshipName: 'Is attached to CustomerManagedPolicy',
      },
    ],
    configuration: {
      path: '/',
      userName: name,
      userId,
      arn: `arn:aws:iam::${account}:user/${name}`,
      createDate: new Date(created).toISOString(),
      userPolicyList: [],
      groupList: [],
      attachedManagedPolicies: [{ policyName: policyArn.split('/').pop(), policyArn }],
      permissionsBoundary: null,
      tags: [],
    },
    supplementaryConfiguration: {},
  };
}

function trailCi(account: string, capture: number, created: number): JsonObject {
  const ci = deliveryStyle(configTemplate('AWS_Cloudtrail_Trail'));
  const prod = account === PROD;
  const t = prod ? TRAILS.prod : TRAILS.mldev;
  return {
    ...ci,
    configurationItemVersion: '1.3',
    awsAccountId: account,
    configurationItemCaptureTime: new Date(capture).toISOString(),
    configurationStateId: String(capture),
    ARN: t.arn,
    resourceId: t.name,
    resourceName: t.name,
    awsRegion: EU,
    resourceCreationTime: new Date(created).toISOString(),
    configuration: {
      name: t.name,
      s3BucketName: prod ? BUCKETS.prodTrail : BUCKETS.devTrail,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: prod,
      homeRegion: EU,
      trailARN: t.arn,
      logFileValidationEnabled: prod,
      ...(prod ? { cloudWatchLogsLogGroupArn: TRAILS.prod.logGroupArn, kmsKeyId: TRAILS.prod.kmsKeyId } : {}),
      hasCustomEventSelectors: prod,
      hasInsightSelectors: false,
      isOrganizationTrail: false,
    },
    supplementaryConfiguration: { Tags: [] },
  };
}

export interface Snapshot {
  readonly rel: string;
  readonly content: string;
  readonly mtimeMs: number;
  readonly items: readonly { resourceType: string; resourceId: string; resourceName?: string }[];
}

export function configSnapshot(account: string, region: string): Snapshot {
  const rng = fixedStream(`config-snapshot:${account}:${region}`);
  const delivered = at(31, 4, 15, 12) + rng.int(0, 900) * 1000;
  const capture = (): number => at(31, 3, 50, 0) + rng.int(0, 1200) * 1000 + rng.int(0, 999);
  const created = (): number =>
    Date.UTC(2025, rng.int(0, 11), rng.int(1, 28), rng.int(7, 18), rng.int(0, 59), rng.int(0, 59));
  const pair = `${account}/${region}`;
  const items: JsonObject[] = [];
  for (const b of BUCKETS_BY_PAIR[pair] ?? []) items.push(bucketCi(account, region, b, capture(), created()));
  for (const k of KEYS_BY_PAIR[pair] ?? []) items.push(keyCi(account, region, k, capture(), created()));
  if (region === EU) {
    for (const u of IAM_USERS[account] ?? []) items.push(userCi(account, u.name, capture(), created()));
    items.push(trailCi(account, capture(), created()));
  }
  const snapshotId = rng.uuid();
  const rel = `AWSLogs/${account}/Config/${region}/${ymdPath(delivered)}/ConfigSnapshot/${account}_Config_${region}_ConfigSnapshot_${compactSecond(delivered)}_${snapshotId}.json.gz`;
  return {
    rel,
    content: JSON.stringify({ fileVersion: '1.0', configSnapshotId: snapshotId, configurationItems: items }),
    mtimeMs: delivered,
    items: items.map((i) => ({
      resourceType: String(i['resourceType']),
      resourceId: String(i['resourceId']),
      resourceName: typeof i['resourceName'] === 'string' ? i['resourceName'] : undefined,
    })),
  };
}
