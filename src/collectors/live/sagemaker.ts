import { GetObjectCommand } from '@aws-sdk/client-s3';
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
  type ContextSummary,
  type DescribeModelPackageCommandOutput,
  type Edge,
  type Vertex,
} from '@aws-sdk/client-sagemaker';
import { CollectionFailure, type ClassifiedError } from '../../aws/errors.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import { collected, type AnyObservation } from '../../evidence/observation.js';
import { normalizeClarifyAnalysis } from '../../normalizers/clarify.js';
import {
  normalizeEndpoint,
  normalizeLineage,
  normalizeModelCard,
  normalizeModelPackage,
  vertexTypeOf,
} from '../../normalizers/sagemaker/index.js';
import { NormalizeError } from '../../normalizers/types.js';
import { toIsoInstant } from '../../util/time.js';
import { COLLECTORS } from '../catalog.js';
import { allPages, withoutMetadata } from './pages.js';
import { jsonRaw, type LiveCollector, type LiveContext } from './types.js';

const DECLARATION = COLLECTORS.find((c) => c.id === 'sagemaker')!;

/** `ModelMetrics.Bias` members that point at a Clarify bias `analysis.json` (Smithy `com.amazonaws.sagemaker#Bias`). */
const BIAS_REPORT_MEMBERS = ['Report', 'PreTrainingReport', 'PostTrainingReport'] as const;

/** A Clarify `analysis.json` larger than this is not read (real ones are a few kB). */
export const MAX_ANALYSIS_BYTES = 64 * 1024 * 1024;

/** QueryLineage depth: the model's maximum, so an endpoint traces back to its training data. */
const LINEAGE_MAX_DEPTH = 10;

type Counted = Exclude<(typeof DECLARATION.kinds)[number], 'inventory'>;

/**
 * What the inventory counts: distinct resources seen per kind (listed model cards, packages and endpoints; collected
 * lineage graphs; bias reports per S3 object). A kind whose listing failed is left out of the counts (a denied ListEndpoints
 * proves nothing about endpoints), so a zero always means "listed, none there".
 */
class Tally {
  private readonly seen = new Map<Counted, Set<string>>();
  private readonly incomplete = new Set<Counted>();

  add(kind: Counted, resource: string): void {
    const set = this.seen.get(kind) ?? new Set<string>();
    set.add(resource);
    this.seen.set(kind, set);
  }

  failed(kinds: readonly EvidenceKind[]): void {
    for (const k of kinds) if (k !== 'inventory') this.incomplete.add(k as Counted);
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const kind of DECLARATION.kinds) {
      if (kind === 'inventory' || this.incomplete.has(kind)) continue;
      out[kind] = this.seen.get(kind)?.size ?? 0;
    }
    return out;
  }
}

/** SageMaker is not offered here (or the account is not signed up): every kind becomes not_applicable. */
class ServiceAbsent extends Error {
  constructor(readonly failure: CollectionFailure) {
    super(failure.message);
    this.name = 'ServiceAbsent';
  }
}

interface Run {
  readonly ctx: LiveContext;
  readonly tally: Tally;
  /** True once SageMaker has answered in this run (so a later "no such endpoint" is not absence). */
  reached: boolean;
  /** Emits and counts a collected item under `counted` (default: its resource). */
  emit(obs: AnyObservation, counted?: string): Promise<void>;
}

/**
 * Amazon SageMaker: model cards (every version), the model registry with the Clarify bias reports its packages
 * point at, endpoints (joined with their configs and the model packages their models were created from) and the
 * lineage of each endpoint. Items equal the export directory's for the same data (same normalizers).
 */
