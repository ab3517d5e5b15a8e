import type { ContentOf } from '../../evidence/content.js';
import type { LINEAGE_TYPES } from '../../evidence/content.js';
import type { Observation } from '../../evidence/observation.js';
import { collected } from '../../evidence/observation.js';
import type { NormalizeMeta } from '../types.js';
import { NormalizeError } from '../types.js';
import { baseOf, inputOf, obj, optEnum, optList, optObj, optStr, reqStr } from './common.js';

export type LineageContent = ContentOf<'sagemaker.lineage'>;
export type LineageVertexType = (typeof LINEAGE_TYPES)[number];

/** Smithy `com.amazonaws.sagemaker#LineageType`. */
export const SAGEMAKER_LINEAGE_TYPES = ['TrialComponent', 'Artifact', 'Context', 'Action'] as const;

/**
 * Facts about artifact vertices that QueryLineage does not return (`DescribeArtifact` gives `Source.SourceUri`; a
 * digest must come from the data itself). Keyed by vertex ARN.
 */
export type LineageVertexDetails =
  | ReadonlyMap<string, { readonly uri?: string | null; readonly sha256?: string | null }>
  | Readonly<Record<string, { readonly uri?: string | null; readonly sha256?: string | null }>>;

function detailOf(
  details: LineageVertexDetails | undefined,
  arn: string,
): { uri?: string | null; sha256?: string | null } | undefined {
  if (!details) return undefined;
  if (details instanceof Map)
    return (details as ReadonlyMap<string, { uri?: string | null; sha256?: string | null }>).get(arn);
  const rec = details as Readonly<Record<string, { uri?: string | null; sha256?: string | null }>>;
  return Object.prototype.hasOwnProperty.call(rec, arn) ? rec[arn] : undefined;
}

/**
 * Our vertex type from the vertex's `Type` (what SageMaker calls the entity: DataSet, Model, ModelDeployment,
 * Endpoint, …) and its ARN. ARN shapes win where they are unambiguous (a training-job trial component is
 * `…:experiment-trial-component/<job>-aws-training-job`). Job types match with or without a prefix
 * (`TrainingJob`, `SageMakerTrainingJob`).
 */
export function vertexTypeOf(arn: string, awsType: string | null): LineageVertexType {
  const t = (awsType ?? '').toLowerCase();
  if (t === 'dataset') return 'Dataset';
  if (
    arn.includes(':training-job/') ||
    /:experiment-trial-component\/.+-aws-training-job$/.test(arn) ||
    t.endsWith('trainingjob')
  ) {
    return 'TrainingJob';
  }
  if (
    arn.includes(':processing-job/') ||
    /:experiment-trial-component\/.+-aws-processing-job$/.test(arn) ||
    t.endsWith('processingjob')
  ) {
    return 'ProcessingJob';
  }
  if (arn.includes(':model-package/') || t === 'modelpackage') return 'ModelPackage';
  if (arn.includes(':endpoint/') || t === 'endpoint') return 'Endpoint';
  if (arn.includes(':model/') || t === 'model') return 'Model';
  return 'Other';
}

/** The part of an ARN after `:<type>/`, e.g. `churn/3` for `…:model-package/churn/3`. */
function resourcePath(arn: string): string | null {
  const m = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:[^/]+\/(.+)$/.exec(arn);
  return m?.[1] ?? null;
}

function findStart(arns: readonly string[], startName: string, input: string): string {
  const exact = arns.filter((a) => a.endsWith(`/${startName}`));
  // Export file names cannot hold `/`: `query-lineage.churn-3.json` names the package `…:model-package/churn/3`.
  const candidates = exact.length > 0 ? exact : arns.filter((a) => resourcePath(a)?.replaceAll('/', '-') === startName);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new NormalizeError(
      input,
      `Vertices has no vertex whose Arn ends with "/${startName}" (the start of the query; ${arns.length} vertices)`,
      'MissingField',
    );
  }
  throw new NormalizeError(
    input,
    `Vertices has ${candidates.length} vertices whose Arn ends with "/${startName}": ${candidates.join(', ')}`,
    'InvalidValue',
  );
}

