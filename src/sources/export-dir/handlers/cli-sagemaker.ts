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
  const configs = new Map(qualified(ctx.dir, 'describe-endpoint-config'));
  for (const [, file] of qualified(ctx.dir, 'describe-endpoint')) {
    const doc = await readCliJson(ctx, file, 'sagemaker.endpoint', 'sagemaker');
    if (doc === undefined) continue;
    const configName = (doc as { EndpointConfigName?: unknown } | null)?.EndpointConfigName;
    const configFile = typeof configName === 'string' ? configs.get(configName) : undefined;
    const config = configFile ? await readCliJson(ctx, configFile, 'sagemaker.endpoint', 'sagemaker') : null;
    await normalizeOrReport(ctx, file, 'sagemaker.endpoint', 'sagemaker', () =>
      ctx.emit(normalizeEndpoint(doc, config ?? null, cliMeta(ctx, file, configFile && config !== undefined ? [configFile] : []))),
    );
  }
  for (const [startName, file] of qualified(ctx.dir, 'query-lineage')) {
    const doc = await readCliJson(ctx, file, 'sagemaker.lineage', 'sagemaker');
    if (doc !== undefined) await normalizeOrReport(ctx, file, 'sagemaker.lineage', 'sagemaker', () => ctx.emit(normalizeLineage(doc, startName, cliMeta(ctx, file))));
  }
}