export const sagemakerCollector: LiveCollector = {
  ...DECLARATION,
  operations: [
    'sagemaker:ListModelCards',
    'sagemaker:ListModelCardVersions',
    'sagemaker:DescribeModelCard',
    'sagemaker:ListModelPackageGroups',
    'sagemaker:ListModelPackages',
    'sagemaker:DescribeModelPackage',
    's3:GetObject',
    'sagemaker:ListEndpoints',
    'sagemaker:DescribeEndpoint',
    'sagemaker:DescribeEndpointConfig',
    'sagemaker:DescribeModel',
    'sagemaker:ListContexts',
    'sagemaker:QueryLineage',
    'sagemaker:DescribeArtifact',
  ],
  async collect(ctx) {
    const tally = new Tally();
    const run: Run = {
      ctx,
      tally,
      reached: false,
      async emit(obs, counted) {
        if (obs.status.state === 'collected' && obs.kind !== 'inventory')
          tally.add(obs.kind as Counted, counted ?? obs.resource ?? '');
        await ctx.emit(obs);
      },
    };
    try {
      await step(run, ['sagemaker.model_card'], () => modelCards(run), undefined, true);
      await step(run, ['sagemaker.model_package', 'clarify.bias_report'], () => modelPackages(run), undefined, true);
      await step(run, ['sagemaker.endpoint', 'sagemaker.lineage'], () => endpoints(run), undefined, true);
    } catch (err) {
      if (!(err instanceof ServiceAbsent)) throw err;
      await ctx.fail(DECLARATION.kinds, err.failure.operation, err.failure.classified);
      return;
    }
    await ctx.emit(
      collected(
        {
          collector: 'sagemaker',
          kind: 'inventory',
          account: ctx.account,
          region: ctx.region,
          resource: `sagemaker/${ctx.account}/${ctx.region}`,
          observedAt: { type: 'instant', at: ctx.now().toISOString() },
          raw: null,
          sources: [{ type: 'api', operation: 'sagemaker:ListEndpoints', requestId: null }],
        },
        { collector: 'sagemaker', counts: tally.counts() },
      ),
    );
  },
};

/**
 * Runs one part of the collection. A permanent AWS failure, or a payload the normalizer rejects, becomes error items
 * for `kinds` (on `resource`) and the rest goes on. SageMaker being absent from the region stops the whole run;
 * aborts and unexpected errors propagate. `listing` marks a part whose failure leaves the kinds uncounted.
 */
async function step<T>(
  run: Run,
  kinds: readonly EvidenceKind[],
  fn: () => Promise<T>,
  resource?: string,
  listing = false,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    await record(run, kinds, err, resource, listing);
    return undefined;
  }
}

/** `step`'s failure handling: records `err` as error items for `kinds`, or rethrows it (see `step`). */
async function record(
  run: Run,
  kinds: readonly EvidenceKind[],
  err: unknown,
  resource?: string,
  listing = false,
): Promise<void> {
  if (err instanceof CollectionFailure) {
    let classified = err.classified;
    if (absence(err)) {
      if (!run.reached) throw new ServiceAbsent(err);
      // SageMaker answered earlier in this run: a name that no longer resolves is a network failure, not absence.
      classified = { ...classified, category: 'network', retryable: false };
    } else if (err.operation.startsWith('sagemaker:')) {
      run.reached = true; // any answer (AccessDenied included) proves the service is here
    }
    if (listing) run.tally.failed(kinds);
    await run.ctx.fail(kinds, err.operation, classified, resource);
    return;
  }
  if (err instanceof NormalizeError) {
    if (listing) run.tally.failed(kinds);
    // A live NormalizeError names the operation whose output was wrong (`sagemaker:DescribeModelCard`).
    await run.ctx.fail(kinds, err.input, custom(err.code, err.problem), resource);
    return;
  }
  throw err;
}

/**
 * Failures that mean SageMaker is not offered to this account here: no endpoint in the region (DNS), credentials
 * the region does not know (a region not enabled), or no subscription. An operation the region does not support
 * (`UnsupportedOperationException`) only affects its own kinds, which `ctx.fail` records as not applicable.
 */
function absence(err: CollectionFailure): boolean {
  const { category, code } = err.classified;
  if (!err.operation.startsWith('sagemaker:')) return false;
  return category === 'not_subscribed' || (category === 'unavailable_in_region' && code !== 'UnsupportedOperationException');
}

function custom(code: string, message: string): ClassifiedError {
  return { category: 'other', code, message, retryable: false, httpStatus: null, requestId: null };
}

// Model cards ----------------------------------------------------------------------------------------------------

