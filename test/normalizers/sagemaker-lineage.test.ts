import { describe, expect, it } from 'vitest';
import { normalizeLineage, reachesDataset, vertexTypeOf } from '../../src/normalizers/sagemaker/lineage.js';
import { apiMeta, fileMeta, fixture, normalizeError, toSdk, validContent } from '../fixtures/sagemaker/helpers.js';
import { outputMembersOf, outputProblems, smithyAvailable } from '../fixtures/smithy.js';

const FILE = 'sagemaker/query-lineage.churn-endpoint.json';
const P = 'arn:aws:sagemaker:us-east-1:111122223333';
const ENDPOINT = `${P}:endpoint/churn-endpoint`;
const TRAIN_DATA = `${P}:artifact/2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b`;
const RAW_DATA = `${P}:artifact/7e9b1d3f5a7c9e1b2c4e6a8b0d1f3a5c`;
const cli = () => fixture(FILE);
const meta = () => fileMeta(FILE);
type Edge = { SourceArn: string; DestinationArn: string; AssociationType?: string };
type Vertex = { Arn: string; Type?: string; LineageType?: string };

describe('normalizeLineage', () => {
  it('maps the query-lineage output of an endpoint', () => {
    const obs = normalizeLineage(cli(), 'churn-endpoint', meta());
    expect(obs).toMatchObject({ collector: 'sagemaker', kind: 'sagemaker.lineage', resource: ENDPOINT });
    validContent(obs);
    const c = obs.content!;
    expect(c.startArn).toBe(ENDPOINT);
    expect(c.reachesDataset).toBe(true);
    expect(c.vertices.map((v) => [v.type, v.awsType])).toEqual([
      ['Endpoint', 'Endpoint'],
      ['Other', 'ModelDeployment'],
      ['ModelPackage', 'ModelPackage'],
      ['Model', 'Model'],
      ['TrainingJob', 'SageMakerTrainingJob'],
      ['ProcessingJob', 'SageMakerProcessingJob'],
      ['Dataset', 'DataSet'],
      ['Dataset', 'DataSet'],
      ['Other', 'Image'],
    ]);
    expect(c.vertices.every((v) => v.uri === null && v.sha256 === null)).toBe(true);
    expect(c.edges).toHaveLength(8);
    expect(c.edges[0]).toEqual({
      source: `${P}:action/churn-endpoint-config-2025-01-21-deploy-8f3d2a1b`,
      destination: ENDPOINT,
      association: 'AssociatedWith',
    });
  });

  it('gives identical content for the SDK v3 response', () => {
    expect(normalizeLineage(toSdk(cli(), []), 'churn-endpoint', apiMeta('sagemaker:QueryLineage')).content).toEqual(
      normalizeLineage(cli(), 'churn-endpoint', meta()).content,
    );
  });

  it('starts from a model package named <group>-<version> (file names cannot hold /)', () => {
    const c = normalizeLineage(cli(), 'churn-model-group-3', meta()).content!;
    expect(c.startArn).toBe(`${P}:model-package/churn-model-group/3`);
    expect(c.reachesDataset).toBe(true);
  });

  it('does not reach a dataset when the training job has no input data', () => {
    const r = cli();
    r['Edges'] = (r['Edges'] as Edge[]).filter((e) => e.SourceArn !== TRAIN_DATA && e.DestinationArn !== TRAIN_DATA);
    expect(normalizeLineage(r, 'churn-endpoint', meta()).content!.reachesDataset).toBe(false);
  });

  it('walks edges backwards only: a dataset downstream of the start does not count', () => {
    const r = {
      Vertices: [
        { Arn: `${P}:model-package/g/1`, Type: 'ModelPackage', LineageType: 'Context' },
        { Arn: `${P}:artifact/aaaa`, Type: 'DataSet', LineageType: 'Artifact' },
      ],
      Edges: [
        { SourceArn: `${P}:model-package/g/1`, DestinationArn: `${P}:artifact/aaaa`, AssociationType: 'Produced' },
      ],
    };
    expect(normalizeLineage(r, '1', meta()).content!.reachesDataset).toBe(false);
  });

  it('terminates on cycles in the edges', () => {
    const r = cli();
    const edges = r['Edges'] as Edge[];
    // endpoint → model package and training job → training job: both close loops.
    edges.push({
      SourceArn: ENDPOINT,
      DestinationArn: `${P}:model-package/churn-model-group/3`,
      AssociationType: 'AssociatedWith',
    });
    edges.push({
      SourceArn: `${P}:experiment-trial-component/churn-xgb-2025-01-14-aws-training-job`,
      DestinationArn: `${P}:experiment-trial-component/churn-xgb-2025-01-14-aws-training-job`,
    });
    expect(normalizeLineage(r, 'churn-endpoint', meta()).content!.reachesDataset).toBe(true);
    r['Edges'] = edges.filter((e) => e.SourceArn !== TRAIN_DATA && e.DestinationArn !== TRAIN_DATA);
    const c = normalizeLineage(r, 'churn-endpoint', meta()).content!;
    expect(c.reachesDataset).toBe(false);
    expect(c.edges.find((e) => e.source === e.destination)?.association).toBeNull();
  });

  it('terminates on a pure cycle with no dataset', () => {
    const a = `${P}:endpoint/a`;
    const b = `${P}:context/b`;
    const vertices = [
      { arn: a, type: 'Endpoint' as const, awsType: null, uri: null, sha256: null },
      { arn: b, type: 'Other' as const, awsType: null, uri: null, sha256: null },
    ];
    const edges = [
      { source: a, destination: b, association: null },
      { source: b, destination: a, association: null },
    ];
    expect(reachesDataset(a, vertices, edges)).toBe(false);
  });

  it('keeps duplicate vertices and edges (merged pages) once', () => {
    const r = cli();
    (r['Vertices'] as Vertex[]).push({ Arn: ENDPOINT, Type: 'Endpoint', LineageType: 'Context' });
    (r['Edges'] as Edge[]).push({ ...(r['Edges'] as Edge[])[0]! });
    const c = normalizeLineage(r, 'churn-endpoint', meta()).content!;
    expect(c.vertices).toHaveLength(9);
    expect(c.edges).toHaveLength(8);
  });

  it('takes a dataset URI from an enriched vertex Source, and URI/sha256 from details', () => {
    const r = cli();
    const v = (r['Vertices'] as Record<string, unknown>[]).find((x) => x['Arn'] === TRAIN_DATA)!;
    v['Source'] = { SourceUri: 's3://retention-ml-111122223333/churn/data/train/2024-12/' };
    const sha = 'a'.repeat(64);
    const c = normalizeLineage(r, 'churn-endpoint', meta(), {
      [TRAIN_DATA]: { sha256: sha },
      [RAW_DATA]: { uri: 's3://raw/2024-12/' },
    }).content!;
    expect(c.vertices.find((x) => x.arn === TRAIN_DATA)).toMatchObject({
      uri: 's3://retention-ml-111122223333/churn/data/train/2024-12/',
      sha256: sha,
    });
    expect(c.vertices.find((x) => x.arn === RAW_DATA)).toMatchObject({ uri: 's3://raw/2024-12/', sha256: null });
    const viaMap = normalizeLineage(
      cli(),
      'churn-endpoint',
      meta(),
      new Map([[RAW_DATA, { uri: 's3://raw/2024-12/' }]]),
    ).content!;
    expect(viaMap.vertices.find((x) => x.arn === RAW_DATA)!.uri).toBe('s3://raw/2024-12/');
  });

  it('classifies vertices from Type and ARN shape', () => {
    expect(vertexTypeOf(`${P}:training-job/job-1`, null)).toBe('TrainingJob');
    expect(vertexTypeOf(`${P}:processing-job/job-1`, null)).toBe('ProcessingJob');
    expect(vertexTypeOf(`${P}:experiment-trial-component/job-1-aws-training-job`, null)).toBe('TrainingJob');
    expect(vertexTypeOf(`${P}:experiment-trial-component/job-1-aws-processing-job`, 'SageMakerProcessingJob')).toBe(
      'ProcessingJob',
    );
    expect(vertexTypeOf(`${P}:experiment-trial-component/my-notebook-run`, null)).toBe('Other');
    expect(vertexTypeOf(`${P}:model-package/g/2`, null)).toBe('ModelPackage');
    expect(vertexTypeOf(`${P}:endpoint/e`, null)).toBe('Endpoint');
    expect(vertexTypeOf(`${P}:context/e-1234-endpoint`, 'Endpoint')).toBe('Endpoint');
    expect(vertexTypeOf(`${P}:model/m`, null)).toBe('Model');
    expect(vertexTypeOf(`${P}:artifact/x`, 'DataSet')).toBe('Dataset');
    expect(vertexTypeOf(`${P}:artifact/x`, 'Model')).toBe('Model');
    expect(vertexTypeOf(`${P}:artifact/x`, 'Image')).toBe('Other');
    expect(vertexTypeOf(`${P}:context/g-1234`, 'ModelGroup')).toBe('Other');
  });

  it('rejects a response without the start vertex', () => {
    const err = normalizeError(() => normalizeLineage(cli(), 'fraud-endpoint', meta()));
    expect(err.input).toBe(`cli/111122223333/us-east-1/${FILE}`);
    expect(err.problem).toBe(
      'Vertices has no vertex whose Arn ends with "/fraud-endpoint" (the start of the query; 9 vertices)',
    );
    expect(err.code).toBe('MissingField');
    expect(normalizeError(() => normalizeLineage({}, 'churn-endpoint', meta())).problem).toBe(
      'Vertices has no vertex whose Arn ends with "/churn-endpoint" (the start of the query; 0 vertices)',
    );
  });

  it('rejects an ambiguous start name', () => {
    const r = cli();
    (r['Vertices'] as Vertex[]).push({ Arn: `${P}:model/churn-endpoint`, Type: 'Model', LineageType: 'Artifact' });
    expect(normalizeError(() => normalizeLineage(r, 'churn-endpoint', meta())).problem).toBe(
      `Vertices has 2 vertices whose Arn ends with "/churn-endpoint": ${ENDPOINT}, ${P}:model/churn-endpoint`,
    );
  });

  it('rejects malformed vertices and edges', () => {
    const noArn = cli();
    delete (noArn['Vertices'] as Record<string, unknown>[])[2]!['Arn'];
    expect(normalizeError(() => normalizeLineage(noArn, 'churn-endpoint', meta())).problem).toBe(
      'Vertices[2].Arn is required and must be a non-empty string, got undefined',
    );
    const badType = cli();
    (badType['Vertices'] as Vertex[])[0]!.LineageType = 'Pipeline';
    const e = normalizeError(() => normalizeLineage(badType, 'churn-endpoint', meta()));
    expect([e.problem, e.code]).toEqual([
      'Vertices[0].LineageType must be one of TrialComponent|Artifact|Context|Action, got "Pipeline"',
      'InvalidValue',
    ]);
    const noDest = cli();
    delete (noDest['Edges'] as Record<string, unknown>[])[1]!['DestinationArn'];
    expect(normalizeError(() => normalizeLineage(noDest, 'churn-endpoint', meta())).problem).toBe(
      'Edges[1].DestinationArn is required and must be a non-empty string, got undefined',
    );
    expect(normalizeError(() => normalizeLineage({ Vertices: {} }, 'churn-endpoint', meta())).problem).toBe(
      'Vertices must be an array, got object',
    );
    expect(normalizeError(() => normalizeLineage({ Edges: [null] }, 'x', meta())).problem).toBe(
      'Edges[0] must be a JSON object, got null',
    );
  });
});

