import { describe, expect, it } from 'vitest';
import { modelCardSchemaErrors, normalizeModelCard } from '../../src/normalizers/sagemaker/model-card.js';
import { NormalizeError } from '../../src/normalizers/types.js';
import {
  apiMeta,
  clone,
  fileMeta,
  fixture,
  normalizeError,
  OBSERVED_AT,
  toEpoch,
  toSdk,
  validContent,
} from '../fixtures/sagemaker/helpers.js';
import { outputMembersOf, outputProblems, smithyAvailable } from '../fixtures/smithy.js';

const FILE = 'sagemaker/describe-model-card.churn-xgb-card.json';
const INPUT = `cli/111122223333/us-east-1/${FILE}`;
const TIME_KEYS = ['CreationTime', 'LastModifiedTime'];
const cli = () => fixture(FILE);
const meta = () => fileMeta(FILE);
const withContent = (content: unknown): Record<string, unknown> => ({
  ...cli(),
  Content: typeof content === 'string' ? content : JSON.stringify(content),
});
const cardContent = () => JSON.parse(cli()['Content'] as string) as Record<string, Record<string, unknown>>;

describe('normalizeModelCard', () => {
  it('normalizes the CLI output of describe-model-card', () => {
    const obs = normalizeModelCard(cli(), meta());
    expect(obs).toMatchObject({
      collector: 'sagemaker',
      kind: 'sagemaker.model_card',
      account: '111122223333',
      region: 'us-east-1',
      resource: 'arn:aws:sagemaker:us-east-1:111122223333:model-card/churn-xgb-card',
      observedAt: { type: 'instant', at: OBSERVED_AT },
      status: { state: 'collected' },
    });
    expect(obs.sources).toEqual(meta().sources);
    expect(obs.raw).toEqual(meta().raw);
    validContent(obs);
    const c = obs.content!;
    expect(c).toMatchObject({
      name: 'churn-xgb-card',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:model-card/churn-xgb-card',
      version: 3,
      status: 'Approved',
      createdBy: 'jdoe',
      lastModifiedBy: 'arn:aws:sts::111122223333:assumed-role/ModelRiskReviewer/asmith',
      lastModifiedTime: '2025-01-20T16:05:12.031Z',
      schemaErrors: [],
      modelId: 'arn:aws:sagemaker:us-east-1:111122223333:model/churn-xgb-2025-01-14',
      modelName: 'churn-xgb-2025-01-14',
      description: 'Gradient-boosted classifier that scores monthly churn risk for retail subscribers.',
      intendedUses:
        'Batch scoring of active subscribers once a month; scores are reviewed by the retention team before any offer is made.',
      riskRating: 'Medium',
      riskExplanation: 'Scores influence which customers receive discounts; no automated adverse decision is taken.',
      problemType: 'Binary Classification',
      trainingObservations: 'Validation AUC plateaued after 180 rounds.\nNo leakage found in the feature audit.',
      ethicalConsiderations: 'Gender is used only as a Clarify facet, never as a feature.',
      caveatsAndRecommendations: 'Retrain when the monthly churn rate moves by more than two points.',
      modelPackageArn: null,
    });
    // 3 Clarify bias metrics + 19 scalar Model Monitor metrics; the confusion matrix and the two curves are not scalar.
    expect(c.evaluationMetrics).toHaveLength(22);
    expect(c.evaluationMetrics[0]).toEqual({
      evaluation: 'clarify-bias-2025-01',
      group: 'post_training_bias_metrics - label Target = 1 and facet Gender=0',
      name: 'AD',
      value: -0.11415724421435,
    });
    expect(c.evaluationMetrics).toContainEqual({
      evaluation: 'model-monitor-quality-2025-01',
      group: 'binary_classification_metrics',
      name: 'auc',
      value: 1,
    });
    expect(c.evaluationMetrics.map((m) => m.name)).not.toContain('confusion_matrix');
    expect(c.evaluationMetrics.map((m) => m.name)).not.toContain('precision_recall_curve');
  });

  it('gives identical content for the SDK v3 response (Date objects, $metadata) and CLI v1 epoch seconds', () => {
    const fromCli = normalizeModelCard(cli(), meta());
    const sdk = toSdk(cli(), TIME_KEYS);
    expect(sdk['LastModifiedTime']).toBeInstanceOf(Date);
    const fromSdk = normalizeModelCard(sdk, apiMeta('sagemaker:DescribeModelCard'));
    expect(fromSdk.content).toEqual(fromCli.content);
    expect(normalizeModelCard(toEpoch(cli(), TIME_KEYS), meta()).content).toEqual(fromCli.content);
  });

  it('uses intended_uses.purpose_of_model when intended_uses.intended_uses is absent, and falls back to a name-based resource', () => {
    const content = cardContent();
    delete content['intended_uses']!['intended_uses'];
    const r = withContent(content);
    delete r['ModelCardArn'];
    const obs = normalizeModelCard(r, meta());
    expect(obs.content!.intendedUses).toBe('Prioritise retention offers for subscribers likely to cancel.');
    expect(obs.resource).toBe('model-card/churn-xgb-card');
    expect(obs.content!.arn).toBeNull();
  });

  it('takes modelPackageArn from model_package_details (full card schema) without schema errors', () => {
    const content = cardContent();
    content['model_package_details'] = {
      model_package_arn: 'arn:aws:sagemaker:us-east-1:111122223333:model-package/churn-model-group/3',
      model_package_group_name: 'churn-model-group',
      model_package_version: 3,
      model_approval_status: 'Approved',
      created_by: { user_profile_name: 'jdoe' },
      inference_specification: {
        containers: [{ image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' }],
      },
    };
    const c = normalizeModelCard(withContent(content), meta()).content!;
    expect(c.schemaErrors).toEqual([]);
    expect(c.modelPackageArn).toBe('arn:aws:sagemaker:us-east-1:111122223333:model-package/churn-model-group/3');
  });

  it('collects a card whose content violates the schema, listing the problems with JSON-pointer paths', () => {
    const content = cardContent();
    content['intended_uses']!['risk_rating'] = 'Catastrophic';
    content['model_overview']!['favourite_colour'] = 'blue';
    content['additional_information']!['ethical_considerations'] = 42;
    (content['evaluation_details'] as unknown as Record<string, unknown>[])[0]!['metric_groups'] = [
      { name: 'g', metric_data: [{ name: 'x', type: 'pie_chart', value: 3 }] },
    ];
    delete (content['evaluation_details'] as unknown as Record<string, unknown>[])[1]!['name'];
    const obs = normalizeModelCard(withContent(content), meta());
    expect(obs.status).toEqual({ state: 'collected' });
    validContent(obs);
    expect(obs.content!.schemaErrors).toEqual([
      '/model_overview must not have property "favourite_colour"',
      '/intended_uses/risk_rating must be one of High|Medium|Low|Unknown',
      '/evaluation_details/0/metric_groups/0/metric_data/0 does not match any allowed form',
      "/evaluation_details/1 must have required property 'name'",
      '/additional_information/ethical_considerations must be string',
    ]);
    expect(obs.content!.riskRating).toBeNull();
    expect(obs.content!.ethicalConsiderations).toBeNull();
    // The unnamed evaluation keeps its metrics under a positional name.
    expect(obs.content!.evaluationMetrics.filter((m) => m.evaluation === 'evaluation_details[1]')).toHaveLength(19);
  });

  it('reports a Content that is JSON but not an object as a schema problem, not an error', () => {
    const obs = normalizeModelCard(withContent('[1,2]'), meta());
    expect(obs.content!.schemaErrors).toEqual(['/ must be object']);
    expect(obs.content!.evaluationMetrics).toEqual([]);
    expect(obs.content!.modelName).toBeNull();
  });

  it('caps the number of schema problems a hostile card can produce', () => {
    const custom: Record<string, number> = {};
    for (let i = 0; i < 80; i++) custom[`k${i}`] = i;
    const errors = modelCardSchemaErrors({ additional_information: { custom_details: custom } });
    expect(errors).toHaveLength(51);
    expect(errors[0]).toBe('/additional_information/custom_details/k0 must be string');
    expect(errors[50]).toBe('… and 30 more schema problems');
  });

  it('keeps <script> and markup verbatim but strips NUL and other C0 control characters except \\n and \\t', () => {
    const content = cardContent();
    content['intended_uses']!['intended_uses'] =
      '<script>alert("x")</script>\u0000Use\tonly\r\nfor <b>batch</b>\u001b[31m scoring\u0007';
    content['additional_information']!['caveats_and_recommendations'] = '<img src=x onerror=alert(1)>';
    content['model_overview']!['model_name'] = '\u0000\u0001';
    const c = normalizeModelCard(withContent(content), meta()).content!;
    expect(c.intendedUses).toBe('<script>alert("x")</script>Use\tonly\nfor <b>batch</b>[31m scoring');
    expect(c.caveatsAndRecommendations).toBe('<img src=x onerror=alert(1)>');
    expect(c.modelName).toBeNull();
  });

  it('strips control characters from metric names, string values and schema problems', () => {
    const content = cardContent();
    content['evaluation_details'] = [
      {
        name: 'ev\u0000al',
        metric_groups: [
          {
            name: 'g\u0001',
            metric_data: [
              { name: 'n\u0002', type: 'string', value: 'v\u0003' },
              { name: 'ok', type: 'boolean', value: true },
            ],
          },
        ],
      },
    ] as unknown as Record<string, unknown>;
    content['model_overview']!['bad\u0000key'] = 1;
    const c = normalizeModelCard(withContent(content), meta()).content!;
    expect(c.evaluationMetrics).toEqual([
      { evaluation: 'eval', group: 'g', name: 'n', value: 'v' },
      { evaluation: 'eval', group: 'g', name: 'ok', value: true },
    ]);
    expect(c.schemaErrors).toEqual(['/model_overview must not have property "badkey"']);
  });

  it('rejects Content that is not JSON', () => {
    const err = normalizeError(() => normalizeModelCard(withContent('{"model_overview": {'), meta()));
    expect(err.input).toBe(INPUT);
    expect(err.problem).toBe('Content is not valid JSON (it must hold the model card content as a JSON document)');
    expect(err.code).toBe('MalformedInput');
    expect(err.message).toBe(`${INPUT}: ${err.problem}`);
  });

  it('rejects an unknown ModelCardStatus', () => {
    const err = normalizeError(() => normalizeModelCard({ ...cli(), ModelCardStatus: 'Foo' }, meta()));
    expect(err.problem).toBe('ModelCardStatus must be one of Draft|PendingReview|Approved|Archived, got "Foo"');
    expect(err.code).toBe('InvalidValue');
  });

  it.each([
    ['ModelCardName', 'ModelCardName is required and must be a non-empty string, got undefined', 'MissingField'],
    [
      'ModelCardStatus',
      'ModelCardStatus is required and must be one of Draft|PendingReview|Approved|Archived, got undefined',
      'MissingField',
    ],
    ['Content', "Content is required and must be a string holding the card's JSON, got undefined", 'MissingField'],
  ])('rejects a response without %s', (key, problem, code) => {
    const r = cli();
    delete r[key];
    const err = normalizeError(() => normalizeModelCard(r, meta()));
    expect(err).toBeInstanceOf(NormalizeError);
    expect([err.problem, err.code]).toEqual([problem, code]);
  });

  it('rejects non-ISO times and wrong member types', () => {
    expect(
      normalizeError(() => normalizeModelCard({ ...cli(), LastModifiedTime: '2025-01-20 16:05:12' }, meta())).problem,
    ).toBe('LastModifiedTime is not an ISO-8601 instant with a time zone: "2025-01-20 16:05:12"');
    expect(
      normalizeError(() => normalizeModelCard({ ...cli(), CreationTime: '2025-01-20T16:05:12' }, meta())).code,
    ).toBe('InvalidTime');
    expect(normalizeError(() => normalizeModelCard({ ...cli(), ModelCardVersion: '3' }, meta())).problem).toBe(
      'ModelCardVersion must be an integer, got "3"',
    );
    expect(normalizeError(() => normalizeModelCard({ ...cli(), CreatedBy: 'jdoe' }, meta())).problem).toBe(
      'CreatedBy must be a JSON object, got "jdoe"',
    );
    expect(
      normalizeError(() => normalizeModelCard({ ...cli(), Content: { model_overview: {} } }, meta())).problem,
    ).toBe("Content is required and must be a string holding the card's JSON, got object");
    const notObject = normalizeError(() => normalizeModelCard([cli()], meta()));
    expect([notObject.problem, notObject.code]).toEqual([
      'DescribeModelCard response must be a JSON object, got an array',
      'UnknownShape',
    ]);
  });

  it('names the API operation as the input for live calls', () => {
    const err = normalizeError(() =>
      normalizeModelCard({ ...clone(cli()), ModelCardStatus: 'Foo' }, apiMeta('sagemaker:DescribeModelCard')),
    );
    expect(err.input).toBe('sagemaker:DescribeModelCard');
  });
});

describe.skipIf(!smithyAvailable())('describe-model-card fixture vs the Smithy model', () => {
  it('uses only members of DescribeModelCardResponse, with the right types', () => {
    const members = outputMembersOf('sagemaker', 'DescribeModelCard');
    for (const key of Object.keys(cli())) expect(members).toContain(key);
    expect(outputProblems('sagemaker', 'DescribeModelCard', cli())).toEqual([]);
  });
});