async function modelCards(run: Run): Promise<void> {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  const cards = await allPages(
    ctx,
    'sagemaker:ListModelCards',
    (NextToken, s) => sm.send(new ListModelCardsCommand({ NextToken, MaxResults: 100 }), { abortSignal: s }),
    (p) => p.NextToken,
  );
  run.reached = true;
  for (const card of cards.pages.flatMap((p) => p.ModelCardSummaries ?? [])) {
    const name = card.ModelCardName;
    if (!name) continue;
    ctx.signal.throwIfAborted();
    const resource = card.ModelCardArn ?? `model-card/${name}`;
    run.tally.add('sagemaker.model_card', resource);
    await step(run, ['sagemaker.model_card'], () => modelCardVersions(run, name, resource), resource);
  }
}

/**
 * Every version of one card. The latest is observed now (as the export directory's describe-model-card output is);
 * an earlier version is recorded as observed when it was last modified, the last moment it was the card's state,
 * so the latest version is always the card's current state and the earlier ones are its history.
 */
async function modelCardVersions(run: Run, name: string, resource: string): Promise<void> {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  const listed = await allPages(
    ctx,
    'sagemaker:ListModelCardVersions',
    (NextToken, s) =>
      sm.send(new ListModelCardVersionsCommand({ ModelCardName: name, NextToken, MaxResults: 100 }), {
        abortSignal: s,
      }),
    (p) => p.NextToken,
  );
  const versions = [
    ...new Set(listed.pages.flatMap((p) => p.ModelCardVersionSummaryList ?? []).map((v) => v.ModelCardVersion)),
  ]
    .filter((v): v is number => typeof v === 'number')
    .sort((a, b) => a - b);
  const latest = versions.at(-1);
  // A card always has a version; should the list come back empty, describe the current one.
  for (const version of versions.length > 0 ? versions : [undefined]) {
    ctx.signal.throwIfAborted();
    await step(
      run,
      ['sagemaker.model_card'],
      async () => {
        const out = await ctx.call('sagemaker:DescribeModelCard', (s) =>
          sm.send(new DescribeModelCardCommand({ ModelCardName: name, ModelCardVersion: version }), { abortSignal: s }),
        );
        const response = withoutMetadata(out.output);
        const observedAt =
          version === latest || version === undefined
            ? undefined
            : historicalTime(ctx, response.LastModifiedTime ?? response.CreationTime);
        await run.emit(
          normalizeModelCard(
            response,
            ctx.meta(
              [{ operation: 'sagemaker:DescribeModelCard', requestId: out.requestId }],
              jsonRaw(response),
              observedAt,
            ),
          ),
        );
      },
      version === undefined ? resource : `${resource}/${version}`,
    );
  }
}

/** The ISO instant of an earlier version's last change; never later than now (clock skew), null → now. */
function historicalTime(ctx: LiveContext, t: Date | string | number | undefined): string | undefined {
  if (t === undefined) return undefined;
  try {
    const iso = toIsoInstant(t);
    return Date.parse(iso) < ctx.now().getTime() ? iso : undefined;
  } catch {
    return undefined;
  }
}

// Model registry and Clarify bias reports ---------------------------------------------------------------------

async function modelPackages(run: Run): Promise<void> {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  const groups = await allPages(
    ctx,
    'sagemaker:ListModelPackageGroups',
    (NextToken, s) => sm.send(new ListModelPackageGroupsCommand({ NextToken, MaxResults: 100 }), { abortSignal: s }),
    (p) => p.NextToken,
  );
  run.reached = true;
  const reportsRead = new Set<string>();
  for (const group of groups.pages.flatMap((p) => p.ModelPackageGroupSummaryList ?? [])) {
    const groupName = group.ModelPackageGroupName;
    if (!groupName) continue;
    ctx.signal.throwIfAborted();
    await step(
      run,
      ['sagemaker.model_package', 'clarify.bias_report'],
      async () => {
        const packages = await allPages(
          ctx,
          'sagemaker:ListModelPackages',
          (NextToken, s) =>
            sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: groupName, NextToken, MaxResults: 100 }), {
              abortSignal: s,
            }),
          (p) => p.NextToken,
        );
        for (const pkg of packages.pages.flatMap((p) => p.ModelPackageSummaryList ?? [])) {
          const arn = pkg.ModelPackageArn;
          if (!arn) continue;
          ctx.signal.throwIfAborted();
          run.tally.add('sagemaker.model_package', arn);
          const described = await step(run, ['sagemaker.model_package'], () => modelPackage(run, arn), arn);
          if (described) await biasReports(run, described, groupName, reportsRead);
        }
      },
      group.ModelPackageGroupArn ?? groupName,
      true,
    );
  }
}