/** True when a Dataset vertex is reachable from `start` walking edges backwards (destination → source). */
export function reachesDataset(
  start: string,
  vertices: LineageContent['vertices'],
  edges: LineageContent['edges'],
): boolean {
  const datasets = new Set(vertices.filter((v) => v.type === 'Dataset').map((v) => v.arn));
  const upstream = new Map<string, string[]>();
  for (const e of edges) {
    const list = upstream.get(e.destination);
    if (list) list.push(e.source);
    else upstream.set(e.destination, [e.source]);
  }
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const src of upstream.get(current) ?? []) {
      if (seen.has(src)) continue; // cycles terminate here
      if (datasets.has(src)) return true;
      seen.add(src);
      queue.push(src);
    }
  }
  return false;
}

/**
 * `aws sagemaker query-lineage --start-arns <arn> --direction Ascendants --include-edges` /
 * `QueryLineageCommand` → one `sagemaker.lineage` for the entity named `startName` (the vertex whose ARN ends with
 * `/<startName>`; NormalizeError when there is none or several).
 *
 * Duplicate vertices and edges (from merged pages) are kept once. A vertex's `uri` is its `Source.SourceUri` when
 * the caller enriched the vertex with `DescribeArtifact`'s `Source`, or `details[arn].uri`; `sha256` is only ever
 * `details[arn].sha256`. Both are null otherwise.
 */
export function normalizeLineage(
  response: unknown,
  startName: string,
  meta: NormalizeMeta,
  details?: LineageVertexDetails,
): Observation<'sagemaker.lineage'> {
  const input = inputOf(meta, 'sagemaker:QueryLineage');
  const r = obj(response, input, 'QueryLineage response');

  const vertices: LineageContent['vertices'] = [];
  const vertexIndex = new Map<string, number>();
  for (const [i, raw] of optList(r, 'Vertices', input, '').entries()) {
    const path = `Vertices[${i}].`;
    const v = obj(raw, input, path.slice(0, -1));
    const arn = reqStr(v, 'Arn', input, path);
    const awsType = optStr(v, 'Type', input, path);
    optEnum(v, 'LineageType', SAGEMAKER_LINEAGE_TYPES, input, path);
    const source = optObj(v, 'Source', input, path);
    const detail = detailOf(details, arn);
    const uri = (source ? optStr(source, 'SourceUri', input, `${path}Source.`) : null) ?? detail?.uri ?? null;
    const vertex = { arn, type: vertexTypeOf(arn, awsType), awsType, uri, sha256: detail?.sha256 ?? null };
    const seenAt = vertexIndex.get(arn);
    if (seenAt === undefined) {
      vertexIndex.set(arn, vertices.length);
      vertices.push(vertex);
    } else if (vertices[seenAt]!.uri === null && uri !== null) {
      vertices[seenAt] = { ...vertices[seenAt]!, uri };
    }
  }

  const edges: LineageContent['edges'] = [];
  const edgeKeys = new Set<string>();
  for (const [i, raw] of optList(r, 'Edges', input, '').entries()) {
    const path = `Edges[${i}].`;
    const e = obj(raw, input, path.slice(0, -1));
    const edge = {
      source: reqStr(e, 'SourceArn', input, path),
      destination: reqStr(e, 'DestinationArn', input, path),
      association: optStr(e, 'AssociationType', input, path),
    };
    const key = `${edge.source}\n${edge.destination}\n${edge.association ?? ''}`;
    if (edgeKeys.has(key)) continue;
    edgeKeys.add(key);
    edges.push(edge);
  }

  const startArn = findStart(
    vertices.map((v) => v.arn),
    startName,
    input,
  );
  const content: LineageContent = {
    startArn,
    vertices,
    edges,
    reachesDataset: reachesDataset(startArn, vertices, edges),
  };
  return collected(baseOf(meta, 'sagemaker', 'sagemaker.lineage', startArn), content);
}
