/**
 * SageMaker: the model-governance objects (model packages, endpoints, model cards, lineage) as AWS CLI outputs,
 * and the CloudTrail events that created them. Requests follow the Smithy input shapes; CloudTrail shows them with
 * lowerCamelCase member names and hides `smithy.api#sensitive` members (model card content).
 */
import { fixedStream, type Rng } from './rng.js';
import { at, cliTime, EU, KMS, kmsArn, MLDEV, P, PROD, roleArn, type Principal } from './common.js';
import type { CtSpec, JsonObject } from './cloudtrail-event.js';
import { clarifyAnalysisBytes } from './templates.js';

const ids = fixedStream('sagemaker');

export const SM = {
  prod: {
    group: 'credit-risk',
    version: 3,
    packageArn: `arn:aws:sagemaker:${EU}:${PROD}:model-package/credit-risk/3`,
    groupArn: `arn:aws:sagemaker:${EU}:${PROD}:model-package-group/credit-risk`,
    processingJob: 'credit-risk-prep-2026-10-06',
    trainingJob: 'credit-risk-train-2026-10-07',
    model: 'credit-risk-v3',
    endpoint: 'credit-risk-prod',
    endpointConfig: 'credit-risk-prod-config',
    card: 'credit-risk-v3',
    draftCard: 'support-summarizer',
    dataset: 's3://northwind-ml-data/credit/train/',
    processedDataset: 's3://northwind-ml-data/credit/processed/train/',
    modelData: 's3://northwind-ml-artifacts/credit-risk/training/credit-risk-train-2026-10-07/output/model.tar.gz',
    clarifyReport: 's3://northwind-ml-artifacts/clarify/credit-risk/analysis.json',
    image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    imageDigest: `sha256:${ids.hex(64)}`,
    processingImage: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
  },
  mldev: {
    group: 'churn',
    version: 1,
    packageArn: `arn:aws:sagemaker:${EU}:${MLDEV}:model-package/churn/1`,
    groupArn: `arn:aws:sagemaker:${EU}:${MLDEV}:model-package-group/churn`,
    trainingJob: 'churn-train-2026-10-12',
    model: 'churn-v1',
    endpoint: 'churn-staging',
    endpointConfig: 'churn-staging-config',
    modelData: 's3://northwind-dev-ml-artifacts/churn/training/churn-train-2026-10-12/output/model.tar.gz',
    image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    imageDigest: `sha256:${ids.hex(64)}`,
  },
} as const;

export const SM_TIMES = {
  processing: at(6, 9, 12, 40),
  training: at(7, 8, 30, 5),
  packageCreated: at(8, 15, 2, 11),
  cardCreated: at(8, 15, 20, 45),
  approved: at(9, 10, 41, 27),
  cardApproved: at(9, 10, 55, 3),
  modelCreated: at(10, 7, 15, 32),
  endpointConfigCreated: at(10, 7, 15, 50),
  endpointCreated: at(10, 7, 16, 20),
  endpointInService: at(10, 7, 24, 41),
  draftCardCreated: at(15, 13, 5, 0),
  draftCardUpdated: at(20, 16, 42, 18),
  devTraining: at(12, 10, 3, 51),
  devGroup: at(13, 11, 19, 2),
  devPackage: at(13, 11, 20, 17),
  devModel: at(13, 11, 44, 10),
  devEndpointConfig: at(13, 11, 44, 31),
  devEndpoint: at(13, 11, 45, 2),
  devEndpointInService: at(13, 11, 53, 40),
} as const;

const arnOf = (account: string, kind: string, name: string): string =>
  `arn:aws:sagemaker:${EU}:${account}:${kind}/${name}`;

function userContext(p: Principal): JsonObject {
  return { IamIdentity: { Arn: p.arn, PrincipalId: p.principalId } };
}

const MAP_MEMBERS = new Set(['HyperParameters', 'Environment', 'CustomerMetadataProperties']);
const SENSITIVE_MEMBERS = new Set(['Content', 'ModelCardContent']);

/** Smithy request (PascalCase) → CloudTrail `requestParameters` (lowerCamelCase, sensitive members hidden). */
export function toRequestParameters(value: unknown, key?: string): unknown {
  if (key !== undefined && SENSITIVE_MEMBERS.has(key)) return 'HIDDEN_DUE_TO_SECURITY_REASONS';
  if (Array.isArray(value)) return value.map((v) => toRequestParameters(v));
  if (value === null || typeof value !== 'object') return value;
  if (key !== undefined && MAP_MEMBERS.has(key)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as JsonObject)) {
    out[k.charAt(0).toLowerCase() + k.slice(1)] = toRequestParameters(v, k);
  }
  return out;
}

interface SmCall {
  readonly time: number;
  readonly account: string;
  readonly name: string;
  readonly principal: Principal;
  readonly request: JsonObject;
  readonly response: JsonObject;
}

