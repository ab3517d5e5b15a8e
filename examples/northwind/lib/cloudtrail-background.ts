/**
 * Seeded background activity: the ordinary API traffic of the estate (STS, IAM, EC2, KMS, CloudWatch Logs, S3,
 * read-only SageMaker / Bedrock / CloudTrail / Config calls). Nothing here is part of the planted contract.
 */
import type { Rng } from './rng.js';
import { assumedRole, awsService, BUCKETS, KMS, kmsArn, MLDEV, P, PROD, roleArn, type Principal } from './common.js';
import type { CtSpec } from './cloudtrail-event.js';
import { templateTraits } from './templates.js';

const S3_DATA = templateTraits('s3-put-object-data-event');
const STS = templateTraits('sts-assume-role');

type Gen = (rng: Rng, time: number, account: string, region: string) => CtSpec;

export const configRecorder = (account: string): Principal =>
  assumedRole(account, 'AWSServiceRoleForConfig', 'AWSConfig-Describe', {
    ip: 'config.amazonaws.com',
    userAgent: 'config.amazonaws.com',
    rolePath: 'aws-service-role/config.amazonaws.com/',
  });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** STS prints `credentials.expiration` in this human form in CloudTrail (as the real template shows). */
function stsExpiration(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

function humans(account: string): Principal[] {
  return account === PROD ? [P.prod.amir, P.prod.lena, P.prod.sam] : [P.mldev.amir, P.mldev.priya, P.mldev.jordan];
}

function keyOf(account: string, region: string): string {
  if (account === PROD) return region === 'eu-west-1' ? KMS.prodEu : KMS.prodUs;
  return region === 'eu-west-1' ? KMS.mldevEu : KMS.mldevUs;
}

const assumeRole: Gen = (rng, time, account, region) => {
  const targets: [string, string, string][] =
    account === PROD
      ? [
          ['SupportAssistantRole', 'northwind-support-assistant', 'lambda.amazonaws.com'],
          ['SageMakerExecutionRole', 'SageMaker', 'sagemaker.amazonaws.com'],
          ['DataPipelineRole', 'etl-nightly', 'ecs-tasks.amazonaws.com'],
        ]
      : [
          ['SupportAssistantRole', 'support-assistant-staging', 'lambda.amazonaws.com'],
          ['SageMakerExecutionRole', 'SageMaker', 'sagemaker.amazonaws.com'],
        ];
  const [role, session, service] = rng.pick(targets);
  const arn = roleArn(account, role);
  const roleId = assumedRole(account, role, session, { ip: '', userAgent: '' }).roleId ?? '';
  return {
    time,
    account,
    region,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    eventVersion: STS.eventVersion,
    principal: awsService(account, service),
    readOnly: true,
    requestParameters: { roleArn: arn, roleSessionName: session, durationSeconds: 3600 },
    responseElements: {
      credentials: {
        accessKeyId: `ASIA${rng.upperAlnum(16)}`,
        sessionToken: `IQoJb3JpZ2luX2Vj${rng.alnum(112)}`,
        expiration: stsExpiration(time + 3_600_000),
      },
      assumedRoleUser: {
        assumedRoleId: `${roleId}:${session}`,
        arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
      },
    },
    resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: arn }],
  };
};

const ec2Describe: Gen = (rng, time, account, region) => {
  const [name, params] = rng.pick<[string, unknown]>([
    ['DescribeInstances', { instancesSet: {}, filterSet: {} }],
    ['DescribeVpcs', { vpcSet: {}, filterSet: {} }],
    ['DescribeSubnets', { subnetSet: {}, filterSet: {} }],
    ['DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }],
    ['DescribeNetworkInterfaces', { networkInterfaceIdSet: {}, filterSet: {} }],
  ]);
  const who =
    account === PROD ? [P.prod.terraform, P.prod.readOnlyAudit, P.prod.sam] : [P.mldev.terraform, P.mldev.jordan];
  return {
    time,
    account,
    region,
    eventSource: 'ec2.amazonaws.com',
    eventName: name,
    principal: rng.pick(who),
    readOnly: true,
    requestParameters: params,
  };
};

const kmsUse: Gen = (rng, time, account, region) => {
  const keyId = keyOf(account, region);
  const arn = kmsArn(account, region, keyId);
  const onData = account === PROD && region === 'eu-west-1';
  const bucket = onData
    ? BUCKETS.mlData
    : account === PROD
      ? BUCKETS.bedrockLogsUs
      : region === 'eu-west-1'
        ? BUCKETS.devArtifacts
        : BUCKETS.devUsExperiments;
  const objectKey = onData
    ? `credit/train/part-${rng.int(0, 15).toString().padStart(5, '0')}.csv`
    : `runs/${rng.hex(8)}/output.json`;
  const principal =
    account === PROD
      ? rng.pick([P.prod.sagemakerExec, P.prod.pipeline])
      : rng.pick([P.mldev.sagemakerExec, P.mldev.amir]);
  const decrypt = rng.chance(0.7);
  return {
    time,
    account,
    region,
    eventSource: 'kms.amazonaws.com',
    eventName: decrypt ? 'Decrypt' : 'GenerateDataKey',
    principal,
    invokedBy: 's3.amazonaws.com',
    readOnly: true,
    requestParameters: decrypt
      ? {
          encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${objectKey}` },
          encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        }
      : { keyId: arn, encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${objectKey}` }, keySpec: 'AES_256' },
    resources: [{ accountId: account, type: 'AWS::KMS::Key', ARN: arn }],
    host: null,
  };
};