async function modelPackage(run: Run, arn: string): Promise<Omit<DescribeModelPackageCommandOutput, '$metadata'>> {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  const out = await ctx.call('sagemaker:DescribeModelPackage', (s) =>
    sm.send(new DescribeModelPackageCommand({ ModelPackageName: arn }), { abortSignal: s }),
  );
  const response = withoutMetadata(out.output);
  await run.emit(
    normalizeModelPackage(
      response,
      ctx.meta([{ operation: 'sagemaker:DescribeModelPackage', requestId: out.requestId }], jsonRaw(response)),
    ),
  );
  return response;
}

/**
 * The Clarify bias reports a package version points at (`ModelMetrics.Bias`), read from S3 in this account and
 * region; the subject is the package group name, as in the export directory (`clarify/<acct>/<region>/<group>/`).
 * An S3 URI that does not name a `.json` object is taken as the Clarify output prefix holding `analysis.json`.
 */
async function biasReports(
  run: Run,
  pkg: Omit<DescribeModelPackageCommandOutput, '$metadata'>,
  groupName: string,
  read: Set<string>,
): Promise<void> {
  const subject = pkg.ModelPackageGroupName ?? groupName;
  const bias = pkg.ModelMetrics?.Bias;
  for (const member of BIAS_REPORT_MEMBERS) {
    const uri = bias?.[member]?.S3Uri;
    if (!uri) continue;
    const object = analysisObject(uri);
    const key = `${subject}\n${object}`;
    if (read.has(key)) continue;
    read.add(key);
    run.ctx.signal.throwIfAborted();
    await step(run, ['clarify.bias_report'], () => biasReport(run, subject, object), object);
  }
}

function analysisObject(uri: string): string {
  return /\.json$/i.test(uri) ? uri : `${uri.replace(/\/+$/, '')}/analysis.json`;
}

async function biasReport(run: Run, subject: string, uri: string): Promise<void> {
  const { ctx } = run;
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m)
    throw new NormalizeError(
      'sagemaker:DescribeModelPackage',
      `ModelMetrics.Bias S3Uri "${uri}" is not an s3://bucket/key URI`,
      'InvalidValue',
    );
  const [, bucket, key] = m as unknown as [string, string, string];
  const s3 = ctx.clients.s3(ctx.region);
  const got = await ctx.call('s3:GetObject', async (s) => {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: s });
    if (typeof out.ContentLength === 'number' && out.ContentLength > MAX_ANALYSIS_BYTES) {
      throw new CollectionFailure(
        's3:GetObject',
        custom(
          'ObjectTooLarge',
          `${uri} is ${out.ContentLength} bytes, over the ${MAX_ANALYSIS_BYTES}-byte limit for a Clarify analysis.json`,
        ),
      );
    }
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    return { bytes, $metadata: out.$metadata };
  });
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(got.output.bytes).toString('utf8')) as unknown;
  } catch {
    throw new NormalizeError(
      's3:GetObject',
      `${uri} is not valid JSON (expected a Clarify analysis.json)`,
      'MalformedInput',
    );
  }
  const raw = { bytes: got.output.bytes, mediaType: 'application/json', sensitive: false };
  // Reports are counted per S3 object: every report of a group has the group as its resource.
  await run.emit(
    normalizeClarifyAnalysis(doc, subject, ctx.meta([{ operation: 's3:GetObject', requestId: got.requestId }], raw)),
    uri,
  );
}

// Endpoints and lineage ---------------------------------------------------------------------------------------

