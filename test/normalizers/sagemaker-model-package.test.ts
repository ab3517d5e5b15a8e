import { describe, expect, it } from 'vitest';
import { normalizeModelPackage } from '../../src/normalizers/sagemaker/model-package.js';
import {
  apiMeta,
  fileMeta,
  fixture,
  normalizeError,
  toEpoch,
  toSdk,
  validContent,
} from '../fixtures/sagemaker/helpers.js';
import { outputMembersOf, outputProblems, smithyAvailable } from '../fixtures/smithy.js';

const FILE = 'sagemaker/describe-model-package.churn-model-group-3.json';
const TIME_KEYS = ['CreationTime', 'LastModifiedTime'];
const ARN = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/churn-model-group/3';
const cli = () => fixture(FILE);
const meta = () => fileMeta(FILE);
const S3 = 's3://retention-ml-111122223333/churn';

describe('normalizeModelPackage', () => {
  it('normalizes the CLI output of describe-model-package', () => {
    const obs = normalizeModelPackage(cli(), meta());
    expect(obs).toMatchObject({
      collector: 'sagemaker',
      kind: 'sagemaker.model_package',
      resource: ARN,
      region: 'us-east-1',
    });
    validContent(obs);
    expect(obs.content).toEqual({
      arn: ARN,
      groupName: 'churn-model-group',
      version: 3,
      approvalStatus: 'Approved',
      approvalDescription: 'Approved by the Model Risk Committee on 2025-01-20 (ticket MRC-482).',
      approvedBy: 'asmith',
      creationTime: '2025-01-14T11:02:45.118Z',
      modelDataUrl: `${S3}/training/output/churn-xgb-2025-01-14/output/model.tar.gz`,
      metrics: [
        {
          name: 'Bias.PostTrainingReport',
          s3Uri: `${S3}/clarify/2025-01-14/post/analysis.json`,
          contentType: 'application/json',
        },
        {
          name: 'Bias.PreTrainingReport',
          s3Uri: `${S3}/clarify/2025-01-14/pre/analysis.json`,
          contentType: 'application/json',
        },
        {
          name: 'Explainability.Report',
          s3Uri: `${S3}/clarify/2025-01-14/explainability/analysis.json`,
          contentType: 'application/json',
        },
        {
          name: 'ModelDataQuality.Constraints',
          s3Uri: `${S3}/data-quality/2025-01-14/constraints.json`,
          contentType: 'application/json',
        },
        {
          name: 'ModelDataQuality.Statistics',
          s3Uri: `${S3}/data-quality/2025-01-14/statistics.json`,
          contentType: 'application/json',
        },
        {
          name: 'ModelQuality.Statistics',
          s3Uri: `${S3}/evaluation/2025-01-14/evaluation.json`,
          contentType: 'application/json',
        },
      ],
      biasReportUris: [`${S3}/clarify/2025-01-14/pre/analysis.json`, `${S3}/clarify/2025-01-14/post/analysis.json`],
      modelCardName: 'churn-model-group',
    });
  });

  it('gives identical content for the SDK v3 response and CLI v1 epoch seconds', () => {
    const fromCli = normalizeModelPackage(cli(), meta()).content;
    expect(normalizeModelPackage(toSdk(cli(), TIME_KEYS), apiMeta('sagemaker:DescribeModelPackage')).content).toEqual(
      fromCli,
    );
    expect(normalizeModelPackage(toEpoch(cli(), TIME_KEYS), meta()).content).toEqual(fromCli);
  });

  it('gives the same metrics order whatever the key order of ModelMetrics', () => {
    const r = cli();
    const mm = r['ModelMetrics'] as Record<string, unknown>;
    r['ModelMetrics'] = Object.fromEntries(Object.entries(mm).reverse());
    expect(normalizeModelPackage(r, meta()).content).toEqual(normalizeModelPackage(cli(), meta()).content);
  });

  it('falls back to the IAM identity as approver, and has no approver unless approved', () => {
    const r = cli();
    delete (r['LastModifiedBy'] as Record<string, unknown>)['UserProfileName'];
    expect(normalizeModelPackage(r, meta()).content!.approvedBy).toBe(
      'arn:aws:sts::111122223333:assumed-role/ModelRiskReviewer/asmith',
    );
    const pending = normalizeModelPackage({ ...cli(), ModelApprovalStatus: 'PendingManualApproval' }, meta()).content!;
    expect(pending.approvalStatus).toBe('PendingManualApproval');
    expect(pending.approvedBy).toBeNull();
  });

  it('handles an unversioned package without metrics, card or approval', () => {
    const r = cli();
    for (const k of [
      'ModelMetrics',
      'ModelCard',
      'ModelApprovalStatus',
      'ModelPackageGroupName',
      'ModelPackageVersion',
      'InferenceSpecification',
    ])
      delete r[k];
    r['SourceAlgorithmSpecification'] = {
      SourceAlgorithms: [{ AlgorithmName: 'xgb-algo', ModelDataUrl: 's3://b/model.tar.gz' }],
    };
    const c = normalizeModelPackage(r, meta()).content!;
    expect(validContent(normalizeModelPackage(r, meta()))).toBeTruthy();
    expect(c).toMatchObject({
      groupName: null,
      version: null,
      approvalStatus: null,
      approvedBy: null,
      metrics: [],
      biasReportUris: [],
      modelCardName: null,
    });
    expect(c.modelDataUrl).toBe('s3://b/model.tar.gz');
  });

  it('reads the model data location from ModelDataSource when ModelDataUrl is absent, and the legacy Bias.Report', () => {
    const r = cli();
    const container = (r['InferenceSpecification'] as { Containers: Record<string, unknown>[] }).Containers[0]!;
    delete container['ModelDataUrl'];
    container['ModelDataSource'] = {
      S3DataSource: { S3Uri: 's3://b/uncompressed/', S3DataType: 'S3Prefix', CompressionType: 'None' },
    };
    (r['ModelMetrics'] as Record<string, unknown>)['Bias'] = {
      Report: { ContentType: 'application/json', S3Uri: 's3://b/bias/analysis.json' },
    };
    const c = normalizeModelPackage(r, meta()).content!;
    expect(c.modelDataUrl).toBe('s3://b/uncompressed/');
    expect(c.biasReportUris).toEqual(['s3://b/bias/analysis.json']);
  });

  it('rejects a missing ARN, an unknown approval status, bad times and malformed metrics', () => {
    const noArn = cli();
    delete noArn['ModelPackageArn'];
    expect(normalizeError(() => normalizeModelPackage(noArn, meta())).problem).toBe(
      'ModelPackageArn is required and must be a non-empty string, got undefined',
    );
    const badStatus = normalizeError(() =>
      normalizeModelPackage({ ...cli(), ModelApprovalStatus: 'APPROVED' }, meta()),
    );
    expect([badStatus.problem, badStatus.code]).toEqual([
      'ModelApprovalStatus must be one of Approved|Rejected|PendingManualApproval, got "APPROVED"',
      'InvalidValue',
    ]);
    const badCard = normalizeError(() =>
      normalizeModelPackage({ ...cli(), ModelCard: { ModelCardStatus: 'Published' } }, meta()),
    );
    expect(badCard.problem).toBe(
      'ModelCard.ModelCardStatus must be one of Draft|PendingReview|Approved|Archived, got "Published"',
    );
    const badTime = normalizeError(() => normalizeModelPackage({ ...cli(), CreationTime: 'yesterday' }, meta()));
    expect([badTime.problem, badTime.code]).toEqual([
      'CreationTime is not an ISO-8601 instant with a time zone: "yesterday"',
      'InvalidTime',
    ]);
    const r = cli();
    (r['ModelMetrics'] as Record<string, unknown>)['Bias'] = { Report: { ContentType: 'application/json' } };
    expect(normalizeError(() => normalizeModelPackage(r, meta())).problem).toBe(
      'ModelMetrics.Bias.Report.S3Uri is required and must be a non-empty string, got undefined',
    );
    const r2 = cli();
    (r2['InferenceSpecification'] as Record<string, unknown>)['Containers'] = 'oops';
    expect(normalizeError(() => normalizeModelPackage(r2, meta())).problem).toBe(
      'InferenceSpecification.Containers must be an array, got "oops"',
    );
  });
});

describe.skipIf(!smithyAvailable())('describe-model-package fixture vs the Smithy model', () => {
  it('uses only members of DescribeModelPackageOutput, with the right types', () => {
    const members = outputMembersOf('sagemaker', 'DescribeModelPackage');
    for (const key of Object.keys(cli())) expect(members).toContain(key);
    expect(outputProblems('sagemaker', 'DescribeModelPackage', cli())).toEqual([]);
  });
});
