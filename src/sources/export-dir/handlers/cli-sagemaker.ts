import { normalizeEndpoint, normalizeLineage, normalizeModelCard, normalizeModelPackage } from '../../../normalizers/sagemaker/index.js';
import { cliMeta, normalizeOrReport, qualified, readCliJson, type CliContext } from './cli-common.js';

/** Model cards, model packages, endpoints (joined with their configs) and lineage query outputs. */
export async function handleCliSageMaker(ctx: CliContext): Promise<void> {
  for (const [, file] of qualified(ctx.dir, 'describe-model-card')) {
    const doc = await readCliJson(ctx, file, 'sagemaker.model_card', 'sagemaker');
    if (doc !== undefined) await normalizeOrReport(ctx, file, 'sagemaker.model_card', 'sagemaker', () => ctx.emit(normalizeModelCard(doc, cliMeta(ctx, file))));
  }
  for (const [, file] of qualified(ctx.dir, 'describe-model-package')) {
    const doc = await readCliJson(ctx, file, 'sagemaker.model_package', 'sagemaker');
    if (doc !== undefined) await normalizeOrReport(ctx, file, 'sagemaker.model_package', 'sagemaker', () => ctx.emit(normalizeModelPackage(doc, cliMeta(ctx, file))));
  }
  const modelPackages = await modelPackageMap(ctx);
  const artifacts = await artifactDetails(ctx);
  const configs = new Map(qualified(ctx.dir, 'describe-endpoint-config'));
  for (const [, file] of qualified(ctx.dir, 'describe-endpoint')) {
    const doc = await readCliJson(ctx, file, 'sagemaker.endpoint', 'sagemaker');
    if (doc === undefined) continue;
    const configName = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)['EndpointConfigName'] : undefined;
    const configFile = typeof configName === 'string' ? configs.get(configName) : undefined;
    const config = configFile ? await readCliJson(ctx, configFile, 'sagemaker.endpoint', 'sagemaker') : null;
    await normalizeOrReport(ctx, file, 'sagemaker.endpoint', 'sagemaker', () =>
      ctx.emit(normalizeEndpoint(doc, config ?? null, cliMeta(ctx, file, configFile && config !== undefined ? [configFile] : []), modelPackages)),
    );
  }
  for (const [startName, file] of qualified(ctx.dir, 'query-lineage')) {
    const doc = await readCliJson(ctx, file, 'sagemaker.lineage', 'sagemaker');
    if (doc !== undefined) await normalizeOrReport(ctx, file, 'sagemaker.lineage', 'sagemaker', () => ctx.emit(normalizeLineage(doc, startName, cliMeta(ctx, file), artifacts)));
  }
}

/** describe-model.<name>.json: which model package each model (a production variant's ModelName) serves. */
async function modelPackageMap(ctx: CliContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [, file] of qualified(ctx.dir, 'describe-model')) {
    const doc = (await readCliJson(ctx, file, 'sagemaker.endpoint', 'sagemaker')) as Record<string, unknown> | undefined;
    const name = doc?.['ModelName'];
    const containers = [doc?.['PrimaryContainer'], ...(Array.isArray(doc?.['Containers']) ? (doc['Containers'] as unknown[]) : [])];
    const pkg = containers.map((c) => (c as Record<string, unknown> | undefined)?.['ModelPackageName']).find((p) => typeof p === 'string');
    if (typeof name === 'string' && typeof pkg === 'string') out.set(name, pkg);
  }
  return out;
}

/**
 * describe-artifact.<id>.json: where a dataset in the lineage lives, and its registered hash. Only datasets are
 * joined, as the live collector does (it describes dataset artifacts only), so both give the same lineage item.
 */
async function artifactDetails(ctx: CliContext): Promise<Map<string, { uri?: string; sha256?: string }>> {
  const out = new Map<string, { uri?: string; sha256?: string }>();
  for (const [, file] of qualified(ctx.dir, 'describe-artifact')) {
    const doc = (await readCliJson(ctx, file, 'sagemaker.lineage', 'sagemaker')) as Record<string, unknown> | undefined;
    const arn = doc?.['ArtifactArn'];
    const source = doc?.['Source'] as { SourceUri?: unknown; SourceTypes?: { SourceIdType?: unknown; Value?: unknown }[] } | undefined;
    if (typeof arn !== 'string' || doc?.['ArtifactType'] !== 'DataSet') continue;
    const sha = source?.SourceTypes?.find((t) => t.SourceIdType === 'Custom' && typeof t.Value === 'string' && /^[a-f0-9]{64}$/.test(t.Value))?.Value;
    out.set(arn, { uri: typeof source?.SourceUri === 'string' ? source.SourceUri : undefined, sha256: typeof sha === 'string' ? sha : undefined });
  }
  return out;
}