async function endpoints(run: Run): Promise<void> {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  const listed = await allPages(
    ctx,
    'sagemaker:ListEndpoints',
    (NextToken, s) => sm.send(new ListEndpointsCommand({ NextToken, MaxResults: 100 }), { abortSignal: s }),
    (p) => p.NextToken,
  );
  run.reached = true;
  for (const e of listed.pages.flatMap((p) => p.Endpoints ?? [])) {
    const name = e.EndpointName;
    if (!name) continue;
    ctx.signal.throwIfAborted();
    run.tally.add('sagemaker.endpoint', e.EndpointArn ?? `endpoint/${name}`);
    const arn = await step(run, ['sagemaker.endpoint'], () => endpoint(run, name), e.EndpointArn ?? `endpoint/${name}`);
    const endpointArn = arn ?? e.EndpointArn;
    if (endpointArn) await step(run, ['sagemaker.lineage'], () => lineage(run, endpointArn), endpointArn);
  }
}

/** DescribeEndpoint + DescribeEndpointConfig + DescribeModel of each variant's model → one `sagemaker.endpoint`. */
async function endpoint(run: Run, name: string): Promise<string> {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  const ep = await ctx.call('sagemaker:DescribeEndpoint', (s) =>
    sm.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: s }),
  );
  const calls = [{ operation: 'sagemaker:DescribeEndpoint', requestId: ep.requestId }];
  const response = withoutMetadata(ep.output);
  let config: object | null = null;
  const packages = new Map<string, string>();
  const configName = response.EndpointConfigName;
  if (configName) {
    const cfg = await ctx.call('sagemaker:DescribeEndpointConfig', (s) =>
      sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }), { abortSignal: s }),
    );
    calls.push({ operation: 'sagemaker:DescribeEndpointConfig', requestId: cfg.requestId });
    const c = withoutMetadata(cfg.output);
    config = c;
    const models = [
      ...new Set(
        [...(c.ProductionVariants ?? []), ...(c.ShadowProductionVariants ?? [])]
          .map((v) => v.ModelName)
          .filter((n): n is string => !!n),
      ),
    ];
    for (const model of models) {
      ctx.signal.throwIfAborted();
      const described = await describeModel(run, model);
      if (!described) continue;
      calls.push({ operation: 'sagemaker:DescribeModel', requestId: described.requestId });
      const containers = [described.output.PrimaryContainer, ...(described.output.Containers ?? [])];
      const pkg = containers.map((c) => c?.ModelPackageName).find((n): n is string => !!n);
      if (pkg) packages.set(model, packageArnOf(pkg, response.EndpointArn ?? '', ctx));
    }
  }
  await run.emit(normalizeEndpoint(response, config, ctx.meta(calls, jsonRaw(response)), packages));
  return response.EndpointArn ?? `endpoint/${name}`;
}

/**
 * DescribeModel, for the model package a variant's model was created from. A model that no longer exists (an
 * endpoint keeps serving a deleted model) just has no package; any other failure is recorded and the endpoint is
 * still collected, without that link.
 */
async function describeModel(run: Run, model: string) {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  try {
    return await ctx.call('sagemaker:DescribeModel', (s) =>
      sm.send(new DescribeModelCommand({ ModelName: model }), { abortSignal: s }),
    );
  } catch (err) {
    if (
      err instanceof CollectionFailure &&
      (err.classified.category === 'not_found' || err.classified.category === 'validation')
    )
      return undefined;
    await record(run, ['sagemaker.endpoint'], err, `model/${model}`);
    return undefined;
  }
}

/**
 * `ContainerDefinition.ModelPackageName` is a versioned ARN or a name (`group/3`); a name is qualified with the
 * endpoint's partition, region and account, since a model uses packages of its own account unless given an ARN.
 */
function packageArnOf(value: string, endpointArn: string, ctx: LiveContext): string {
  if (value.startsWith('arn:')) return value;
  const partition = /^arn:([^:]+):/.exec(endpointArn)?.[1] ?? 'aws';
  return `arn:${partition}:sagemaker:${ctx.region}:${ctx.account}:model-package/${value.toLowerCase()}`;
}

/**
 * The lineage of an endpoint, from the lineage context SageMaker created for it (ListContexts with the endpoint ARN
 * as SourceUri): QueryLineage upstream from the context, then DescribeArtifact of each dataset vertex for its
 * location and digest. An endpoint without a context has no lineage item (the mapper reports that gap).
 */