function callToSpec(c: SmCall, rng: Rng): CtSpec {
  return {
    time: c.time,
    account: c.account,
    region: EU,
    eventSource: 'sagemaker.amazonaws.com',
    eventName: c.name,
    principal: c.principal,
    readOnly: false,
    requestParameters: toRequestParameters(c.request),
    responseElements: toRequestParameters(c.response),
    requestId: rng.uuid(),
    eventId: rng.uuid(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Model card content (valid against the SageMaker model card JSON schema)

interface AnalysisMetric {
  readonly name: string;
  readonly value: number | null;
}
interface AnalysisFile {
  readonly post_training_bias_metrics: {
    readonly label: string;
    readonly facets: Record<
      string,
      readonly { readonly value_or_threshold: string; readonly metrics: readonly AnalysisMetric[] }[]
    >;
  };
}

/** The post-training bias metrics of the (real) Clarify report, for the model card's evaluation section. */
export function clarifyPostTrainingMetrics(): { facet: string; metrics: { name: string; value: number }[] } {
  const a = JSON.parse(clarifyAnalysisBytes().toString('utf8')) as AnalysisFile;
  const [facet, groups] = Object.entries(a.post_training_bias_metrics.facets)[0] ?? ['unknown', []];
  const metrics = (groups[0]?.metrics ?? []).filter(
    (m): m is { name: string; value: number } => typeof m.value === 'number',
  );
  return { facet, metrics: metrics.map((m) => ({ name: m.name, value: m.value })) };
}

export const HOSTILE_INTENDED_USES =
  'Summarise member support tickets for human agents. <script>alert("x")</script> & <b>markup</b>';

export function creditRiskCardContent(): JsonObject {
  const bias = clarifyPostTrainingMetrics();
  return {
    model_overview: {
      model_description:
        'Gradient-boosted tree model that scores the risk that a submitted claim or credit line application will default or be fraudulent.',
      model_creator: 'Northwind Health AI, Credit ML team',
      model_artifact: [SM.prod.modelData],
      algorithm_type: 'XGBoost',
      problem_type: 'Binary classification',
      model_owner: 'Credit ML team',
    },
    intended_uses: {
      purpose_of_model: 'Prioritise manual review of high-risk claims and credit applications.',
      intended_uses:
        'Decision support for the claims review team. Scores rank the review queue; no application is declined automatically.',
      factors_affecting_model_efficiency:
        'Drift in claim mix after plan changes; missing provider history for new members.',
      risk_rating: 'Medium',
      explanations_for_risk_rating:
        'Scores influence which members are reviewed first, but a human makes every decision and members can appeal.',
    },
    business_details: {
      business_problem: 'Reduce losses from fraudulent or unrecoverable claims without delaying honest members.',
      business_stakeholders: 'Claims operations, Finance, Compliance',
      line_of_business: 'Health insurance claims',
    },
    training_details: {
      objective_function: {
        function: { function: 'Minimize', facet: 'logloss', condition: 'binary:logistic' },
        notes: 'Early stopping on validation AUC.',
      },
      training_observations:
        'Class imbalance handled with scale_pos_weight; no protected attribute is used as a feature.',
      training_job_details: {
        training_arn: arnOf(PROD, 'training-job', SM.prod.trainingJob),
        training_datasets: [SM.prod.dataset],
        training_environment: { container_image: [SM.prod.image] },
        training_metrics: [
          { name: 'validation:auc', value: 0.912 },
          { name: 'train:auc', value: 0.947 },
        ],
        hyper_parameters: [
          { name: 'max_depth', value: '6' },
          { name: 'eta', value: '0.1' },
          { name: 'num_round', value: '400' },
          { name: 'objective', value: 'binary:logistic' },
        ],
      },
    },
    evaluation_details: [
      {
        name: 'credit-risk-v3 holdout evaluation',
        evaluation_observation:
          'Performance is stable across plan tiers; see the Clarify bias report for group metrics.',
        evaluation_job_arn: arnOf(PROD, 'processing-job', SM.prod.processingJob),
        datasets: ['s3://northwind-ml-data/credit/validation/'],
        metadata: { clarify_report: SM.prod.clarifyReport },
        metric_groups: [
          {
            name: 'binary classification metrics',
            metric_data: [
              { name: 'auc', type: 'number', value: 0.912 },
              { name: 'f1', type: 'number', value: 0.81 },
              { name: 'precision', type: 'number', value: 0.84 },
              { name: 'recall', type: 'number', value: 0.78 },
              {
                name: 'confusion_matrix',
                type: 'matrix',
                value: [
                  [8120, 310],
                  [452, 1618],
                ],
                x_axis_name: ['predicted 0', 'predicted 1'],
                y_axis_name: ['actual 0', 'actual 1'],
              },
            ],
          },
          {
            name: `post-training bias (${bias.facet})`,
            metric_data: bias.metrics.map((m) => ({ name: m.name, type: 'number', value: m.value })),
          },
        ],
      },
    ],
    additional_information: {
      ethical_considerations:
        'Scores must not be used to deny coverage. Group fairness is monitored monthly with the Clarify bias report.',
      caveats_and_recommendations: 'Retrain when the population stability index of any top feature exceeds 0.2.',
      custom_details: { review_ticket: 'GOV-412', phi_in_features: 'none' },
    },
  };
}

export function supportSummarizerCardContent(): JsonObject {
  return {
    model_overview: {
      model_description: 'LLM prompt pipeline on Amazon Bedrock (Claude 3 Haiku) that summarises support tickets.',
      model_creator: 'Northwind Health AI, Support engineering',
      algorithm_type: 'Foundation model (Amazon Bedrock)',
      problem_type: 'Text summarization',
    },
    intended_uses: {
      purpose_of_model: 'Shorter handling time for support agents.',
      intended_uses: HOSTILE_INTENDED_USES,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CloudTrail events

export function sagemakerEvents(): CtSpec[] {
  const pr = SM.prod;
  const dv = SM.mldev;
  const execProd = roleArn(PROD, 'SageMakerExecutionRole');
  const execDev = roleArn(MLDEV, 'SageMakerExecutionRole');
  const kmsProd = kmsArn(PROD, EU, KMS.prodEu);
  const calls: SmCall[] = [
    {
      time: SM_TIMES.processing,
      account: PROD,
      name: 'CreateProcessingJob',
      principal: P.prod.amir,
      request: {
        ProcessingInputs: [
          {
            InputName: 'raw',
            S3Input: {
              S3Uri: pr.dataset,
              LocalPath: '/opt/ml/processing/input',
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
              S3DataDistributionType: 'FullyReplicated',
            },
          },
        ],
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'train',
              S3Output: { S3Uri: pr.processedDataset, LocalPath: '/opt/ml/processing/train', S3UploadMode: 'EndOfJob' },
            },
          ],
          KmsKeyId: kmsProd,
        },
        ProcessingJobName: pr.processingJob,
        ProcessingResources: {
          ClusterConfig: {
            InstanceCount: 1,
            InstanceType: 'ml.m5.xlarge',
            VolumeSizeInGB: 30,
            VolumeKmsKeyId: kmsProd,
          },
        },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        AppSpecification: {
          ImageUri: pr.processingImage,
          ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/preprocess.py'],
        },
        RoleArn: execProd,
        Tags: [{ Key: 'project', Value: 'credit-risk' }],
      },
      response: { ProcessingJobArn: arnOf(PROD, 'processing-job', pr.processingJob) },
    },
    {
      time: SM_TIMES.training,
      account: PROD,
      name: 'CreateTrainingJob',
      principal: P.prod.amir,
      request: {
        TrainingJobName: pr.trainingJob,
        HyperParameters: { max_depth: '6', eta: '0.1', num_round: '400', objective: 'binary:logistic' },
        AlgorithmSpecification: {
          TrainingImage: pr.image,
          TrainingInputMode: 'File',
          EnableSageMakerMetricsTimeSeries: true,
        },
        RoleArn: execProd,
        InputDataConfig: [
          {
            ChannelName: 'train',
            DataSource: {
              S3DataSource: {
                S3DataType: 'S3Prefix',
                S3Uri: pr.processedDataset,
                S3DataDistributionType: 'FullyReplicated',
              },
            },
            ContentType: 'text/csv',
          },
        ],
        OutputDataConfig: { KmsKeyId: kmsProd, S3OutputPath: 's3://northwind-ml-artifacts/credit-risk/training/' },
        ResourceConfig: {
          InstanceType: 'ml.m5.2xlarge',
          InstanceCount: 1,
          VolumeSizeInGB: 50,
          VolumeKmsKeyId: kmsProd,
        },
        StoppingCondition: { MaxRuntimeInSeconds: 7200 },
        EnableNetworkIsolation: true,
        EnableInterContainerTrafficEncryption: true,
        Tags: [{ Key: 'project', Value: 'credit-risk' }],
      },
      response: { TrainingJobArn: arnOf(PROD, 'training-job', pr.trainingJob) },
    },
    {
      time: SM_TIMES.packageCreated,
      account: PROD,
      name: 'CreateModelPackage',
      principal: P.prod.amir,
      request: {
        ModelPackageGroupName: pr.group,
        ModelPackageDescription: 'XGBoost credit and claim risk model, October 2026 retrain',
        InferenceSpecification: prodInferenceSpecification(),
        ModelApprovalStatus: 'PendingManualApproval',
        ModelMetrics: prodModelMetrics(),
        Domain: 'MACHINE_LEARNING',
        Task: 'CLASSIFICATION',
        CustomerMetadataProperties: { 'risk-tier': 'medium', team: 'credit-ml' },
      },
      response: { ModelPackageArn: pr.packageArn },
    },
    {
      time: SM_TIMES.cardCreated,
      account: PROD,
      name: 'CreateModelCard',
      principal: P.prod.amir,
      request: {
        ModelCardName: pr.card,
        Content: JSON.stringify(creditRiskCardContent()),
        ModelCardStatus: 'Draft',
        SecurityConfig: { KmsKeyId: kmsProd },
      },
      response: { ModelCardArn: arnOf(PROD, 'model-card', pr.card) },
    },
    {
      time: SM_TIMES.approved,
      account: PROD,
      name: 'UpdateModelPackage',
      principal: P.prod.dana,
      request: {
        ModelPackageArn: pr.packageArn,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: APPROVAL_DESCRIPTION,
      },
      response: { ModelPackageArn: pr.packageArn },
    },
    {
      time: SM_TIMES.cardApproved,
      account: PROD,
      name: 'UpdateModelCard',
      principal: P.prod.dana,
      request: { ModelCardName: pr.card, ModelCardStatus: 'Approved' },
      response: { ModelCardArn: arnOf(PROD, 'model-card', pr.card) },
    },
    {
      time: SM_TIMES.modelCreated,
      account: PROD,
      name: 'CreateModel',
      principal: P.prod.terraform,
      request: {
        ModelName: pr.model,
        PrimaryContainer: { ModelPackageName: pr.packageArn },
        ExecutionRoleArn: execProd,
        EnableNetworkIsolation: true,
        Tags: [{ Key: 'project', Value: 'credit-risk' }],
      },
      response: { ModelArn: arnOf(PROD, 'model', pr.model) },
    },
    {
      time: SM_TIMES.endpointConfigCreated,
      account: PROD,
      name: 'CreateEndpointConfig',
      principal: P.prod.terraform,
      request: {
        EndpointConfigName: pr.endpointConfig,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: pr.model,
            InitialInstanceCount: 2,
            InstanceType: 'ml.m5.xlarge',
            InitialVariantWeight: 1,
          },
        ],
        DataCaptureConfig: prodDataCapture(),
        KmsKeyId: kmsProd,
      },
      response: { EndpointConfigArn: arnOf(PROD, 'endpoint-config', pr.endpointConfig) },
    },
    {
      time: SM_TIMES.endpointCreated,
      account: PROD,
      name: 'CreateEndpoint',
      principal: P.prod.terraform,
      request: {
        EndpointName: pr.endpoint,
        EndpointConfigName: pr.endpointConfig,
        Tags: [{ Key: 'project', Value: 'credit-risk' }],
      },
      response: { EndpointArn: arnOf(PROD, 'endpoint', pr.endpoint) },
    },
    {
      time: SM_TIMES.draftCardCreated,
      account: PROD,
      name: 'CreateModelCard',
      principal: P.prod.lena,
      request: {
        ModelCardName: pr.draftCard,
        Content: JSON.stringify(supportSummarizerCardContent()),
        ModelCardStatus: 'Draft',
      },
      response: { ModelCardArn: arnOf(PROD, 'model-card', pr.draftCard) },
    },
    {
      time: SM_TIMES.draftCardUpdated,
      account: PROD,
      name: 'UpdateModelCard',
      principal: P.prod.lena,
      request: { ModelCardName: pr.draftCard, Content: JSON.stringify(supportSummarizerCardContent()) },
      response: { ModelCardArn: arnOf(PROD, 'model-card', pr.draftCard) },
    },
    {
      time: SM_TIMES.devTraining,
      account: MLDEV,
      name: 'CreateTrainingJob',
      principal: P.mldev.priya,
      request: {
        TrainingJobName: dv.trainingJob,
        HyperParameters: { max_depth: '5', eta: '0.2', num_round: '200', objective: 'binary:logistic' },
        AlgorithmSpecification: { TrainingImage: dv.image, TrainingInputMode: 'File' },
        RoleArn: execDev,
        OutputDataConfig: { S3OutputPath: 's3://northwind-dev-ml-artifacts/churn/training/' },
        ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      },
      response: { TrainingJobArn: arnOf(MLDEV, 'training-job', dv.trainingJob) },
    },
    {
      time: SM_TIMES.devGroup,
      account: MLDEV,
      name: 'CreateModelPackageGroup',
      principal: P.mldev.priya,
      request: {
        ModelPackageGroupName: dv.group,
        ModelPackageGroupDescription: 'Member churn propensity (experimental)',
      },
      response: { ModelPackageGroupArn: dv.groupArn },
    },
    {
      time: SM_TIMES.devPackage,
      account: MLDEV,
      name: 'CreateModelPackage',
      principal: P.mldev.priya,
      request: {
        ModelPackageGroupName: dv.group,
        ModelPackageDescription: 'Churn propensity baseline',
        InferenceSpecification: devInferenceSpecification(),
        ModelApprovalStatus: 'PendingManualApproval',
      },
      response: { ModelPackageArn: dv.packageArn },
    },
    {
      time: SM_TIMES.devModel,
      account: MLDEV,
      name: 'CreateModel',
      principal: P.mldev.priya,
      request: {
        ModelName: dv.model,
        PrimaryContainer: { ModelPackageName: dv.packageArn },
        ExecutionRoleArn: execDev,
      },
      response: { ModelArn: arnOf(MLDEV, 'model', dv.model) },
    },
    {
      time: SM_TIMES.devEndpointConfig,
      account: MLDEV,
      name: 'CreateEndpointConfig',
      principal: P.mldev.priya,
      request: {
        EndpointConfigName: dv.endpointConfig,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: dv.model,
            InitialInstanceCount: 1,
            InstanceType: 'ml.t2.medium',
            InitialVariantWeight: 1,
          },
        ],
      },
      response: { EndpointConfigArn: arnOf(MLDEV, 'endpoint-config', dv.endpointConfig) },
    },
    {
      time: SM_TIMES.devEndpoint,
      account: MLDEV,
      name: 'CreateEndpoint',
      principal: P.mldev.priya,
      request: { EndpointName: dv.endpoint, EndpointConfigName: dv.endpointConfig },
      response: { EndpointArn: arnOf(MLDEV, 'endpoint', dv.endpoint) },
    },
  ];
  const rng = fixedStream('sagemaker:events');
  return calls.map((c) => callToSpec(c, rng));
}

