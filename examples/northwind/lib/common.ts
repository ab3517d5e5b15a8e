/**
 * The fictional estate: accounts, regions, period, well-known names, principals and time helpers.
 * Everything here is fixed (independent of the seed).
 */
import { fixedStream } from './rng.js';

export const ORGANISATION = 'Northwind Health AI';
export const PROD = '111122223333';
export const MLDEV = '444455556666';
export const ACCOUNTS = [PROD, MLDEV] as const;
export type Account = (typeof ACCOUNTS)[number];
export const ACCOUNT_NAMES: Record<Account, string> = { [PROD]: 'prod', [MLDEV]: 'ml-dev' };
export const EU = 'eu-west-1';
export const US = 'us-east-1';
export const REGIONS = [EU, US] as const;
export type Region = (typeof REGIONS)[number];

export const PERIOD_LABEL = '2026-10';
export const YEAR = 2026;
export const MONTH = 10;
export const DAYS_IN_PERIOD = 31;
/** When the CLI outputs were captured: every `cli/**` file gets this mtime. */
export const COLLECTION_TIME = '2026-11-01T06:00:00Z';
export const COLLECTION_MS = Date.parse(COLLECTION_TIME);
export const DEFAULT_SEED = 20261031;

/** Days of October 2026 for which ml-dev / us-east-1 has no CloudTrail log file at all (a planted gap). */
export const MLDEV_US_MISSING_DAYS = [17, 18] as const;

export const BUCKETS = {
  mlData: 'northwind-ml-data',
  mlArtifacts: 'northwind-ml-artifacts',
  bedrockLogsEu: 'northwind-bedrock-logs',
  bedrockLogsUs: 'northwind-bedrock-logs-us-east-1',
  prodTrail: 'northwind-org-cloudtrail',
  prodConfig: 'northwind-config-delivery',
  devScratch: 'northwind-dev-scratch',
  devArtifacts: 'northwind-dev-ml-artifacts',
  devTrail: 'northwind-dev-cloudtrail',
  devConfig: 'northwind-dev-config-delivery',
  devUsExperiments: 'northwind-dev-experiments-us-east-1',
} as const;