describe.skipIf(!smithyAvailable())('query-lineage fixture vs the Smithy model', () => {
  it('uses only members of QueryLineageResponse, with the right types', () => {
    const members = outputMembersOf('sagemaker', 'QueryLineage');
    for (const key of Object.keys(cli())) expect(members).toContain(key);
    expect(outputProblems('sagemaker', 'QueryLineage', cli())).toEqual([]);
  });

  it('the checker itself reports drift: unknown members, wrong types, unknown enum values', () => {
    const r = cli();
    r['Paths'] = [];
    (r['Vertices'] as Record<string, unknown>[])[0]!['LineageType'] = 'Pipeline';
    (r['Edges'] as Record<string, unknown>[])[0]!['Weight'] = 1;
    (r['Edges'] as Record<string, unknown>[])[1]!['SourceArn'] = 5;
    expect(outputProblems('sagemaker', 'QueryLineage', r)).toEqual([
      '$.Vertices[0].LineageType: expected one of TrialComponent|Artifact|Context|Action (com.amazonaws.sagemaker#LineageType), got "Pipeline"',
      '$.Edges[0].Weight: not a member of com.amazonaws.sagemaker#Edge',
      '$.Edges[1].SourceArn: expected a string (com.amazonaws.sagemaker#AssociationEntityArn), got 5',
      '$.Paths: not a member of com.amazonaws.sagemaker#QueryLineageResponse',
    ]);
    const card = { ModelCardName: 'x' };
    expect(outputProblems('sagemaker', 'DescribeModelCard', card)).toContain('$.ModelCardArn: required member missing');
  });
});