export const APPROVAL_DESCRIPTION =
  'Bias report and holdout metrics reviewed (GOV-412). Approved for production deployment.';

function prodInferenceSpecification(): JsonObject {
  return {
    Containers: [
      {
        Image: SM.prod.image,
        ImageDigest: SM.prod.imageDigest,
        ModelDataUrl: SM.prod.modelData,
        Framework: 'XGBOOST',
        FrameworkVersion: '1.7-1',
      },
    ],
    SupportedTransformInstanceTypes: ['ml.m5.xlarge'],
    SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge'],
    SupportedContentTypes: ['text/csv'],
    SupportedResponseMIMETypes: ['text/csv'],
  };
}

function devInferenceSpecification(): JsonObject {
  return {
    Containers: [{ Image: SM.mldev.image, ImageDigest: SM.mldev.imageDigest, ModelDataUrl: SM.mldev.modelData }],
    SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium'],
    SupportedContentTypes: ['text/csv'],
    SupportedResponseMIMETypes: ['text/csv'],
  };
}

function prodModelMetrics(): JsonObject {
  const report = { ContentType: 'application/json', S3Uri: SM.prod.clarifyReport };
  return {
    ModelQuality: {
      Statistics: {
        ContentType: 'application/json',
        S3Uri: 's3://northwind-ml-artifacts/model-quality/credit-risk/v3/statistics.json',
      },
    },
    Bias: { Report: report, PreTrainingReport: report, PostTrainingReport: report },
  };
}