export const MODELS = {
  haiku: 'anthropic.claude-3-haiku-20240307-v1:0',
  titan: 'amazon.titan-text-express-v1',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Time

export function dayMs(day: number): number {
  return Date.UTC(YEAR, MONTH - 1, day);
}

export function at(day: number, h: number, m: number, s = 0): number {
  return Date.UTC(YEAR, MONTH - 1, day, h, m, s);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** CloudTrail / Bedrock-log instant: `YYYY-MM-DDTHH:MM:SSZ`. */
export function isoZ(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** How AWS CLI v2 prints timestamps: `2026-10-31T23:55:12.123000+00:00`. */
export function cliTime(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 19)}.${pad(d.getUTCMilliseconds(), 3)}000+00:00`;
}

/** `YYYYMMDDTHHmmZ` as in CloudTrail log file names. */
export function compactMinute(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

/** `YYYYMMDDTHHmmssZ`. */
export function compactSecond(ms: number): string {
  const d = new Date(ms);
  return `${compactMinute(ms).slice(0, -1)}${pad(d.getUTCSeconds())}Z`;
}

export function ymdPath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

export function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Principals

export type PrincipalType = 'AssumedRole' | 'IAMUser' | 'AWSService';

export interface Principal {
  readonly type: PrincipalType;
  readonly account: string;
  /** The identity ARN as CloudTrail and Bedrock logs show it (for a service: the service principal). */
  readonly arn: string;
  readonly roleName?: string;
  readonly rolePath?: string;
  readonly sessionName?: string;
  readonly userName?: string;
  readonly service?: string;
  readonly principalId: string;
  readonly roleId?: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly mfa: boolean;
  readonly console: boolean;
}

export const UA = {
  cli: 'aws-cli/2.17.41 md/awscrt#0.21.2 ua/2.0 os/linux#6.1.0-25-amd64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off',
  boto: 'Boto3/1.35.24 md/Botocore#1.35.24 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.24',
  lambda:
    'Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226-235.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145',
  sagemakerSdk:
    'Boto3/1.35.24 md/Botocore#1.35.24 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.35.24 sagemaker-python-sdk/2.232.1',
  browser:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
  console: 'AWS Internal',
  terraform: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.7 (+https://www.terraform.io) terraform-provider-aws/5.70.0',
} as const;

function roleIdOf(account: string, roleName: string): string {
  return `AROA${fixedStream(`role-id:${account}:${roleName}`).upperAlnum(17)}`;
}

export function assumedRole(
  account: string,
  roleName: string,
  sessionName: string,
  opts: { ip: string; userAgent: string; mfa?: boolean; console?: boolean; rolePath?: string },
): Principal {
  const roleId = roleIdOf(account, roleName);
  return {
    type: 'AssumedRole',
    account,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    roleName,
    rolePath: opts.rolePath ?? '',
    sessionName,
    principalId: `${roleId}:${sessionName}`,
    roleId,
    sourceIp: opts.ip,
    userAgent: opts.userAgent,
    mfa: opts.mfa ?? false,
    console: opts.console ?? false,
  };
}

export function iamUser(account: string, userName: string, opts: { ip: string; userAgent: string }): Principal {
  return {
    type: 'IAMUser',
    account,
    arn: `arn:aws:iam::${account}:user/${userName}`,
    userName,
    principalId: iamUserId(account, userName),
    sourceIp: opts.ip,
    userAgent: opts.userAgent,
    mfa: false,
    console: false,
  };
}

export function iamUserId(account: string, userName: string): string {
  return `AIDA${fixedStream(`user-id:${account}:${userName}`).upperAlnum(17)}`;
}

export function awsService(account: string, service: string): Principal {
  return {
    type: 'AWSService',
    account,
    arn: service,
    service,
    principalId: service,
    sourceIp: service,
    userAgent: service,
    mfa: false,
    console: false,
  };
}

/** The named people and workloads of the estate. */
export const P = {
  prod: {
    supportAssistant: assumedRole(PROD, 'SupportAssistantRole', 'northwind-support-assistant', {
      ip: '198.51.100.24',
      userAgent: UA.lambda,
    }),
    amir: assumedRole(PROD, 'DataScientist', 'amir.haddad', {
      ip: '203.0.113.41',
      userAgent: UA.sagemakerSdk,
      mfa: true,
    }),
    lena: assumedRole(PROD, 'DataScientist', 'lena.fischer', { ip: '203.0.113.87', userAgent: UA.boto, mfa: true }),
    dana: assumedRole(PROD, 'MLApprover', 'dana.kim', {
      ip: '203.0.113.19',
      userAgent: UA.browser,
      mfa: true,
      console: true,
    }),
    sam: assumedRole(PROD, 'PlatformAdmin', 'sam.okafor', {
      ip: '203.0.113.63',
      userAgent: UA.browser,
      mfa: true,
      console: true,
    }),
    pipeline: assumedRole(PROD, 'DataPipelineRole', 'etl-nightly', { ip: '198.51.100.77', userAgent: UA.boto }),
    sagemakerExec: assumedRole(PROD, 'SageMakerExecutionRole', 'SageMaker', {
      ip: '10.40.12.118',
      userAgent: UA.sagemakerSdk,
    }),
    terraform: assumedRole(PROD, 'TerraformDeploy', 'github-actions', {
      ip: '198.51.100.140',
      userAgent: UA.terraform,
    }),
    legacyEtl: iamUser(PROD, 'legacy-etl', { ip: '192.0.2.201', userAgent: UA.cli }),
    readOnlyAudit: assumedRole(PROD, 'SecurityAudit', 'prowler-scan', { ip: '198.51.100.9', userAgent: UA.boto }),
  },
  mldev: {
    supportStaging: assumedRole(MLDEV, 'SupportAssistantRole', 'support-assistant-staging', {
      ip: '198.51.100.31',
      userAgent: UA.lambda,
    }),
    amir: assumedRole(MLDEV, 'DataScientist', 'amir.haddad', {
      ip: '203.0.113.41',
      userAgent: UA.sagemakerSdk,
      mfa: true,
    }),
    priya: assumedRole(MLDEV, 'DataScientist', 'priya.nair', { ip: '203.0.113.52', userAgent: UA.boto, mfa: true }),
    jordan: assumedRole(MLDEV, 'AWSReservedSSO_DevAdmin_3f9a1c2e7b6d4a58', 'jordan.lee', {
      ip: '203.0.113.74',
      userAgent: UA.browser,
      console: true,
      rolePath: 'aws-reserved/sso.amazonaws.com/eu-west-1/',
    }),
    sagemakerExec: assumedRole(MLDEV, 'SageMakerExecutionRole', 'SageMaker', {
      ip: '10.60.3.27',
      userAgent: UA.sagemakerSdk,
    }),
    terraform: assumedRole(MLDEV, 'TerraformDeploy', 'github-actions', {
      ip: '198.51.100.140',
      userAgent: UA.terraform,
    }),
  },
} as const;

export function roleArn(account: string, roleName: string, path = ''): string {
  return `arn:aws:iam::${account}:role/${path}${roleName}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixed resource identifiers

const ids = fixedStream('resource-ids');
export const KMS = {
  prodEu: ids.uuid(),
  prodUs: ids.uuid(),
  mldevEu: ids.uuid(),
  mldevEuImported: ids.uuid(),
  mldevUs: ids.uuid(),
  mldevUsImported: ids.uuid(),
} as const;

export function kmsArn(account: string, region: string, keyId: string): string {
  return `arn:aws:kms:${region}:${account}:key/${keyId}`;
}

export const GUARDRAILS = {
  prod: { id: ids.lowerAlnum(12), version: '3', name: 'northwind-support-pii' },
  mldevDeleted: { id: ids.lowerAlnum(12), version: 'DRAFT', name: 'support-staging-pii' },
} as const;
