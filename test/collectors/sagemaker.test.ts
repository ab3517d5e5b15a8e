import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  DescribeArtifactCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCardCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  ListContextsCommand,
  ListEndpointsCommand,
  ListModelCardsCommand,
  ListModelCardVersionsCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  QueryLineageCommand,
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../src/aws/clients.js';
import { COLLECTORS } from '../../src/collectors/catalog.js';
import { makeLiveContext } from '../../src/collectors/live/context.js';
import { sagemakerCollector } from '../../src/collectors/live/sagemaker.js';
import type { ContentOf } from '../../src/evidence/content.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { EvidenceItem } from '../../src/evidence/model.js';
import type { AnyObservation } from '../../src/evidence/observation.js';
import { readContent, writeObservation } from '../../src/evidence/writer.js';
import { EvidenceView } from '../../src/mappers/evidence-view.js';
import { deployedModelsApproved, lineageComplete, modelCardsApproved } from '../../src/mappers/rules/sagemaker.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import { parsePeriod } from '../../src/util/time.js';
import { outputProblems, smithyAvailable } from '../fixtures/smithy.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const NOW = new Date('2025-02-10T12:00:00.000Z');
const FIX = path.resolve('test/fixtures/collectors/sagemaker');
const NORMALIZER_FIX = path.resolve('test/fixtures/sagemaker');
const CLARIFY_FIX = path.resolve('test/fixtures/clarify/fraud_detection');
const CHURN_CONTEXT = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:context/churn-endpoint-1737450644-aws-endpoint`;
const FRAUD_CONTEXT = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:context/fraud-endpoint`;
const PACKAGE_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/churn-model-group/3`;
const CARD_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-card/churn-xgb-card`;
const PRE_URI = 's3://retention-ml-111122223333/churn/clarify/2025-01-14/pre/analysis.json';
const POST_URI = 's3://retention-ml-111122223333/churn/clarify/2025-01-14/post/analysis.json';

type Json = Record<string, unknown>;
const fileText = (dir: string, name: string): string => readFileSync(path.join(dir, name), 'utf8');
const cli = (name: string): Json => JSON.parse(fileText(FIX, name)) as Json;
const normalizerCli = (name: string): Json => JSON.parse(fileText(NORMALIZER_FIX, name)) as Json;

/** The account as the AWS CLI prints it; `sdk()` turns a response into what the SDK returns. */
function account() {
  const v3 = normalizerCli('describe-model-card.churn-xgb-card.json');
  const version = (n: number, status: string, modified: string): Json => ({
    ...v3,
    ModelCardVersion: n,
    ModelCardStatus: status,
    LastModifiedTime: modified,
  });
  return {
    cards: cli('list-model-cards.json'),
    cardVersions: { 'churn-xgb-card': cli('list-model-card-versions.churn-xgb-card.json') } as Record<string, Json>,
    card: {
      1: version(1, 'Draft', '2025-01-14T10:22:31.512000+00:00'),
      2: version(2, 'PendingReview', '2025-01-17T09:41:55.208000+00:00'),
      3: v3,
    } as Record<number, Json>,
    groups: cli('list-model-package-groups.json'),
    packages: { 'churn-model-group': cli('list-model-packages.churn-model-group.json') } as Record<string, Json>,
    pkg: { [PACKAGE_ARN]: normalizerCli('describe-model-package.churn-model-group-3.json') } as Record<string, Json>,
    objects: {
      [PRE_URI]: readFileSync(path.join(CLARIFY_FIX, 'bias_1/analysis.json')),
      [POST_URI]: readFileSync(path.join(CLARIFY_FIX, 'bias_2/analysis.json')),
    } as Record<string, Buffer>,
    endpoints: cli('list-endpoints.json'),
    endpoint: {
      'churn-endpoint': normalizerCli('describe-endpoint.churn-endpoint.json'),
      'fraud-endpoint': cli('describe-endpoint.fraud-endpoint.json'),
    } as Record<string, Json>,
    config: {
      'churn-endpoint-config-2025-01-21': normalizerCli(
        'describe-endpoint-config.churn-endpoint-config-2025-01-21.json',
      ),
      'fraud-endpoint-config': cli('describe-endpoint-config.fraud-endpoint-config.json'),
    } as Record<string, Json>,
    model: {
      'churn-xgb-2025-01-14': cli('describe-model.churn-xgb-2025-01-14.json'),
      'fraud-xgb-imported': cli('describe-model.fraud-xgb-imported.json'),
    } as Record<string, Json>,
    contexts: {
      [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/churn-endpoint`]: cli('list-contexts.churn-endpoint.json'),
      [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/fraud-endpoint`]: cli('list-contexts.fraud-endpoint.json'),
    } as Record<string, Json>,
    lineage: {
      [CHURN_CONTEXT]: cli('query-lineage.churn-endpoint-1737450644-aws-endpoint.json'),
      [FRAUD_CONTEXT]: cli('query-lineage.fraud-endpoint.json'),
    } as Record<string, Json>,
    artifact: Object.fromEntries(
      readdirSync(FIX)
        .filter((f) => f.startsWith('describe-artifact.'))
        .map((f) => {
          const doc = cli(f);
          return [doc['ArtifactArn'] as string, doc];
        }),
    ) as Record<string, Json>,
  };
}
type Account = ReturnType<typeof account>;