const trailKeyUse: Gen = (rng, time, account, region) => {
  // The prod trail encrypts its log files with the eu-west-1 key (SSE-KMS); CloudTrail asks KMS for data keys.
  const arn = kmsArn(PROD, 'eu-west-1', KMS.prodEu);
  return {
    time,
    account,
    region,
    eventSource: 'kms.amazonaws.com',
    eventName: 'GenerateDataKey',
    principal: awsService(account, 'cloudtrail.amazonaws.com'),
    readOnly: true,
    requestParameters: {
      keyId: arn,
      encryptionContext: {
        'aws:cloudtrail:arn': `arn:aws:cloudtrail:eu-west-1:${PROD}:trail/org-audit-trail`,
        'aws:s3:arn': `arn:aws:s3:::${BUCKETS.prodTrail}/AWSLogs/${account}/CloudTrail/${region}/${rng.hex(4)}`,
      },
      keySpec: 'AES_256',
    },
    resources: [{ accountId: PROD, type: 'AWS::KMS::Key', ARN: arn }],
  };
};

const logsCall: Gen = (rng, time, account, region) => {
  if (rng.chance(0.6)) {
    const fn = account === PROD ? 'northwind-support-assistant' : 'support-assistant-staging';
    const d = new Date(time);
    const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
    return {
      time,
      account,
      region,
      eventSource: 'logs.amazonaws.com',
      eventName: 'CreateLogStream',
      principal: account === PROD ? P.prod.supportAssistant : P.mldev.supportStaging,
      readOnly: false,
      requestParameters: { logGroupName: `/aws/lambda/${fn}`, logStreamName: `${day}/[$LATEST]${rng.hex(32)}` },
      apiVersion: '20140328',
    };
  }
  return {
    time,
    account,
    region,
    eventSource: 'logs.amazonaws.com',
    eventName: 'DescribeLogGroups',
    principal: account === PROD ? P.prod.readOnlyAudit : P.mldev.jordan,
    readOnly: true,
    requestParameters: { limit: 50 },
    apiVersion: '20140328',
  };
};

const iamRead: Gen = (rng, time, account) => {
  const users = account === PROD ? ['legacy-etl', 'break-glass-admin'] : ['breakglass-dev'];
  const roles = ['DataScientist', 'SageMakerExecutionRole', 'SupportAssistantRole', 'TerraformDeploy'];
  const [name, params] = rng.pick<[string, unknown]>([
    ['ListRoles', { maxItems: 100 }],
    ['ListUsers', null],
    ['GetRole', { roleName: rng.pick(roles) }],
    ['ListAttachedRolePolicies', { roleName: rng.pick(roles) }],
    ['ListAccessKeys', { userName: rng.pick(users) }],
    ['GetAccountSummary', null],
  ]);
  const who =
    account === PROD ? [P.prod.readOnlyAudit, P.prod.terraform, P.prod.sam] : [P.mldev.terraform, P.mldev.jordan];
  return {
    time,
    account,
    region: 'us-east-1',
    eventSource: 'iam.amazonaws.com',
    eventName: name,
    principal: rng.pick(who),
    readOnly: true,
    requestParameters: params,
    host: 'iam.amazonaws.com',
  };
};

