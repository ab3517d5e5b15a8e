/**
 * The fake AWS itself, driven by the real SDK v3 clients in-process: SigV4 checks, protocols and error shapes,
 * pagination, fault injection, AssumeRole, and the Smithy contract over the example estate's CLI outputs.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { BedrockClient, GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigRulesCommand,
  GetComplianceDetailsByConfigRuleCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient, QueryLineageCommand } from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../examples/northwind/generate.js';
import { EU, MLDEV, PROD } from '../../examples/northwind/lib/common.js';
import { classifyAwsError } from '../../src/aws/errors.js';
import { FakeAws, type Identity } from './server.js';
import { s3Target } from './services/s3.js';
import { check, encode, isConstraintProblem, model, modelsAvailable, type ModelledService } from './smithy.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const CALLER: Identity = { accessKeyId: 'AKIAFAKEUNITTEST0001', secretAccessKey: 'unit-test-secret', account: PROD };
const ROLE = `arn:aws:iam::${MLDEV}:role/AuditpackReadOnly`;

/** `describe-config-rules` → `DescribeConfigRules`. */
function operationOf(fileName: string): string {
  return fileName
    .replace(/\.json$/, '')
    .split('.')[0]!
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

const DIR_MODEL: Record<string, ModelledService> = {
  cloudtrail: 'cloudtrail',
  configservice: 'config',
  bedrock: 'bedrock',
  sagemaker: 'sagemaker',
  artifact: 'artifact',
};

describe.skipIf(!modelsAvailable())('fake AWS', () => {
  let root: string;
  let fake: FakeAws;
  const opts = (extra: Record<string, unknown> = {}) => ({
    region: EU,
    endpoint: fake.url,
    credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: CALLER.secretAccessKey },
    maxAttempts: 1,
    ...extra,
  });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'auditpack-fake-aws-'));
    await generateExample(join(root, 'export'));
    fake = new FakeAws({
      exportDir: join(root, 'export'),
      identities: [CALLER],
      roles: [{ arn: ROLE, externalId: 'ext-id-42', trustedAccounts: [PROD] }],
      pageSize: 2,
    });
    await fake.start();
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every CLI output of the example estate serializes to its operation output shape', () => {
    const problems: string[] = [];
    let checked = 0;
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.json')) {
          const service = DIR_MODEL[p.split('/').at(-2)!];
          if (!service) continue;
          const m = model(service);
          const op = m.operation(operationOf(e.name));
          const enc = encode(m, op.output!, JSON.parse(readFileSync(p, 'utf8')));
          const all = [...enc.problems, ...check(m, op.output!, undefined, JSON.parse(JSON.stringify(enc.body)))];
          problems.push(...all.filter((x) => !isConstraintProblem(x)).map((x) => `${p.slice(root.length)}: ${x}`));
          checked += 1;
        }
      }
    };
    walk(join(root, 'export', 'cli'));
    expect(checked).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });

  it('validates wire values: names, required members, types, enums, timestamp formats', () => {
    const config = model('config');
    const out = config.operation('DescribeConfigRules').output!;
    expect(
      check(config, out, undefined, {
        ConfigRules: [{ Source: { Owner: 'AWS', SourceIdentifier: 'X' }, ConfigRuleState: 'ACTIVE' }],
      }),
    ).toEqual([]);
    expect(
      check(config, out, undefined, { ConfigRules: [{ Source: { Owner: 'NOBODY', SourceIdentifier: 'X' } }] })[0],
    ).toMatch(/ConfigRules\[0\]\.Source\.Owner: expected one of/);
    expect(check(config, out, undefined, { ConfigRules: [{}] })).toEqual([
      '$.ConfigRules[0].Source: required member missing',
    ]);
    expect(check(config, out, undefined, { Rules: [] })).toEqual([
      '$.Rules: not a body member of com.amazonaws.configservice#DescribeConfigRulesResponse',
    ]);
    // awsJson1_1 timestamps are epoch seconds; Bedrock's are date-time strings.
    const ct = model('cloudtrail');
    const status = ct.operation('GetTrailStatus').output!;
    expect(encode(ct, status, { StartLoggingTime: '2025-03-03T09:12:44.301000+00:00' }).body).toEqual({
      StartLoggingTime: Date.parse('2025-03-03T09:12:44.301Z') / 1000,
    });
    expect(check(ct, status, undefined, { StartLoggingTime: '2025-03-03T09:12:44Z' })[0]).toMatch(/epoch seconds/);
    const bedrock = model('bedrock');
    const gr = bedrock.operation('ListGuardrails').output!;
    const summary = {
      id: 'abc',
      arn: 'arn:aws:bedrock:eu-west-1:111122223333:guardrail/abc',
      status: 'READY',
      name: 'g',
      version: 'DRAFT',
      createdAt: 1.5e9,
      updatedAt: '2026-01-01T00:00:00Z',
    };
    expect(check(bedrock, gr, undefined, { guardrails: [summary] })[0]).toMatch(
      /guardrails\[0\]\.createdAt: expected an RFC 3339 date-time/,
    );
  });

  it('refuses unsigned requests, unknown keys and wrong signatures', async () => {
    const before = fake.stats.rejected.length;
    const unsigned = await fetch(`${fake.url}/`, {
      method: 'POST',
      headers: {
        'x-amz-target': 'StarlingDoveService.DescribeConfigRules',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationToken');
    const wrongSecret = new ConfigServiceClient(
      opts({ credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: 'wrong' } }),
    );
    await expect(wrongSecret.send(new DescribeConfigRulesCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    const unknownKey = new ConfigServiceClient(
      opts({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }),
    );
    await expect(unknownKey.send(new DescribeConfigRulesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    const s3 = new S3Client(opts({ credentials: { accessKeyId: CALLER.accessKeyId, secretAccessKey: 'wrong' } }));
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'northwind-org-cloudtrail' }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    expect(fake.stats.rejected.length - before).toBe(4);
  });

  it('pages lists with opaque tokens bound to the request', async () => {
    fake.resetStats();
    const client = new ConfigServiceClient(opts());
    const first = await client.send(new DescribeConfigRulesCommand({}));
    expect(first.ConfigRules).toHaveLength(2);
    expect(first.NextToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const second = await client.send(new DescribeConfigRulesCommand({ NextToken: first.NextToken }));
    expect(second.ConfigRules!.map((r) => r.ConfigRuleName)).not.toEqual(
      first.ConfigRules!.map((r) => r.ConfigRuleName),
    );
    await expect(client.send(new DescribeConfigRulesCommand({ NextToken: 'forged-token' }))).rejects.toMatchObject({
      name: 'InvalidNextTokenException',
    });
    // A token is only good for the request it came from.
    await expect(
      client.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: 'cloudtrail-enabled',
          NextToken: first.NextToken,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
    expect(fake.stats.tokensFollowed['config:DescribeConfigRules']).toBe(1);
    expect(fake.unfinishedPaginations()).toHaveLength(1);
    let token = second.NextToken;
    while (token) token = (await client.send(new DescribeConfigRulesCommand({ NextToken: token }))).NextToken;
    expect(fake.unfinishedPaginations()).toEqual([]);
  });

  it('answers advanced queries from the newest configuration items of the Config snapshots', async () => {
    const out = await new ConfigServiceClient(opts()).send(
      new SelectResourceConfigCommand({
        Expression: "SELECT resourceType, resourceId, arn, tags WHERE resourceType IN ('AWS::S3::Bucket')",
        Limit: 100,
      }),
    );
    const rows = out.Results!.map((r) => JSON.parse(r) as Record<string, unknown>);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r['resourceType'] === 'AWS::S3::Bucket' && Array.isArray(r['tags']))).toBe(true);
    await expect(
      new ConfigServiceClient(opts()).send(
        new SelectResourceConfigCommand({ Expression: "SELECT resourceId WHERE configuration.x = 'y'" }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidExpressionException',
    });
  });

  it('injects faults in each protocol’s own error shape', async () => {
    fake.setFaults([
      { service: 'config', operation: 'DescribeConfigRules', fault: { type: 'accessDenied' }, times: 1 },
      { service: 'bedrock', operation: 'ListGuardrails', fault: { type: 'throttle' }, times: 1 },
      { service: 'bedrock', operation: 'GetGuardrail', fault: { type: 'accessDenied' }, times: 1 },
      { service: 's3', operation: 'ListObjectsV2', fault: { type: 'accessDenied' }, times: 1 },
      { service: 's3', operation: 'GetObject', fault: { type: 'throttle' }, times: 1 },
      { service: 'cloudtrail', operation: 'DescribeTrails', fault: { type: 'server', status: 503 }, times: 1 },
      { service: 'account', operation: 'ListRegions', fault: { type: 'tooManyRequests' }, times: 1 },
      { service: 'config', operation: 'SelectResourceConfig', fault: { type: 'reset' }, times: 1 },
    ]);
    try {
      const err = async (p: Promise<unknown>) =>
        p.then(
          () => null,
          (e: unknown) => e as { name: string; $metadata?: { httpStatusCode?: number } },
        );
      expect(await err(new ConfigServiceClient(opts()).send(new DescribeConfigRulesCommand({})))).toMatchObject({
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      });
      expect(await err(new BedrockClient(opts()).send(new ListGuardrailsCommand({})))).toMatchObject({
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 429 },
      });
      expect(
        await err(new BedrockClient(opts()).send(new GetGuardrailCommand({ guardrailIdentifier: 'x' }))),
      ).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
      expect(
        await err(new S3Client(opts()).send(new ListObjectsV2Command({ Bucket: 'northwind-org-cloudtrail' }))),
      ).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      expect(
        await err(
          new S3Client(opts()).send(
            new GetObjectCommand({ Bucket: 'northwind-ml-artifacts', Key: 'clarify/credit-risk/analysis.json' }),
          ),
        ),
      ).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
      expect(await err(new CloudTrailClient(opts()).send(new DescribeTrailsCommand({})))).toMatchObject({
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      });
      expect(await err(new AccountClient(opts()).send(new ListRegionsCommand({})))).toMatchObject({
        $metadata: { httpStatusCode: 429 },
      });
      const reset = await err(
        new ConfigServiceClient(opts()).send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceId' })),
      );
      expect(reset).not.toBeNull();
      expect(classifyAwsError(reset).retryable).toBe(true);
      // The faults were used up: the same calls now succeed.
      await new ConfigServiceClient(opts()).send(new DescribeConfigRulesCommand({}));
      const obj = await new S3Client(opts()).send(
        new GetObjectCommand({ Bucket: 'northwind-ml-artifacts', Key: 'clarify/credit-risk/analysis.json' }),
      );
      expect(obj.ContentLength).toBeGreaterThan(0);
      expect(obj.ETag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(obj.LastModified).toBeInstanceOf(Date);
    } finally {
      fake.setFaults([]);
    }
  });

  it('AssumeRole checks the external id and the issued credentials read the role’s account', async () => {
    const sts = new STSClient(opts());
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'unit-test' })),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'unit-test', ExternalId: 'wrong-id' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const ok = await sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'unit-test', ExternalId: 'ext-id-42' }),
    );
    const c = ok.Credentials!;
    const as = new STSClient(
      opts({
        credentials: {
          accessKeyId: c.AccessKeyId!,
          secretAccessKey: c.SecretAccessKey!,
          sessionToken: c.SessionToken!,
        },
      }),
    );
    const who = await as.send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(MLDEV);
    expect(who.Arn).toBe(`arn:aws:sts::${MLDEV}:assumed-role/AuditpackReadOnly/unit-test`);
    // Without the session token the temporary key is refused.
    const noToken = new STSClient(
      opts({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! } }),
    );
    await expect(noToken.send(new GetCallerIdentityCommand({}))).rejects.toBeTruthy();
  });

  it('refuses requests that break the input shape', async () => {
    const before = fake.stats.problems.length;
    // QueryLineage starts from lineage entities (contexts, artifacts, actions), not from an endpoint ARN.
    await expect(
      new SageMakerClient(opts()).send(
        new QueryLineageCommand({
          StartArns: [`arn:aws:sagemaker:${EU}:${PROD}:endpoint/credit-risk-prod`],
          Direction: 'Ascendants',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    expect(fake.stats.problems.length).toBe(before + 1);
    fake.stats.problems.splice(before);
  });

  it('reports a response that does not fit the model as a contract violation', async () => {
    const dir = join(root, 'broken');
    mkdirSync(join(dir, 'cli', PROD, EU, 'cloudtrail'), { recursive: true });
    writeFileSync(
      join(dir, 'cli', PROD, EU, 'cloudtrail', 'describe-trails.json'),
      JSON.stringify({ trailList: [{ Name: 't', IsMultiRegionTrail: 'yes', Colour: 'blue' }] }),
    );
    const broken = new FakeAws({ exportDir: dir, identities: [CALLER] });
    await broken.start();
    try {
      const client = new CloudTrailClient({ ...opts(), endpoint: broken.url });
      await expect(client.send(new DescribeTrailsCommand({}))).rejects.toMatchObject({
        name: 'FakeAwsContractViolation',
      });
      expect(broken.stats.problems).toEqual([
        'cloudtrail:DescribeTrails output $.trailList[0].IsMultiRegionTrail: expected a boolean (com.amazonaws.cloudtrail#Boolean), got "yes"',
        'cloudtrail:DescribeTrails output $.trailList[0].Colour: not a member of com.amazonaws.cloudtrail#Trail',
      ]);
    } finally {
      await broken.stop();
    }
  });

  it('serves S3 in path style and in virtual-hosted style', () => {
    expect(s3Target('127.0.0.1:4566', '/northwind-org-cloudtrail/AWSLogs/1/a%20b.json')).toEqual({
      bucket: 'northwind-org-cloudtrail',
      key: 'AWSLogs/1/a b.json',
    });
    expect(s3Target('northwind-org-cloudtrail.localhost:4566', '/AWSLogs/1/x.json')).toEqual({
      bucket: 'northwind-org-cloudtrail',
      key: 'AWSLogs/1/x.json',
    });
    expect(s3Target('127.0.0.1:4566', '/northwind-org-cloudtrail')).toEqual({
      bucket: 'northwind-org-cloudtrail',
      key: null,
    });
  });
});