const TIME_KEYS = new Set(['CreationTime', 'LastModifiedTime', 'ResolutionTime']);
let requestSeq = 0;
function sdk(value: Json): Json {
  const convert = (v: unknown, key: string | null): unknown => {
    if (Array.isArray(v)) return v.map((x) => convert(x, null));
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x, k)]));
    if (key !== null && TIME_KEYS.has(key) && typeof v === 'string') return new Date(v);
    return v;
  };
  return {
    ...(convert(value, null) as Json),
    $metadata: { httpStatusCode: 200, requestId: `req-${++requestSeq}`, attempts: 1, totalRetryDelay: 0 },
  };
}

const notFound = (what: string) =>
  new ResourceNotFound({
    message: `${what} does not exist`,
    $metadata: { httpStatusCode: 400, requestId: 'req-missing' },
  });
const denied = (action: string) =>
  new SageMakerServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'req-denied' },
    message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/auditpack/run is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
  });
const throttled = () =>
  new SageMakerServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'req-throttled' },
    message: 'Rate exceeded',
  });

const sm = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);

/** Serves `a` through the mocks, looking every request up by its input, as SageMaker and S3 would. */
function serve(a: Account, opts: { lineagePages?: number } = {}): void {
  sm.on(ListModelCardsCommand).callsFake(() => sdk(a.cards));
  sm.on(ListModelCardVersionsCommand).callsFake((i: { ModelCardName: string }) => {
    const v = a.cardVersions[i.ModelCardName];
    if (!v) throw notFound(i.ModelCardName);
    return sdk(v);
  });
  sm.on(DescribeModelCardCommand).callsFake((i: { ModelCardName: string; ModelCardVersion?: number }) => {
    const versions = Object.keys(a.card).map(Number);
    const card = a.card[i.ModelCardVersion ?? Math.max(...versions)];
    if (!card || card['ModelCardName'] !== i.ModelCardName) throw notFound(i.ModelCardName);
    return sdk(card);
  });
  sm.on(ListModelPackageGroupsCommand).callsFake(() => sdk(a.groups));
  sm.on(ListModelPackagesCommand).callsFake((i: { ModelPackageGroupName: string }) =>
    sdk(a.packages[i.ModelPackageGroupName] ?? { ModelPackageSummaryList: [] }),
  );
  sm.on(DescribeModelPackageCommand).callsFake((i: { ModelPackageName: string }) => {
    const p = a.pkg[i.ModelPackageName];
    if (!p) throw notFound(i.ModelPackageName);
    return sdk(p);
  });
  sm.on(ListEndpointsCommand).callsFake(() => sdk(a.endpoints));
  sm.on(DescribeEndpointCommand).callsFake((i: { EndpointName: string }) => {
    const e = a.endpoint[i.EndpointName];
    if (!e) throw notFound(i.EndpointName);
    return sdk(e);
  });
  sm.on(DescribeEndpointConfigCommand).callsFake((i: { EndpointConfigName: string }) => {
    const c = a.config[i.EndpointConfigName];
    if (!c) throw notFound(i.EndpointConfigName);
    return sdk(c);
  });
  sm.on(DescribeModelCommand).callsFake((i: { ModelName: string }) => {
    const m = a.model[i.ModelName];
    if (!m)
      throw new SageMakerServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `Could not find model "${i.ModelName}".`,
      });
    return sdk(m);
  });
  sm.on(ListContextsCommand).callsFake((i: { SourceUri?: string }) =>
    sdk(a.contexts[i.SourceUri ?? ''] ?? { ContextSummaries: [] }),
  );
  sm.on(QueryLineageCommand).callsFake((i: { StartArns: string[]; NextToken?: string }) => {
    const full = a.lineage[i.StartArns[0]!];
    if (!full) throw notFound(i.StartArns[0]!);
    // Split into pages: vertices and edges spread over `lineagePages` pages, linked by NextToken.
    const pages = opts.lineagePages ?? 1;
    const page = i.NextToken ? Number(i.NextToken.slice('lineage-page-'.length)) : 0;
    const slice = <T>(list: T[]): T[] => list.filter((_, k) => k % pages === page);
    const out: Json = { Vertices: slice(full['Vertices'] as Json[]), Edges: slice(full['Edges'] as Json[]) };
    if (page + 1 < pages) out['NextToken'] = `lineage-page-${page + 1}`;
    return sdk(out);
  });
  sm.on(DescribeArtifactCommand).callsFake((i: { ArtifactArn: string }) => {
    const art = a.artifact[i.ArtifactArn];
    if (!art) throw notFound(i.ArtifactArn);
    return sdk(art);
  });
  s3.on(GetObjectCommand).callsFake((i: { Bucket: string; Key: string }) => {
    const body = a.objects[`s3://${i.Bucket}/${i.Key}`];
    if (!body)
      throw new S3ServiceException({
        name: 'NoSuchKey',
        $fault: 'client',
        $metadata: { httpStatusCode: 404, requestId: 'req-s3-missing' },
        message: 'The specified key does not exist.',
      });
    return {
      Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(body)) },
      ContentLength: body.length,
      $metadata: { httpStatusCode: 200, requestId: `s3-${++requestSeq}` },
    };
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