const configRead: Gen = (rng, time, account, region) => {
  const buckets =
    account === PROD
      ? region === 'eu-west-1'
        ? [BUCKETS.mlData, BUCKETS.mlArtifacts, BUCKETS.bedrockLogsEu, BUCKETS.prodTrail]
        : [BUCKETS.bedrockLogsUs, BUCKETS.prodConfig]
      : region === 'eu-west-1'
        ? [BUCKETS.devScratch, BUCKETS.devArtifacts, BUCKETS.devTrail]
        : [BUCKETS.devUsExperiments];
  const bucket = rng.pick(buckets);
  const name = rng.pick([
    'GetBucketEncryption',
    'GetBucketVersioning',
    'GetBucketPolicy',
    'GetBucketPublicAccessBlock',
    'GetBucketLogging',
  ]);
  const sub: Record<string, string> = {
    GetBucketEncryption: 'encryption',
    GetBucketVersioning: 'versioning',
    GetBucketPolicy: 'policy',
    GetBucketPublicAccessBlock: 'publicAccessBlock',
    GetBucketLogging: 'logging',
  };
  const noEncryption = name === 'GetBucketEncryption' && bucket === BUCKETS.devScratch;
  return {
    time,
    account,
    region,
    eventSource: 's3.amazonaws.com',
    eventName: name,
    principal: configRecorder(account),
    readOnly: true,
    requestParameters: {
      bucketName: bucket,
      Host: `${bucket}.s3.${region}.amazonaws.com`,
      [sub[name] ?? 'encryption']: '',
    },
    ...(noEncryption
      ? {
          errorCode: 'ServerSideEncryptionConfigurationNotFoundError',
          errorMessage: 'The server side encryption configuration was not found',
        }
      : {}),
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': rng.alnum(76),
      bytesTransferredOut: noEncryption ? 343 : rng.int(180, 640),
    },
    resources: [{ accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }],
    host: `${bucket}.s3.${region}.amazonaws.com`,
  };
};

/** S3 data events on the training-data bucket (prod eu-west-1, selected by the prod trail's advanced selectors). */
const s3Data: Gen = (rng, time, account, region) => {
  const put = rng.chance(0.3);
  const bucket = BUCKETS.mlData;
  const key = put
    ? `credit/raw/claims-export-${rng.hex(12)}.parquet`
    : rng.chance(0.8)
      ? `credit/train/part-${rng.int(0, 15).toString().padStart(5, '0')}.csv`
      : `credit/validation/part-${rng.int(0, 3).toString().padStart(5, '0')}.csv`;
  const principal = put
    ? P.prod.pipeline
    : rng.weighted<Principal>([
        [P.prod.sagemakerExec, 5],
        [P.prod.amir, 2],
        [P.prod.lena, 1],
        [P.prod.legacyEtl, 1],
      ]);
  const size = rng.int(40_000, 4_000_000);
  return {
    time,
    account,
    region,
    eventSource: 's3.amazonaws.com',
    eventName: put ? 'PutObject' : 'GetObject',
    eventVersion: S3_DATA.eventVersion,
    principal,
    category: 'Data',
    readOnly: !put,
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, key },
    responseElements: put
      ? {
          'x-amz-server-side-encryption': 'aws:kms',
          'x-amz-server-side-encryption-aws-kms-key-id': kmsArn(PROD, region, KMS.prodEu),
        }
      : null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: put ? size : 0,
      SSEApplied: 'SSE_KMS',
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': rng.alnum(76),
      bytesTransferredOut: put ? 0 : size,
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    host: `${bucket}.s3.${region}.amazonaws.com`,
  };
};

const sagemakerRead: Gen = (rng, time, account, region) => {
  const prod = account === PROD;
  const [name, params] = rng.pick<[string, unknown]>(
    region === 'eu-west-1'
      ? [
          ['ListTrainingJobs', { maxResults: 20, sortBy: 'CreationTime', sortOrder: 'Descending' }],
          ['ListEndpoints', { maxResults: 50 }],
          ['DescribeEndpoint', { endpointName: prod ? 'credit-risk-prod' : 'churn-staging' }],
          ['ListModelPackages', { modelPackageGroupName: prod ? 'credit-risk' : 'churn', maxResults: 10 }],
          ['ListModelCards', { maxResults: 10 }],
        ]
      : [
          ['ListEndpoints', { maxResults: 50 }],
          ['ListModels', { maxResults: 50 }],
        ],
  );
  return {
    time,
    account,
    region,
    eventSource: 'sagemaker.amazonaws.com',
    eventName: name,
    principal: rng.pick(humans(account)),
    readOnly: true,
    requestParameters: params,
  };
};