function prodDataCapture(): JsonObject {
  return {
    EnableCapture: true,
    InitialSamplingPercentage: 20,
    DestinationS3Uri: 's3://northwind-ml-artifacts/data-capture/credit-risk-prod',
    KmsKeyId: kmsArn(PROD, EU, KMS.prodEu),
    CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CLI outputs

export interface CliFile {
  readonly name: string;
  readonly value: JsonObject;
}

export function sagemakerCli(account: string): CliFile[] {
  return account === PROD ? prodCli() : devCli();
}

function prodCli(): CliFile[] {
  const pr = SM.prod;
  const kmsProd = kmsArn(PROD, EU, KMS.prodEu);
  const pkg: JsonObject = {
    ModelPackageName: pr.group,
    ModelPackageGroupName: pr.group,
    ModelPackageVersion: pr.version,
    ModelPackageArn: pr.packageArn,
    ModelPackageDescription: 'XGBoost credit and claim risk model, October 2026 retrain',
    CreationTime: cliTime(SM_TIMES.packageCreated + 412),
    InferenceSpecification: prodInferenceSpecification(),
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: false,
    ModelApprovalStatus: 'Approved',
    CreatedBy: userContext(P.prod.amir),
    MetadataProperties: {
      Repository: 'https://git.northwind.example/ml/credit-risk',
      CommitId: fixedStream('sm:commit').hex(40),
    },
    ModelMetrics: prodModelMetrics(),
    LastModifiedTime: cliTime(SM_TIMES.approved + 233),
    LastModifiedBy: userContext(P.prod.dana),
    ApprovalDescription: APPROVAL_DESCRIPTION,
    Domain: 'MACHINE_LEARNING',
    Task: 'CLASSIFICATION',
    CustomerMetadataProperties: { 'risk-tier': 'medium', team: 'credit-ml' },
  };
  const endpointConfig: JsonObject = {
    EndpointConfigName: pr.endpointConfig,
    EndpointConfigArn: arnOf(PROD, 'endpoint-config', pr.endpointConfig),
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: pr.model,
        InitialInstanceCount: 2,
        InstanceType: 'ml.m5.xlarge',
        InitialVariantWeight: 1.0,
      },
    ],
    DataCaptureConfig: prodDataCapture(),
    KmsKeyId: kmsProd,
    CreationTime: cliTime(SM_TIMES.endpointConfigCreated + 118),
    EnableNetworkIsolation: false,
  };
  const endpoint: JsonObject = {
    EndpointName: pr.endpoint,
    EndpointArn: arnOf(PROD, 'endpoint', pr.endpoint),
    EndpointConfigName: pr.endpointConfig,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        DeployedImages: [
          {
            SpecifiedImage: pr.image,
            ResolvedImage: `${pr.image.split(':')[0] ?? ''}@${pr.imageDigest}`,
            ResolutionTime: cliTime(SM_TIMES.endpointCreated + 2051),
          },
        ],
        CurrentWeight: 1.0,
        DesiredWeight: 1.0,
        CurrentInstanceCount: 2,
        DesiredInstanceCount: 2,
      },
    ],
    DataCaptureConfig: {
      EnableCapture: true,
      CaptureStatus: 'Started',
      CurrentSamplingPercentage: 20,
      DestinationS3Uri: 's3://northwind-ml-artifacts/data-capture/credit-risk-prod',
      KmsKeyId: kmsProd,
    },
    EndpointStatus: 'InService',
    CreationTime: cliTime(SM_TIMES.endpointCreated + 377),
    LastModifiedTime: cliTime(SM_TIMES.endpointInService + 12),
  };
  const card: JsonObject = {
    ModelCardArn: arnOf(PROD, 'model-card', pr.card),
    ModelCardName: pr.card,
    ModelCardVersion: 2,
    Content: JSON.stringify(creditRiskCardContent()),
    ModelCardStatus: 'Approved',
    SecurityConfig: { KmsKeyId: kmsProd },
    CreationTime: cliTime(SM_TIMES.cardCreated + 80),
    CreatedBy: userContext(P.prod.amir),
    LastModifiedTime: cliTime(SM_TIMES.cardApproved + 95),
    LastModifiedBy: userContext(P.prod.dana),
  };
  const draft: JsonObject = {
    ModelCardArn: arnOf(PROD, 'model-card', pr.draftCard),
    ModelCardName: pr.draftCard,
    ModelCardVersion: 2,
    Content: JSON.stringify(supportSummarizerCardContent()),
    ModelCardStatus: 'Draft',
    CreationTime: cliTime(SM_TIMES.draftCardCreated + 64),
    CreatedBy: userContext(P.prod.lena),
    LastModifiedTime: cliTime(SM_TIMES.draftCardUpdated + 71),
    LastModifiedBy: userContext(P.prod.lena),
  };
  return [
    { name: `describe-model-package.${pr.group}-${pr.version}.json`, value: pkg },
    { name: `describe-endpoint.${pr.endpoint}.json`, value: endpoint },
    { name: `describe-endpoint-config.${pr.endpointConfig}.json`, value: endpointConfig },
    { name: `describe-model-card.${pr.card}.json`, value: card },
    { name: `describe-model-card.${pr.draftCard}.json`, value: draft },
    { name: `query-lineage.${pr.endpoint}.json`, value: prodLineage().response },
    { name: `describe-model.${pr.model}.json`, value: describeModel(PROD, pr.model, pr.packageArn, SM_TIMES.modelCreated) },
    ...artifactFiles(prodLineage(), SM_TIMES.training),
  ];
}