beforeEach(() => {
  sm.reset();
  s3.reset();
});

async function run(opts: { signal?: AbortSignal } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'auditpack-sagemaker-'));
  dirs.push(dir);
  const store = new LocalDirectoryStore(path.join(dir, 'store'));
  const observations: AnyObservation[] = [];
  const sleeps: number[] = [];
  const ctx = makeLiveContext({
    collector: 'sagemaker',
    account: ACCOUNT,
    region: REGION,
    apiRegion: REGION,
    clients: new AwsClientFactory({
      sdkMaxAttempts: 1,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    }),
    callerIdentity: null,
    window: { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-02-01T00:00:00Z') },
    now: () => NOW,
    signal: opts.signal ?? new AbortController().signal,
    store,
    fetch,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    emit: async (obs) => {
      observations.push(obs);
      await writeObservation(
        { store, now: () => NOW, collectorVersion: 'auditpack/test live', callerIdentity: null },
        obs,
      );
    },
  });
  const items = async (): Promise<EvidenceItem[]> => {
    const out: EvidenceItem[] = [];
    for await (const item of store.listItems({})) out.push(item);
    return out;
  };
  return { ctx, store, dir, observations, sleeps, items };
}

const collectedOf = <K extends AnyObservation['kind']>(obs: readonly AnyObservation[], kind: K) =>
  obs.filter((o) => o.kind === kind && o.status.state === 'collected') as unknown as {
    resource: string;
    observedAt: { at: string };
    content: ContentOf<K>;
    sources: { operation?: string }[];
  }[];
const errorsOf = (obs: readonly AnyObservation[]) => obs.filter((o) => o.status.state !== 'collected');
const inventoryOf = (obs: readonly AnyObservation[]) => collectedOf(obs, 'inventory')[0]?.content.counts;