const bedrockRead: Gen = (rng, time, account, region) => {
  const [name, params] = rng.pick<[string, unknown]>([
    ['ListFoundationModels', null],
    ['GetModelInvocationLoggingConfiguration', null],
    ['ListGuardrails', { maxResults: 20 }],
  ]);
  const who = account === PROD ? [P.prod.readOnlyAudit, P.prod.amir] : [P.mldev.priya, P.mldev.amir];
  return {
    time,
    account,
    region,
    eventSource: 'bedrock.amazonaws.com',
    eventName: name,
    principal: rng.pick(who),
    readOnly: true,
    requestParameters: params,
  };
};

const cloudtrailRead: Gen = (rng, time, account, region) => {
  const trail = account === PROD ? 'org-audit-trail' : 'dev-trail';
  const [name, params] = rng.pick<[string, unknown]>([
    ['DescribeTrails', { trailNameList: [], includeShadowTrails: true }],
    ['GetTrailStatus', { name: trail }],
    ['LookupEvents', { maxResults: 50 }],
  ]);
  const who = account === PROD ? P.prod.readOnlyAudit : P.mldev.jordan;
  return {
    time,
    account,
    region,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: name,
    principal: who,
    readOnly: true,
    requestParameters: params,
  };
};

const configPut: Gen = (rng, time, account, region) => ({
  time,
  account,
  region,
  eventSource: 'config.amazonaws.com',
  eventName: 'PutEvaluations',
  principal: configRecorder(account),
  readOnly: false,
  requestParameters: {
    evaluations: [
      {
        complianceResourceType: 'AWS::::Account',
        complianceResourceId: account,
        complianceType: 'COMPLIANT',
        orderingTimestamp: new Date(time - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    ],
    resultToken: '',
    testMode: false,
  },
  responseElements: { failedEvaluations: [] },
  host: null,
  requestId: rng.uuid(),
});

const legacyEtlList: Gen = (rng, time, account, region) => ({
  time,
  account,
  region,
  eventSource: 's3.amazonaws.com',
  eventName: 'ListObjects',
  principal: P.prod.legacyEtl,
  readOnly: true,
  requestParameters: {
    bucketName: BUCKETS.mlData,
    Host: `${BUCKETS.mlData}.s3.${region}.amazonaws.com`,
    prefix: 'credit/raw/',
    delimiter: '/',
    'list-type': '2',
  },
  additionalEventData: {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: 0,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': rng.alnum(76),
    bytesTransferredOut: rng.int(900, 9000),
  },
  resources: [{ accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKETS.mlData}` }],
  host: `${BUCKETS.mlData}.s3.${region}.amazonaws.com`,
});

/** Weighted generators for one account/region. */
function generatorsFor(account: string, region: string): [Gen, number][] {
  const eu = region === 'eu-west-1';
  const gens: [Gen, number][] = [
    [assumeRole, 14],
    [ec2Describe, 10],
    [kmsUse, 10],
    [logsCall, 6],
    [configRead, 8],
    [cloudtrailRead, 2],
    [configPut, 3],
  ];
  if (!eu) gens.push([iamRead, 14]);
  if (eu) gens.push([sagemakerRead, 6], [bedrockRead, 3]);
  if (account === PROD) gens.push([trailKeyUse, 6]);
  if (account === PROD && eu) gens.push([s3Data, 30], [legacyEtlList, 1]);
  if (account === MLDEV && !eu) gens.push([sagemakerRead, 2]);
  return gens;
}

/** Background events for one account/region/day, at random times strictly before 23:59. */
export function backgroundEvents(rng: Rng, account: string, region: string, dayStartMs: number): CtSpec[] {
  const base = account === PROD ? (region === 'eu-west-1' ? 150 : 90) : region === 'eu-west-1' ? 80 : 55;
  const n = rng.int(Math.floor(base * 0.75), Math.floor(base * 1.25));
  const gens = generatorsFor(account, region);
  const out: CtSpec[] = [];
  for (let i = 0; i < n; i++) {
    // Office-hour weighted: two thirds of the traffic between 07:00 and 19:00 UTC.
    const sec = rng.chance(0.66) ? rng.int(7 * 3600, 19 * 3600 - 1) : rng.int(0, 86_340 - 1);
    const gen = rng.weighted(gens);
    out.push(gen(rng, dayStartMs + sec * 1000, account, region));
  }
  return out;
}