function devCli(): CliFile[] {
  const dv = SM.mldev;
  const pkg: JsonObject = {
    ModelPackageName: dv.group,
    ModelPackageGroupName: dv.group,
    ModelPackageVersion: dv.version,
    ModelPackageArn: dv.packageArn,
    ModelPackageDescription: 'Churn propensity baseline',
    CreationTime: cliTime(SM_TIMES.devPackage + 305),
    InferenceSpecification: devInferenceSpecification(),
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: false,
    ModelApprovalStatus: 'PendingManualApproval',
    CreatedBy: userContext(P.mldev.priya),
    LastModifiedTime: cliTime(SM_TIMES.devPackage + 305),
    LastModifiedBy: userContext(P.mldev.priya),
  };
  const endpointConfig: JsonObject = {
    EndpointConfigName: dv.endpointConfig,
    EndpointConfigArn: arnOf(MLDEV, 'endpoint-config', dv.endpointConfig),
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: dv.model,
        InitialInstanceCount: 1,
        InstanceType: 'ml.t2.medium',
        InitialVariantWeight: 1.0,
      },
    ],
    CreationTime: cliTime(SM_TIMES.devEndpointConfig + 97),
    EnableNetworkIsolation: false,
  };
  const endpoint: JsonObject = {
    EndpointName: dv.endpoint,
    EndpointArn: arnOf(MLDEV, 'endpoint', dv.endpoint),
    EndpointConfigName: dv.endpointConfig,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        DeployedImages: [
          {
            SpecifiedImage: dv.image,
            ResolvedImage: `${dv.image.split(':')[0] ?? ''}@${dv.imageDigest}`,
            ResolutionTime: cliTime(SM_TIMES.devEndpoint + 1840),
          },
        ],
        CurrentWeight: 1.0,
        DesiredWeight: 1.0,
        CurrentInstanceCount: 1,
        DesiredInstanceCount: 1,
      },
    ],
    EndpointStatus: 'InService',
    CreationTime: cliTime(SM_TIMES.devEndpoint + 240),
    LastModifiedTime: cliTime(SM_TIMES.devEndpointInService + 9),
  };
  return [
    { name: `describe-model-package.${dv.group}-${dv.version}.json`, value: pkg },
    { name: `describe-endpoint.${dv.endpoint}.json`, value: endpoint },
    { name: `describe-endpoint-config.${dv.endpointConfig}.json`, value: endpointConfig },
    { name: `query-lineage.${dv.endpoint}.json`, value: devLineage().response },
    { name: `describe-model.${dv.model}.json`, value: describeModel(MLDEV, dv.model, dv.packageArn, SM_TIMES.devModel) },
    ...artifactFiles(devLineage(), SM_TIMES.devTraining),
  ];
}