describe('sagemakerCollector', () => {
  it('declares the catalog entry and an IAM action for every command it sends', async () => {
    const decl = COLLECTORS.find((c) => c.id === 'sagemaker')!;
    expect(sagemakerCollector.id).toBe('sagemaker');
    expect(sagemakerCollector.regional).toBe(true);
    expect(sagemakerCollector.kinds).toEqual(decl.kinds);
    serve(account(), { lineagePages: 2 });
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    const sent = new Set(
      [...sm.calls(), ...s3.calls()].map((c) => {
        const name = (c.args[0] as object).constructor.name.replace(/Command$/, '');
        return name === 'GetObject' ? 's3:GetObject' : `sagemaker:${name}`;
      }),
    );
    expect([...sent].filter((op) => !sagemakerCollector.operations.includes(op))).toEqual([]);
    expect(
      sagemakerCollector.operations.every((op) => /^(sagemaker|s3):(Describe|Get|List|Query)[A-Za-z]+$/.test(op)),
    ).toBe(true);
  });

  it('collects every card version, the registry with its bias reports, endpoints and their lineage', async () => {
    serve(account());
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(errorsOf(h.observations)).toEqual([]);

    const cards = collectedOf(h.observations, 'sagemaker.model_card');
    expect(cards.map((c) => [c.content.version, c.content.status, c.observedAt.at])).toEqual([
      [1, 'Draft', '2025-01-14T10:22:31.512Z'],
      [2, 'PendingReview', '2025-01-17T09:41:55.208Z'],
      [3, 'Approved', NOW.toISOString()],
    ]);
    expect(new Set(cards.map((c) => c.resource))).toEqual(new Set([CARD_ARN]));
    expect(sm.commandCalls(DescribeModelCardCommand).map((c) => c.args[0].input)).toEqual(
      [1, 2, 3].map((v) => ({ ModelCardName: 'churn-xgb-card', ModelCardVersion: v })),
    );

    const [pkg] = collectedOf(h.observations, 'sagemaker.model_package');
    expect(pkg?.content).toMatchObject({
      arn: PACKAGE_ARN,
      approvalStatus: 'Approved',
      groupName: 'churn-model-group',
    });
    const bias = collectedOf(h.observations, 'clarify.bias_report');
    expect(bias.map((b) => [b.resource, b.content.subject, b.content.origin])).toEqual([
      ['churn-model-group', 'churn-model-group', 'clarify'],
      ['churn-model-group', 'churn-model-group', 'clarify'],
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'retention-ml-111122223333', Key: 'churn/clarify/2025-01-14/pre/analysis.json' },
      { Bucket: 'retention-ml-111122223333', Key: 'churn/clarify/2025-01-14/post/analysis.json' },
    ]);

    const endpoints = collectedOf(h.observations, 'sagemaker.endpoint');
    expect(endpoints.map((e) => [e.content.name, e.content.modelNames, e.content.modelPackageArns])).toEqual([
      ['churn-endpoint', ['churn-xgb-2025-01-14'], [PACKAGE_ARN]],
      ['fraud-endpoint', ['fraud-xgb-imported'], []],
    ]);
    expect(endpoints[0]!.sources.map((s) => s.operation)).toEqual([
      'sagemaker:DescribeEndpoint',
      'sagemaker:DescribeEndpointConfig',
      'sagemaker:DescribeModel',
    ]);

    expect(sm.commandCalls(ListContextsCommand).map((c) => c.args[0].input.SourceUri)).toEqual([
      `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/churn-endpoint`,
      `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/fraud-endpoint`,
    ]);
    expect(sm.commandCalls(QueryLineageCommand)[0]!.args[0].input).toEqual({
      StartArns: [CHURN_CONTEXT],
      Direction: 'Ascendants',
      IncludeEdges: true,
      MaxDepth: 10,
      NextToken: undefined,
    });
    const lineage = collectedOf(h.observations, 'sagemaker.lineage');
    expect(lineage.map((l) => [l.content.startArn, l.content.reachesDataset])).toEqual([
      [CHURN_CONTEXT, true],
      [FRAUD_CONTEXT, false],
    ]);
    const datasets = lineage[0]!.content.vertices.filter((v) => v.type === 'Dataset');
    expect(datasets.map((d) => [d.uri, d.sha256])).toEqual([
      ['s3://retention-ml-111122223333/churn/processed/2025-01-13/train.csv', null],
      [
        's3://retention-ml-111122223333/churn/raw/2024-12/subscribers.parquet',
        '3f8a3e0c9b7d2a1e5c4f6b8d0a2c4e6f8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a',
      ],
    ]);
    expect(sm.commandCalls(DescribeArtifactCommand)).toHaveLength(2);

    expect(inventoryOf(h.observations)).toEqual({
      'sagemaker.model_card': 1,
      'sagemaker.model_package': 1,
      'sagemaker.endpoint': 2,
      'sagemaker.lineage': 2,
      'clarify.bias_report': 2,
    });
    // Every item reached the store, with its raw payload.
    const stored = await h.items();
    expect(stored).toHaveLength(h.observations.length);
    const rawOfCard = stored.find(
      (i) =>
        i.kind === 'sagemaker.model_card' && i.observedAt.type === 'instant' && i.observedAt.at === NOW.toISOString(),
    )!;
    expect(JSON.parse((await h.store.getBlob(rawOfCard.raw!.sha256)).toString('utf8'))).toMatchObject({
      ModelCardVersion: 3,
      ModelCardName: 'churn-xgb-card',
    });
  });

  it('follows NextToken through three pages of every list and merges lineage pages', async () => {
    const a = account();
    const v3 = a.card[3]!;
    const names = ['card-a', 'card-b', 'card-c'];
    const cardPages: Json[] = names.map((n, i) => ({
      ModelCardSummaries: [
        {
          ModelCardName: n,
          ModelCardArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-card/${n}`,
          ModelCardStatus: 'Approved',
          CreationTime: '2025-01-14T10:22:31.512000+00:00',
        },
      ],
      ...(i < 2 ? { NextToken: `cards-${i + 1}` } : {}),
    }));
    const endpointList = (a.endpoints['Endpoints'] as Json[])[0]!;
    const endpointPages: Json[] = [
      { Endpoints: [], NextToken: 'ep-1' },
      { Endpoints: [endpointList], NextToken: 'ep-2' },
      { Endpoints: [] },
    ];
    serve(a, { lineagePages: 3 });
    sm.on(ListModelCardsCommand).callsFake((i: { NextToken?: string }) =>
      sdk(cardPages[i.NextToken ? Number(i.NextToken.slice(6)) : 0]!),
    );
    sm.on(ListModelCardVersionsCommand).callsFake((i: { ModelCardName: string }) =>
      sdk({
        ModelCardVersionSummaryList: [
          {
            ModelCardName: i.ModelCardName,
            ModelCardArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-card/${i.ModelCardName}`,
            ModelCardStatus: 'Approved',
            ModelCardVersion: 1,
            CreationTime: '2025-01-14T10:22:31.512000+00:00',
          },
        ],
      }),
    );
    sm.on(DescribeModelCardCommand).callsFake((i: { ModelCardName: string }) =>
      sdk({
        ...v3,
        ModelCardName: i.ModelCardName,
        ModelCardArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-card/${i.ModelCardName}`,
        ModelCardVersion: 1,
      }),
    );
    sm.on(ListEndpointsCommand).callsFake((i: { NextToken?: string }) =>
      sdk(endpointPages[i.NextToken ? Number(i.NextToken.slice(3)) : 0]!),
    );
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(errorsOf(h.observations)).toEqual([]);
    expect(sm.commandCalls(ListModelCardsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'cards-1',
      'cards-2',
    ]);
    expect(sm.commandCalls(ListEndpointsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'ep-1',
      'ep-2',
    ]);
    expect(sm.commandCalls(QueryLineageCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'lineage-page-1',
      'lineage-page-2',
    ]);
    expect(collectedOf(h.observations, 'sagemaker.model_card').map((c) => c.content.name)).toEqual(names);
    const [lineage] = collectedOf(h.observations, 'sagemaker.lineage');
    const full = a.lineage[CHURN_CONTEXT]!;
    expect(lineage!.content.vertices).toHaveLength((full['Vertices'] as unknown[]).length);
    expect(lineage!.content.edges).toHaveLength((full['Edges'] as unknown[]).length);
    expect(lineage!.content.reachesDataset).toBe(true);
    // Provenance keeps the request id of every lineage page.
    expect(lineage!.sources.filter((s) => s.operation === 'sagemaker:QueryLineage')).toHaveLength(3);
    expect(inventoryOf(h.observations)).toMatchObject({
      'sagemaker.model_card': 3,
      'sagemaker.endpoint': 1,
      'sagemaker.lineage': 1,
    });
  });

  it('records an empty account as an inventory of zeros, with nothing else', async () => {
    sm.on(ListModelCardsCommand).resolves({ ModelCardSummaries: [], $metadata: {} });
    sm.on(ListModelPackageGroupsCommand).resolves({ ModelPackageGroupSummaryList: [], $metadata: {} });
    sm.on(ListEndpointsCommand).resolves({ Endpoints: [], $metadata: {} });
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(h.observations.map((o) => [o.kind, o.status.state])).toEqual([['inventory', 'collected']]);
    expect(inventoryOf(h.observations)).toEqual({
      'sagemaker.model_card': 0,
      'sagemaker.model_package': 0,
      'sagemaker.endpoint': 0,
      'sagemaker.lineage': 0,
      'clarify.bias_report': 0,
    });
    expect(h.observations[0]!.resource).toBe(`sagemaker/${ACCOUNT}/${REGION}`);
  });

  it('turns an AccessDenied into error items for the kinds it hides and collects the rest', async () => {
    serve(account());
    sm.on(ListModelPackageGroupsCommand).rejects(denied('sagemaker:ListModelPackageGroups'));
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    const errors = errorsOf(h.observations);
    expect(errors.map((e) => [e.kind, e.status])).toEqual([
      ['sagemaker.model_package', expect.objectContaining({ state: 'error', code: 'AccessDeniedException' })],
      ['clarify.bias_report', expect.objectContaining({ state: 'error', code: 'AccessDeniedException' })],
    ]);
    expect(errors[0]!.status.state === 'error' && errors[0]!.status.message).toMatch(
      /^sagemaker:ListModelPackageGroups: User: .* is not authorized/,
    );
    expect(errors[0]!.sources).toEqual([
      { type: 'api', operation: 'sagemaker:ListModelPackageGroups', requestId: 'req-denied' },
    ]);
    expect(sm.commandCalls(ListModelPackageGroupsCommand)).toHaveLength(1); // not retried
    expect(collectedOf(h.observations, 'sagemaker.model_card')).toHaveLength(3);
    expect(collectedOf(h.observations, 'sagemaker.endpoint')).toHaveLength(2);
    expect(collectedOf(h.observations, 'sagemaker.lineage')).toHaveLength(2);
    // A denied listing proves nothing: the counts leave those kinds out instead of claiming zero.
    expect(inventoryOf(h.observations)).toEqual({
      'sagemaker.model_card': 1,
      'sagemaker.endpoint': 2,
      'sagemaker.lineage': 2,
    });
  });

  it('keeps going past per-resource failures: a KMS-denied card version, a missing report, an undescribable dataset', async () => {
    const a = account();
    serve(a);
    sm.on(DescribeModelCardCommand).callsFake((i: { ModelCardVersion?: number }) => {
      if (i.ModelCardVersion === 2) throw denied('kms:Decrypt');
      return sdk(a.card[i.ModelCardVersion ?? 3]!);
    });
    delete a.objects[POST_URI];
    const rawDataset = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:artifact/7e9b1d3f5a7c9e1b2c4e6a8b0d1f3a5c`;
    sm.on(DescribeArtifactCommand).callsFake((i: { ArtifactArn: string }) => {
      if (i.ArtifactArn === rawDataset) throw denied('sagemaker:DescribeArtifact');
      return sdk(a.artifact[i.ArtifactArn]!);
    });
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(
      errorsOf(h.observations).map((e) => [e.kind, e.resource, e.status.state === 'error' ? e.status.code : null]),
    ).toEqual([
      ['sagemaker.model_card', `${CARD_ARN}/2`, 'AccessDeniedException'],
      ['clarify.bias_report', POST_URI, 'NoSuchKey'],
      ['sagemaker.lineage', rawDataset, 'AccessDeniedException'],
    ]);
    expect(collectedOf(h.observations, 'sagemaker.model_card').map((c) => c.content.version)).toEqual([1, 3]);
    expect(collectedOf(h.observations, 'clarify.bias_report')).toHaveLength(1);
    // The graph is still collected; only the dataset that could not be described has no location.
    const [churn] = collectedOf(h.observations, 'sagemaker.lineage');
    expect(churn!.content.vertices.filter((v) => v.type === 'Dataset').map((v) => v.uri)).toEqual([
      's3://retention-ml-111122223333/churn/processed/2025-01-13/train.csv',
      null,
    ]);
    expect(inventoryOf(h.observations)).toMatchObject({
      'sagemaker.model_card': 1,
      'clarify.bias_report': 1,
      'sagemaker.lineage': 2,
    });
  });

  it('records a bias report that is not JSON or not a Clarify analysis as an error item', async () => {
    const a = account();
    a.objects[PRE_URI] = Buffer.from('<Error>not json</Error>');
    a.objects[POST_URI] = Buffer.from(JSON.stringify({ version: '1.0', post_training_bias_metrics: 'nope' }));
    serve(a);
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    const errors = errorsOf(h.observations);
    expect(errors.map((e) => [e.kind, e.resource, e.status.state === 'error' ? e.status.code : null])).toEqual([
      ['clarify.bias_report', PRE_URI, 'MalformedInput'],
      ['clarify.bias_report', POST_URI, 'UnknownShape'],
    ]);
    expect(collectedOf(h.observations, 'sagemaker.model_package')).toHaveLength(1);
  });

  it('retries throttling and then collects as if nothing happened', async () => {
    const a = account();
    serve(a);
    sm.on(ListEndpointsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .callsFake(() => sdk(a.endpoints));
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(errorsOf(h.observations)).toEqual([]);
    expect(h.sleeps).toHaveLength(2);
    expect(sm.commandCalls(ListEndpointsCommand)).toHaveLength(3);
    expect(collectedOf(h.observations, 'sagemaker.endpoint')).toHaveLength(2);
  });

  it('gives up on throttling that never ends with an error item, not an empty result', async () => {
    serve(account());
    sm.on(ListEndpointsCommand).rejects(throttled());
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(errorsOf(h.observations).map((e) => [e.kind, e.status.state === 'error' ? e.status.code : null])).toEqual([
      ['sagemaker.endpoint', 'ThrottlingException'],
      ['sagemaker.lineage', 'ThrottlingException'],
    ]);
    expect(sm.commandCalls(ListEndpointsCommand)).toHaveLength(4);
    expect(inventoryOf(h.observations)).not.toHaveProperty('sagemaker.endpoint');
  });

  it('marks every kind not applicable where SageMaker is not offered, and stops', async () => {
    serve(account());
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.sagemaker.ap-southeast-7.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    sm.on(ListModelCardsCommand).rejects(dns);
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(h.observations.map((o) => [o.kind, o.status.state])).toEqual(
      sagemakerCollector.kinds.map((k) => [k, 'not_applicable']),
    );
    expect(h.observations[0]!.status).toEqual({
      state: 'not_applicable',
      reason: expect.stringMatching(/^sagemaker:ListModelCards: EndpointNotFound: getaddrinfo ENOTFOUND/),
    });
    expect(sm.commandCalls(ListModelPackageGroupsCommand)).toHaveLength(0);
    expect(sm.commandCalls(ListEndpointsCommand)).toHaveLength(0);
  });

  it('marks only the affected kinds not applicable when the region lacks one operation', async () => {
    serve(account());
    sm.on(ListModelCardsCommand).rejects(
      new SageMakerServiceException({ name: 'UnsupportedOperationException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Model cards are not available in this region' }),
    );
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(errorsOf(h.observations).map((o) => [o.kind, o.status.state])).toEqual([['sagemaker.model_card', 'not_applicable']]);
    expect(collectedOf(h.observations, 'sagemaker.endpoint')).toHaveLength(2);
    expect(inventoryOf(h.observations)).not.toHaveProperty('sagemaker.model_card');
  });

  it('does not take a name that stops resolving mid-run for absence: it is an error item', async () => {
    serve(account());
    sm.on(ListEndpointsCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND api.sagemaker.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    expect(errorsOf(h.observations).map((o) => [o.kind, o.status.state])).toEqual([
      ['sagemaker.endpoint', 'error'],
      ['sagemaker.lineage', 'error'],
    ]);
    expect(collectedOf(h.observations, 'sagemaker.model_card')).toHaveLength(3);
  });

  it('stops at once when the run is aborted, leaving what was stored and no inventory', async () => {
    const a = account();
    serve(a);
    const controller = new AbortController();
    sm.on(DescribeModelPackageCommand).callsFake((i: { ModelPackageName: string }) => {
      controller.abort(new Error('interrupted by the user'));
      return sdk(a.pkg[i.ModelPackageName]!);
    });
    const h = await run({ signal: controller.signal });
    await expect(sagemakerCollector.collect(h.ctx)).rejects.toThrow('interrupted by the user');
    expect(collectedOf(h.observations, 'sagemaker.model_card')).toHaveLength(3);
    expect(h.observations.some((o) => o.kind === 'inventory')).toBe(false);
    expect(errorsOf(h.observations)).toEqual([]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(sm.commandCalls(ListEndpointsCommand)).toHaveLength(0);
  });

  it('gives the same item ids as the export directory holding the same responses', async () => {
    const a = account();
    serve(a);
    const live = await run();
    await sagemakerCollector.collect(live.ctx);
    expect(errorsOf(live.observations)).toEqual([]);

    // The same data as AWS CLI outputs (docs/export-directory.md), written when the live run looked (mtime = now).
    const root = path.join(live.dir, 'export');
    const cliDir = path.join(root, 'cli', ACCOUNT, REGION, 'sagemaker');
    const files: [string, string | Buffer][] = [
      [
        path.join(cliDir, 'describe-model-card.churn-xgb-card.json'),
        fileText(NORMALIZER_FIX, 'describe-model-card.churn-xgb-card.json'),
      ],
      [
        path.join(cliDir, 'describe-model-package.churn-model-group-3.json'),
        fileText(NORMALIZER_FIX, 'describe-model-package.churn-model-group-3.json'),
      ],
      [
        path.join(cliDir, 'describe-endpoint.churn-endpoint.json'),
        fileText(NORMALIZER_FIX, 'describe-endpoint.churn-endpoint.json'),
      ],
      [
        path.join(cliDir, 'describe-endpoint-config.churn-endpoint-config-2025-01-21.json'),
        fileText(NORMALIZER_FIX, 'describe-endpoint-config.churn-endpoint-config-2025-01-21.json'),
      ],
      ...readdirSync(FIX)
        .filter((f) => /^(describe-|query-lineage\.)/.test(f))
        .map((f): [string, string] => [path.join(cliDir, f), fileText(FIX, f)]),
      [path.join(root, 'clarify', ACCOUNT, REGION, 'churn-model-group', 'analysis.json'), a.objects[PRE_URI]!],
    ];
    for (const [file, data] of files) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, data);
      await utimes(file, NOW, NOW);
    }
    const exportStore = new LocalDirectoryStore(path.join(live.dir, 'export-store'));
    const summary = await collectExportDir(
      { store: exportStore, now: () => NOW, collectorVersion: 'auditpack/test export', callerIdentity: null },
      root,
    );
    expect(summary.errors).toEqual([]);
    const exported: EvidenceItem[] = [];
    for await (const item of exportStore.listItems({})) exported.push(item);
    const liveItems = await live.items();
    const liveIds = new Set(liveItems.map((i) => i.id));
    const key = (i: EvidenceItem) => `${i.kind} ${i.resource}`;

    // Cards (the current version), packages, bias reports and the endpoint/lineage the export can express in full.
    const strict = exported.filter(
      (i) =>
        i.kind !== 'inventory' &&
        !(['sagemaker.endpoint', 'sagemaker.lineage'].includes(i.kind) && i.resource!.includes('churn')),
    );
    expect(strict.map(key).sort()).toEqual(
      [
        `clarify.bias_report churn-model-group`,
        `sagemaker.endpoint arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/fraud-endpoint`,
        `sagemaker.lineage ${FRAUD_CONTEXT}`,
        `sagemaker.model_card ${CARD_ARN}`,
        `sagemaker.model_package ${PACKAGE_ARN}`,
      ].sort(),
    );
    for (const item of strict) expect(liveIds.has(item.id), key(item)).toBe(true);

    // The churn endpoint and lineage: live also knows what DescribeModel and DescribeArtifact add (the model package
    // behind the endpoint's model, the datasets' locations). Whatever the export directory joins of those must
    // agree, and everything else must be identical.
    for (const kind of ['sagemaker.endpoint', 'sagemaker.lineage'] as const) {
      const exp = exported.find((i) => i.kind === kind && i.resource!.includes('churn'))!;
      const liv = liveItems.find((i) => i.kind === kind && i.resource === exp.resource)!;
      expect(liv, `${kind} ${exp.resource}`).toBeDefined();
      const { content: _ec, id: _ei, raw: _er, provenance: _ep, ...expRest } = exp;
      const { content: _lc, id: _li, raw: _lr, provenance: _lp, ...livRest } = liv;
      expect(livRest).toEqual(expRest);
      const expContent = (await readContent(exportStore, exp)) as Json;
      const livContent = (await readContent(live.store, liv)) as Json;
      if (kind === 'sagemaker.endpoint') {
        const arns = expContent['modelPackageArns'] as string[];
        expect(arns.length === 0 || liv.id === exp.id).toBe(true);
        expect({ ...livContent, modelPackageArns: arns }).toEqual(expContent);
        expect(livContent['modelPackageArns']).toEqual([PACKAGE_ARN]);
      } else {
        type V = { arn: string; uri: string | null; sha256: string | null };
        const expVertices = expContent['vertices'] as V[];
        const enriched = expVertices.some((v) => v.uri !== null || v.sha256 !== null);
        expect(!enriched || liv.id === exp.id).toBe(true);
        const strip = (c: Json) => ({
          ...c,
          vertices: (c['vertices'] as V[]).map((v) => ({ ...v, uri: null, sha256: null })),
        });
        expect(strip(livContent)).toEqual(strip(expContent));
      }
    }

    // The inventory counts what the export directory counts, plus the bias reports it does not.
    const expInventory = exported.find((i) => i.kind === 'inventory')!;
    const livInventory = liveItems.find((i) => i.kind === 'inventory')!;
    expect(livInventory.resource).toBe(expInventory.resource);
    const expCounts = ((await readContent(exportStore, expInventory)) as { counts: Record<string, number> }).counts;
    const livCounts = ((await readContent(live.store, livInventory)) as { counts: Record<string, number> }).counts;
    expect(livCounts).toEqual({ ...expCounts, 'clarify.bias_report': 2 });
  });

  it('feeds the SageMaker rules: endpoints meet their context lineage, packages and current card', async () => {
    serve(account());
    const h = await run();
    await sagemakerCollector.collect(h.ctx);
    const records = await Promise.all(
      (await h.items()).map(async (item) => ({ item, content: await readContent(h.store, item) })),
    );
    const view = new EvidenceView(records, {
      assessedAt: '2025-02-11T00:00:00.000Z',
      period: parsePeriod('2025-01'),
      scope: { accounts: [ACCOUNT], regions: [REGION] },
      freshnessDays: 45,
      fairness: { defaults: {}, bySubject: {} },
    });
    const lineage = lineageComplete({}, view);
    expect(lineage.status).toBe('exception'); // the fraud endpoint's model traces to no dataset
    expect(lineage.reasons.join('\n')).toMatch(
      /churn-endpoint traces back to s3:\/\/retention-ml-111122223333\/churn\/processed/,
    );
    expect(lineage.reasons.join('\n')).toMatch(/fraud-endpoint .* has no traceable training dataset/);
    const deployed = deployedModelsApproved({}, view);
    expect(deployed.reasons.join('\n')).toMatch(
      /churn-endpoint serves arn:aws:sagemaker:us-east-1:111122223333:model-package\/churn-model-group\/3, approved/,
    );
    // The current card version (Approved, observed now) is the card's state, not the Draft history.
    const cards = modelCardsApproved({ requireIntendedUse: true, requireRiskRating: true }, view);
    expect(cards.reasons.join('\n')).toMatch(/model card churn-xgb-card is Approved/);
    expect(cards.reasons.join('\n')).not.toMatch(/status is Draft/);
  });

  it.runIf(smithyAvailable())('serves only responses that fit the official Smithy output shapes', () => {
    const ops: Record<string, string> = {
      'list-model-cards': 'ListModelCards',
      'list-model-card-versions': 'ListModelCardVersions',
      'list-model-package-groups': 'ListModelPackageGroups',
      'list-model-packages': 'ListModelPackages',
      'list-endpoints': 'ListEndpoints',
      'list-contexts': 'ListContexts',
      'describe-model': 'DescribeModel',
      'describe-endpoint': 'DescribeEndpoint',
      'describe-endpoint-config': 'DescribeEndpointConfig',
      'query-lineage': 'QueryLineage',
      'describe-artifact': 'DescribeArtifact',
    };
    const files = readdirSync(FIX).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(15);
    for (const f of files) {
      const op = ops[f.split('.')[0]!];
      expect(op, f).toBeDefined();
      expect(outputProblems('sagemaker', op!, cli(f)), f).toEqual([]);
    }
    const a = account();
    for (const [n, card] of Object.entries(a.card))
      expect(outputProblems('sagemaker', 'DescribeModelCard', card), `card v${n}`).toEqual([]);
  });
});
