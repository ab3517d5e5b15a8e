/** Amazon SageMaker (awsJson1_1, `SageMaker.*`), from `cli/<acct>/<region>/sagemaker/`; list operations are derived. */
import { timeMs } from '../smithy.js';
import { AwsError, type CallContext, type JsonHandler } from '../types.js';

type Rec = Record<string, unknown>;
const SVC = 'sagemaker';

function docs(ctx: CallContext, op: string): Rec[] {
  return ctx.estate.qualified(ctx.account, ctx.region, SVC, op).map((d) => d.doc as Rec);
}

function nameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf('/') + 1) : nameOrArn;
}

function byTime(a: Rec, b: Rec): number {
  return (timeMs(b['CreationTime']) ?? 0) - (timeMs(a['CreationTime']) ?? 0);
}

export const sagemakerHandlers: Record<string, JsonHandler> = {
  ListModelCards(_input, ctx) {
    return {
      ModelCardSummaries: docs(ctx, 'describe-model-card')
        .sort(byTime)
        .map((c) => ({
          ModelCardName: c['ModelCardName'],
          ModelCardArn: c['ModelCardArn'],
          ModelCardStatus: c['ModelCardStatus'],
          CreationTime: c['CreationTime'],
          LastModifiedTime: c['LastModifiedTime'],
        })),
    };
  },
  ListModelCardVersions(input, ctx) {
    const name = nameOf(input['ModelCardName'] as string);
    const cards = docs(ctx, 'describe-model-card').filter((c) => c['ModelCardName'] === name);
    if (cards.length === 0) throw new AwsError('ResourceNotFound', 400, `Model card ${name} does not exist.`);
    return {
      ModelCardVersionSummaryList: cards.map((c) => ({
        ModelCardName: c['ModelCardName'],
        ModelCardArn: c['ModelCardArn'],
        ModelCardStatus: c['ModelCardStatus'],
        ModelCardVersion: c['ModelCardVersion'],
        CreationTime: c['CreationTime'],
        LastModifiedTime: c['LastModifiedTime'],
      })),
    };
  },
  DescribeModelCard(input, ctx) {
    const name = nameOf(input['ModelCardName'] as string);
    const card = docs(ctx, 'describe-model-card').find((c) => c['ModelCardName'] === name);
    if (!card || (input['ModelCardVersion'] !== undefined && input['ModelCardVersion'] !== card['ModelCardVersion']))
      throw new AwsError('ResourceNotFound', 400, `Model card ${name} does not exist.`);
    return card;
  },
  ListModelPackageGroups(_input, ctx) {
    const groups = new Map<string, Rec>();
    for (const p of docs(ctx, 'describe-model-package')) {
      const g = p['ModelPackageGroupName'] as string | undefined;
      if (!g) continue;
      const prev = groups.get(g);
      const created =
        prev && (timeMs(prev['CreationTime']) ?? 0) < (timeMs(p['CreationTime']) ?? 0)
          ? prev['CreationTime']
          : p['CreationTime'];
      groups.set(g, {
        ModelPackageGroupName: g,
        ModelPackageGroupArn: `arn:aws:sagemaker:${ctx.region}:${ctx.account}:model-package-group/${g}`,
        CreationTime: created,
        ModelPackageGroupStatus: 'Completed',
      });
    }
    return { ModelPackageGroupSummaryList: [...groups.values()].sort(byTime) };
  },
  ListModelPackages(input, ctx) {
    const group = input['ModelPackageGroupName'] ? nameOf(input['ModelPackageGroupName'] as string) : null;
    const approval = input['ModelApprovalStatus'] as string | undefined;
    const type = (input['ModelPackageType'] as string | undefined) ?? 'BOTH';
    const list = docs(ctx, 'describe-model-package')
      .filter((p) => (group ? p['ModelPackageGroupName'] === group : true))
      .filter((p) => (approval ? p['ModelApprovalStatus'] === approval : true))
      .filter((p) => type === 'BOTH' || (type === 'VERSIONED') === (p['ModelPackageGroupName'] !== undefined))
      .sort(byTime);
    return {
      ModelPackageSummaryList: list.map((p) => ({
        ModelPackageName: p['ModelPackageName'],
        ModelPackageGroupName: p['ModelPackageGroupName'],
        ModelPackageVersion: p['ModelPackageVersion'],
        ModelPackageArn: p['ModelPackageArn'],
        ModelPackageDescription: p['ModelPackageDescription'],
        CreationTime: p['CreationTime'],
        ModelPackageStatus: p['ModelPackageStatus'],
        ModelApprovalStatus: p['ModelApprovalStatus'],
      })),
    };
  },
  DescribeModelPackage(input, ctx) {
    const id = input['ModelPackageName'] as string;
    const p = docs(ctx, 'describe-model-package').find(
      (x) =>
        x['ModelPackageArn'] === id ||
        `${String(x['ModelPackageGroupName'])}/${String(x['ModelPackageVersion'])}` === nameOf(id) ||
        (x['ModelPackageGroupName'] === undefined && x['ModelPackageName'] === id),
    );
    if (!p) throw new AwsError('ValidationException', 400, `ModelPackage ${id} does not exist.`);
    return p;
  },
  ListEndpoints(_input, ctx) {
    return {
      Endpoints: docs(ctx, 'describe-endpoint')
        .sort(byTime)
        .map((e) => ({
          EndpointName: e['EndpointName'],
          EndpointArn: e['EndpointArn'],
          CreationTime: e['CreationTime'],
          LastModifiedTime: e['LastModifiedTime'],
          EndpointStatus: e['EndpointStatus'],
        })),
    };
  },
  DescribeEndpoint(input, ctx) {
    const e = docs(ctx, 'describe-endpoint').find((x) => x['EndpointName'] === input['EndpointName']);
    if (!e)
      throw new AwsError('ValidationException', 400, `Could not find endpoint "${String(input['EndpointName'])}".`);
    return e;
  },
  DescribeEndpointConfig(input, ctx) {
    const c = docs(ctx, 'describe-endpoint-config').find(
      (x) => x['EndpointConfigName'] === input['EndpointConfigName'],
    );
    if (!c)
      throw new AwsError(
        'ValidationException',
        400,
        `Could not find endpoint configuration "${String(input['EndpointConfigName'])}".`,
      );
    return c;
  },
  DescribeModel(input, ctx) {
    const m = docs(ctx, 'describe-model').find((x) => x['ModelName'] === input['ModelName']);
    if (!m) throw new AwsError('ValidationException', 400, `Could not find model "${String(input['ModelName'])}".`);
    return m;
  },
  DescribeArtifact(input, ctx) {
    const arn = input['ArtifactArn'] as string;
    const a = docs(ctx, 'describe-artifact').find((x) => x['ArtifactArn'] === arn);
    if (!a) throw new AwsError('ResourceNotFound', 400, `Artifact ${arn} does not exist.`);
    return a;
  },
  /**
   * Lineage contexts: `list-contexts.json` when saved, else one `Endpoint` context per saved lineage query whose
   * start is a context (`query-lineage.<name>.json` → `…:context/<name>`), with the endpoint `<name>` as its source.
   */
  ListContexts(input, ctx) {
    const saved = ctx.estate.cli(ctx.account, ctx.region, SVC, 'list-contexts');
    let list: Rec[];
    if (saved) list = ((saved.doc as Rec)['ContextSummaries'] as Rec[] | undefined) ?? [];
    else {
      list = [];
      for (const d of ctx.estate.qualified(ctx.account, ctx.region, SVC, 'query-lineage')) {
        const start = (((d.doc as Rec)['Vertices'] as Rec[] | undefined) ?? []).find(
          (v) => typeof v['Arn'] === 'string' && v['Arn'].endsWith(`:context/${d.qualifier!}`),
        );
        if (!start) continue;
        const ep = docs(ctx, 'describe-endpoint').find((e) => e['EndpointName'] === d.qualifier);
        list.push({
          ContextArn: start['Arn'],
          ContextName: d.qualifier,
          ...(ep ? { Source: { SourceUri: ep['EndpointArn'], SourceType: 'ARN' } } : {}),
          ContextType: start['Type'] ?? 'Endpoint',
          CreationTime: ep?.['CreationTime'] ?? d.mtimeMs / 1000,
          LastModifiedTime: ep?.['LastModifiedTime'] ?? d.mtimeMs / 1000,
        });
      }
    }
    const uri = input['SourceUri'] as string | undefined;
    const type = input['ContextType'] as string | undefined;
    return {
      ContextSummaries: list.filter(
        (c) =>
          (uri === undefined || ((c['Source'] as Rec | undefined)?.['SourceUri'] as string | undefined) === uri) &&
          (type === undefined || c['ContextType'] === type),
      ),
    };
  },
  /** The saved `query-lineage.<name>.json` whose start vertex ARN ends with `/<name>`; an unknown start has no lineage. */
  QueryLineage(input, ctx) {
    const starts = (input['StartArns'] as string[] | undefined) ?? [];
    for (const d of ctx.estate.qualified(ctx.account, ctx.region, SVC, 'query-lineage')) {
      if (starts.some((a) => a.endsWith(`/${d.qualifier!}`))) return d.doc;
    }
    return { Vertices: [], Edges: [] };
  },
};