/** DescribeModel: the link from an endpoint's production variant to the model package it serves. */
function describeModel(account: string, model: string, packageArn: string, created: number): JsonObject {
  return {
    ModelName: model,
    PrimaryContainer: { ModelPackageName: packageArn },
    ExecutionRoleArn: roleArn(account, 'SageMakerExecutionRole', '/service-role/'),
    CreationTime: cliTime(created + 51),
    ModelArn: arnOf(account, 'model', model),
    EnableNetworkIsolation: false,
  };
}

/**
 * DescribeArtifact for every artifact vertex: where it lives (SourceUri) and how it is identified. The raw
 * training dataset also carries a SHA-256 the data team registers as a custom source id.
 */
function artifactFiles(l: Lineage, created: number): CliFile[] {
  const hashes = fixedStream('sagemaker:artifact-hashes');
  return l.vertices
    .filter((v) => v.LineageType === 'Artifact')
    .map((v) => {
      const id = v.Arn.slice(v.Arn.lastIndexOf('/') + 1);
      const sourceTypes: JsonObject[] = [{ SourceIdType: 'S3ETag', Value: hashes.hex(32) }];
      if (v.Type === 'DataSet' && v.source === SM.prod.dataset) sourceTypes.push({ SourceIdType: 'Custom', Value: hashes.hex(64) });
      return {
        name: `describe-artifact.${id}.json`,
        value: {
          ArtifactArn: v.Arn,
          Source: { SourceUri: v.source, SourceTypes: sourceTypes },
          ArtifactType: v.Type,
          CreationTime: cliTime(created + 17),
        },
      };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Lineage

export interface LineageVertex {
  readonly Arn: string;
  readonly Type: string;
  readonly LineageType: 'TrialComponent' | 'Artifact' | 'Context' | 'Action';
  /** Not part of the API output: what the vertex stands for (kept in expected-state.json). */
  readonly source: string;
}

export interface Lineage {
  readonly vertices: readonly LineageVertex[];
  readonly response: JsonObject;
}

function lineage(vertices: LineageVertex[], edges: [LineageVertex, LineageVertex, string][]): Lineage {
  return {
    vertices,
    response: {
      Vertices: vertices.map((v) => ({ Arn: v.Arn, Type: v.Type, LineageType: v.LineageType })),
      Edges: edges.map(([s, d, t]) => ({ SourceArn: s.Arn, DestinationArn: d.Arn, AssociationType: t })),
    },
  };
}

const lin = fixedStream('sagemaker:lineage');
const ART = {
  prodDataset: lin.hex(32),
  prodProcessed: lin.hex(32),
  prodModelData: lin.hex(32),
  prodPackage: lin.hex(32),
  prodImage: lin.hex(32),
  prodProcessingImage: lin.hex(32),
  prodDeployment: lin.hex(32),
  devModelData: lin.hex(32),
  devPackage: lin.hex(32),
  devImage: lin.hex(32),
  devDeployment: lin.hex(32),
};

export function prodLineage(): Lineage {
  const pr = SM.prod;
  const a = (id: string): string => arnOf(PROD, 'artifact', id);
  const endpoint: LineageVertex = {
    Arn: arnOf(PROD, 'context', pr.endpoint),
    Type: 'Endpoint',
    LineageType: 'Context',
    source: arnOf(PROD, 'endpoint', pr.endpoint),
  };
  const deploy: LineageVertex = {
    Arn: arnOf(PROD, 'action', `${pr.endpoint}-deployment-${ART.prodDeployment.slice(0, 8)}`),
    Type: 'ModelDeployment',
    LineageType: 'Action',
    source: arnOf(PROD, 'endpoint-config', pr.endpointConfig),
  };
  const pkg: LineageVertex = { Arn: a(ART.prodPackage), Type: 'Model', LineageType: 'Artifact', source: pr.packageArn };
  const model: LineageVertex = {
    Arn: a(ART.prodModelData),
    Type: 'Model',
    LineageType: 'Artifact',
    source: pr.modelData,
  };
  const training: LineageVertex = {
    Arn: arnOf(PROD, 'experiment-trial-component', `${pr.trainingJob}-aws-training-job`),
    Type: 'TrainingJob',
    LineageType: 'TrialComponent',
    source: arnOf(PROD, 'training-job', pr.trainingJob),
  };
  const image: LineageVertex = { Arn: a(ART.prodImage), Type: 'Image', LineageType: 'Artifact', source: pr.image };
  const processed: LineageVertex = {
    Arn: a(ART.prodProcessed),
    Type: 'DataSet',
    LineageType: 'Artifact',
    source: pr.processedDataset,
  };
  const processing: LineageVertex = {
    Arn: arnOf(PROD, 'experiment-trial-component', `${pr.processingJob}-aws-processing-job`),
    Type: 'ProcessingJob',
    LineageType: 'TrialComponent',
    source: arnOf(PROD, 'processing-job', pr.processingJob),
  };
  const procImage: LineageVertex = {
    Arn: a(ART.prodProcessingImage),
    Type: 'Image',
    LineageType: 'Artifact',
    source: pr.processingImage,
  };
  const dataset: LineageVertex = {
    Arn: a(ART.prodDataset),
    Type: 'DataSet',
    LineageType: 'Artifact',
    source: pr.dataset,
  };
  return lineage(
    [endpoint, deploy, pkg, model, training, image, processed, processing, procImage, dataset],
    [
      [deploy, endpoint, 'AssociatedWith'],
      [pkg, deploy, 'ContributedTo'],
      [model, pkg, 'ContributedTo'],
      [training, model, 'Produced'],
      [image, training, 'ContributedTo'],
      [processed, training, 'ContributedTo'],
      [processing, processed, 'Produced'],
      [procImage, processing, 'ContributedTo'],
      [dataset, processing, 'ContributedTo'],
    ],
  );
}

export function devLineage(): Lineage {
  const dv = SM.mldev;
  const a = (id: string): string => arnOf(MLDEV, 'artifact', id);
  const endpoint: LineageVertex = {
    Arn: arnOf(MLDEV, 'context', dv.endpoint),
    Type: 'Endpoint',
    LineageType: 'Context',
    source: arnOf(MLDEV, 'endpoint', dv.endpoint),
  };
  const deploy: LineageVertex = {
    Arn: arnOf(MLDEV, 'action', `${dv.endpoint}-deployment-${ART.devDeployment.slice(0, 8)}`),
    Type: 'ModelDeployment',
    LineageType: 'Action',
    source: arnOf(MLDEV, 'endpoint-config', dv.endpointConfig),
  };
  const pkg: LineageVertex = { Arn: a(ART.devPackage), Type: 'Model', LineageType: 'Artifact', source: dv.packageArn };
  const model: LineageVertex = {
    Arn: a(ART.devModelData),
    Type: 'Model',
    LineageType: 'Artifact',
    source: dv.modelData,
  };
  const training: LineageVertex = {
    Arn: arnOf(MLDEV, 'experiment-trial-component', `${dv.trainingJob}-aws-training-job`),
    Type: 'TrainingJob',
    LineageType: 'TrialComponent',
    source: arnOf(MLDEV, 'training-job', dv.trainingJob),
  };
  const image: LineageVertex = { Arn: a(ART.devImage), Type: 'Image', LineageType: 'Artifact', source: dv.image };
  return lineage(
    [endpoint, deploy, pkg, model, training, image],
    [
      [deploy, endpoint, 'AssociatedWith'],
      [pkg, deploy, 'ContributedTo'],
      [model, pkg, 'ContributedTo'],
      [training, model, 'Produced'],
      [image, training, 'ContributedTo'],
    ],
  );
}