async function lineage(run: Run, endpointArn: string): Promise<void> {
  const { ctx } = run;
  const sm = ctx.clients.sageMaker(ctx.region);
  const contexts = await allPages(
    ctx,
    'sagemaker:ListContexts',
    (NextToken, s) =>
      sm.send(new ListContextsCommand({ SourceUri: endpointArn, NextToken, MaxResults: 100 }), { abortSignal: s }),
    (p) => p.NextToken,
  );
  const context = endpointContext(
    contexts.pages.flatMap((p) => p.ContextSummaries ?? []),
    endpointArn,
  );
  if (!context?.ContextArn) return;
  const contextArn = context.ContextArn;
  const query = await allPages(
    ctx,
    'sagemaker:QueryLineage',
    (NextToken, s) =>
      sm.send(
        new QueryLineageCommand({
          StartArns: [contextArn],
          Direction: 'Ascendants',
          IncludeEdges: true,
          MaxDepth: LINEAGE_MAX_DEPTH,
          NextToken,
        }),
        { abortSignal: s },
      ),
    (p) => p.NextToken,
  );
  const vertices: Vertex[] = query.pages.flatMap((p) => p.Vertices ?? []);
  const edges: Edge[] = query.pages.flatMap((p) => p.Edges ?? []);
  // The graph must hold its start; if a service version leaves it out, it is the context just listed.
  if (!vertices.some((v) => v.Arn === contextArn))
    vertices.unshift({ Arn: contextArn, Type: context.ContextType ?? 'Endpoint', LineageType: 'Context' });
  const merged = { Vertices: vertices, Edges: edges };

  const details = new Map<string, { uri: string | null; sha256: string | null }>();
  const calls = [...contexts.calls, ...query.calls];
  for (const v of vertices) {
    if (
      !v.Arn ||
      v.LineageType !== 'Artifact' ||
      vertexTypeOf(v.Arn, v.Type ?? null) !== 'Dataset' ||
      details.has(v.Arn)
    )
      continue;
    ctx.signal.throwIfAborted();
    const artifactArn = v.Arn;
    // Without DescribeArtifact the graph is still true; the dataset just has no location. The failure is recorded.
    const out = await step(
      run,
      ['sagemaker.lineage'],
      () =>
        ctx.call('sagemaker:DescribeArtifact', (s) =>
          sm.send(new DescribeArtifactCommand({ ArtifactArn: artifactArn }), { abortSignal: s }),
        ),
      artifactArn,
    );
    if (!out) continue;
    calls.push({ operation: 'sagemaker:DescribeArtifact', requestId: out.requestId });
    const source = out.output.Source;
    details.set(artifactArn, { uri: source?.SourceUri ?? null, sha256: sha256Of(source?.SourceTypes ?? []) });
  }
  const startName = contextArn.slice(contextArn.lastIndexOf('/') + 1);
  await run.emit(normalizeLineage(merged, startName, ctx.meta(calls, jsonRaw(merged)), details));
}

/** The endpoint's lineage context: type `Endpoint` first, then the newest (a re-created endpoint gets a new one). */
function endpointContext(summaries: readonly ContextSummary[], endpointArn: string): ContextSummary | undefined {
  const mine = summaries.filter(
    (c) => c.ContextArn && (!c.Source?.SourceUri || c.Source.SourceUri.toLowerCase() === endpointArn.toLowerCase()),
  );
  const time = (c: ContextSummary): number => (c.CreationTime ? new Date(c.CreationTime).getTime() : 0);
  return [...mine].sort(
    (a, b) => Number(b.ContextType === 'Endpoint') - Number(a.ContextType === 'Endpoint') || time(b) - time(a),
  )[0];
}

/** A SHA-256 among an artifact's source ids (a `Custom` id or any value that is 64 hex digits, optionally `sha256:`). */
function sha256Of(types: readonly { SourceIdType?: string; Value?: string }[]): string | null {
  for (const t of types) {
    const m = /^(?:sha256:)?([0-9a-f]{64})$/i.exec(t.Value?.trim() ?? '');
    if (m) return m[1]!.toLowerCase();
  }
  return null;
}
